import Conversations
import FlowDiagnostics
import Foundation
import Testing

/// A transcript's failures as `line:col id message`.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// An expectation naming a step, a saved variable, a queue, an agent, a template or a purpose the flow does not
/// have could never match: it fails the transcript before the run (`transcript_flow`), at the name, with a "did
/// you mean", as the fixtures' names do (Docs/testing.md, expectations).
@Suite("Names an expectation takes from the flow")
struct TranscriptExpectationIDTests {
    /// Every unknown name of every expectation is reported in one run, in file order, each at its value, with
    /// the fixtures' problems among them; nothing runs.
    @Test func everyUnknownNameIsReportedAtOnceBeforeTheRun() throws {
        let result = try TranscriptFolder().runAgainstDefault(
            """
            flow: default.yaml
            fixtures: { consent: accepted, rotation: { ventas: zoe } }
            steps:
              - contact: hola
              - step: menu_principl
              - bot: {}
              - saved: nombr
              - handoff: { queue: venta, agent: zoe }
              - handoff: { queue: ventas, agent: anna }
              - handoff: { agent: brun }
              - refused: { template: recordatorio_cit }
              - bot: { template: { name: recordatorio } }
              - consent: { choice: accepted, purposes: [atencion, asesorr, asesorr] }
              - window_closed: { template: { name: recordatorio_cita } }

            """)
        #expect(result.status == .failed)
        #expect(result.stepsRun == 0)
        #expect(
            failures(result) == [
                "2:52 transcript_flow fixtures: queue 'ventas' has no agent 'zoe'",
                "5:11 transcript_flow the flow has no step 'menu_principl'; did you mean 'menu_principal'?",
                "7:12 transcript_flow no 'ask' step of the flow saves 'nombr'; did you mean 'nombre'?",
                "8:23 transcript_flow the flow has no queue 'venta'; did you mean 'ventas'?",
                "8:37 transcript_flow no queue of the flow has an agent 'zoe'",
                "9:38 transcript_flow queue 'ventas' has no agent 'anna'; did you mean 'ana'?",
                "10:23 transcript_flow no queue of the flow has an agent 'brun'; did you mean 'bruno'?",
                "11:26 transcript_flow the flow has no template named 'recordatorio_cit'; did you mean "
                    + "'recordatorio_cita'?",
                "12:30 transcript_flow the flow has no template named 'recordatorio'; did you mean "
                    + "'recordatorio_cita'? (the Meta name of template 'recordatorio': transcripts name templates "
                    + "as Meta does)",
                "13:55 transcript_flow the flow has no purpose 'asesorr'; did you mean 'asesor'?",
            ])
    }

    /// The reproduction of the audit: a misspelt step and variable are named as such, not compared with the
    /// step the flow entered.
    @Test func aMisspeltStepIsNotComparedWithAnUnrelatedOne() throws {
        let result = try TranscriptFolder().runAgainstDefault(
            """
            flow: default.yaml
            fixtures: { consent: accepted }
            steps:
              - contact: hola
              - step: menuu
              - bot: {}

            """)
        #expect(failures(result) == ["5:11 transcript_flow the flow has no step 'menuu'"])
    }

    /// `saved:` names a variable an `ask` saves: a variable of the flow that only a `set` step sets is
    /// explained; one another question saves is not a problem of the name.
    @Test func aSavedVariableMustBeOneAQuestionSaves() throws {
        let folder = try TranscriptFolder()
        let setOnly = try folder.runAgainstVariant(
            "flow: variant.yaml\nsteps:\n  - saved: origen\n  - saved: apellido\n")
        #expect(
            failures(setOnly) == [
                "3:12 transcript_flow no 'ask' step of the flow saves 'origen': 'saved' expects an answer saved by "
                    + "an 'ask' step, and 'origen' is only set by a 'set' step"
            ])
    }

    /// A transcript built in code has no places: each problem is at its step's range.
    @Test func aTranscriptBuiltInCodeIsCheckedToo() throws {
        let key = SourceRange(at: SourceLocation(line: 7, column: 5, offset: 60))
        let transcript = Transcript(
            name: "t", flowPath: "default.yaml",
            steps: [TranscriptStep(.expect(.handoff(queue: "ventas", agent: "zoe")), range: key)])
        let result = TranscriptRunner.run(transcript, machine: try TranscriptSamples.defaultMachine())
        #expect(failures(result) == ["7:5 transcript_flow queue 'ventas' has no agent 'zoe'"])
    }

    /// An agent written with spaces around in the flow (`[" ana ", bruno]`) is ana: at run time and to a
    /// transcript, as lint's duplicate_agent already took it; a name the flow does not have, in another case or
    /// with spaces around, gets the agent as a suggestion (newcomer5 #5).
    @Test func spacesAroundAnAgentOfTheFlowAreNoPartOfTheName() throws {
        let folder = try TranscriptFolder()
        let flow = try String(
            contentsOf: transcriptRepositoryRoot.appending(path: "Flows/default.yaml"), encoding: .utf8)
        let spaced = flow.replacingOccurrences(
            of: "ventas: [ana, bruno, carla]", with: "ventas: [\" ana \", bruno, carla]")
        #expect(spaced != flow)
        try folder.write("default.yaml", spaced)
        let handedOver = TranscriptRunner.run(file: try folder.write("t.test.yaml", TranscriptSamples.withAgentHeader))
        #expect(handedOver.status == .passed, "\(failures(handedOver))")
        let rotation = TranscriptSamples.acceptedHeader.replacingOccurrences(
            of: "flow: default.yaml\n", with: "flow: default.yaml\nfixtures: { rotation: { ventas: Ana } }\n")
        let misnamed = TranscriptRunner.run(
            file: try folder.write("m.test.yaml", rotation + "  - handoff: { agent: \" bruno \" }\n"))
        #expect(
            failures(misnamed) == [
                "2:33 transcript_flow fixtures: queue 'ventas' has no agent 'Ana'; did you mean 'ana'?",
                "13:23 transcript_flow no queue of the flow has an agent ' bruno '; did you mean 'bruno'?",
            ])
    }
}
