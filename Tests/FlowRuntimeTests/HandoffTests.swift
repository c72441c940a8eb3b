import FlowCompiler
import FlowRuntime
import Testing

// Handoff at run time: inside business hours the bot says the handoff text and asks the shared rotation once
// (`requestHandoff`), answered by `agentAssigned`; with an agent the bot is silent and contact messages are
// relayed; the agent's close resumes at `next` or closes. Outside business hours (the flow's calendar, holidays
// included, in its time zone) the closed text and path. Strict round robin is the store's job.

/// Settings with explicit business hours and a holiday.
private let officeHours = """
    settings:
      time_zone: America/Bogota
      business_hours:
        monday: ["08:00-12:00", "14:00-18:00"]
        tuesday: ["08:00-12:00", "14:00-18:00"]
        wednesday: ["08:00-12:00", "14:00-18:00"]
        thursday: ["08:00-12:00", "14:00-18:00"]
        friday: ["08:00-12:00", "14:00-18:00"]
        holidays: ["2026-12-08"]
      keywords:
        - words: [menu, inicio]
          goto: ir_al_menu
        - words: [asesor, agente]
          goto: ir_al_asesor
      revocation:
        words: [revocar]
        text: "Registramos la revocatoria de tu autorizacion."
    """

/// Open all day every day, except the holiday.
private let allDayButHoliday = """
    settings:
      time_zone: America/Bogota
      business_hours:
        monday: ["00:00-24:00"]
        tuesday: ["00:00-24:00"]
        wednesday: ["00:00-24:00"]
        thursday: ["00:00-24:00"]
        friday: ["00:00-24:00"]
        saturday: ["00:00-24:00"]
        sunday: ["00:00-24:00"]
        holidays: ["2026-12-08"]
      keywords:
        - words: [menu, inicio]
          goto: ir_al_menu
        - words: [asesor, agente]
          goto: ir_al_asesor
      revocation:
        words: [revocar]
        text: "Registramos la revocatoria de tu autorizacion."
    """

/// A handoff whose closed hours lead to an information step.
private let handoffWithClosedPath = """
      menu:
        type: menu
        text: "En que te ayudamos?"
        options:
          - { id: horario, title: Horario, next: info }
          - { id: hablar, title: Hablar con un asesor, next: asesor }
      asesor:
        type: handoff
        queue: ventas
        text: "Ya te atiende un asesor."
        closed:
          text: "Estamos fuera de horario."
          next: info

    """

/// A handoff with no `next`: the agent's close ends the conversation.
private let handoffThatEnds = """
      menu:
        type: menu
        text: "En que te ayudamos?"
        options:
          - { id: horario, title: Horario, next: info }
          - { id: hablar, title: Hablar con un asesor, next: asesor }
      asesor:
        type: handoff
        queue: ventas
        text: "Ya te atiende un asesor."

    """

private func chatAtMenu(
    settings: String = Fixture.settings, steps: String = Fixture.simpleMenu + Fixture.handoff,
    at start: Int64 = Fixture.mondayMorning
) throws -> Chat {
    var chat = Chat(try Fixture.interpreter(settings: settings, steps: steps), at: start)
    chat.type("hola", after: 0)
    chat.tap("consentimiento.accept", after: 0)
    return chat
}

@Test func insideBusinessHoursTheBotRequestsAnAgentOnce() throws {
    var chat = try chatAtMenu()
    let effects = chat.tap("hablar")
    #expect(
        effects == [
            .logContactMessage(.text("hablar")), .stepEntered("asesor"),
            .send(.text("Ya te atiende un asesor."), from: .bot), .cancelInactivityTimer,
            .requestHandoff(queue: "ventas"),
        ])
    #expect(chat.session.status == .queued)
    #expect(chat.session.queue == 0)
    #expect(chat.session.inactivityDeadline == nil)
    // Waiting for the rotation, the contact writes twice: relayed to the queue, never a second request.
    #expect(
        chat.type("hola?") == [.logContactMessage(.text("hola?")), .relayToAgent(agent: nil, message: .text("hola?"))])
    chat.type("sigo aqui")
    #expect(chat.history.handoffRequests == ["ventas"])
}

@Test func theAssignedAgentTalksAndTheBotIsSilent() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    #expect(chat.event(.agentAssigned("ana")) == [])
    #expect(chat.session.status == .withAgent)
    #expect(chat.session.agent == "ana")
    let fromContact = chat.type("Necesito ayuda con mi pedido")
    #expect(
        fromContact == [
            .logContactMessage(.text("Necesito ayuda con mi pedido")),
            .relayToAgent(agent: "ana", message: .text("Necesito ayuda con mi pedido")),
        ])
    let file = Event.Attachment(mimeType: "application/pdf", size: 5000, fileName: "factura.pdf")
    #expect(
        chat.event(.attachment(file)) == [
            .logContactMessage(.attachment(file)), .relayToAgent(agent: "ana", message: .attachment(file)),
        ])
    // Menu words and numbers are relayed too: the bot does not answer while the agent has the conversation.
    for text in ["1", "Horario", "hablar"] {
        #expect(!chat.type(text).botSpoke)
    }
    #expect(
        chat.event(.agentMessage("Hola, soy Ana. ¿En qué te ayudo?")) == [
            .send(.text("Hola, soy Ana. ¿En qué te ayudo?"), from: .agent("ana"))
        ])
    #expect(chat.history.handoffRequests == ["ventas"])
}

