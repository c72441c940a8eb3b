import FlowCompiler
import FlowRuntime
import Testing

// The facts a dashboard reads from a session and its effects: when the conversation started and ended, its
// status, the agent, when the handoff was requested, and each step entered. (The agent's first reply is the
// store's: it counts once the Graph API accepts it; AgentAPITests.)

@Test func aWholeConversationLeavesItsFacts() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    let t = Fixture.mondayMorning
    #expect(chat.session.status == .new)
    #expect(chat.session.startedAt == nil)

    #expect(chat.event(.text("hola"), at: t).first == .conversationStarted)
    #expect(chat.session.startedAt == t)
    #expect(chat.session.status == .waiting)
    chat.event(.reply(id: "consentimiento.accept"), at: t + 20)
    chat.event(.reply(id: "hablar"), at: t + 40)
    #expect(chat.session.status == .queued)
    #expect(chat.session.handoffAt == t + 40)
    #expect(chat.session.agent == nil)

    chat.event(.agentAssigned("bruno"), at: t + 41)
    #expect(chat.session.status == .withAgent)
    #expect(chat.session.agent == "bruno")
    chat.event(.agentMessage("Hola, soy Bruno."), at: t + 100)
    chat.event(.agentMessage("Te ayudo con eso."), at: t + 160)

    chat.event(.agentClosed, at: t + 300)
    #expect(chat.session.status == .waiting)
    #expect(chat.session.agent == nil)
    chat.event(.reply(id: "horario"), at: t + 320)
    #expect(chat.session.status == .closed)
    #expect(chat.session.endedAt == t + 320)
    #expect(chat.session.isOpen == false)
    #expect(chat.history.steps == ["consentimiento", "menu", "asesor", "menu", "info", "despedida"])
    #expect(chat.history.filter { $0 == .conversationStarted }.count == 1)
    #expect(chat.history.last == .closeConversation(.end))
}

@Test func aNewConversationForgetsTheFactsOfTheLastOne() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    chat.event(.agentMessage("Hola"))
    chat.event(.agentClosed)
    chat.tap("horario")
    #expect(chat.session.status == .closed)
    let restart = chat.now + 3600
    let effects = chat.event(.text("hola otra vez"), at: restart)
    #expect(effects.first == .conversationStarted)
    #expect(chat.session.startedAt == restart)
    #expect(chat.session.endedAt == nil)
    #expect(chat.session.handoffAt == nil)
    #expect(chat.session.agent == nil)
    #expect(chat.session.variables == ["Ana", "573001112233"])
}

@Test func theFirstMessageOnlyOpensTheConversation() throws {
    // Whatever the first message says, the conversation starts at `start`; a menu word is not read as a choice
    // and, for a contact whose consent is in force, the message is not logged either.
    let session = Session(contactName: "Ana", consent: Session.Consent(acceptedVersion: "2026-01"))
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff), session: session)
    let effects = chat.type("hablar")
    #expect(effects.steps == ["consentimiento", "menu"])
    #expect(!effects.logsContactMessage)
    #expect(chat.history.handoffRequests.isEmpty)
}

@Test func eachStepEnteredIsReportedEvenWhenItDoesNotWait() throws {
    let steps = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: marcar }
              - { id: hablar, title: Hablar con un asesor, next: asesor }
          marcar:
            type: set
            values: { origen: menu }
            next: decidir
          decidir:
            type: branch
            cases:
              - when: { variable: origen, equals: MENÚ }
                next: info
            default: despedida

        """ + Fixture.handoff
    var chat = Chat(try Fixture.interpreter(steps: steps))
    chat.openAndAccept()
    // The branch read the value the set step saved (`info`), normalized; the conversation then ended.
    #expect(chat.tap("horario").steps == ["marcar", "decidir", "info", "despedida"])
    #expect(chat.session.status == .closed)
}

/// The answers a conversation collected are forgotten when it closes, not when the contact next writes (who may
/// never do): the session keeps only the profile name and phone, and the consent.
@Test func aClosedConversationKeepsNoAnswers() throws {
    let session = Session(contactName: "Ana", phone: "573001112233")
    var chat = Chat(try Fixture.interpreter(steps: Fixture.menuAskingTheName), session: session)
    chat.openAndAccept()
    chat.tap("hablar")
    chat.type("Ana Gómez")
    #expect(chat.value("nombre") == "Ana Gómez")
    chat.event(.agentAssigned("ana"))
    chat.event(.agentClosed)
    chat.event(.inactivityTimeout, after: 1800)
    #expect(chat.session.status == .closed)
    #expect(chat.value("nombre") == nil)
    #expect(chat.session.variables == ["Ana", "573001112233"])
    #expect(chat.session.consent.acceptedVersion == "2026-01")
}
