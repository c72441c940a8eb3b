import FlowCompiler
import FlowRuntime
import Testing

// A session holds indices into the machine it was stepped with. When the flow changes under it (a reload, a
// restart with an edited file), `Session.carryOver` moves it by name: the same step id, variables by name, the
// queue by name; a step that is gone starts a new conversation that keeps consent. A session that does not fit
// the machine at all is never stepped as it is.

/// The menu, a question for the name and the handoff, with a step `encuesta` (and its variable) placed before
/// them, or not at all, so that every index after it moves.
private func flow(withSurvey survey: Bool, handoff: Bool = true, queue: String = "ventas") -> String {
    let surveyStep =
        survey
        ? [
            "  encuesta:", "    type: ask", "    text: \"Como nos conociste?\"", "    save: canal", "    next: menu",
        ].joined(separator: "\n") + "\n" : ""
    var steps = surveyStep + Fixture.menuAskingTheName
    if !handoff {
        steps = String(steps[..<steps.range(of: "  asesor:\n")!.lowerBound])
    }
    var yaml = Fixture.flow(steps: steps).replacingOccurrences(of: "queue: ventas", with: "queue: \(queue)")
    if !handoff {
        yaml = yaml.replacingOccurrences(of: "next: asesor", with: "next: despedida")
    }
    if queue != "ventas" { yaml = yaml.replacingOccurrences(of: "  ventas: [", with: "  \(queue): [") }
    return yaml
}

@Suite struct SessionCarryOverTests {
    @Test func aReorderedFlowKeepsTheStepByIdAndTheVariablesByName() throws {
        let old = try Fixture.machine(flow(withSurvey: false))
        let new = try Fixture.machine(flow(withSurvey: true))
        var chat = Chat(Interpreter(machine: old))
        chat.openAndAccept()
        chat.tap("hablar")
        chat.type("Ana Maria")
        #expect(chat.step == "asesor")
        var session = chat.session
        #expect(new.variables.firstIndex(of: "nombre") != old.variables.firstIndex(of: "nombre"))
        #expect(new.states.count > old.states.count)

        let carried = session.carryOver(from: FlowLayout(old), to: new)
        #expect(carried)
        let interpreter = Interpreter(machine: new)
        #expect(interpreter.name(of: session.state) == "asesor")
        #expect(session.variables[try #require(new.variables.firstIndex(of: "nombre"))] == "Ana Maria")
        #expect(session.variables[try #require(new.variables.firstIndex(of: "canal"))] == nil)
        #expect(session.variables.count == new.variables.count)
        #expect(session.status == chat.session.status)
        #expect(session.queue.map { new.strings[Int(new.queues[Int($0)].name)] } == "ventas")
    }

    @Test func aRemovedStepStartsANewConversationThatKeepsConsent() throws {
        let old = try Fixture.machine(flow(withSurvey: true))
        let new = try Fixture.machine(flow(withSurvey: false))
        var chat = Chat(Interpreter(machine: old))
        chat.openAndAccept()
        // Put the contact at the survey, which the new flow no longer has.
        var session = chat.session
        session.state = Int32(try #require(FlowLayout(old).steps.firstIndex(of: "encuesta")))
        session.lastContactMessageAt = chat.now

        let carried = session.carryOver(from: FlowLayout(old), to: new)
        #expect(!carried)
        #expect(session.status == .new)
        #expect(session.consent.acceptedVersion == "2026-01")
        #expect(session.variables.prefix(2) == ["Ana", "573001112233"])
        #expect(session.lastContactMessageAt == chat.now)
        // The next message starts the new flow, and the accepted consent is not asked again.
        var next = Chat(Interpreter(machine: new), session: session, at: chat.now)
        next.type("hola")
        #expect(next.session.status == .waiting)
        #expect(next.history.evidence.isEmpty)
    }

    @Test func aHandoffWhoseStepIsGoneGoesOnWhileItsQueueExists() throws {
        let old = try Fixture.machine(flow(withSurvey: false))
        var chat = Chat(Interpreter(machine: old))
        chat.openAndAccept()
        chat.tap("hablar")
        chat.type("Ana Maria")
        chat.event(.agentAssigned("bruno"))
        #expect(chat.session.status == .withAgent)
        let renamed = try Fixture.machine(
            flow(withSurvey: false).replacingOccurrences(of: "  asesor:\n", with: "  atencion:\n")
                .replacingOccurrences(of: "next: asesor", with: "next: atencion"))
        var session = chat.session
        let renamedCarried = session.carryOver(from: FlowLayout(old), to: renamed)
        #expect(!renamedCarried)
        #expect(session.status == .withAgent)
        #expect(session.agent == "bruno")
        #expect(Interpreter(machine: renamed).name(of: session.state) == "atencion")

        // Without the queue and the step, the handoff ends: a new conversation, consent kept.
        let otherQueue = try Fixture.machine(flow(withSurvey: false, queue: "soporte"))
        session = chat.session
        let queueCarried = session.carryOver(from: FlowLayout(old), to: otherQueue)
        #expect(queueCarried)
        // The step stays and now hands off to `soporte`: the handoff goes on there, with the same agent.
        #expect(
            session.queue.map { Int($0) }
                == otherQueue.queues.firstIndex { otherQueue.strings[Int($0.name)] == "soporte" })
        #expect(session.queue != nil)
        #expect(session.status == .withAgent)
        #expect(session.agent == "bruno")
        let noHandoff = try Fixture.machine(flow(withSurvey: false, handoff: false, queue: "soporte"))
        session = chat.session
        let handoffCarried = session.carryOver(from: FlowLayout(old), to: noHandoff)
        #expect(!handoffCarried)
        #expect(session.status == .new)
        #expect(session.agent == nil)
        #expect(session.consent.acceptedVersion == "2026-01")
    }

    @Test func aSessionPastTheMachineDoesNotFitAndStartsOverSafely() throws {
        let machine = try Fixture.machine(flow(withSurvey: false))
        var chat = Chat(Interpreter(machine: machine))
        chat.openAndAccept()
        var session = chat.session
        #expect(session.fits(machine))
        session.state = Int32(machine.states.count + 3)
        #expect(!session.fits(machine))
        var queued = chat.session
        queued.queue = Int32(machine.queues.count)
        #expect(!queued.fits(machine))

        session.startOverKeepingConsent()
        #expect(session.fits(machine))
        var next = Chat(Interpreter(machine: machine), session: session, at: chat.now)
        next.type("hola")
        #expect(next.step == "menu")
    }
}
