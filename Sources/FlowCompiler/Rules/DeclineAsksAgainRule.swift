import FlowDiagnostics
import FlowLanguage

/// Declining the general consent must be possible: a decline that leads back to the same request without
/// waiting for the contact (straight, or through messages and branches) asks again at once, so the contact can
/// only accept or stop answering, and keywords do not work at a consent request. Consent given that way is not
/// free (Ley 1581, art. 4(c); Decreto 1377, art. 7). The sensitive consent's own check
/// (`sensitive_consent_invalid`) reports the same of a sensitive one.
struct DeclineAsksAgainRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "decline_asks_again", severity: .error,
        summary: "declining the general consent leads back to the same consent request without waiting for the "
            + "contact (through 'message', 'set', 'template' or 'branch' steps only)",
        fix: "Lead 'decline' to information that needs no personal data (opening hours, frequent questions, the "
            + "business's public contact), for instance a menu from which the contact may ask for consent again.",
        pointsAt: "the decline button's `next`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        HabeasData.generalConsents(in: context.flow).compactMap { entry in
            let id = entry.step.id.value
            var back = StepReachedWithoutWaiting(context, goal: id)
            guard let next = entry.consent.decline.next, back.end(from: next.value) != nil else { return nil }
            let through = next.value == id ? "" : " through '\(next.value)'"
            return Self.descriptor.diagnostic(
                "declining consent step '\(id)' leads back to it\(through) without waiting for the contact, so the "
                    + "contact can only accept or stop answering", at: next.range)
        }
    }
}
