import FlowDiagnostics
import Foundation
import Testing

@testable import FlowCompiler

/// Hostile sizes stay cheap (the fuzzing's findings): a name over 64 characters gets no "did you mean", and only
/// the first 100 distinct missing step names get one, so thousands of them cannot cost minutes.
@Test func suggestionsHaveABudget() throws {
    let long = String(repeating: "paso", count: 17)
    #expect(Suggestions.closest(to: long, in: [long + "x"]) == nil)
    #expect(Suggestions.closest(to: "menu_principl", in: ["menu_principal"]) == "menu_principal")
    var flow = try String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/valid_minimal/flow.yaml"), encoding: .utf8)
    var steps = ""
    for i in 0..<150 { steps += "  m\(i):\n    type: message\n    text: hola\n    next: despedid\(i)\n" }
    flow = flow.replacingOccurrences(of: "  despedida:\n", with: steps + "  despedida:\n")
    let unknown = FlowChecker.check(flow).diagnostics.filter { $0.id == "unknown_step" }
    #expect(unknown.count == 150)
    #expect(unknown.filter { $0.suggestion != nil }.count == 100)
}

/// Keyword and revocation edges are one list shared by every waiting step, read with each step as `from`.
@Test func keywordEdgesAreSharedAndReadFromEachWaitingStep() throws {
    let flow = try String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/valid_minimal/flow.yaml"), encoding: .utf8)
    let decoded = try #require(FlowChecker.check(flow).flow)
    let graph = FlowGraph(decoded)
    let menu = try #require(graph.stepIndex["menu"])
    let keywordEdges = graph.edges[menu].filter { if case .keyword = $0.kind { true } else { false } }
    #expect(!keywordEdges.isEmpty)
    #expect(keywordEdges.allSatisfy { $0.from == menu })
    // A consent step and a step that does not wait take none.
    for name in ["consentimiento", "info"] {
        let index = try #require(graph.stepIndex[name])
        #expect(!graph.edges[index].contains { if case .keyword = $0.kind { true } else { false } })
    }
}

/// The minimal valid flow with `steps` (YAML lines under `steps:`) inserted before its last step.
private func minimalFlow(inserting steps: String) throws -> String {
    try String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/valid_minimal/flow.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "  despedida:\n", with: steps + "  despedida:\n")
}

/// Thousands of steps no path reaches, each naming a step that does not exist, are each reported once at their
/// own place, and a suppression silences exactly the steps that carry it. (The passes after the rules once
/// scanned every step for every diagnostic: 10,000 such steps took six minutes; the benchmark's `--shape`
/// shows the speed, Docs/performance.md.)
@Test func thousandsOfUnreachableStepsWithUnknownTargetsAreEachReportedOnce() throws {
    let count = 3000
    var steps = ""
    for i in 0..<count {
        steps += "  p\(i):\n    type: message\n    text: Hola\n"
        if i % 2 == 0 { steps += "    suppress: [unreachable_step]\n" }
        steps += "    next: pasx_numero_\(i)\n"
    }
    let result = FlowChecker.check(try minimalFlow(inserting: steps))
    #expect(Set(result.diagnostics.map(\.id)) == ["unknown_step", "unreachable_step"])
    #expect(result.diagnostics == Diagnostic.sortedByPosition(result.diagnostics))

    let unknown = result.diagnostics.filter { $0.id == "unknown_step" }
    #expect(
        unknown.map(\.message)
            == (0..<count).map { "'next' of step 'p\($0)' names step 'pasx_numero_\($0)', which does not exist" })
    #expect(unknown.allSatisfy { $0.severity == .error && $0.suggestion == nil })

    let unreachable = result.diagnostics.filter { $0.id == "unreachable_step" }
    #expect(
        unreachable.map(\.message)
            == stride(from: 1, to: count, by: 2).map {
                "step 'p\($0)' is never reached from the start step 'consentimiento'"
            })
    #expect(unreachable.allSatisfy { $0.severity == .warning })
    // Each warning points at its step's id.
    let decoded = try #require(result.flow)
    let idRanges = Dictionary(uniqueKeysWithValues: decoded.steps.map { ($0.id.value, $0.id.range) })
    #expect(unreachable.map(\.range) == stride(from: 1, to: count, by: 2).map { idRanges["p\($0)"] })
}

