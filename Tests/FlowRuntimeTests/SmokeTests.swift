import FlowCompiler
import FlowRuntime
import Foundation
import Testing

@Test func minimalFlowAsksConsentThenMenu() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FlowCompilerTests/Fixtures/valid_minimal/flow.yaml")
    let result = FlowChecker.check(bytes: Array(try Data(contentsOf: url)))
    let flow = try #require(result.flow)
    let interpreter = Interpreter(machine: MachineCompiler.compile(flow))
    var s = Session(contactName: "Ana", phone: "573001112233")
    let t0: Int64 = 1_795_000_000
    var (next, effects) = interpreter.step(s, Event(at: t0, .text("hola")))
    s = next
    print(effects)
    (s, effects) = interpreter.step(s, Event(at: t0 + 5, .reply(id: "consentimiento.accept")))
    print(effects)
    (s, effects) = interpreter.step(s, Event(at: t0 + 9, .text("comprar")))
    print(effects)
    (s, effects) = interpreter.step(s, Event(at: t0 + 19, .text("Ana María")))
    print(effects)
    let handedOff = s.status == .withAgent || s.status == .queued
    #expect(handedOff)
}