@Test func aSecondAssignmentIsIgnored() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    #expect(chat.event(.agentAssigned("bruno")) == [])
    #expect(chat.session.agent == "ana")
}

@Test func anAssignmentOutsideAHandoffIsIgnored() throws {
    var chat = try chatAtMenu()
    #expect(chat.event(.agentAssigned("ana")) == [])
    #expect(chat.session.status == .waiting)
    #expect(chat.session.agent == nil)
}

@Test func anAgentMessageBeforeTheAssignmentIsDropped() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    #expect(chat.event(.agentMessage("hola")) == [])
}

@Test func theAgentsCloseResumesAtNext() throws {
    var chat = try chatAtMenu()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    let effects = chat.event(.agentClosed)
    #expect(effects == [.stepEntered("menu"), simpleMenuMessage, .scheduleInactivityTimer(at: chat.now + 1800)])
    #expect(chat.session.status == .waiting)
    #expect(chat.session.agent == nil)
    #expect(chat.session.queue == nil)
    // A second handoff in the same conversation is a second request.
    chat.tap("hablar")
    #expect(chat.history.handoffRequests == ["ventas", "ventas"])
}

@Test func theAgentsCloseWithoutNextClosesTheConversation() throws {
    var chat = try chatAtMenu(steps: handoffThatEnds)
    chat.tap("hablar")
    chat.event(.agentAssigned("carla"))
    #expect(chat.event(.agentClosed) == [.closeConversation(.agentClosed)])
    #expect(chat.session.status == .closed)
    #expect(chat.session.endedAt == chat.now)
}

@Test func outsideBusinessHoursTheClosedPathIsTaken() throws {
    // Saturday 2026-11-28 10:00 in Bogota.
    var chat = try chatAtMenu(settings: officeHours, steps: handoffWithClosedPath, at: 1_795_878_000)
    let effects = chat.tap("hablar")
    #expect(
        effects == [
            .logContactMessage(.text("hablar")), .stepEntered("asesor"),
            .send(.text("Estamos fuera de horario."), from: .bot), .stepEntered("info"),
            .send(.text("Atendemos de lunes a viernes de 8:00 a 18:00."), from: .bot), .stepEntered("despedida"),
            .send(.text("Gracias por escribirnos."), from: .bot), .cancelInactivityTimer, .closeConversation(.end),
        ])
    #expect(chat.history.handoffRequests.isEmpty)
}

@Test func outsideBusinessHoursWithoutAClosedPathTheContactWaitsInTheQueue() throws {
    // Monday 2026-11-23 12:30 in Bogota: the lunch break.
    var chat = try chatAtMenu(settings: officeHours, at: 1_795_455_000)
    let effects = chat.tap("hablar")
    #expect(
        effects == [
            .logContactMessage(.text("hablar")), .stepEntered("asesor"),
            .send(.text("Estamos fuera de horario."), from: .bot), .cancelInactivityTimer,
            .requestHandoff(queue: "ventas"),
        ])
    #expect(chat.session.status == .queued)
}

@Test(arguments: [
    // Monday 2026-11-23 06:00 in Bogota is 11:00 UTC: closed, although 11:00 would be open in UTC.
    (Int64(1_795_431_600), false),
    // Monday 2026-11-23 10:00 in Bogota.
    (Int64(1_795_446_000), true),
    // Tuesday 2026-12-08 10:00: a holiday.
    (Int64(1_796_742_000), false),
    // Wednesday 2026-12-09 10:00.
    (Int64(1_796_828_400), true),
])
func businessHoursFollowTheFlowCalendar(_ instant: Int64, _ open: Bool) throws {
    var chat = try chatAtMenu(settings: officeHours, steps: handoffWithClosedPath, at: instant)
    let effects = chat.tap("hablar", after: 0)
    #expect(effects.handoffRequests == (open ? ["ventas"] : []))
    #expect(effects.texts.first == (open ? "Ya te atiende un asesor." : "Estamos fuera de horario."))
}

@Test(arguments: [
    // Tuesday 2026-12-08 22:00 in Bogota is already 2026-12-09 03:00 UTC: still the holiday.
    (Int64(1_796_785_200), false),
    // Monday 2026-12-07 23:00 in Bogota is 2026-12-08 04:00 UTC: not yet the holiday.
    (Int64(1_796_702_400), true),
])
func holidaysAreDaysOfTheFlowsTimeZone(_ instant: Int64, _ open: Bool) throws {
    var chat = try chatAtMenu(settings: allDayButHoliday, steps: handoffWithClosedPath, at: instant)
    #expect(chat.tap("hablar", after: 0).handoffRequests == (open ? ["ventas"] : []))
}

