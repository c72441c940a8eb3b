import FlowCompiler
import FlowRuntime
import Testing

// The inactivity timer and WhatsApp's 24-hour customer-service window. Every step that waits schedules (or
// moves) the timer; it fires only at or after its deadline and only while the bot waits; free-form messages
// more than 24 hours after the contact's last message become `.windowClosed` (a template is required).

/// Settings with a two-hour inactivity timeout and a goodbye text.
private let twoHours = """
    settings:
      inactivity:
        after: 2h
        text: "Cerramos la conversacion por inactividad."
      keywords:
        - words: [menu, inicio]
          goto: ir_al_menu
        - words: [asesor, agente]
          goto: ir_al_asesor
      revocation:
        words: [revocar]
        text: "Registramos la revocatoria de tu autorizacion."
    """

private func chatWithAgent() throws -> Chat {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    return chat
}

@Test func everyWaitSchedulesTheTimerFromItsOwnInstant() throws {
    var chat = Chat(try Fixture.interpreter(settings: twoHours, steps: Fixture.simpleMenu + Fixture.handoff))
    #expect(chat.type("hola").last == .scheduleInactivityTimer(at: chat.now + 7200))
    #expect(chat.tap("consentimiento.accept", after: 600).last == .scheduleInactivityTimer(at: chat.now + 7200))
    #expect(chat.type("nada", after: 7000).last == .scheduleInactivityTimer(at: chat.now + 7200))
    #expect(chat.session.inactivityDeadline == chat.now + 7200)
}

@Test func theTimerFiresOnlyAtItsDeadline() throws {
    var chat = Chat(try Fixture.interpreter(settings: twoHours, steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    let deadline = chat.now + 7200
    #expect(chat.event(.inactivityTimeout, at: deadline - 1) == [])
    #expect(chat.session.status == .waiting)
    #expect(
        chat.event(.inactivityTimeout, at: deadline) == [
            .send(.text("Cerramos la conversacion por inactividad."), from: .bot), .closeConversation(.inactivity),
        ])
    #expect(chat.session.status == .closed)
    #expect(chat.session.endedAt == deadline)
    #expect(chat.session.inactivityDeadline == nil)
    // A second firing finds nothing to close.
    #expect(chat.event(.inactivityTimeout, after: 10) == [])
}

@Test func aTimerMovedByAReplyDoesNotFireAtItsOldDeadline() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.type("hola")
    let first = chat.now + 1800
    chat.tap("consentimiento.accept", after: 1000)
    #expect(chat.event(.inactivityTimeout, at: first) == [])
    #expect(chat.session.status == .waiting)
}

@Test func noTimerRunsWhileTheConversationIsWithAnAgent() throws {
    var chat = try chatWithAgent()
    #expect(chat.session.inactivityDeadline == nil)
    #expect(chat.event(.inactivityTimeout, after: 100_000) == [])
    #expect(chat.session.status == .withAgent)
}

@Test func theConversationAfterATimeoutStartsAfresh() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    chat.event(.inactivityTimeout, after: 1800)
    let effects = chat.type("hola de nuevo", after: 60)
    #expect(effects.first == .conversationStarted)
    // Consent is remembered: the menu comes at once.
    #expect(effects.steps == ["consentimiento", "menu"])
}

@Test func anAgentMessageAfter24HoursNeedsATemplate() throws {
    var chat = try chatWithAgent()
    let last = try #require(chat.session.lastContactMessageAt)
    #expect(
        chat.event(.agentMessage("Seguimos revisando."), at: last + 86_400) == [
            .send(.text("Seguimos revisando."), from: .agent("ana"))
        ])
    #expect(
        chat.event(.agentMessage("Ya quedo resuelto."), at: last + 86_401) == [
            .windowClosed(.text("Ya quedo resuelto."), from: .agent("ana"))
        ])
}

@Test func aContactMessageOpensTheWindowAgain() throws {
    var chat = try chatWithAgent()
    chat.type("sigo esperando", after: 90_000)
    #expect(
        chat.event(.agentMessage("Ya te respondo."), after: 3600) == [
            .send(.text("Ya te respondo."), from: .agent("ana"))
        ])
}

