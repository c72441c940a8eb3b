import FlowCompiler
import FlowLanguage
import FlowRuntime
import Foundation
import Testing

// Shared pieces of the interpreter tests: small flows written inline as YAML, checked (no errors allowed) and
// compiled, and a driver that feeds events to the pure interpreter with a hand-moved clock. No Simulator, no
// channel, no store: what a test asserts is exactly the effects `Interpreter.step` returns.

/// Builds test flows from parts that default to valid ones, so that each test writes only what it is about.
enum Fixture {
    /// Monday 2026-11-23 10:00 in America/Bogota (15:00 UTC): inside the default business hours.
    static let mondayMorning: Int64 = 1_795_446_000

    /// The consent text, written out (no placeholders), so that a test knows the exact text shown and can
    /// check its SHA-256 against a value computed outside Swift.
    static let consentText =
        "Ejemplo SAS (datos@example.co, +57 601 0000000) tratara tus datos para atender tus solicitudes y para "
        + "la atencion por un asesor humano. Tus datos se procesan fuera de Colombia (Meta Platforms, Estados "
        + "Unidos). Puedes conocer, actualizar, rectificar y suprimir tus datos, revocar esta autorizacion, "
        + "solicitar prueba de ella, presentar quejas ante la SIC y acceder gratuitamente a tus datos. "
        + "Politica: https://example.co/datos"

    /// `printf '%s\nAcepto\nNo acepto' "$consentText" | sha256sum`, computed with coreutils, not with Swift.
    static let consentTextSHA256 = "06958590b0e0d74a7183ee97626cc4d63376d1c527e27fc1447a8024939f7900"

    /// Keywords `menu`/`inicio` to a branch that checks consent; revocation words as the language reference
    /// suggests.
    static let settings = """
        settings:
          keywords:
            - words: [menu, inicio]
              goto: ir_al_menu
            - words: [asesor, agente]
              goto: ir_al_asesor
          revocation:
            words: [revocar, "no autorizo", "borrar mis datos"]
            text: "Registramos la revocatoria de tu autorizacion."
        """

    /// A complete policy with an ordinary purpose, a human-attention purpose and an optional marketing one.
    static func policy(version: String = "2026-01") -> String {
        """
        policy:
          version: "\(version)"
          url: https://example.co/datos
          responsible:
            name: Ejemplo SAS
            address: "Calle 1 # 2-3, Bogota"
            email: datos@example.co
            phone: "+57 601 0000000"
          purposes:
            - { id: atencion, description: atender tus solicitudes }
            - { id: asesor, description: la atencion por un asesor humano, human_attention: true }
            - { id: promociones, description: enviarte promociones, optional: true, marketing: true }
          processors:
            - { name: Meta Platforms, country: Estados Unidos }
        """
    }

    /// The general consent step `consentimiento`, optionally with an opt-in to promotions.
    static func consent(
        accept: String = "menu", decline: String = "info", optIn: Bool = false, optInDecline: String = "No, gracias"
    ) -> String {
        var out = """
              consentimiento:
                type: consent
                text: "\(consentText)"
                accept: { title: Acepto, next: \(accept) }
                decline: { title: No acepto, next: \(decline) }

            """
        if optIn {
            out += """
                    opt_in:
                      purpose: promociones
                      text: "Quieres recibir promociones?"
                      accept: Si, quiero
                      decline: \(optInDecline)

                """
        }
        return out
    }

    /// The steps every fixture flow has besides the test's own: the keyword branches, public information for
    /// the decline path, a handoff and the goodbye.
    static let commonSteps = """
          ir_al_menu:
            type: branch
            cases:
              - when: { consent: given }
                next: menu
            default: consentimiento
          ir_al_asesor:
            type: branch
            cases:
              - when: { consent: given }
                next: asesor
            default: consentimiento
          info:
            type: message
            text: "Atendemos de lunes a viernes de 8:00 a 18:00."
            next: despedida
          despedida:
            type: end
            text: "Gracias por escribirnos."

        """

