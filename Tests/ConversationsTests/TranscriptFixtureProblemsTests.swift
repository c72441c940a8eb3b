import Conversations
import FlowCompiler
import FlowDiagnostics
import Foundation
import Testing

/// A transcript's failures as `line:col id message`.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// Runs a transcript of the shipped default flow with these fixture lines (under `fixtures:`) and no steps.
private func runWithFixtures(_ lines: String) throws -> TranscriptResult {
    try TranscriptFolder().runAgainstDefault("flow: default.yaml\nfixtures:\n" + lines + "steps: []\n")
}

/// Fixtures that do not fit the flow, and an attachment's type and size, report every problem in one run, in file
/// order, each where it is written, as lint and the rest of the transcript checks do (Docs/testing.md, fixtures).
@Suite("Every problem of a transcript's fixtures at once")
struct TranscriptFixtureProblemsTests {
    /// Every problem is reported, in the order written, each at its name or value: an unknown step and an agent
    /// the queue does not have (either order); an unknown queue and an unknown variable after it; an unknown
    /// variable without a starting step (two problems at one place); a start the clock cannot reach with the rest.
    @Test(arguments: [
        (
            "  step: menuu\n  rotation: { ventas: zoe }\n",
            [
                "3:9 transcript_flow fixtures: unknown step 'menuu'",
                "4:23 transcript_flow fixtures: queue 'ventas' has no agent 'zoe'",
            ]
        ),
        (
            "  rotation: { ventas: zoe }\n  step: menu_principl\n",
            [
                "3:23 transcript_flow fixtures: queue 'ventas' has no agent 'zoe'",
                "4:9 transcript_flow fixtures: unknown step 'menu_principl'; did you mean 'menu_principal'?",
            ]
        ),
        (
            "  step: pedir_nombre\n  rotation: { ventaz: ana }\n  variables: { nombr: \"1\" }\n",
            [
                "4:15 transcript_flow fixtures: unknown queue 'ventaz'; did you mean 'ventas'?",
                "5:16 transcript_flow fixtures: unknown variable 'nombr'; did you mean 'nombre'?",
            ]
        ),
        (
            "  variables: { nombr: Laura }\n",
            [
                "3:16 transcript_flow fixtures: unknown variable 'nombr'; did you mean 'nombre'?",
                "3:16 transcript_flow fixtures: variable 'nombr' needs a starting step ('step:')",
            ]
        ),
        (
            "  step: menuu\n  time: \"9999-12-31T23:59:59\"\n  rotation: { venta: ana }\n",
            [
                "3:9 transcript_flow fixtures: unknown step 'menuu'",
                "4:9 invalid_value 'time' is past the latest time the clock reaches, 9999-12-31T18:59:59 in "
                    + "America/Bogota (9999-12-31T23:59:59Z)",
                "5:15 transcript_flow fixtures: unknown queue 'venta'; did you mean 'ventas'?",
            ]
        ),
    ])
    func everyProblemIsReportedInFileOrder(_ lines: String, _ expected: [String]) throws {
        #expect(failures(try runWithFixtures(lines)) == expected)
    }

    /// Fixtures built in code have no places: every problem comes back, in the order step, variables, queues.
    @Test func fixturesBuiltInCodeGetEveryProblem() throws {
        let fixtures = TranscriptFixtures(
            step: "menuu", variables: [TranscriptVariable(name: "nombr", value: "1")],
            rotation: [TranscriptRotation(queue: "ventas", agent: "zoe")])
        let started = TranscriptDriver.makeSimulator(
            machine: try TranscriptSamples.defaultMachine(), fixtures: fixtures)
        guard case .failure(let misfit) = started else {
            Issue.record("fixtures that do not fit the flow made a simulator")
            return
        }
        #expect(
            misfit.problems == [
                FixtureProblem(message: "unknown step 'menuu'"),
                FixtureProblem(message: "unknown variable 'nombr'; did you mean 'nombre'?"),
                FixtureProblem(message: "queue 'ventas' has no agent 'zoe'"),
            ])
    }

    /// An attachment with an unknown type and a size too large reports both, each at its value.
    @Test func anAttachmentReportsItsTypeAndItsSize() throws {
        let parsed = TranscriptParser.parse(
            "flow: f.yaml\nsteps:\n  - attachment: { type: exe, size: 8589934592GB, name: [a] }\n")
        #expect(parsed.transcript == nil)
        #expect(
            parsed.diagnostics.map { "\($0.range.start.line):\($0.range.start.column) \($0.id)" } == [
                "3:25 invalid_value", "3:36 invalid_value", "3:56 wrong_type",
            ])
        #expect(parsed.diagnostics.first?.message.hasPrefix("unknown attachment type 'exe'") == true)
        #expect(
            parsed.diagnostics.dropFirst().first?.message
                == "'size' must be at most 9223372036854775807 bytes, found '8589934592GB'")
    }

    /// A missing size does not hide a wrong type, and every item of a list that is not text is reported.
    @Test func aMissingFieldAndAWrongValueAreBothReported() throws {
        let parsed = TranscriptParser.parse(
            "flow: f.yaml\nsteps:\n  - attachment: { type: exe }\n  - bot: { buttons: [[a], Uno, [b]] }\n")
        #expect(
            parsed.diagnostics.map { "\($0.range.start.line):\($0.range.start.column) \($0.id)" } == [
                "3:17 missing_field", "3:25 invalid_value", "4:22 wrong_type", "4:32 wrong_type",
            ])
    }
}

/// `fixtures.consent` has two forms, and its error names both, whichever was meant.
@Test(arguments: [
    ("  consent: maybe\n", "invalid_value", "found 'maybe'"),
    ("  consent: [accepted]\n", "wrong_type", "found a list"),
])
func fixtureConsentErrorsNameBothForms(_ lines: String, _ id: String, _ found: String) throws {
    let result = try runWithFixtures(lines)
    let failure = try #require(result.allFailures.first)
    #expect(failure.id == id)
    #expect(
        failure.message
            == "'consent' of 'fixtures' must be accepted or a mapping of 'version' and 'opt_in', \(found)")
    #expect(failure.suggestion == "write consent: accepted, or consent: { version: \"2\", opt_in: true }")
}

/// A transcript's `flow:` naming the flow's consent lock says so and names the flow.
@Test func aTranscriptFlowThatIsTheConsentLockNamesTheFlow() throws {
    let folder = try TranscriptFolder()
    try folder.copyDefaultFlow()
    _ = try folder.write("default.consent.lock", "versions: {}\n")
    let result = TranscriptRunner.run(file: try folder.write("t.test.yaml", "flow: default.consent.lock\nsteps: []\n"))
    #expect(result.status == .unreadable)
    #expect(
        result.unreadableReason?.hasSuffix(
            "it is a consent lock, not a flow; name its flow, '\(folder.url.path)/default.yaml'") == true,
        "\(String(describing: result.unreadableReason))")
}
