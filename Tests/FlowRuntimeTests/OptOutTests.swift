import FlowCompiler
import FlowLanguage
import FlowRuntime
import Testing

// A marketing template's opt-out button (`opt_out`, Ley 2300 de 2023 art. 5): tapped or typed by a contact
// with the opt-in, it withdraws the opt-in, records it and confirms it, whenever it comes; it never touches the
// general consent, and for anyone else it is ordinary text.

/// The label of the template's quick-reply button that stops promotions.
private let label = "No recibir más"
/// The Spanish default confirmation.
private let confirmation =
    "Listo, no te enviaremos más promociones. Seguiremos atendiendo tus consultas por este medio."

/// A flow with the opt-in to promotions, the marketing template `promo` whose opt-out is `label`, the menu
/// `menu`, the question for the name `nombre` and the handoff `asesor`; `settings` replaces the fixture's.
private func optOutFlow(settings: String = Fixture.settings) throws -> Interpreter {
    let yaml = Fixture.withTemplates(
        Fixture.flow(settings: settings, consent: Fixture.consent(optIn: true), steps: Fixture.menuAskingTheName),
        """
          promo:
            name: promo_mensual
            language: es
            category: marketing
            body: "Hola {{1}}, tenemos promociones."
            opt_out: "\(label)"

        """)
    return Interpreter(machine: try Fixture.machine(yaml))
}

/// A conversation with consent and the opt-in accepted, waiting at the menu.
private func optedIn(settings: String = Fixture.settings) throws -> Chat {
    var chat = Chat(try optOutFlow(settings: settings))
    chat.openAndAccept()
    chat.tap("consentimiento.opt_in.accept")
    #expect(chat.session.consent.optIn)
    #expect(chat.step == "menu")
    return chat
}

/// The one `opt_in_withdrawn` record among `effects`.
private func withdrawal(_ effects: [Effect]) throws -> ConsentEvidence {
    let records = effects.evidence.filter { $0.choice == "opt_in_withdrawn" }
    try #require(records.count == 1, "\(effects)")
    return records[0]
}

@Test func theOptOutAsAConversationsFirstMessageWithdrawsConfirmsAndCloses() throws {
    var chat = try optedIn()
    chat.tap("horario")
    #expect(chat.session.status == .closed)
    let effects = chat.type(label, id: "wamid.OPTOUT", after: 86_400)
    #expect(try withdrawal(effects).replyMessageID == "wamid.OPTOUT")
    #expect(effects.steps.isEmpty)
    #expect(effects.texts == [confirmation])
    #expect(effects.first == .conversationStarted)
    #expect(effects.last == .closeConversation(.end))
    #expect(!effects.logsContactMessage)
    #expect(!chat.session.consent.optIn)
    #expect(chat.session.status == .closed)
}

@Test func midConversationTheOptOutLeavesTheMenuWaitingWithoutCountingAnAttempt() throws {
    var chat = try optedIn()
    let effects = chat.type("  no RECIBIR mas ")
    _ = try withdrawal(effects)
    #expect(effects.texts == [confirmation])
    #expect(effects.steps.isEmpty)
    #expect(effects.logsContactMessage)
    #expect(effects.contains(.scheduleInactivityTimer(at: chat.now + 30 * 60)))
    #expect(chat.step == "menu")
    #expect(chat.session.status == .waiting)
    #expect(chat.session.attempts == 0)
    // The menu still answers.
    #expect(chat.tap("hablar").steps == ["nombre"])
}

@Test func atAQuestionTheOptOutIsNoAnswer() throws {
    var chat = try optedIn()
    chat.tap("hablar")
    let effects = chat.type(label)
    _ = try withdrawal(effects)
    #expect(!effects.contains { if case .variableSaved = $0 { return true } else { return false } })
    #expect(chat.step == "nombre")
    #expect(chat.value("nombre") == nil)
    chat.type("Ana Perez")
    #expect(chat.value("nombre") == "Ana Perez")
}

@Test func theRecordHasTheShapeOfAWithdrawalInWhatsAppPlusTheContactsMessage() throws {
    var chat = try optedIn()
    let record = try withdrawal(chat.type(label, id: "wamid.ABC"))
    #expect(
        record
            == ConsentEvidence(
                flow: "prueba", step: "", policyVersion: "2026-01", policyURL: nil, choice: "opt_in_withdrawn",
                shownTexts: [], textSHA256: nil, purposesAccepted: [], purposesDeclined: ["promociones"],
                sensitive: false, at: chat.now, replyMessageID: "wamid.ABC", language: nil))
    // WhatsApp's own stop is the same record without a message id.
    var other = try optedIn()
    let stopped = try withdrawal(other.event(.marketingStopped(optInVersion: nil)))
    #expect(stopped.replyMessageID == nil)
    #expect(stopped.purposesDeclined == record.purposesDeclined && stopped.step == record.step)
}

