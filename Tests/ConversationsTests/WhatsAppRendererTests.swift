import Conversations
import Testing

@testable import FlowRuntime

/// `WhatsAppRenderer`: messages as a contact sees them in WhatsApp and the tester's notes, held to golden text.
@Suite struct WhatsAppRendererTests {
    /// Renders effects the way `talkflow repl` prints them without colours.
    func plain(_ effects: [Effect], agent: String? = nil) -> String {
        WhatsAppRenderer.blocks(effects, assignedAgent: agent).map(WhatsAppRenderer.plain).joined()
    }

    /// Consent evidence as the interpreter records it; only the choice, version and sensitivity are shown.
    func evidence(_ choice: String, sensitive: Bool = false) -> ConsentEvidence {
        ConsentEvidence(
            flow: "default", step: "consentimiento", policyVersion: "2026-01", policyURL: "https://example.co",
            choice: choice, shownTexts: [], textSHA256: "", purposesAccepted: [], purposesDeclined: [],
            sensitive: sensitive, at: 0, replyMessageID: nil, language: "es")
    }

    /// A text bubble: the first line after `bot › `, the others lined up under it, blank lines kept empty.
    @Test func textBubble() {
        let text = plain([.send(.text("Hola.\nEstamos para ayudarte.\n\nEscribe menu."), from: .bot)])
        #expect(text == "bot › Hola.\n      Estamos para ayudarte.\n\n      Escribe menu.\n")
    }

