import FlowCompiler
import FlowRuntime
import Testing

// The habeas-data consent at run time (checklist items 3, 4, 8, 14 and 16 of the design's habeas-data page):
// only the accept reply or an exact accept word accepts, the evidence is complete, consent is remembered per
// policy version, declining keeps the service free of data collection, nothing is logged before acceptance.

/// The flow most consent tests use: consent, a two-option menu, a handoff and the common steps.
private func consentFlow(version: String = "2026-01", optIn: Bool = false) throws -> Interpreter {
    try Fixture.interpreter(
        version: version, consent: Fixture.consent(optIn: optIn), steps: Fixture.simpleMenu + Fixture.handoff)
}

@Test func firstMessageShowsTheConsentWithItsReplyIDs() throws {
    var chat = Chat(try consentFlow())
    let t = Fixture.mondayMorning
    let effects = chat.event(.text("hola"), at: t)
    #expect(
        effects == [
            .conversationStarted, .stepEntered("consentimiento"), consentPrompt(),
            .scheduleInactivityTimer(at: t + 1800),
        ])
    #expect(chat.session.status == .waiting)
    #expect(chat.session.consent.acceptedVersion == nil)
}

@Test func acceptingRecordsTheEvidence() throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    let effects = chat.tap("consentimiento.accept", id: "wamid.A1", after: 30)
    try #require(effects.count == 4)
    #expect(
        Array(effects[1...]) == [
            .stepEntered("menu"), simpleMenuMessage, .scheduleInactivityTimer(at: chat.now + 1800),
        ])
    let evidence = try #require(effects.evidence.first)
    #expect(evidence.flow == "prueba")
    #expect(evidence.step == "consentimiento")
    #expect(evidence.policyVersion == "2026-01")
    #expect(evidence.policyURL == "https://example.co/datos")
    #expect(evidence.choice == "accepted")
    #expect(evidence.shownTexts == [Fixture.consentText, "Acepto", "No acepto"])
    // The hash was computed outside Swift (coreutils) over the same texts joined by "\n".
    #expect(evidence.textSHA256 == Fixture.consentTextSHA256)
    #expect(evidence.purposesAccepted == ["atencion", "asesor"])
    #expect(evidence.purposesDeclined == [])
    #expect(evidence.sensitive == false)
    #expect(evidence.at == chat.now)
    #expect(evidence.replyMessageID == "wamid.A1")
    #expect(evidence.language == "es")
    #expect(chat.session.consent.acceptedVersion == "2026-01")
}

@Test(arguments: ["acepto", "  ACEPTO ", "Autorizo", "sí acepto", "Si   autorizo", "Acepto"])
func exactAcceptWordsAccept(_ word: String) throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    let effects = chat.type(word, id: "wamid.W")
    #expect(effects.evidence.map(\.choice) == ["accepted"])
    #expect(effects.evidence.first?.replyMessageID == "wamid.W")
    #expect(chat.session.consent.acceptedVersion == "2026-01")
    #expect(chat.step == "menu")
}

/// Inputs that must never count as acceptance at a consent step: other words, a keyword, a revocation word,
/// a tap on another button, a file.
private let notAcceptance: [Event.Kind] = [
    .text("ok"), .text("si"), .text("continuar"), .text("acepto los terminos"), .text("sí, acepto"),
    .text("menu"), .text("asesor"), .text("revocar"), .reply(id: "horario"), .reply(id: "menu.accept"),
    .reply(id: "consentimiento.acept"), .attachment(Event.Attachment(mimeType: "application/pdf", size: 1000)),
    .attachment(Event.Attachment(mimeType: "image/webp", size: 1000)),
]

@Test(arguments: notAcceptance)
func anythingElseShowsTheConsentAgain(_ input: Event.Kind) throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    let effects = chat.event(input)
    #expect(effects == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.session.consent.acceptedVersion == nil)
    #expect(chat.step == "consentimiento")
}

