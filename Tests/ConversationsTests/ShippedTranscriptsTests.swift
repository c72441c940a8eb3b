import Conversations
import Foundation
import Testing

/// The transcripts shipped beside the flows (`Flows/tests/<flow>/*.test.yaml`) are the flows' regression tests:
/// every one passes, and together they enter every step of every shipped flow.
@Suite("Shipped transcripts")
struct ShippedTranscriptsTests {
    /// The shipped flows that must be fully covered.
    static let flows = ["benchmark", "default", "faq", "support"]

    /// Every shipped transcript passes.
    @Test func everyShippedTranscriptPasses() throws {
        let files = shippedTranscripts()
        #expect(files.count >= 15)
        let runner = TranscriptRunner()
        for file in files {
            let result = runner.run(file: file)
            #expect(result.status == .passed, "\(file)\n\(result.renderedFailures())")
        }
    }

    /// Each shipped flow has transcripts, and they enter every one of its steps and take every transition.
    @Test func everyShippedFlowIsFullyCovered() throws {
        let runner = TranscriptRunner()
        let coverages = FlowCoverage.merged(shippedTranscripts().map(runner.run(file:)))
        #expect(Set(coverages.map(\.flow)) == Set(Self.flows))
        for coverage in coverages {
            #expect(coverage.missedSteps.isEmpty, "\(coverage.flow): steps never entered: \(coverage.missedSteps)")
            #expect(coverage.stepPercent == 100)
            #expect(coverage.missedTransitions.isEmpty, "\(coverage.flow): \(coverage.missedTransitions)")
        }
    }

    /// Round robin in one transcript: three conversations of the default flow go to ana, bruno and carla.
    @Test func theRotationIsDemonstrated() throws {
        let file = transcriptRepositoryRoot.appending(path: "Flows/tests/default/acepta_y_compra.test.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let agents = text.split(separator: "\n").filter { $0.contains("- handoff:") }
        #expect(
            agents == [
                "  - handoff: { queue: ventas, agent: ana }", "  - handoff: { queue: ventas, agent: bruno }",
                "  - handoff: { queue: ventas, agent: carla }",
            ])
        #expect(TranscriptRunner.run(file: file).passed)
    }
}

/// The example at the top of Docs/testing.md is shipped as a transcript, word for word, and passes: readers
/// copy it first.
@Test func theGuidesExampleIsShippedAndPasses() throws {
    let guide = try String(
        contentsOf: transcriptRepositoryRoot.appending(path: "Docs/testing.md"), encoding: .utf8)
    let section = try #require(guide.range(of: "## An example\n\n```yaml\n"))
    let rest = guide[section.upperBound...]
    let end = try #require(rest.range(of: "```"))
    let example = String(rest[..<end.lowerBound])
    let file = transcriptRepositoryRoot.appending(path: "Flows/tests/default/ejemplo_de_la_guia.test.yaml").path
    #expect(try String(contentsOfFile: file, encoding: .utf8) == example)
    let result = TranscriptRunner.run(file: file)
    #expect(result.passed, "\(result.renderedFailures())")
}
