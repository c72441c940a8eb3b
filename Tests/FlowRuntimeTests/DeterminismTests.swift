import FlowCompiler
import FlowRuntime
import Foundation
import Testing

// The interpreter is a pure function of (machine, session, event): the same input gives the same output, and
// time comes only from events, never from a clock.

/// A script touching every kind of event: consent, a menu, an invalid reply, a question, a handoff with files
/// and agent messages, the agent's close, a revocation and a timeout.
private let script: [(Int64, Event.Kind)] = [
    (0, .text("hola", messageID: "w1")), (15, .text("que es esto")),
    (30, .reply(id: "consentimiento.accept", messageID: "w2")),
    (45, .text("no se")), (60, .text("2")), (75, .text("Ana Maria")), (76, .agentAssigned("carla")),
    (90, .attachment(Event.Attachment(mimeType: "image/png", size: 2048, fileName: "foto.png"))),
    (95, .attachment(Event.Attachment(mimeType: "video/mp4", size: 2048))), (120, .agentMessage("Hola Ana")),
    (125, .agentMessage("Hola 😀")), (200, .agentClosed), (260, .text("revocar")), (4000, .inactivityTimeout),
    (5000, .text("hola")),
]

private let steps = Fixture.menuAskingTheName

/// Runs the script from a fresh session, starting at `start`.
private func run(_ interpreter: Interpreter, from start: Int64) -> (Session, [Effect]) {
    var session = Session(contactName: "Ana", phone: "573001112233")
    var all: [Effect] = []
    for (offset, kind) in script {
        var effects: [Effect] = []
        interpreter.step(&session, Event(at: start + offset, kind), into: &effects)
        all += effects
    }
    return (session, all)
}

@Test func theSameScriptGivesTheSameResult() async throws {
    let interpreter = try Fixture.interpreter(steps: steps)
    let first = run(interpreter, from: Fixture.mondayMorning)
    // Later on the wall clock, and with a second interpreter of the same machine.
    try await Task.sleep(for: .milliseconds(1100))
    let second = run(Interpreter(machine: interpreter.machine), from: Fixture.mondayMorning)
    #expect(first.0 == second.0)
    #expect(first.1 == second.1)
    #expect(first.1.count > 40)
}

@Test func eachStepIsAFunctionOfSessionAndEvent() throws {
    let interpreter = try Fixture.interpreter(steps: steps)
    var session = Session(contactName: "Ana", phone: "573001112233")
    for (offset, kind) in script {
        let event = Event(at: Fixture.mondayMorning + offset, kind)
        let a = interpreter.step(session, event)
        let b = interpreter.step(session, event)
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        // The in-place form, with a reused and non-empty effects array, appends exactly the same effects.
        var inPlace = session
        var effects: [Effect] = [.cancelInactivityTimer]
        interpreter.step(&inPlace, event, into: &effects)
        #expect(inPlace == a.0)
        #expect(Array(effects.dropFirst()) == a.1)
        session = a.0
    }
}

@Test func timeComesOnlyFromEvents() throws {
    // The same conversation shifted by whole weeks (the calendar repeats weekly) gives the same effects with
    // shifted instants, in 1990 as in 2100: nothing depends on when the test runs.
    let interpreter = try Fixture.interpreter(steps: steps)
    let monday1990: Int64 = 631_206_000
    let monday2100: Int64 = 4_102_758_000
    let base = run(interpreter, from: Fixture.mondayMorning).1
    for start in [monday1990, monday2100] {
        let shifted = run(interpreter, from: start).1
        #expect(shifted.count == base.count)
        #expect(shifted.handoffRequests == ["ventas"])
        #expect(shifted.texts == base.texts)
        #expect(shifted.steps == base.steps)
    }
    // A Saturday in 2100 is outside business hours, whatever today is.
    let saturday2100 = monday2100 + 5 * 86_400
    #expect(run(interpreter, from: saturday2100).1.texts.contains("Estamos fuera de horario."))
}

@Test func theRuntimeSourcesReadNoClock() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/FlowRuntime")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
    #expect(files.contains("Interpreter.swift"))
    let forbidden = [
        "Date()", "Date.now", ".now()", "ContinuousClock", "SuspendingClock", "gettimeofday", "clock_gettime",
        "time(nil)", "CFAbsoluteTimeGetCurrent", "DispatchTime", "timeIntervalSinceNow", ".random(",
        "SystemRandomNumberGenerator",
    ]
    for file in files {
        let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        for word in forbidden {
            #expect(!text.contains(word), "\(file) uses \(word)")
        }
    }
}
