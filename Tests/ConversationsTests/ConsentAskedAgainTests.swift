import Conversations
import FlowCompiler
import FlowRuntime
import Foundation
import Testing

/// The transcript's failures as `line:col id message`, for compact assertions.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// `Flows/default.yaml` with each text of `edits` replaced (its first occurrence, which must be there).
func defaultFlow(editing edits: [(String, String)]) throws -> String {
    var text = try String(
        contentsOf: transcriptRepositoryRoot.appending(path: "Flows/default.yaml"), encoding: .utf8)
    for (old, new) in edits {
        let range = try #require(text.range(of: old), "default.yaml no longer has \(old.debugDescription)")
        text.replaceSubrange(range, with: new)
    }
    return text
}

/// `Flows/default.yaml`, compiled after `edits` (whatever the linter says of it).
func defaultMachine(editing edits: [(String, String)]) throws -> StateMachine {
    MachineCompiler.compile(try #require(FlowChecker.check(try defaultFlow(editing: edits)).flow))
}

/// `Flows/default.yaml` with a cover menu as its start and no path from it to the consent but the keyword
/// `empezar`: the flow a reviewer found the handoff's re-asked consent skipped in. It checks clean.
private func coverFlow() throws -> String {
    try defaultFlow(editing: [
        ("start: consentimiento\n", "start: portada\n"),
        (
            "  keywords:\n", "  keywords:\n    - words: [empezar]\n      goto: consentimiento\n"
        ),
        (
            "steps:\n",
            """
            steps:
              portada:
                type: menu
                text: Hola. Escribe empezar para comenzar.
                options:
                  - { id: info, title: Informacion, next: portada_info }
              portada_info:
                type: message
                text: Somos una tienda. Escribe empezar.
                next: portada

            """
        ),
    ])
}

/// The consent a handoff asks again, under consent of an older policy version, is found along every way a
/// conversation can move, keywords and revocation included; a flow without one never hands off under the old
/// version.
@Suite("Consent asked again before a handoff")
struct ConsentAskedAgainTests {
    /// The consent is reached from the start only by a keyword: it is still the one asked before the handoff,
    /// and accepting it goes on to the handoff.
    @Test func aConsentReachedOnlyByAKeywordIsAskedBeforeTheHandoff() throws {
        let folder = try TranscriptFolder()
        let flow = try coverFlow()
        #expect(!FlowChecker.check(flow).hasErrors)
        try folder.write("portada.yaml", flow)
        let transcript = """
            flow: portada.yaml
            exhaustive: false
            fixtures:
              consent: { version: "2025-01" }
              step: menu_principal
            steps:
              - tap: Hablar con un asesor
              - bot:
                  contains: Antes de continuar necesitamos tu autorización
                  buttons: [Acepto, No acepto]
              - tap: Acepto
              - consent: accepted
              - bot: Un asesor de ventas te atenderá en un momento por este mismo chat.
              - handoff: { queue: ventas, agent: ana }

            """
        let result = TranscriptRunner.run(file: try folder.write("t.test.yaml", transcript))
        #expect(result.status == .passed, "\(failures(result))")
    }

    /// A flow with a policy in which no general consent step can be reached: a handoff under consent of an older
    /// version does not run; the conversation closes (`policy_changed`), as an answer to a data question does.
    @Test func withoutAConsentToAskTheHandoffClosesTheConversation() throws {
        var machine = MachineCompiler.compile(try #require(FlowChecker.check(try coverFlow()).flow))
        // Without the keyword nothing leads from the start to the consent (a machine the linter would refuse).
        machine.keywords.removeAll()
        let simulator = Simulator(
            machine: machine, startAt: 1_795_446_000, consent: Session.Consent(acceptedVersion: "2025-01"))
        simulator.start(at: "menu_principal")
        let effects = simulator.send(.text("Hablar con un asesor"))
        #expect(effects.contains(.closeConversation(.policyChanged)))
        #expect(!effects.contains { if case .requestHandoff = $0 { true } else { false } })
        #expect(!effects.contains(.stepEntered("asesor")))
        #expect(simulator.session.status == .closed)
    }

    /// A contact of an older policy version at the menu of `default.yaml` asks for an agent: the simulator
    /// waits at the consent asked again, with the handoff pending.
    private func askedAgain() throws -> Simulator {
        let simulator = Simulator(
            machine: try TranscriptSamples.defaultMachine(), startAt: 1_795_446_000,
            consent: Session.Consent(acceptedVersion: "2025-01"))
        simulator.start(at: "menu_principal")
        simulator.send(.text("Hablar con un asesor"))
        #expect(simulator.currentStep == "consentimiento")
        #expect(simulator.session.pendingStep == "asesor")
        return simulator
    }

    /// `askedAgain`, then a reload (the REPL's `/reload`) of `default.yaml` with `replacement` written where the
    /// handoff's line `asesor:` was, then the acceptance of the consent; returns the simulator and its effects.
    private func acceptAfterAReload(writingAtTheHandoff replacement: String) throws -> (Simulator, [Effect]) {
        let simulator = try askedAgain()
        #expect(simulator.reload(try defaultMachine(editing: [("\n  asesor:\n", replacement)])))
        return (simulator, simulator.send(.reply(id: "consentimiento.accept")))
    }

    /// A reload (the REPL's `/reload`) that renumbers the steps between the question and the answer: the
    /// acceptance goes on to the same handoff, by its id.
    @Test func aReloadThatRenumbersTheStepsKeepsThePendingHandoff() throws {
        // An `end` step written before the handoff takes the handoff's old index.
        let (simulator, effects) = try acceptAfterAReload(
            writingAtTheHandoff: "\n  cerrado:\n    type: end\n    text: Cerrado.\n\n  asesor:\n")
        #expect(effects.contains(.stepEntered("asesor")))
        #expect(effects.contains(.requestHandoff(queue: "ventas")))
        #expect(simulator.session.agent == "ana")
    }

    /// A reload that makes the pending handoff's step another kind: the acceptance goes to `accept.next`, never
    /// to a step that is no longer a handoff.
    @Test func aReloadThatMakesThePendingHandoffAnotherKindGoesToAcceptNext() throws {
        // `asesor` is now an `end` step; the handoff is another step.
        let (simulator, effects) = try acceptAfterAReload(
            writingAtTheHandoff: "\n  asesor:\n    type: end\n    text: Cerrado.\n\n  asesor_humano:\n")
        #expect(!effects.contains(.stepEntered("asesor")))
        #expect(effects.contains(.stepEntered("menu_principal")))
        #expect(simulator.session.status == .waiting)
        #expect(simulator.session.pendingStep == nil)
    }
}