/// A forwarded message is someone else's words: "acepto" forwarded is not the contact's consent, nor its
/// opt-in; the request is shown again and nothing is recorded. Typed by the contact, the same word accepts.
@Test func aForwardedAcceptIsNeverConsent() throws {
    var chat = Chat(try consentFlow(optIn: true))
    chat.type("hola")
    let forwarded = chat.event(.text("acepto", messageID: "wamid.F"), at: chat.now + 10, forwarded: true)
    #expect(forwarded == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.session.consent.acceptedVersion == nil)
    #expect(chat.type("acepto").evidence.map(\.choice) == ["accepted"])
    let optIn = chat.event(.text("Si, quiero"), at: chat.now + 10, forwarded: true)
    #expect(optIn.evidence.isEmpty)
    #expect(!chat.session.consent.optIn)
    #expect(chat.type("Si, quiero").evidence.map(\.choice) == ["opt_in_accepted"])
}

@Test func aTimeoutIsNeverAcceptance() throws {
    var chat = Chat(try consentFlow())
    let t = Fixture.mondayMorning
    chat.event(.text("hola"), at: t)
    #expect(chat.event(.inactivityTimeout, at: t + 1799) == [])
    #expect(chat.event(.inactivityTimeout, at: t + 1800) == [.closeConversation(.inactivity)])
    #expect(chat.session.consent.acceptedVersion == nil)
    #expect(chat.session.status == .closed)
    #expect(chat.history.evidence.isEmpty)
    // The next message starts over at the consent.
    #expect(chat.type("hola").contains(consentPrompt()))
}

@Test func decliningRecordsTheDeclineAndOffersPublicInformation() throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    let effects = chat.tap("consentimiento.decline", id: "wamid.D1")
    try #require(effects.count == 7)
    #expect(
        Array(effects[1...]) == [
            .stepEntered("info"), .send(.text("Atendemos de lunes a viernes de 8:00 a 18:00."), from: .bot),
            .stepEntered("despedida"), .send(.text("Gracias por escribirnos."), from: .bot), .cancelInactivityTimer,
            .closeConversation(.end),
        ])
    let evidence = try #require(effects.evidence.first)
    #expect(evidence.choice == "declined")
    #expect(evidence.purposesAccepted == [])
    #expect(evidence.purposesDeclined == ["atencion", "asesor"])
    #expect(evidence.textSHA256 == Fixture.consentTextSHA256)
    #expect(evidence.replyMessageID == "wamid.D1")
    #expect(chat.session.consent.acceptedVersion == nil)
}

@Test(arguments: ["No acepto", "no autorizo", "  NO ACEPTO"])
func typedDeclineWordsDecline(_ word: String) throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    #expect(chat.type(word).evidence.map(\.choice) == ["declined"])
    #expect(chat.session.consent.acceptedVersion == nil)
}

@Test func declineNeverLeadsToDataCollectionOrHandoff() throws {
    // The decline path waits at a public menu; its options and the keywords lead back to the consent only.
    let steps = """
          publico:
            type: menu
            text: "Sin autorizacion podemos darte informacion general."
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con alguien, next: ir_al_asesor }
        """ + "\n" + Fixture.simpleMenu + Fixture.handoff
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(decline: "publico"), steps: steps))
    chat.type("hola")
    chat.tap("consentimiento.decline")
    #expect(chat.step == "publico")
    for input in ["asesor", "menu", "agente"] {
        let effects = chat.type(input)
        #expect(effects.steps.last == "consentimiento", "\(input)")
        #expect(effects.contains(consentPrompt()), "\(input)")
        chat.tap("consentimiento.decline")
    }
    let effects = chat.tap("hablar")
    #expect(effects.steps == ["ir_al_asesor", "consentimiento"])
    #expect(chat.history.handoffRequests.isEmpty)
    #expect(!chat.history.contains { if case .variableSaved = $0 { return true } else { return false } })
}

@Test func theCompilerRefusesADeclinePathThatCollectsData() throws {
    let steps = """
          nombre:
            type: ask
            text: "Como te llamas?"
            save: nombre
            personal_data: true
            next: despedida
        """ + "\n" + Fixture.simpleMenu + Fixture.handoff
    let result = FlowChecker.check(Fixture.flow(consent: Fixture.consent(decline: "nombre"), steps: steps))
    #expect(result.diagnostics.contains { $0.id == "consent_required" && $0.severity == .error })
}

