import FlowDiagnostics
import FlowLanguage

/// The runtime keeps one general consent per policy version: once a contact accepted any general consent
/// step, every later general consent step is passed without asking (runtime.md, consent). A second general
/// consent with other purposes would therefore never be asked of a contact who accepted the first, and its
/// purposes would never be consented to, so all general consent steps must cover the same purposes.
/// Sensitive consents are separate and are not compared.
struct ConsentPurposesDifferRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_purposes_differ", severity: .error,
        summary: "two general consent steps cover different purposes; the second is skipped once either is accepted",
        fix: "List every purpose in one general consent step (the same 'purposes' on each general consent "
            + "step); a sensitive consent stays separate.",
        pointsAt: "the first item of the later consent step's `purposes` list (or the step's name when it has "
            + "no `purposes` key); a note points at the first general consent step's purposes")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per general consent step whose covered purposes differ from the first one's.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        let general = HabeasData.generalConsents(in: context.flow).filter {
            HabeasData.listsOnlyDeclaredPurposes($0.consent, policy: policy)
        }
        guard let first = general.first else { return [] }
        let firstPurposes = HabeasData.coveredPurposes(of: first.consent, policy: policy)
        var diagnostics: [Diagnostic] = []
        for entry in general.dropFirst() {
            let purposes = HabeasData.coveredPurposes(of: entry.consent, policy: policy)
            guard Set(purposes) != Set(firstPurposes) else { continue }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "consent step '\(entry.step.id.value)' covers "
                        + HabeasData.describePurposes(purposes) + " but '\(first.step.id.value)' "
                        + "covers " + HabeasData.describePurposes(firstPurposes)
                        + "; a contact who accepted one general consent is never asked another, so list every "
                        + "purpose in one consent",
                    at: HabeasData.purposesRange(of: entry),
                    notes: [
                        DiagnosticNote(
                            message: "'\(first.step.id.value)' is the first general consent step",
                            range: HabeasData.purposesRange(of: first))
                    ]))
        }
        return diagnostics
    }
}
