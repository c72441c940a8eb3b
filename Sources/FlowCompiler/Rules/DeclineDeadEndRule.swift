import FlowDiagnostics
import FlowLanguage

/// Declining the general consent must not be a dead end: the contact who says no still deserves what needs no
/// personal data (hours, frequent questions, the business's public contact), and a bot that hangs up at once
/// reads as "authorize or leave", which is no free choice (Decreto 1377, art. 7). A decline that goes straight
/// to an `end` step (through nothing but `set` or template steps, or a branch whose every way ends so) is
/// reported; one message of information before the end is enough. A warning: a flow may have nothing to offer, but should say so knowingly.
struct DeclineDeadEndRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "decline_dead_end", severity: .warning,
        summary: "declining the general consent reaches an 'end' step without any information first (through "
            + "'set', 'template' or 'branch' steps only)",
        fix: "Lead 'decline' to information that needs no personal data (opening hours, frequent questions, the "
            + "business's public contact), for instance a menu, before an 'end' step.",
        pointsAt: "the decline button's `next`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var ends = StepReachedWithoutWaiting(context, throughMessages: false)
        return HabeasData.generalConsents(in: context.flow).compactMap { entry in
            guard let next = entry.consent.decline.next, let end = ends.end(from: next.value) else { return nil }
            return Self.descriptor.diagnostic(
                "declining consent step '\(entry.step.id.value)' ends the conversation at '\(end.id.value)' "
                    + "without offering anything that needs no personal data", at: next.range)
        }
    }
}