/// A step whose `next` is not a valid name gets `invalid_identifier` and no `dead_end` echo, among thousands of
/// real dead ends, each still reported.
@Test func deadEndEchoesAreDroppedAmongThousandsOfDeadEnds() throws {
    var steps = ""
    for i in 0..<2000 {
        steps += "  p\(i):\n    type: message\n    text: Hola\n"
        steps += i % 2 == 0 ? "    next: 9no_es_nombre\n" : "    suppress: [unreachable_step]\n"
    }
    let result = FlowChecker.check(try minimalFlow(inserting: steps))
    let deadEnds = result.diagnostics.filter { $0.id == "dead_end" }
    #expect(
        deadEnds.map(\.message)
            == stride(from: 1, to: 2000, by: 2).map {
                "message step 'p\($0)' has nowhere to go; add 'next' or end the conversation with an 'end' step"
            })
    #expect(result.diagnostics.count(where: { $0.id == "invalid_identifier" }) == 1000)
}

/// A decline that runs through thousands of `set` steps, or through branches whose two ways meet again forty
/// times over, is followed to its `end` (each step once: the walk had been exponential in the branches and
/// recursive in the chain).
@Test func declineDeadEndFollowsLongChainsAndRejoiningBranches() throws {
    var chain = ""
    for i in 0..<10_000 {
        let next = i + 1 < 10_000 ? "d\(i + 1)" : "despedida"
        chain += "  d\(i):\n    type: set\n    values: { paso: \"\(i)\" }\n    next: \(next)\n"
    }
    let long = try minimalFlow(inserting: chain).replacingOccurrences(
        of: "decline: { title: No acepto, next: info }", with: "decline: { title: No acepto, next: d0 }")
    #expect(FlowChecker.check(long).diagnostics.map(\.id) == ["decline_dead_end"])

    var diamonds = ""
    for i in 0..<40 {
        let next = i + 1 < 40 ? "b\(i + 1)" : "despedida"
        diamonds += "  b\(i):\n    type: branch\n    cases:\n      - when: { consent: given }\n        next: \(next)\n"
        diamonds += "    default: c\(i)\n  c\(i):\n    type: set\n    values: { paso: \"\(i)\" }\n    next: \(next)\n"
    }
    let rejoining = try minimalFlow(inserting: diamonds).replacingOccurrences(
        of: "decline: { title: No acepto, next: info }", with: "decline: { title: No acepto, next: b0 }")
    #expect(FlowChecker.check(rejoining).diagnostics.map(\.id) == ["decline_dead_end"])
}

/// Thousands of problems in one text are each located exactly (the text's spelling is worked out once and the
/// columns walked from marks, so this takes linear time: a text of 3,000 placeholders took 38 s before).
@Test func thousandsOfProblemsInOneTextAreEachLocated() throws {
    let count = 3_000
    let source =
        "flow: f\nlanguage: es\nstart: a\nsteps:\n  a:\n    type: end\n    text: \""
        + String(repeating: "{{x}}", count: count) + "\"\n"
    let diagnostics = FlowChecker.check(source).diagnostics
        .filter { $0.id == "unknown_variable" }
    #expect(diagnostics.count == count)
    // `    text: "` is 11 characters: the n-th `{{x}}` starts at column 12 + 5n and ends 5 columns later.
    for (n, diagnostic) in diagnostics.sorted(by: { $0.range.start.column < $1.range.start.column }).enumerated() {
        #expect(diagnostic.range.start.line == 7)
        #expect(diagnostic.range.start.column == 12 + 5 * n)
        #expect(diagnostic.range.end.column == 17 + 5 * n)
    }
}
