import FlowCompiler
import Foundation
import Testing

/// Docs/lint-rules.md is generated from the rules; this fails when it is stale
/// (`TALKFLOW_RECORD=1 swift test --filter LintRulesDocTests` rewrites it).
@Test func lintRulesPageIsCurrent() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    try Golden.compare(RuleCatalog.markdown(), root.appendingPathComponent("Docs/lint-rules.md"))
}

@Test func everyRuleIdIsStableSnakeCaseAndUnique() {
    let ids = RuleRegistry.descriptors.map(\.id)
    #expect(Set(ids).count == ids.count, "duplicate rule ids: \(ids)")
    for id in ids {
        #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "rule id '\(id)' is not snake_case")
    }
}