@Test func aContactWhoAcceptedThisVersionIsNotAskedAgain() throws {
    let session = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2026-01"))
    var chat = Chat(try consentFlow(), session: session)
    let effects = chat.type("hola")
    #expect(
        effects == [
            .conversationStarted, .stepEntered("consentimiento"), .stepEntered("menu"), simpleMenuMessage,
            .scheduleInactivityTimer(at: chat.now + 1800),
        ])
}

/// A returning contact who has not opted in is not asked again when a conversation starts, but is when the
/// flow leads back to the consent step (a "receive promotions" option): only the opt-in question, once per
/// conversation, and then the flow goes on to `accept`'s step whatever the answer.
@Test func theOptInIsOfferedAgainWhenTheFlowLeadsBackToTheConsentStep() throws {
    let steps = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: promos, title: Recibir promociones, next: consentimiento }
              - { id: hablar, title: Hablar con un asesor, next: asesor }

        """
    let interpreter = try Fixture.interpreter(consent: Fixture.consent(optIn: true), steps: steps + Fixture.handoff)
    let session = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2026-01", optIn: false))
    var chat = Chat(interpreter, session: session)
    let start = chat.type("hola")
    #expect(start.steps == ["consentimiento", "menu"])
    #expect(
        !start.contains {
            if case .send(.buttons(let body, _, _, _), _) = $0 { body.contains("promociones") } else { false }
        })

    let offered = chat.tap("promos")
    #expect(offered.steps == ["consentimiento"])
    #expect(chat.session.awaitingOptIn)
    let declined = chat.tap("consentimiento.opt_in.decline")
    #expect(declined.evidence.map(\.choice) == ["opt_in_declined"])
    #expect(declined.steps == ["menu"])
    // Declined once in this conversation: not asked again in it.
    let again = chat.tap("promos")
    #expect(again.steps == ["consentimiento", "menu"])
    #expect(again.evidence.isEmpty)

    // In the next conversation the option offers it again, and an acceptance is recorded.
    chat.event(.inactivityTimeout, after: 1800)
    chat.type("hola", after: 3600)
    #expect(chat.tap("promos").steps == ["consentimiento"])
    let accepted = chat.tap("consentimiento.opt_in.accept")
    #expect(accepted.evidence.map(\.choice) == ["opt_in_accepted"])
    #expect(chat.session.consent.optIn)
    #expect(chat.tap("promos").steps == ["consentimiento", "menu"])
}

@Test func aNewPolicyVersionAsksAgain() throws {
    let session = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2026-01"))
    var chat = Chat(try consentFlow(version: "2026-02"), session: session)
    #expect(chat.type("hola").contains(consentPrompt()))
    #expect(chat.step == "consentimiento")
    let evidence = chat.tap("consentimiento.accept").evidence
    #expect(evidence.map(\.policyVersion) == ["2026-02"])
    #expect(chat.session.consent.acceptedVersion == "2026-02")
}

/// A flow reloaded with a new policy version while a contact talks to an agent: their next message would be
/// data under a policy they did not accept, so the handoff ends, the conversation closes (`policy_changed`) and
/// the message starts a new one that asks for the new policy.
@Test func aNewPolicyVersionMidConversationAsksAgainBeforeAnyData() throws {
    var before = Chat(try consentFlow())
    before.openAndAccept()
    before.tap("hablar")
    before.event(.agentAssigned("ana"))
    var withAgent = Chat(try consentFlow(version: "2026-02"), session: before.session, at: before.now)
    let effects = withAgent.type("mi cedula es 123")
    #expect(
        Array(effects.prefix(3)) == [
            .endHandoff(agent: "ana"), .closeConversation(.policyChanged), .conversationStarted,
        ])
    #expect(effects.contains(consentPrompt()))
    #expect(!effects.contains { if case .relayToAgent = $0 { true } else { false } })
    #expect(withAgent.step == "consentimiento")
    let evidence = withAgent.tap("consentimiento.accept").evidence
    #expect(evidence.map(\.policyVersion) == ["2026-02"])
}

/// A contact at the menu when the flow is reloaded with a new policy version asks for an agent: the handoff
/// would hand their data to a person under a policy they did not accept, so the new one is asked for first.
/// Accepting goes on to the handoff they asked for; nothing is requested before.
@Test func aHandoffUnderAnOlderPolicyVersionAsksForTheNewOneFirstAndAcceptingHandsOff() throws {
    var before = Chat(try consentFlow())
    before.openAndAccept()
    #expect(before.step == "menu")
    var chat = Chat(try consentFlow(version: "2026-02"), session: before.session, at: before.now)
    let asked = chat.tap("hablar")
    // Not logged either: the consent in force covers another version.
    #expect(
        asked == [.stepEntered("consentimiento"), consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.session.status == .waiting)
    #expect(chat.step == "consentimiento")

    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.evidence.map(\.policyVersion) == ["2026-02"])
    #expect(accepted.evidence.map(\.choice) == ["accepted"])
    #expect(accepted.steps == ["asesor"])
    #expect(accepted.handoffRequests == ["ventas"])
    #expect(chat.session.status == .queued)
    #expect(chat.session.pendingStep == nil)
    #expect(chat.session.consent.acceptedVersion == "2026-02")
}

/// The opt-in question is never asked twice in one conversation: a contact who answered it and is then asked for
/// a new policy version before a handoff accepts and goes on to the handoff without the question again; a contact
/// whose opt-in is in force is not asked either.
@Test(arguments: ["consentimiento.opt_in.decline", "consentimiento.opt_in.accept"])
func reAcceptingANewPolicyVersionDoesNotAskTheOptInAgain(_ answer: String) throws {
    var before = Chat(try consentFlow(optIn: true))
    before.type("hola")
    before.tap("consentimiento.accept")
    #expect(before.tap(answer).evidence.count == 1)
    #expect(before.step == "menu")
    var chat = Chat(try consentFlow(version: "2026-02", optIn: true), session: before.session, at: before.now)
    #expect(chat.tap("hablar").contains(consentPrompt()))
    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.evidence.map(\.choice) == ["accepted"])
    #expect(accepted.steps == ["asesor"])
    #expect(accepted.handoffRequests == ["ventas"])
    #expect(chat.session.awaitingOptIn == false)
    #expect(chat.session.consent.optIn == (answer == "consentimiento.opt_in.accept"))
}

/// In a later conversation a contact who declined the opt-in and accepts a new policy version is asked it again.
@Test func aLaterConversationAcceptingANewPolicyVersionAsksTheDeclinedOptInAgain() throws {
    var before = Chat(try consentFlow(optIn: true))
    before.type("hola")
    before.tap("consentimiento.accept")
    before.tap("consentimiento.opt_in.decline")
    var session = before.session
    session.status = .closed
    var chat = Chat(try consentFlow(version: "2026-02", optIn: true), session: session, at: before.now + 86_400)
    #expect(chat.type("hola").contains(consentPrompt()))
    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.evidence.map(\.choice) == ["accepted"])
    #expect(chat.session.awaitingOptIn)
    #expect(accepted.steps == [])
}

/// Declining the new policy asked before a handoff takes the decline path: no handoff, the consent of the older
/// version stays what it was (it covers nothing now), and a later handoff asks again.
@Test func decliningTheNewPolicyBeforeAHandoffTakesTheDeclinePath() throws {
    var before = Chat(try consentFlow())
    before.openAndAccept()
    var chat = Chat(try consentFlow(version: "2026-02"), session: before.session, at: before.now)
    chat.tap("hablar")
    let declined = chat.tap("consentimiento.decline")
    #expect(declined.evidence.map(\.choice) == ["declined"])
    #expect(declined.steps == ["info", "despedida"])
    #expect(declined.handoffRequests.isEmpty)
    #expect(chat.session.status == .closed)
    #expect(chat.session.pendingStep == nil)
    // Declining closed the conversation; a new one at the start asks for the new policy, and accepting it leads
    // to the menu, not to the handoff asked for in the earlier conversation.
    chat.type("hola", after: 60)
    #expect(chat.tap("consentimiento.accept").steps == ["menu"])
}

/// Silence at the consent asked again is never consent: the inactivity close forgets the handoff, and the next
/// conversation's acceptance goes to `accept.next`.
@Test func theHandoffWaitingForTheNewPolicyIsForgottenWhenTheConversationCloses() throws {
    var before = Chat(try consentFlow())
    before.openAndAccept()
    var chat = Chat(try consentFlow(version: "2026-02"), session: before.session, at: before.now)
    chat.tap("hablar")
    #expect(chat.session.pendingStep != nil)
    chat.event(.inactivityTimeout, after: 1800)
    #expect(chat.session.status == .closed)
    #expect(chat.session.pendingStep == nil)
}

/// An opt-in withdrawn in WhatsApp's settings showed the contact nothing: its record has no text, no hash, no
/// URL and no language, and names the policy version the opt-in was given under.
@Test func anOptInWithdrawnInWhatsAppRecordsNoTextAndTheOptInsVersion() throws {
    var chat = Chat(try consentFlow(version: "2026-02", optIn: true))
    chat.openAndAccept()
    chat.tap("consentimiento.opt_in.accept")
    let withdrawn = chat.event(.marketingStopped(optInVersion: "2026-01")).evidence
    #expect(withdrawn.count == 1)
    let evidence = try #require(withdrawn.first)
    #expect(evidence.choice == "opt_in_withdrawn")
    #expect(evidence.step == "")
    #expect(evidence.shownTexts == [])
    #expect(evidence.textSHA256 == nil)
    #expect(evidence.policyURL == nil)
    #expect(evidence.language == nil)
    #expect(evidence.policyVersion == "2026-01")
    #expect(evidence.purposesDeclined == ["promociones"])
    #expect(!chat.session.consent.optIn)
    // Without an opt-in in force, nothing; without a version from the store, the flow's current one.
    #expect(chat.event(.marketingStopped(optInVersion: "2026-01")).isEmpty)
    let optedIn = Session(consent: Session.Consent(acceptedVersion: "2026-02", optIn: true))
    var other = Chat(try consentFlow(version: "2026-02", optIn: true), session: optedIn)
    #expect(other.event(.marketingStopped(optInVersion: nil)).evidence.map(\.policyVersion) == ["2026-02"])
}

@Test func nothingTheContactWroteBeforeAcceptingIsLogged() throws {
    var chat = Chat(try consentFlow())
    chat.type("hola, mi cedula es 123456")
    chat.type("me llamo Ana")
    chat.send("application/pdf", size: 2000, fileName: "cedula.pdf")
    chat.type("revocar")
    chat.tap("consentimiento.accept")
    #expect(!chat.history.logsContactMessage)
    // From acceptance on, what the contact writes is kept.
    #expect(chat.type("Horario").first == .logContactMessage(.text("Horario")))
}

/// Content is kept from the acceptance on, also at the consent step: the answer to the opt-in question, tapped
/// or typed, is logged; the tap that accepts is not, nor the first message of a returning contact's next
/// conversation (it only starts one).
@Test func theOptInAnswerIsLoggedButNotTheAcceptanceNorAConversationsFirstMessage() throws {
    for answer in ["tap", "type"] {
        var chat = Chat(try consentFlow(optIn: true))
        chat.type("hola")
        #expect(!chat.tap("consentimiento.accept").logsContactMessage)
        let effects =
            answer == "tap" ? chat.tap("consentimiento.opt_in.accept") : chat.type("no, gracias")
        let logged: RelayedMessage = answer == "tap" ? .text("consentimiento.opt_in.accept") : .text("no, gracias")
        #expect(effects.first == .logContactMessage(logged), "\(answer)")
        #expect(effects.evidence.count == 1)
    }
    let returning = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2026-01", optIn: false))
    var chat = Chat(try consentFlow(optIn: true), session: returning)
    #expect(!chat.type("hola, soy Ana").logsContactMessage)
    #expect(chat.type("Horario").first == .logContactMessage(.text("Horario")))
}

@Test func theOptInIsAskedAfterAcceptanceAndRecordedApart() throws {
    var chat = Chat(try consentFlow(optIn: true))
    chat.type("hola")
    let accepted = chat.tap("consentimiento.accept")
    let optInPrompt: Effect = .send(
        .buttons(
            body: "Quieres recibir promociones?", header: nil, footer: nil,
            buttons: [
                ReplyButton(id: "consentimiento.opt_in.accept", title: "Si, quiero"),
                ReplyButton(id: "consentimiento.opt_in.decline", title: "No, gracias"),
            ]), from: .bot)
    #expect(Array(accepted.dropFirst()) == [optInPrompt, .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(accepted.evidence.first?.purposesAccepted == ["atencion", "asesor"])
    #expect(chat.session.consent.acceptedVersion == "2026-01")
    // Anything else asks the opt-in again.
    let other = chat.type("tal vez")
    #expect(
        other == [.logContactMessage(.text("tal vez")), optInPrompt, .scheduleInactivityTimer(at: chat.now + 1800)])
    let effects = chat.tap("consentimiento.opt_in.accept", id: "wamid.O")
    let evidence = try #require(effects.evidence.first)
    #expect(evidence.choice == "opt_in_accepted")
    #expect(evidence.purposesAccepted == ["promociones"])
    #expect(evidence.shownTexts == ["Quieres recibir promociones?", "Si, quiero", "No, gracias"])
    #expect(evidence.replyMessageID == "wamid.O")
    #expect(chat.session.consent.optIn)
    #expect(effects.steps == ["menu"])
}

/// A revocation starts the opt-in over: a contact who accepts the policy again in the same conversation is asked
/// the opt-in question again, whatever they answered before (the newcomer4 audit found it never asked).
@Test(arguments: ["consentimiento.opt_in.accept", "consentimiento.opt_in.decline"])
func afterARevocationAcceptingAgainAsksTheOptInAgain(_ firstAnswer: String) throws {
    var chat = Chat(try consentFlow(optIn: true))
    chat.type("hola")
    chat.tap("consentimiento.accept")
    chat.tap(firstAnswer)
    chat.type("revocar")
    #expect(chat.step == "consentimiento")
    let again = chat.tap("consentimiento.accept")
    #expect(chat.session.awaitingOptIn)
    #expect(
        again.contains {
            if case .send(.buttons(let body, _, _, _), _) = $0 { body == "Quieres recibir promociones?" } else { false }
        })
    #expect(chat.tap("consentimiento.opt_in.accept").evidence.map(\.choice) == ["opt_in_accepted"])
}

/// A reload while the opt-in question is asked (the operator2 audit): a flow without the opt-in now goes on as
/// after the acceptance, asking and recording nothing; a new policy version asks for the new consent first, and
/// records no opt-in under a version the contact has not accepted.
@Test func aReloadWhileTheOptInIsAskedGoesOnOrAsksTheNewPolicy() throws {
    var before = Chat(try consentFlow(optIn: true))
    before.type("hola")
    before.tap("consentimiento.accept")
    #expect(before.session.awaitingOptIn)

    var withoutOptIn = Chat(try consentFlow(optIn: false), session: before.session, at: before.now)
    let goesOn = withoutOptIn.type("No, gracias")
    #expect(goesOn.evidence.isEmpty)
    #expect(withoutOptIn.step == "menu")
    #expect(withoutOptIn.session.consent.acceptedVersion == "2026-01")

    var newVersion = Chat(try consentFlow(version: "2026-02", optIn: true), session: before.session, at: before.now)
    let asked = newVersion.tap("consentimiento.opt_in.accept")
    #expect(asked.evidence.isEmpty)
    #expect(asked.contains(consentPrompt()))
    #expect(!newVersion.session.awaitingOptIn && !newVersion.session.consent.optIn)
    #expect(newVersion.tap("consentimiento.accept").evidence.map(\.policyVersion) == ["2026-02"])
}

/// Declining the very version accepted before (asked again after such a reload) is the latest decision on it:
/// consent is no longer in force, in the session as in the ledger's fold.
@Test func decliningTheAcceptedVersionEndsIt() throws {
    var chat = Chat(try consentFlow())
    chat.type("hola")
    chat.tap("consentimiento.accept")
    var again = Chat(try consentFlow(), session: chat.session, at: chat.now)
    let consentStep = (0..<again.interpreter.machine.states.count).first {
        again.interpreter.name(of: Int32($0)) == "consentimiento"
    }
    again.session.state = Int32(try #require(consentStep))
    again.session.status = .waiting
    #expect(again.tap("consentimiento.decline").evidence.map(\.choice) == ["declined"])
    #expect(again.session.consent.acceptedVersion == nil)
}

@Test func decliningTheOptInKeepsTheGeneralConsent() throws {
    var chat = Chat(try consentFlow(optIn: true))
    chat.type("hola")
    chat.tap("consentimiento.accept")
    let evidence = chat.type("no, gracias").evidence
    #expect(evidence.map(\.choice) == ["opt_in_declined"])
    #expect(evidence.first?.purposesDeclined == ["promociones"])
    #expect(chat.session.consent.optIn == false)
    #expect(chat.session.consent.acceptedVersion == "2026-01")
    #expect(chat.step == "menu")
}

@Test(arguments: [("en", "I agree"), ("en", "i accept"), ("pt", "Aceito"), ("pt", "sim aceito")])
func acceptWordsFollowTheFlowLanguage(_ language: String, _ word: String) throws {
    var chat = Chat(
        try Fixture.interpreter(language: language, steps: Fixture.simpleMenu + Fixture.handoff))
    chat.type("hello")
    #expect(chat.type(word).evidence.map { $0.choice } == ["accepted"])
    #expect(chat.session.consent.acceptedVersion == "2026-01")
}

@Test func spanishAcceptWordsDoNotAcceptAnEnglishFlow() throws {
    var chat = Chat(try Fixture.interpreter(language: "en", steps: Fixture.simpleMenu + Fixture.handoff))
    chat.type("hello")
    // "Acepto" is the step's own title, so it accepts; "autorizo" is a Spanish word only.
    #expect(chat.type("autorizo").evidence.isEmpty)
    #expect(chat.session.consent.acceptedVersion == nil)
}

@Test func aSensitiveConsentIsAskedApartAndOnlyOncePerConversation() throws {
    let steps = Fixture.sensitivePhotoSteps
    var chat = Chat(try Fixture.interpreter(steps: steps))
    chat.openAndAccept()
    let asked = chat.tap("foto")
    #expect(asked.steps == ["consentimiento_foto"])
    // The general consent does not unlock the sensitive step: its own buttons are shown.
    #expect(
        asked.contains {
            if case .send(.buttons(_, _, _, let buttons), from: .bot) = $0 {
                return buttons.map(\.id) == ["consentimiento_foto.accept", "consentimiento_foto.decline"]
            }
            return false
        })
    let evidence = chat.tap("consentimiento_foto.accept").evidence
    #expect(evidence.map(\.sensitive) == [true])
    #expect(evidence.map(\.step) == ["consentimiento_foto"])
    #expect(chat.session.consent.sensitive)
    #expect(chat.session.consent.acceptedVersion == "2026-01")
    chat.send("image/jpeg", size: 50_000, fileName: "cedula.jpg")
    #expect(chat.value("foto") == "cedula.jpg")
    // Within the same conversation the sensitive consent is not asked again ...
    #expect(chat.tap("foto").steps == ["consentimiento_foto", "pedir_foto"])
    // ... but a new conversation asks it again.
    chat.event(.inactivityTimeout, after: 1800)
    chat.type("hola")
    #expect(chat.tap("foto").steps == ["consentimiento_foto"])
    #expect(chat.session.consent.sensitive == false)
}

/// `{{policy.purposes}}` in the opt-in's text asks for the opt-in's purpose, the one a "yes" records, not the
/// general consent's purposes the contact has just accepted; the evidence keeps that text (contract3 #6).
@Test func theOptInTextNamesTheOptInPurpose() throws {
    let consent = Fixture.consent(optIn: true).replacingOccurrences(
        of: "\"Quieres recibir promociones?\"", with: "\"Autorizas usar tus datos para {{policy.purposes}}?\"")
    var chat = Chat(try Fixture.interpreter(consent: consent, steps: Fixture.simpleMenu + Fixture.handoff))
    chat.type("hola")
    let asked = chat.tap("consentimiento.accept")
    let bodies = asked.compactMap { effect -> String? in
        if case .send(.buttons(let body, _, _, _), _) = effect { body } else { nil }
    }
    #expect(bodies == ["Autorizas usar tus datos para enviarte promociones?"])
    let accepted = chat.tap("consentimiento.opt_in.accept")
    let evidence = try #require(accepted.evidence.first)
    #expect(evidence.purposesAccepted == ["promociones"])
    #expect(
        evidence.shownTexts == ["Autorizas usar tus datos para enviarte promociones?", "Si, quiero", "No, gracias"])
}
