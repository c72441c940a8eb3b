import FlowDiagnostics
import FlowLanguage

/// A handoff processes the contact's data for attention by a human agent, so the consent accepted before it
/// must cover a `human_attention` purpose (Ley 1581 arts. 4(b), 9, 12(a)): declaring the purpose in the policy
/// (`handoff_purpose_missing`) is not enough when the consent's `purposes` leave it out. Consent is in force
/// per policy version whichever general consent step gave it, and every general consent covers the same
/// purposes (`consent_purposes_differ`), so each general consent step is checked on its own.
struct HandoffPurposeNotConsentedRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "handoff_purpose_not_consented", severity: .error,
        summary: "a handoff is reachable but a general consent's purposes leave out attention by a human agent",
        fix: "Add the purpose with 'human_attention: true' to the consent's 'purposes' (or remove 'purposes', "
            + "which covers every non-optional purpose), so the contact consents to it before a handoff "
            + "(Ley 1581, art. 12(a)).",
        pointsAt: "the first item of the consent step's `purposes` list (or the step's name when it has no "
            + "`purposes` key); a note points at the first reachable handoff step's name")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per general consent step that does not cover a `human_attention` purpose, with a note
    /// at the first reachable handoff.
    func check(_ context: RuleContext) -> [Diagnostic] {
        // Without such a purpose, `handoff_purpose_missing` already reports the flow.
        guard let policy = context.flow.policy else { return [] }
        let attention = policy.purposes.filter(\.humanAttention).map(\.id.value)
        guard !attention.isEmpty else { return [] }
        guard let handoffStep = HabeasData.firstReachableHandoff(context) else { return [] }
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.generalConsents(in: context.flow)
        where HabeasData.listsOnlyDeclaredPurposes(entry.consent, policy: policy) {
            let covered = HabeasData.coveredPurposes(of: entry.consent, policy: policy)
            guard !covered.contains(where: attention.contains) else { continue }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "consent step '\(entry.step.id.value)' covers "
                        + HabeasData.describePurposes(covered)
                        + " but not attention by a human agent, and handoff step '\(handoffStep.id.value)' "
                        + "is reachable; add " + HabeasData.quotedList(attention, conjunction: "or")
                        + " to its 'purposes'",
                    at: HabeasData.purposesRange(of: entry),
                    notes: [
                        DiagnosticNote(
                            message: "'\(handoffStep.id.value)' hands the contact to an agent",
                            range: handoffStep.id.range)
                    ]))
        }
        return diagnostics
    }
}