@Test func theGeneralConsentStays() throws {
    var chat = try optedIn()
    chat.type(label)
    #expect(chat.session.consent.acceptedVersion == "2026-01")
    #expect(!chat.session.consent.optIn)
    // Data steps still run: consent is in force.
    #expect(chat.tap("hablar").steps == ["nombre"])
    #expect(chat.type("Ana Perez").handoffRequests == ["ventas"])
}

@Test func withoutTheOptInTheLabelIsOrdinaryText() throws {
    var chat = Chat(try optOutFlow())
    chat.openAndAccept()
    chat.tap("consentimiento.opt_in.decline")
    let atMenu = chat.type(label)
    #expect(atMenu.evidence.isEmpty)
    #expect(atMenu.texts.first == "No entendí tu respuesta. Elige una de las opciones, por favor.")
    #expect(chat.session.attempts == 1)
    chat.tap("horario")
    // As the first message it only opens the conversation.
    let first = chat.type(label, after: 86_400)
    #expect(first.evidence.isEmpty)
    #expect(first.steps.first == "consentimiento")
    #expect(chat.step == "menu")
}

@Test func duringAHandoffTheOptOutIsNotRelayed() throws {
    var chat = try optedIn()
    chat.tap("hablar")
    chat.type("Ana Perez")
    chat.event(.agentAssigned("ana"))
    let effects = chat.type(label)
    _ = try withdrawal(effects)
    #expect(!effects.contains { if case .relayToAgent = $0 { return true } else { return false } })
    #expect(chat.session.status == .withAgent)
    #expect(chat.session.agent == "ana")
}

@Test func theOptOutComesBeforeAKeywordOfTheSameWordsAndARevocationWordBeforeIt() throws {
    let menuWords = "words: [menu, inicio]"
    let settings = Fixture.settings.replacingOccurrences(of: menuWords, with: "words: [menu, inicio, no recibir mas]")
    #expect(settings != Fixture.settings)
    var chat = try optedIn(settings: settings)
    chat.tap("hablar")
    let optingOut = chat.type(label)
    _ = try withdrawal(optingOut)
    #expect(chat.step == "nombre")
    // Without the opt-in, the same words are the keyword's.
    #expect(chat.type(label).steps == ["ir_al_menu", "menu"])
    // A revocation word is never an opt-out: it revokes, withdrawing the opt-in with everything else.
    var revoking = try optedIn()
    let effects = revoking.type("revocar")
    #expect(effects.contains { if case .recordRevocation = $0 { return true } else { return false } })
    #expect(effects.evidence.isEmpty)
}

@Test func theConfirmationIsInTheFlowsLanguage() throws {
    let english = LanguageDefaults.of(.en).optOutConfirmation
    let portuguese = LanguageDefaults.of(.pt).optOutConfirmation
    #expect(LanguageDefaults.of(.es).optOutConfirmation == confirmation)
    #expect(english == "Done, we will not send you any more promotions. We will still answer your questions here.")
    #expect(portuguese == "Pronto, não enviaremos mais promoções. Continuaremos atendendo suas dúvidas por aqui.")
    for text in [confirmation, english, portuguese] { #expect(!EmojiScanner.containsEmoji(text)) }
}

/// The opt-out typed as the first message after a reload changed the consent request the contact waits at
/// (`neverConsent`): besides withdrawing, the current request is sent, since the one on the contact's screen is no
/// longer the flow's (review2 #4: only the confirmation went, and a later answer to the old request counted).
@Test func anOptOutAtAConsentRequestAReloadChangedSendsTheCurrentOne() throws {
    let interpreter = try optOutFlow()
    let returning = Session(
        contactName: "Ana", phone: "573001112233",
        consent: Session.Consent(acceptedVersion: "2025-01", optIn: true))
    var chat = Chat(interpreter, session: returning)
    chat.type("hola")
    #expect(chat.step == "consentimiento")
    var plain = chat
    let withdrawn = plain.type(label)
    #expect(!withdrawn.contains(consentPrompt()))
    var effects: [Effect] = []
    interpreter.step(&chat.session, Event(at: chat.now + 10, .text(label), neverConsent: true), into: &effects)
    #expect(try withdrawal(effects).choice == "opt_in_withdrawn")
    #expect(effects.texts.first == confirmation)
    #expect(effects.contains(consentPrompt()))
    #expect(chat.session.status == .waiting && !chat.session.consent.optIn)
}
