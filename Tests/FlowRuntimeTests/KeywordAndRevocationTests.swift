import FlowCompiler
import FlowRuntime
import Testing

// Global keywords and revocation at run time. Keywords jump from menus and questions, never past the consent
// (the compiler proves it, and a keyword typed at a consent step shows the consent again). Revocation words
// work at every waiting step after consent, a handoff included (checklist item 6): the revocation is recorded
// and confirmed, a handoff ends, pending timers are cancelled and consent is asked again before any data step.

/// A menu, a question for the name and the handoff.
private let steps = Fixture.menuAskingTheName

private func chatAtMenu(optIn: Bool = false) throws -> Chat {
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(optIn: optIn), steps: steps))
    chat.openAndAccept()
    return chat
}

/// The revocation recorded by these effects, if any.
private func revocation(_ effects: [Effect]) -> RevocationEvidence? {
    for effect in effects {
        if case .recordRevocation(let evidence) = effect { return evidence }
    }
    return nil
}

@Test(arguments: ["menu", "INICIO", "  Menú "])
func aKeywordJumpsFromAMenu(_ word: String) throws {
    var chat = try chatAtMenu()
    let effects = chat.type(word)
    #expect(
        effects == [
            .logContactMessage(.text(word)), .stepEntered("ir_al_menu"), .stepEntered("menu"), simpleMenuMessage,
            .scheduleInactivityTimer(at: chat.now + 1800),
        ])
}

/// A flow reloaded with a new policy version while the contact is at a question for personal data: a keyword or a
/// revocation word is no answer (both are checked before the answer), so it jumps or revokes as always rather
/// than closing the conversation; the answer to the question would have closed it (`policy_changed`).
@Test func aKeywordOrRevocationAtAQuestionUnderANewPolicyVersionIsNoAnswer() throws {
    var before = try chatAtMenu()
    before.tap("hablar")
    #expect(before.step == "nombre")
    let reloaded = try Fixture.interpreter(version: "2026-02", consent: Fixture.consent(), steps: steps)
    var chat = Chat(reloaded, session: before.session, at: before.now)
    let jumped = chat.type("menu")
    #expect(!jumped.contains(.closeConversation(.policyChanged)))
    // The keyword's step leads to the menu through the consent step, which asks for the new version.
    #expect(jumped.steps == ["ir_al_menu", "consentimiento"])
    #expect(chat.session.status == .waiting)

    // A revocation word there revokes as at any question, without closing first.
    var revoking = Chat(reloaded, session: before.session, at: before.now)
    let revoked = revoking.type("revocar")
    #expect(!revoked.contains(.closeConversation(.policyChanged)))
    #expect(revocation(revoked) != nil)

    // The answer to the question itself is not taken: the new version is asked for first.
    var other = Chat(reloaded, session: before.session, at: before.now)
    #expect(other.type("Ana").steps == ["consentimiento"])
    #expect(other.value("nombre") == nil)
}

/// An answer to a question for personal data under a policy version the contact has not accepted is not taken:
/// the flow's general consent asks for the current version, and an acceptance asks the question again (the
/// conversation went on from the start before, closed with `policy_changed`). A decline goes to `decline.next`
/// and forgets the question.
@Test func aDataQuestionAnsweredUnderANewPolicyVersionIsAskedAgainAfterTheConsent() throws {
    var before = try chatAtMenu()
    before.tap("hablar")
    let reloaded = try Fixture.interpreter(version: "2026-02", consent: Fixture.consent(), steps: steps)

    var chat = Chat(reloaded, session: before.session, at: before.now)
    let asked = chat.type("Ana")
    #expect(!asked.contains(.closeConversation(.policyChanged)))
    #expect(!asked.contains(.logContactMessage(.text("Ana"))))
    #expect(chat.step == "consentimiento" && chat.session.pendingStep == "nombre")
    #expect(chat.value("nombre") == nil)
    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.steps == ["nombre"])
    #expect(chat.session.consent.acceptedVersion == "2026-02" && chat.session.pendingStep == nil)
    chat.type("Ana")
    #expect(chat.value("nombre") == "Ana")
    #expect(chat.session.status == .withAgent || chat.session.status == .queued)

    var declining = Chat(reloaded, session: before.session, at: before.now)
    declining.type("Ana")
    let declined = declining.tap("consentimiento.decline")
    #expect(declined.steps.first == "info")
    #expect(declining.session.pendingStep == nil && declining.value("nombre") == nil)
}

