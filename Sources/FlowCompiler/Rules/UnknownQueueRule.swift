import FlowDiagnostics
import FlowLanguage

/// A handoff hands the contact to an agent of a queue declared under `queues:`; an undeclared queue has no
/// agents, so the contact would wait for nobody.
struct UnknownQueueRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unknown_queue", severity: .error,
        summary: "a `handoff` step names a queue that is not declared under `queues`",
        fix: "Correct the queue name (the message suggests the closest one) or declare the queue with its agents.",
        pointsAt: "the handoff step's `queue` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Checks the queue each handoff names.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let names = context.flow.queues.map(\.name.value)
        return context.flow.steps.compactMap { step in
            guard case .handoff(let handoff) = step.kind else { return nil }
            let queue = handoff.queue
            guard !queue.value.isEmpty, !names.contains(queue.value) else { return nil }
            return Self.descriptor.diagnostic(
                "step '\(step.id.value)' hands off to queue '\(queue.value)', which is not declared under 'queues'",
                at: queue.range,
                suggestion: Suggestions.closest(to: queue.value, in: names).map { "did you mean '\($0)'?" })
        }
    }
}
