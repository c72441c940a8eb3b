import FlowDiagnostics
import FlowLanguage

/// Attention by a human agent is a processing purpose of its own (habeas-data item 10; Ley 1581 arts. 4(b),
/// 12(a)): when a handoff is reachable, the policy must declare a purpose with `human_attention: true`.
struct HandoffPurposeMissingRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "handoff_purpose_missing", severity: .error,
        summary: "a handoff is reachable but no purpose declares attention by a human agent",
        fix: "Add a purpose with 'human_attention: true' (e.g. \"atención por un asesor\") to the policy, so the "
            + "contact consents to it (Ley 1581, art. 12(a)).",
        pointsAt: "the handoff step's name; a note points at the policy's purposes")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic at the first reachable handoff when no purpose covers it.
    func check(_ context: RuleContext) -> [Diagnostic] {
        // Without a policy, `policy_missing` already reports the flow.
        guard let policy = context.flow.policy, !policy.purposes.contains(where: \.humanAttention) else { return [] }
        guard let step = HabeasData.firstReachableHandoff(context) else { return [] }
        let purposesRange = policy.purposes.first?.range ?? policy.range
        return [
            Self.descriptor.diagnostic(
                "handoff step '\(step.id.value)' hands the contact to an agent, but no purpose of the policy has "
                    + "'human_attention: true'; declare attention by a human agent as a purpose",
                at: step.id.range,
                notes: [
                    DiagnosticNote(
                        message: "the policy's purposes are declared here; add one with 'human_attention: true'",
                        range: purposesRange)
                ])
        ]
    }
}