@Test func aKeywordLeavesAQuestionWithoutAnsweringIt() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    #expect(chat.step == "nombre")
    let effects = chat.type("menu")
    #expect(effects.steps == ["ir_al_menu", "menu"])
    #expect(chat.value("nombre") == nil)
    #expect(!effects.contains(.variableSaved(name: "nombre")))
}

@Test func aKeywordAtAConsentStepShowsTheConsentAgain() throws {
    var chat = Chat(try Fixture.interpreter(steps: steps))
    chat.type("hola")
    #expect(chat.type("asesor") == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.type("menu") == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.history.handoffRequests.isEmpty)
}

@Test func aKeywordDuringAHandoffIsRelayed() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.type("Ana")
    chat.event(.agentAssigned("ana"))
    #expect(
        chat.type("menu") == [.logContactMessage(.text("menu")), .relayToAgent(agent: "ana", message: .text("menu"))])
    #expect(chat.session.status == .withAgent)
}

@Test func theCompilerRefusesAKeywordThatBypassesConsent() throws {
    let settings = """
        settings:
          keywords:
            - words: [datos]
              goto: nombre
            - words: [menu, inicio]
              goto: ir_al_menu
            - words: [asesor, agente]
              goto: ir_al_asesor
          revocation:
            words: [revocar]
            text: "Registramos la revocatoria de tu autorizacion."
        """
    // The decline path waits at a public menu, where the keyword would jump to the question without consent.
    let publicMenu = """
          publico:
            type: menu
            text: "Sin autorizacion podemos darte informacion general."
            options:
              - { id: horario, title: Horario, next: info }

        """
    let result = FlowChecker.check(
        Fixture.flow(settings: settings, consent: Fixture.consent(decline: "publico"), steps: publicMenu + steps))
    #expect(
        result.diagnostics.contains { $0.id == "consent_required" && $0.severity == .error },
        "\(result.diagnostics.map { "\($0.id) \($0.message)" })")
}

@Test func revokingAtAMenuRecordsConfirmsAndAsksConsentAgain() throws {
    var chat = try chatAtMenu()
    let effects = chat.type("Borrar mis datos", id: "wamid.R1")
    try #require(effects.count == 7)
    #expect(effects[0] == .logContactMessage(.text("Borrar mis datos")))
    #expect(
        Array(effects[2...]) == [
            .cancelInactivityTimer, .send(.text("Registramos la revocatoria de tu autorizacion."), from: .bot),
            .stepEntered("consentimiento"), consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800),
        ])
    let evidence = try #require(revocation(effects))
    #expect(evidence.flow == "prueba")
    #expect(evidence.policyVersion == "2026-01")
    #expect(evidence.words == "Borrar mis datos")
    #expect(evidence.at == chat.now)
    #expect(evidence.messageID == "wamid.R1")
    #expect(chat.session.consent == Session.Consent())
}

@Test func afterRevokingNoDataStepRunsWithoutNewConsent() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.type("Ana Maria")
    chat.event(.agentClosed)
    #expect(chat.value("nombre") == "Ana Maria")
    chat.type("revocar")
    // The variables collected under the revoked consent are forgotten; the contact's own fields stay.
    #expect(chat.value("nombre") == nil)
    #expect(chat.value("contact.name") == "Ana")
    // The menu is no longer reachable: every reply shows the consent until it is accepted again.
    for input in ["hablar", "2", "menu", "asesor", "Ana"] {
        #expect(chat.type(input) == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)], "\(input)")
    }
    #expect(!Array(chat.history.suffix(10)).logsContactMessage)
    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.evidence.map(\.choice) == ["accepted"])
    #expect(chat.step == "menu")
}