@Test func theBotToIsHeldToTheWindow() throws {
    // The agent closes two days after the contact's last message: the bot's next step cannot be sent free-form.
    var chat = try chatWithAgent()
    let effects = chat.event(.agentClosed, after: 2 * 86_400)
    #expect(effects.first == .stepEntered("menu"))
    #expect(effects.contains { if case .windowClosed(.buttons, from: .bot) = $0 { return true } else { return false } })
    #expect(!effects.contains { if case .send = $0 { return true } else { return false } })
}

/// A marketing template sent when the agent closes the handoff, then the menu.
private let templateSteps = """
      asesor:
        type: handoff
        queue: ventas
        text: "Ya te atiende un asesor."
        next: aviso
      aviso:
        type: template
        template: promo
        parameters: ["{{contact.name}}"]
        next: menu

    """ + Fixture.simpleMenu

/// A flow with the template `promo` (marketing) and a consent with the promotions opt-in.
private func templateFlow() throws -> Interpreter {
    let yaml = Fixture.withTemplates(
        Fixture.flow(consent: Fixture.consent(optIn: true), steps: templateSteps),
        """
          promo:
            name: promo_mensual
            language: es
            category: marketing
            body: "Hola {{1}}, tenemos promociones."
            opt_out: No recibir más

        """)
    return Interpreter(machine: try Fixture.machine(yaml))
}

@Test func aTemplateIsSentOutsideTheWindowWhereFreeFormIsNot() throws {
    var chat = Chat(try templateFlow())
    chat.type("hola")
    chat.tap("consentimiento.accept")
    chat.tap("consentimiento.opt_in.accept")
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    let effects = chat.event(.agentClosed, after: 2 * 86_400)
    #expect(effects.steps == ["aviso", "menu"])
    #expect(
        effects.contains(
            .send(
                .template(
                    name: "promo_mensual", language: "es", parameters: ["Ana"], headerType: nil, headerLink: nil),
                from: .bot)))
    #expect(effects.contains(.windowClosed(simpleMenuMessageBody, from: .bot)))
}

@Test func aMarketingTemplateIsRefusedWithoutTheOptIn() throws {
    var chat = Chat(try templateFlow())
    chat.type("hola")
    chat.tap("consentimiento.accept")
    chat.tap("consentimiento.opt_in.decline")
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    let effects = chat.event(.agentClosed)
    #expect(
        Array(effects.prefix(2)) == [
            .stepEntered("aviso"),
            .templateRefused(name: "promo_mensual", reason: "the contact did not opt in to promotional messages"),
        ])
    #expect(effects.steps == ["aviso", "menu"])
}

/// The simple menu's message, without its sender.
private var simpleMenuMessageBody: OutboundMessage {
    guard case .send(let message, _) = simpleMenuMessage else { fatalError("the simple menu is a send") }
    return message
}

/// An order, a WhatsApp Flows answer or a type WhatsApp does not support is still the contact writing: the
/// window opens again and the agent is told of it by its type, and the thread logs it so.
@Test func aMessageTheFlowCannotReadOpensTheWindowAndReachesTheAgent() throws {
    var chat = try chatWithAgent()
    let effects = chat.event(.unreadable(type: "order", messageID: "wamid.O"), after: 90_000)
    #expect(effects.contains(.relayToAgent(agent: "ana", message: .text("[order]"))))
    #expect(effects.contains(.logContactMessage(.text("[order]"))))
    #expect(chat.session.lastContactMessageAt == chat.now)
    #expect(
        chat.event(.agentMessage("Recibimos tu pedido."), after: 3600) == [
            .send(.text("Recibimos tu pedido."), from: .agent("ana"))
        ])
}

