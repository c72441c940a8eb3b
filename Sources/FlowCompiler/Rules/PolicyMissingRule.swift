import FlowDiagnostics
import FlowLanguage

/// The consent step presents a data-processing policy (habeas-data item 2; Ley 1581 art. 12; Decreto 1377
/// art. 13): a flow without a `policy` block has nothing to disclose and nothing to version its consent by.
struct PolicyMissingRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "policy_missing", severity: .error,
        summary: "the flow has no 'policy' block",
        fix: "Add 'policy' with 'version', 'url', 'responsible' (name, address or email, phone), 'purposes' and "
            + "'processors' (Ley 1581, art. 12; Decreto 1377, art. 13).",
        pointsAt: "the `policy:` key when it has no value, else the start of the flow's first key (after any "
            + "comments), an empty range")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic at `policy:` or the top of the file when the block is absent.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard context.flow.policy == nil else { return [] }
        let range = HabeasData.topLevelKeyRange("policy", in: context.source) ?? HabeasData.flowTop(context.flow)
        return [
            Self.descriptor.diagnostic(
                "the flow has no 'policy'; declare the data-processing policy (version, url, responsible party, "
                    + "purposes, processors) that the consent step presents", at: range)
        ]
    }
}