@Test func revokingAtAQuestionDoesNotAnswerIt() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    let effects = chat.type("revocar")
    #expect(revocation(effects) != nil)
    #expect(chat.value("nombre") == nil)
    #expect(chat.step == "consentimiento")
}

/// A revocation word that opens a new conversation (the previous one closed, by inactivity say) revokes: the
/// first message of a conversation is otherwise not read, and the revocation would be lost.
@Test func aRevocationWordOpeningAConversationRevokes() throws {
    var chat = try chatAtMenu(optIn: false)
    chat.event(.inactivityTimeout, after: 1801)
    #expect(chat.session.status == .closed)
    let effects = chat.type("Revocar", id: "wamid.R9")
    #expect(effects.first == .conversationStarted)
    #expect(revocation(effects)?.messageID == "wamid.R9")
    #expect(revocation(effects)?.words == "Revocar")
    #expect(effects.contains(.send(.text("Registramos la revocatoria de tu autorizacion."), from: .bot)))
    #expect(effects.filter { $0 == consentPrompt() }.count == 1)
    #expect(chat.session.consent.acceptedVersion == nil)
    #expect(chat.step == "consentimiento")
    // Without consent in force, the word opens a conversation like any first message.
    chat.event(.inactivityTimeout, after: 1801)
    #expect(revocation(chat.type("revocar")) == nil)
}

@Test func revokingDuringAHandoffEndsIt() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.type("Ana Maria")
    chat.event(.agentAssigned("bruno"))
    let effects = chat.type("revocar", id: "wamid.R2")
    try #require(effects.count == 7)
    #expect(effects[0] == .logContactMessage(.text("revocar")))
    #expect(
        Array(effects[2...]) == [
            .endHandoff(agent: "bruno"), .send(.text("Registramos la revocatoria de tu autorizacion."), from: .bot),
            .stepEntered("consentimiento"), consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800),
        ])
    #expect(revocation(effects)?.messageID == "wamid.R2")
    #expect(chat.session.agent == nil)
    #expect(chat.session.queue == nil)
    #expect(chat.session.status == .waiting)
    // The agent can no longer write to the contact nor close what is gone.
    #expect(chat.event(.agentMessage("sigues ahi?")) == [])
    #expect(chat.event(.agentClosed) == [])
    #expect(chat.step == "consentimiento")
}

@Test func revokingWhileQueuedEndsTheRequest() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.type("Ana Maria")
    #expect(chat.session.status == .queued)
    let effects = chat.type("no autorizo")
    #expect(effects.contains(.endHandoff(agent: nil)))
    #expect(revocation(effects) != nil)
    // A late assignment finds nothing to take.
    #expect(chat.event(.agentAssigned("carla")) == [])
    #expect(chat.session.agent == nil)
}

@Test func revokingCancelsThePendingTimer() throws {
    var chat = try chatAtMenu()
    let deadline = try #require(chat.session.inactivityDeadline)
    let effects = chat.type("revocar")
    let cancel = try #require(effects.firstIndex(of: .cancelInactivityTimer))
    // The timer of the menu is cancelled before anything else is sent; the consent then waits with its own.
    #expect(cancel < effects.firstIndex(of: .stepEntered("consentimiento"))!)
    #expect(chat.session.inactivityDeadline == chat.now + 1800)
    #expect(chat.session.inactivityDeadline != deadline)
}

@Test func atAConsentStepNoAutorizoDeclines() throws {
    var chat = Chat(try Fixture.interpreter(steps: steps))
    chat.type("hola")
    let effects = chat.type("no autorizo")
    #expect(effects.evidence.map(\.choice) == ["declined"])
    #expect(revocation(effects) == nil)
    // "revocar" is neither accept nor decline there: the consent is shown again.
    chat.type("hola")
    #expect(chat.type("revocar") == [consentPrompt(), .scheduleInactivityTimer(at: chat.now + 1800)])
}

