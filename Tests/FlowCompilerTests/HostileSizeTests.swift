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