    /// A plain menu `menu` with two options, for flows whose test is about something else.
    static let simpleMenu = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con un asesor, next: asesor }

        """

    /// The menu `menu` whose second option asks for the name (`nombre`, personal data) before the handoff
    /// `asesor`, with that handoff: for tests about what a question for personal data takes.
    static let menuAskingTheName = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con un asesor, next: nombre }
          nombre:
            type: ask
            text: "Como te llamas?"
            save: nombre
            personal_data: true
            next: asesor

        """ + handoff

    /// A handoff `asesor` to the queue `ventas` that returns to the menu when the agent closes.
    static let handoff = """
          asesor:
            type: handoff
            queue: ventas
            text: "Ya te atiende un asesor."
            closed:
              text: "Estamos fuera de horario."
            next: menu

        """

    /// A whole flow: the fixed header, the consent, the test's steps and the common steps.
    static func flow(
        language: String = "es", version: String = "2026-01", settings: String = settings,
        consent: String = consent(), steps: String, common: String = commonSteps
    ) -> String {
        """
        flow: prueba
        language: \(language)
        start: consentimiento
        \(settings)
        \(policy(version: version))
        queues:
          ventas: [ana, bruno, carla]
        steps:
        \(consent)\(steps)\(common)
        """
    }

    /// `yaml` with a `templates` section (its entries, indented by 2) before its steps.
    static func withTemplates(_ yaml: String, _ templates: String) -> String {
        yaml.replacingOccurrences(of: "steps:\n", with: "templates:\n" + templates + "steps:\n")
    }

    /// `yaml` (a whole flow) with a utility template in Spanish declared before its steps.
    static func declaringUtilityTemplate(_ key: String, name: String, body: String, in yaml: String) -> String {
        yaml.replacingOccurrences(
            of: "steps:\n",
            with: """
                templates:
                  \(key):
                    name: \(name)
                    language: es
                    category: utility
                    body: "\(body)"
                steps:

                """)
    }

    /// Checks a flow, failing the test on any error, and compiles it.
    static func machine(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> StateMachine
    {
        let result = FlowChecker.check(yaml)
        // On failure, every diagnostic is listed (warnings too), to see at once what the flow got wrong.
        let errors = result.hasErrors ? result.diagnostics.map { "\($0.id): \($0.message)" } : []
        #expect(errors.isEmpty, "\(errors)", sourceLocation: sourceLocation)
        let flow = try #require(result.flow, sourceLocation: sourceLocation)
        return MachineCompiler.compile(flow)
    }

    /// An interpreter for a flow with the given test steps (and the common ones).
    static func interpreter(
        language: String = "es", version: String = "2026-01", settings: String = settings,
        consent: String = consent(), steps: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> Interpreter {
        Interpreter(
            machine: try machine(
                flow(language: language, version: version, settings: settings, consent: consent, steps: steps),
                sourceLocation: sourceLocation))
    }
}

/// One contact's conversation driven by hand: each call feeds one event at a later instant and returns the
/// effects of that event only.
struct Chat {
    let interpreter: Interpreter
    var session: Session
    /// The instant of the last event, Unix seconds.
    var now: Int64
    /// Every effect so far, in order.
    var history: [Effect] = []

    init(
        _ interpreter: Interpreter, session: Session = Session(contactName: "Ana", phone: "573001112233"),
        at start: Int64 = Fixture.mondayMorning
    ) {
        self.interpreter = interpreter
        self.session = session
        self.now = start
    }

    /// Feeds an event `seconds` after the previous one.
    @discardableResult
    mutating func event(_ kind: Event.Kind, after seconds: Int64 = 10) -> [Effect] {
        event(kind, at: now + seconds)
    }

    /// Feeds an event at an instant.
    @discardableResult
    mutating func event(
        _ kind: Event.Kind, at instant: Int64, forwarded: Bool = false, sentAt: Int64? = nil
    ) -> [Effect] {
        now = instant
        var effects: [Effect] = []
        interpreter.step(&session, Event(at: instant, kind, forwarded: forwarded, sentAt: sentAt), into: &effects)
        history += effects
        return effects
    }

    /// The contact types `text`.
    @discardableResult
    mutating func type(_ text: String, id: String? = nil, after seconds: Int64 = 10) -> [Effect] {
        event(.text(text, messageID: id), after: seconds)
    }

    /// The contact taps a button or a list row.
    @discardableResult
    mutating func tap(_ replyID: String, id: String? = nil, after seconds: Int64 = 10) -> [Effect] {
        event(.reply(id: replyID, messageID: id), after: seconds)
    }

    /// The contact sends a file.
    @discardableResult
    mutating func send(
        _ mimeType: String, size: Int64, fileName: String? = nil, after seconds: Int64 = 10
    ) -> [Effect] {
        event(.attachment(Event.Attachment(mimeType: mimeType, size: size, fileName: fileName)), after: seconds)
    }

    /// Opens the conversation and accepts the consent: the state most tests start from.
    mutating func openAndAccept() {
        type("hola")
        tap("consentimiento.accept")
    }

    /// The value of a variable by name.
    func value(_ name: String) -> String? {
        guard let i = interpreter.machine.variables.firstIndex(of: name), i < session.variables.count else {
            return nil
        }
        return session.variables[i]
    }

    /// The id of the step the conversation is at.
    var step: String { interpreter.name(of: session.state) }
}

extension Array where Element == Effect {
    /// The plain texts the bot sent, in order.
    var texts: [String] {
        compactMap {
            if case .send(.text(let text), from: .bot) = $0 { return text }
            return nil
        }
    }

    /// The steps entered, in order.
    var steps: [String] {
        compactMap {
            if case .stepEntered(let step) = $0 { return step }
            return nil
        }
    }

    /// The consent evidence recorded, in order.
    var evidence: [ConsentEvidence] {
        compactMap {
            if case .recordConsent(let evidence) = $0 { return evidence }
            return nil
        }
    }

    /// The queues of the handoffs requested, in order.
    var handoffRequests: [String] {
        compactMap {
            if case .requestHandoff(let queue) = $0 { return queue }
            return nil
        }
    }

    /// Whether any effect is a message logged from the contact.
    var logsContactMessage: Bool {
        contains {
            if case .logContactMessage = $0 { return true }
            return false
        }
    }

    /// Whether any effect sends something (free-form or refused by the window) as the bot.
    var botSpoke: Bool {
        contains {
            switch $0 {
            case .send(_, from: .bot), .windowClosed(_, from: .bot): return true
            default: return false
            }
        }
    }
}

/// The consent request as the interpreter shows it, for exact comparisons.
func consentPrompt(_ step: String = "consentimiento", text: String = Fixture.consentText) -> Effect {
    .send(
        .buttons(
            body: text, header: nil, footer: nil,
            buttons: [
                ReplyButton(id: step + ".accept", title: "Acepto"),
                ReplyButton(id: step + ".decline", title: "No acepto"),
            ]), from: .bot)
}

/// The simple menu as shown (two options: reply buttons).
let simpleMenuMessage: Effect = .send(
    .buttons(
        body: "En que te ayudamos?", header: nil, footer: nil,
        buttons: [
            ReplyButton(id: "horario", title: "Horario"), ReplyButton(id: "hablar", title: "Hablar con un asesor"),
        ]), from: .bot)

extension Fixture {
    /// A menu offering to send a photo of the contact's document behind a sensitive consent (`consentimiento_foto`,
    /// buttons Autorizo and No autorizo), and an agent; the photo question `pedir_foto` is sensitive.
    static let sensitivePhotoSteps = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: foto, title: Enviar foto, next: consentimiento_foto }
              - { id: hablar, title: Hablar con un asesor, next: asesor }
          consentimiento_foto:
            type: consent
            sensitive: true
            data: [foto de tu documento]
            text: >-
              {{policy.responsible}} te pide una foto de tu documento, un dato sensible, para {{policy.purposes}}.
              No estas obligado a autorizar su tratamiento. Politica: {{policy.url}}
            accept: { title: Autorizo, next: pedir_foto }
            decline: { title: No autorizo, next: menu }
          pedir_foto:
            type: ask
            text: "Envia la foto de tu documento."
            save: foto
            input: image
            sensitive: true
            next: menu

        """ + Fixture.handoff
}