@Test func revokingWhileTheOptInIsAskedWorks() throws {
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(optIn: true), steps: steps))
    chat.type("hola")
    chat.tap("consentimiento.accept")
    #expect(chat.session.awaitingOptIn)
    let effects = chat.type("revocar")
    #expect(revocation(effects) != nil)
    #expect(effects.contains(.send(.text("Registramos la revocatoria de tu autorizacion."), from: .bot)))
    #expect(effects.contains(consentPrompt()))
    #expect(chat.session.consent == Session.Consent())
    #expect(chat.session.awaitingOptIn == false)
}

/// An opt-in whose decline label is also a revocation word: typing the label answers the opt-in, as tapping it
/// does (the audit found "No autorizo" typed at the promotions question revoked the general consent given one
/// message before). Another revocation word still revokes there.
@Test func anOptInLabelThatIsARevocationWordAnswersTheOptIn() throws {
    let consent = Fixture.consent(optIn: true, optInDecline: "No autorizo")
    var chat = Chat(try Fixture.interpreter(consent: consent, steps: steps))
    chat.type("hola")
    chat.tap("consentimiento.accept")
    #expect(chat.session.awaitingOptIn)
    let typed = chat.type("NO AUTORIZO")
    #expect(revocation(typed) == nil)
    #expect(typed.evidence.map(\.choice) == ["opt_in_declined"])
    #expect(chat.session.consent.acceptedVersion != nil)
    #expect(!chat.session.awaitingOptIn)

    var other = Chat(try Fixture.interpreter(consent: consent, steps: steps))
    other.type("hola")
    other.tap("consentimiento.accept")
    #expect(revocation(other.type("borrar mis datos")) != nil)
    #expect(other.session.consent == Session.Consent())
}

/// At a consent question a contact with something to revoke may revoke: at a sensitive consent asked under the
/// general one, and at the general consent asked again under a new policy version. The audit found "revocar"
/// only showed the question again there, recording nothing. A word that is also a decline word declines.
@Test func aRevocationWordAtAConsentQuestionRevokesWhatTheContactHasAccepted() throws {
    let sensitive = Fixture.sensitivePhotoSteps
    var chat = Chat(try Fixture.interpreter(steps: sensitive))
    chat.openAndAccept()
    #expect(chat.tap("foto").steps == ["consentimiento_foto"])
    let revoked = chat.type("borrar mis datos")
    #expect(revocation(revoked)?.words == "borrar mis datos")
    #expect(chat.session.consent.acceptedVersion == nil)

    // "no autorizo" is a revocation word and a decline word of the language: at the consent it declines.
    var declining = Chat(try Fixture.interpreter(steps: sensitive))
    declining.openAndAccept()
    declining.tap("foto")
    let declined = declining.type("no autorizo")
    #expect(revocation(declined) == nil)
    #expect(declined.evidence.map(\.choice) == ["declined"])
    #expect(declining.session.consent.acceptedVersion == "2026-01")

    // The general consent asked again of a contact who accepted an older version.
    let older = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2025-01"))
    var returning = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps), session: older)
    returning.type("hola")
    #expect(returning.step == "consentimiento")
    let again = returning.type("revocar")
    #expect(revocation(again)?.policyVersion == "2025-01")
    #expect(returning.session.consent.acceptedVersion == nil)

    // A new contact has nothing to revoke: the word only shows the request again.
    var fresh = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps))
    fresh.type("hola")
    let shown = fresh.type("revocar")
    #expect(revocation(shown) == nil)
    #expect(fresh.step == "consentimiento")
}

