import FlowDiagnostics
import FlowLanguage
import Foundation

/// Handoffs take a queue's agents in strict round-robin order: a queue without agents can never assign one, and
/// an agent listed twice gets twice the share of conversations.
struct QueueAgentsRule: LintRule {
    static let empty = RuleDescriptor(
        id: "queue_empty", severity: .error,
        summary: "a queue with no agents",
        fix: "List the queue's agents, e.g. `ventas: [ana, bruno]`, or remove the queue.",
        pointsAt: "the queue's name")
    static let duplicate = RuleDescriptor(
        id: "duplicate_agent", severity: .error,
        summary: "an agent listed twice in the same queue (ignoring case and surrounding spaces)",
        fix: "List each agent once; the round robin already gives every agent an equal share.",
        pointsAt: "the second mention of the agent")

    var descriptors: [RuleDescriptor] { [Self.empty, Self.duplicate] }

    /// Checks each queue's agent list.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for queue in context.flow.queues {
            if queue.agents.isEmpty, !queue.isMalformed {
                out.append(
                    Self.empty.diagnostic(
                        "queue '\(queue.name.value)' has no agents; a handoff to it could never be assigned",
                        at: queue.name.range))
                continue
            }
            var first: [String: Located<String>] = [:]
            for agent in queue.agents {
                // Agent names are ids: the same name in another case or with spaces around is the same agent.
                let key = agent.value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                if let earlier = first[key] {
                    out.append(
                        Self.duplicate.diagnostic(
                            "agent '\(agent.value)' is listed twice in queue '\(queue.name.value)'", at: agent.range,
                            notes: [DiagnosticNote(message: "first listed here", range: earlier.range)]))
                } else {
                    first[key] = agent
                }
            }
        }
        return out
    }
}