/// A shared location reaches the agent with the place as text, and the thread logs it so.
@Test func aSharedLocationReachesTheAgentAsText() throws {
    var chat = try chatWithAgent()
    let note = "[location] Oficina centro\nCra 7 # 32-16\n4.60971,-74.08175"
    let effects = chat.event(
        .unreadable(type: "location", content: "Oficina centro\nCra 7 # 32-16\n4.60971,-74.08175"), after: 60)
    #expect(effects.contains(.relayToAgent(agent: "ana", message: .text(note))))
    #expect(effects.contains(.logContactMessage(.text(note))))
}

/// A shared location or contact card is no typed answer: a question for the name asks again and saves nothing.
@Test func aSharedLocationIsNoAnswerToAQuestion() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.menuAskingTheName))
    chat.openAndAccept()
    chat.tap("hablar")
    let effects = chat.event(.unreadable(type: "location", content: "4.65,-74.05"), after: 60)
    #expect(chat.step == "nombre")
    #expect(chat.value("nombre") == nil)
    #expect(!effects.contains(.variableSaved(name: "nombre")))
    #expect(effects.contains { if case .send(.text, from: .bot) = $0 { true } else { false } })
}

/// It is never an answer: a menu is shown again as after a wrong answer (restarting the inactivity timer), and
/// a consent step asks again, recording nothing.
@Test func aMessageTheFlowCannotReadIsNeverAnAnswer() throws {
    var chat = Chat(try Fixture.interpreter(settings: twoHours, steps: Fixture.simpleMenu + Fixture.handoff))
    chat.type("hola")
    let atConsent = chat.event(.unreadable(type: "nfm_reply"))
    #expect(atConsent.steps == [])
    #expect(!atConsent.contains { if case .recordConsent = $0 { return true } else { return false } })
    #expect(chat.session.consent.acceptedVersion == nil)
    #expect(atConsent.last == .scheduleInactivityTimer(at: chat.now + 7200))
    chat.tap("consentimiento.accept")
    let atMenu = chat.event(.unreadable(type: "poll_creation"), after: 600)
    #expect(atMenu.contains { if case .send(.buttons, from: .bot) = $0 { return true } else { return false } })
    #expect(atMenu.last == .scheduleInactivityTimer(at: chat.now + 7200))
    #expect(chat.session.status == .waiting)
}

/// Times at the edge of `Int64` (a damaged store) are compared without trapping (hostile2 #1).
@Test func theWindowCheckTakesTimesPastAnyClock() {
    #expect(Interpreter.windowClosed(since: .min, at: 1_795_000_000))
    #expect(!Interpreter.windowClosed(since: .max, at: 1_795_000_000))
    #expect(Interpreter.windowClosed(since: 0, at: .max))
    #expect(!Interpreter.windowClosed(since: 1_795_000_000, at: .min))
    #expect(!Interpreter.windowClosed(since: 1_795_000_000, at: 1_795_000_000 + 86_400))
    #expect(Interpreter.windowClosed(since: 1_795_000_000, at: 1_795_000_000 + 86_401))
}

/// Open seconds between two times in the default calendar (Monday to Friday, 08:00-12:00 and 14:00-18:00,
/// Bogotá): a handoff one minute before Friday's close answered one minute after Monday's opening waited two
/// minutes of business hours (agentapi3 #4: the report counted the weekend).
@Test func openSecondsCountOnlyBusinessHours() throws {
    let calendar = try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff).calendar
    let monday: Int64 = 1_795_446_000  // 2026-11-23 10:00 in Bogotá
    let fridayAt1759 = monday + 4 * 86_400 + 7 * 3_600 + 59 * 60
    let nextMondayAt0801 = monday + 7 * 86_400 - 2 * 3_600 + 60
    #expect(calendar.openSeconds(from: fridayAt1759, to: nextMondayAt0801) == 120)
    // 10:00 to 15:00 on a Monday: two hours before noon, one after 14:00.
    #expect(calendar.openSeconds(from: monday, to: monday + 5 * 3_600) == 3 * 3_600)
    // A whole week: five days of eight hours.
    #expect(calendar.openSeconds(from: monday, to: monday + 7 * 86_400) == 5 * 8 * 3_600)
    #expect(calendar.openSeconds(from: monday + 60, to: monday) == 0)
}