/// The default hours (`officeHours`) with other holidays: the items written, or no `holidays` line at all.
private func officeHours(holidays items: String?) -> String {
    let line = "    holidays: [\"2026-12-08\"]\n"
    let changed = officeHours.replacingOccurrences(of: line, with: items.map { "    holidays: [\($0)]\n" } ?? "")
    precondition(changed != officeHours, "the holidays line of officeHours moved")
    return changed
}

/// Whether a handoff at `instant` (10:00 in Bogota) under `settings` finds the business open, and that it goes
/// the way that says.
private func handoffFindsOpen(settings: String, at instant: Int64) throws -> Bool {
    var chat = try chatAtMenu(settings: settings, steps: handoffWithClosedPath, at: instant)
    let effects = chat.tap("hablar", after: 0)
    let open = effects.texts.first == "Ya te atiende un asesor."
    #expect(effects.handoffRequests == (open ? ["ventas"] : []))
    #expect(open || effects.texts.first == "Estamos fuera de horario.")
    return open
}

@Test(arguments: [
    // Tuesday 2026-12-08 10:00 in Bogota: the Immaculate Conception, a fixed holiday.
    (Int64(1_796_742_000), false),
    // Holy Thursday 2026-04-02 10:00, and Good Friday: Easter-based holidays.
    (Int64(1_775_142_000), false),
    (Int64(1_775_228_400), false),
    // The days around them are working days.
    (Int64(1_796_828_400), true),  // Wednesday 2026-12-09
    (Int64(1_775_055_600), true),  // Wednesday 2026-04-01
    (Int64(1_775_487_600), true),  // Monday 2026-04-06
])
func colombiaClosesEveryNationalHoliday(_ instant: Int64, _ open: Bool) throws {
    #expect(try handoffFindsOpen(settings: officeHours(holidays: "colombia"), at: instant) == open)
}

@Test(arguments: [Int64(1_796_742_000), Int64(1_775_142_000), Int64(1_775_228_400)])
func withoutColombiaANationalHolidayIsAWorkingDay(_ instant: Int64) throws {
    #expect(try handoffFindsOpen(settings: officeHours(holidays: nil), at: instant))
}

@Test(arguments: [
    (Int64(1_796_742_000), false),  // Tuesday 2026-12-08: Colombia's
    (Int64(1_796_828_400), false),  // Wednesday 2026-12-09: the listed date
    (Int64(1_796_914_800), true),  // Thursday 2026-12-10
])
func aListedDateAndColombiaBothCount(_ instant: Int64, _ open: Bool) throws {
    #expect(try handoffFindsOpen(settings: officeHours(holidays: "\"2026-12-09\", colombia"), at: instant) == open)
}

@Test func eachHandoffOfManyConversationsIsRequestedOnce() throws {
    // The interpreter asks; which agent answers (strict round robin) is the rotation's job. Ten conversations,
    // each with several messages while queued and with the agent, make exactly ten requests.
    let interpreter = try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff)
    var requests: [String] = []
    for i in 0..<10 {
        var chat = Chat(interpreter, session: Session(contactName: "C\(i)"))
        chat.openAndAccept()
        chat.tap("hablar")
        chat.type("hola")
        chat.event(.agentAssigned(["ana", "bruno", "carla"][i % 3]))
        chat.type("gracias")
        requests += chat.history.handoffRequests
    }
    #expect(requests == Array(repeating: "ventas", count: 10))
}

/// A fixed offset such as `GMT-5` is a time zone five hours behind UTC, as Docs/language.md says: its business
/// hours open and close at the same instants as Bogota's.
@Test(arguments: ["GMT-5", "UTC-05:00"])
func aFixedOffsetTimeZoneIsFiveHoursBehindUTC(_ zone: String) throws {
    let fixed = BusinessCalendar(
        settings: try Fixture.machine(
            Fixture.flow(
                settings: Fixture.settings.replacingOccurrences(
                    of: "settings:\n", with: "settings:\n  time_zone: \(zone)\n"),
                consent: Fixture.consent(), steps: Fixture.simpleMenu + Fixture.handoff)
        ).settings)
    let bogota = BusinessCalendar(
        settings: try Fixture.machine(
            Fixture.flow(
                settings: Fixture.settings, consent: Fixture.consent(), steps: Fixture.simpleMenu + Fixture.handoff)
        ).settings)
    // Monday 2 March 2026, every quarter hour of the day in UTC.
    for quarter in 0..<96 {
        let at = Fixture.mondayMorning - 10 * 3600 + Int64(quarter) * 900
        #expect(fixed.isOpen(at: at) == bogota.isOpen(at: at), "at \(at)")
    }
}
