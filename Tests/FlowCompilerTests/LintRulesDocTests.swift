import FlowCompiler
import Foundation
import Testing

/// Docs/lint-rules.md is generated from the rules; this fails when it is stale
/// (`TALKFLOW_RECORD=1 swift test --filter LintRulesDocTests` rewrites it).
@Test func lintRulesPageIsCurrent() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    try Golden.compare(
        RuleCatalog.markdown(examples: try fixtureExamples(), exampleNotes: fixtureExampleNotes()),
        root.appendingPathComponent("Docs/lint-rules.md"))
}

/// For a fixture that lowers the size limit (its `max-bytes` file), a note that a real run's limit is 16 MiB.
func fixtureExampleNotes() -> [String: String] {
    var notes: [String: String] = [:]
    for descriptor in RuleRegistry.descriptors {
        let file = GoldenFixtureTests.fixtures.appendingPathComponent(descriptor.id).appendingPathComponent("max-bytes")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
        notes[descriptor.id] =
            "The fixture lowers the limit to \(text.trimmingCharacters(in: .whitespacesAndNewlines)) bytes (its "
            + "`max-bytes` file), so that it needs no large file; `talkflow lint` applies 16777216 bytes (16 MiB) to "
            + "a flow. The file is not read, so no source line is shown."
    }
    return notes
}

/// Each rule's first diagnostic in its fixture's `expected.txt`, the example the page shows.
func fixtureExamples() throws -> [String: String] {
    var examples: [String: String] = [:]
    for descriptor in RuleRegistry.descriptors {
        let golden = GoldenFixtureTests.fixtures.appendingPathComponent(descriptor.id)
            .appendingPathComponent("expected.txt")
        let text = try String(contentsOf: golden, encoding: .utf8)
        let example: String = try #require(
            RuleCatalog.example(of: descriptor.id, inGolden: text), "\(descriptor.id): no example in expected.txt")
        examples[descriptor.id] = example
    }
    return examples
}

/// Every check says what its diagnostics point at, so that the page can tell a reader where to look.
@Test func everyRuleSaysWhatItPointsAt() {
    for descriptor in RuleRegistry.descriptors {
        #expect(descriptor.pointsAt?.isEmpty == false, "\(descriptor.id) has no pointsAt")
    }
}

/// The example is one diagnostic whole: header, source line, caret, notes and help, and not the next one.
@Test func anExampleIsTheFirstDiagnosticOfItsRule() {
    let golden = """
        flow.yaml:3:1: error: first [unknown_step]
        next: x
        ^
        flow.yaml:1:1: note: here
        a: b
        ^
          help: did you mean 'y'?
        flow.yaml:5:1: error: second [unknown_step]
        next: z
        ^

        """
    #expect(
        RuleCatalog.example(of: "unknown_step", inGolden: golden)
            == "flow.yaml:3:1: error: first [unknown_step]\nnext: x\n^\nflow.yaml:1:1: note: here\na: b\n^\n"
            + "  help: did you mean 'y'?\n")
    #expect(RuleCatalog.example(of: "dead_end", inGolden: golden) == nil)
}

@Test func everyRuleIdIsStableSnakeCaseAndUnique() {
    let ids = RuleRegistry.descriptors.map(\.id)
    #expect(Set(ids).count == ids.count, "duplicate rule ids: \(ids)")
    for id in ids {
        #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "rule id '\(id)' is not snake_case")
    }
}