    /// Reply buttons sit under the body, with the header in bold and the footer in italics.
    @Test func replyButtonsWithHeaderAndFooter() {
        let message = OutboundMessage.buttons(
            body: "¿Autorizas el tratamiento de tus datos?", header: "Autorización", footer: "Empresa Ejemplo",
            buttons: [ReplyButton(id: "c.accept", title: "Acepto"), ReplyButton(id: "c.decline", title: "No acepto")])
        #expect(
            plain([.send(message, from: .bot)]) == """
                bot › *Autorización*
                      ¿Autorizas el tratamiento de tus datos?
                      _Empresa Ejemplo_
                      [ Acepto ]  [ No acepto ]

                """)
    }

    /// A list shows its button label and its rows opened, numbered (numbers right-aligned past 9), each
    /// description under its title.
    @Test func listWithNumberedRows() {
        var rows = (1...10).map { ListRow(id: "r\($0)", title: "Opción \($0)", description: nil) }
        rows[0].description = "La primera"
        let message = OutboundMessage.list(
            body: "Elige una.", header: nil, footer: nil, button: "Ver opciones", rows: Array(rows.prefix(10)))
        #expect(
            WhatsAppRenderer.lines(message) == [
                "Elige una.", "≡ Ver opciones", "   1. Opción 1", "      La primera", "   2. Opción 2",
                "   3. Opción 3", "   4. Opción 4", "   5. Opción 5", "   6. Opción 6", "   7. Opción 7",
                "   8. Opción 8", "   9. Opción 9", "  10. Opción 10",
            ])
        let short = OutboundMessage.list(
            body: "Preguntas", header: "Ayuda", footer: "Escribe el número", button: "Ver preguntas",
            rows: [
                ListRow(id: "horario", title: "Horario", description: "Cuándo atendemos"),
                ListRow(id: "pagos", title: "Pagos", description: ""),
            ])
        #expect(
            plain([.send(short, from: .bot)]) == """
                bot › *Ayuda*
                      Preguntas
                      _Escribe el número_
                      ≡ Ver preguntas
                        1. Horario
                           Cuándo atendemos
                        2. Pagos

                """)
    }

    /// A file shows its type, its name (or the one its URL gives, decoded) and its caption.
    @Test func attachment() {
        let named = OutboundMessage.attachment(
            url: "https://example.co/docs/c.pdf", fileName: "catalogo.pdf", caption: "Nuestro catálogo",
            fileExtension: "PDF")
        #expect(WhatsAppRenderer.lines(named) == ["[pdf] catalogo.pdf", "Nuestro catálogo"])
        let unnamed = OutboundMessage.attachment(
            url: "https://example.co/img/mapa.png?v=2", fileName: nil, caption: nil, fileExtension: "png")
        #expect(WhatsAppRenderer.lines(unnamed) == ["[png] mapa.png"])
        let encoded = OutboundMessage.attachment(
            url: "https://example.co/docs/cat%C3%A1logo.pdf?v=2", fileName: nil, caption: nil, fileExtension: "pdf")
        #expect(WhatsAppRenderer.lines(encoded) == ["[pdf] catálogo.pdf"])
    }

    /// A template shows its name, language, header and numbered parameters.
    @Test func template() {
        let message = OutboundMessage.template(
            name: "recordatorio_cita", language: "es_CO", parameters: ["Ana", "martes 10:00"], headerType: "image",
            headerLink: "https://example.co/logo.png")
        #expect(
            plain([.send(message, from: .bot)]) == """
                bot › [template recordatorio_cita, es_CO]
                        header: image https://example.co/logo.png
                        {{1}} Ana
                        {{2}} martes 10:00

                """)
    }

    /// An agent's message carries the agent's name; the indent follows the name's length.
    @Test func agentBubble() {
        #expect(plain([.send(.text("Hola\nSoy Carla"), from: .agent("carla"))]) == "carla › Hola\n        Soy Carla\n")
    }

    /// Consent, opt-in, sensitive consent and revocation notes say what was recorded and under which policy.
    @Test func consentNotes() {
        let text = plain([
            .recordConsent(evidence("accepted")), .recordConsent(evidence("declined")),
            .recordConsent(evidence("opt_in_accepted")), .recordConsent(evidence("opt_in_declined")),
            .recordConsent(evidence("opt_in_withdrawn")), .recordConsent(evidence("accepted", sensitive: true)),
            .recordRevocation(
                RevocationEvidence(flow: "default", policyVersion: "2026-01", words: "revocar", at: 0, messageID: nil)),
        ])
        #expect(
            text == """
                · consent accepted (policy 2026-01)
                · consent declined (policy 2026-01)
                · promotional messages accepted
                · promotional messages declined
                · promotional messages stopped (opt-in withdrawn)
                · sensitive-data consent accepted (policy 2026-01)
                · consent revoked (policy 2026-01)

                """)
    }

    /// A handoff names its queue and the agent the rotation assigned, or says none was.
    @Test func handoffNotes() {
        #expect(plain([.requestHandoff(queue: "ventas")], agent: "ana") == "· handoff requested: ventas → ana\n")
        #expect(plain([.requestHandoff(queue: "ventas")]) == "· handoff requested: ventas (no agent assigned)\n")
        #expect(
            plain([
                .relayToAgent(agent: "ana", message: .text("hola")),
                .relayToAgent(agent: nil, message: .attachment(.init(mimeType: "application/pdf", size: 1))),
                .endHandoff(agent: "ana"), .endHandoff(agent: nil),
            ]) == """
                · message relayed to ana
                · file application/pdf kept for the queue (no agent yet)
                · handoff ended (ana)
                · handoff ended

                """)
    }

    /// Closing, refusals and saved variables are notes; every close reason is shown by its transcript name.
    @Test func closingAndRefusalNotes() {
        let text = plain([
            .variableSaved(name: "nombre"), .closeConversation(.end), .closeConversation(.agentClosed),
            .closeConversation(.inactivity), .closeConversation(.error),
            .templateRefused(name: "promo", reason: "the contact did not opt in to promotional messages"),
            .agentMessageRefused(reason: "emoji are not allowed in messages to contacts"),
        ])
        #expect(
            text == """
                · saved nombre
                · conversation closed (end)
                · conversation closed (agent_closed)
                · conversation closed (inactivity)
                · conversation closed (error)
                · template promo not sent: the contact did not opt in to promotional messages
                · not sent: emoji are not allowed in messages to contacts

                """)
    }

    /// A message held back by the 24-hour window is a note, followed by who would have said what, as one bubble:
    /// its later lines under its first, not each with the speaker again.
    @Test func windowClosed() {
        #expect(
            plain([.windowClosed(.text("¿Sigues ahí?\n\nTe esperamos."), from: .agent("ana"))]) == """
                · not sent: outside the 24-hour window; an approved template is required
                  ana › ¿Sigues ahí?

                        Te esperamos.

                """)
    }

    /// Bookkeeping is not shown; notes between two bubbles stay between them, and adjacent notes form one block.
    @Test func blocksKeepOrderAndHideBookkeeping() {
        let effects: [Effect] = [
            .conversationStarted, .stepEntered("menu"), .logContactMessage(.text("hola")),
            .scheduleInactivityTimer(at: 60), .variableSaved(name: "nombre"), .send(.text("Gracias"), from: .bot),
            .cancelInactivityTimer, .requestHandoff(queue: "ventas"), .closeConversation(.end),
            .send(.text("Adiós"), from: .bot),
        ]
        let blocks = WhatsAppRenderer.blocks(effects, assignedAgent: "bruno")
        #expect(blocks.map(\.kind) == [.note, .message(.bot), .note, .message(.bot)])
        #expect(blocks[2].lines == ["· handoff requested: ventas → bruno", "· conversation closed (end)"])
        #expect(WhatsAppRenderer.note(.stepEntered("menu")) == nil)
        #expect(WhatsAppRenderer.note(.send(.text("x"), from: .bot)) == nil)
    }

    /// What a forwarded or unreadable message was is noted, a forwarded text's later lines under the first;
    /// inputs shown as typed get no note.
    @Test func forwardedAndUnreadableInputsAreNoted() {
        #expect(
            WhatsAppRenderer.note(sentByContact: .forwarded("Mira esto:\n\nAcepto")) == [
                "· forwarded by the contact: Mira esto:", "", "  Acepto",
            ])
        #expect(
            WhatsAppRenderer.note(sentByContact: .unreadable("nfm_reply")) == [
                "· unreadable message from the contact: [nfm_reply]"
            ])
        #expect(WhatsAppRenderer.note(sentByContact: .contact("Acepto")) == nil)
        #expect(WhatsAppRenderer.note(sentByContact: .tap("Acepto")) == nil)
    }
}
