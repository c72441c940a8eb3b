import FlowDiagnostics
import FlowLanguage

/// A flow must ask for the habeas-data authorization (habeas-data item 1; Ley 1581 art. 9): without a
/// general consent step nothing personal may ever be collected, and the consent proof has nothing to find.
struct ConsentStepMissingRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_step_missing", severity: .error,
        summary: "the flow has no general (non-sensitive) consent step",
        fix: "Add a step of type 'consent' (not 'sensitive: true') and make it the first reply of the flow, so that "
            + "the contact accepts or declines before anything else happens (Ley 1581, art. 9).",
        pointsAt: "the `steps:` key")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic at `steps:` when no general consent step exists.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard HabeasData.generalConsents(in: context.flow).isEmpty else { return [] }
        let range = HabeasData.topLevelKeyRange("steps", in: context.source) ?? HabeasData.flowTop(context.flow)
        let sensitiveOnly = !HabeasData.consents(in: context.flow).isEmpty
        let message =
            sensitiveOnly
            ? "the flow has only sensitive consent steps; add a general consent step (type 'consent' without "
                + "'sensitive: true') as the first reply"
            : "the flow has no consent step; add a step of type 'consent' as the first reply, before any data "
                + "is collected"
        return [Self.descriptor.diagnostic(message, at: range)]
    }
}