/// WhatsApp delivers a contact's messages out of order when Meta retries a failed webhook. A contact who tapped
/// "Acepto" and then typed "revocar" has, by their own clock, revoked: the audit found the revocation, delivered
/// first with nothing to revoke, only showed the request again, and the late acceptance then put consent in force
/// with no trace of the revocation. The word is held; the acceptance is recorded, then the revocation, whose
/// confirmation is sent, and the consent is asked again.
@Test func anAcceptanceWrittenBeforeAHeldRevocationWordIsRevokedByIt() throws {
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps))
    chat.event(.text("hola", messageID: "wamid.1"), at: chat.now + 10, sentAt: 100)
    let shown = chat.event(.text("revocar", messageID: "wamid.3"), at: chat.now + 10, sentAt: 130)
    #expect(revocation(shown) == nil)
    #expect(shown.contains(consentPrompt()))
    #expect(chat.session.heldRevocation?.applied == false)

    let late = chat.event(.reply(id: "consentimiento.accept", messageID: "wamid.2"), at: chat.now + 10, sentAt: 120)
    #expect(late.evidence.map(\.choice) == ["accepted"])
    let revoked = try #require(revocation(late))
    #expect(revoked.words == "revocar" && revoked.messageID == "wamid.3" && revoked.sentAt == 130)
    #expect(revoked.policyVersion == "2026-01")
    #expect(late.texts.first == "Registramos la revocatoria de tu autorizacion.")
    #expect(late.contains(consentPrompt()))
    #expect(chat.step == "consentimiento" && chat.session.consent.acceptedVersion == nil)

    // An acceptance written after the word is a new decision: consent is in force.
    let again = chat.event(.reply(id: "consentimiento.accept", messageID: "wamid.4"), at: chat.now + 10, sentAt: 140)
    #expect(revocation(again) == nil)
    #expect(chat.step == "menu" && chat.session.consent.acceptedVersion == "2026-01")
}

/// The same order when the revocation found something to revoke: it was recorded and confirmed when it arrived.
/// An acceptance written before it and delivered after it is recorded and revoked again silently (the contact
/// has the confirmation and the request already); consent stays withdrawn.
@Test func anAcceptanceWrittenBeforeAnAppliedRevocationStaysRevoked() throws {
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps))
    chat.openAndAccept()
    let first = chat.event(.text("revocar", messageID: "wamid.9"), at: chat.now + 10, sentAt: 300)
    #expect(revocation(first)?.sentAt == nil)
    #expect(chat.step == "consentimiento" && chat.session.heldRevocation?.applied == true)

    let late = chat.event(.reply(id: "consentimiento.accept", messageID: "wamid.8"), at: chat.now + 10, sentAt: 290)
    #expect(late.evidence.map(\.choice) == ["accepted"])
    #expect(revocation(late)?.messageID == "wamid.9" && revocation(late)?.sentAt == 300)
    #expect(late.texts.isEmpty)
    #expect(chat.step == "consentimiento" && chat.session.status == .waiting)
    #expect(chat.session.consent == Session.Consent())

    // Without WhatsApp's time (the simulator), messages are taken in the order they arrive, as before.
    var simulated = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps))
    simulated.type("hola")
    simulated.type("revocar")
    #expect(simulated.session.heldRevocation == nil)
    simulated.tap("consentimiento.accept")
    #expect(simulated.step == "menu" && simulated.session.consent.acceptedVersion == "2026-01")
}

/// The same order when the word opens a conversation (the last one closed at the consent request, by inactivity):
/// the word starts it as any first message does, and is held (review3 #1: it was not, and the late tap put
/// consent in force). An acceptance written after the word clears it: the contact's latest decision stands
/// (review3 #2: an acceptance days old, retried by Meta, revoked a newer acceptance).
@Test func aRevocationWordOpeningAConversationIsHeldAndALaterAcceptanceClearsIt() throws {
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(), steps: steps))
    chat.event(.text("hola", messageID: "wamid.1"), at: chat.now + 10, sentAt: 100)
    chat.event(.inactivityTimeout, at: chat.now + 7200)
    #expect(chat.session.status == .closed)
    let opened = chat.event(.text("revocar", messageID: "wamid.3"), at: chat.now + 10, sentAt: 7300)
    #expect(revocation(opened) == nil)
    #expect(chat.step == "consentimiento" && chat.session.heldRevocation?.sentAt == 7300)
    let late = chat.event(.reply(id: "consentimiento.accept", messageID: "wamid.2"), at: chat.now + 10, sentAt: 200)
    #expect(revocation(late)?.messageID == "wamid.3")
    #expect(chat.session.consent.acceptedVersion == nil)

    chat.event(.reply(id: "consentimiento.accept", messageID: "wamid.4"), at: chat.now + 10, sentAt: 7400)
    #expect(chat.session.heldRevocation == nil && chat.session.consent.acceptedVersion == "2026-01")
}
