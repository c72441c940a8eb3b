import FlowDiagnostics
import FlowLanguage

/// Every step but `end` and `handoff` must say where the conversation goes next; otherwise the contact
/// is left talking to a bot that will never answer.
struct DeadEndRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "dead_end", severity: .error,
        summary: "a step with nowhere to go that is not an 'end' or a 'handoff'",
        fix: "Add 'next' (or 'default' to a branch), or make the step an 'end' step.",
        pointsAt: "the step's name")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.flow.steps.compactMap { step in
            let missing: String?
            switch step.kind {
            case .message(let m): missing = m.next == nil ? "'next'" : nil
            case .set(let s): missing = s.next == nil ? "'next'" : nil
            case .template(let t): missing = t.next == nil ? "'next'" : nil
            case .ask(let a): missing = a.next == nil ? "'next' (where to go after a valid answer)" : nil
            case .branch(let b):
                missing = b.otherwise == nil ? "'default' (where to go when no case holds)" : nil
            case .consent, .menu, .handoff, .end: missing = nil
            }
            guard let missing else { return nil }
            return Self.descriptor.diagnostic(
                "\(step.kind.name) step '\(step.id.value)' has nowhere to go; add \(missing) or end the "
                    + "conversation with an 'end' step", at: step.id.range)
        }
    }
}
