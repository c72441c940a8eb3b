import FlowRuntime
import Storage

/// Why a conversation left an agent: the `reason` of an `unassignment` event on the agent's event stream.
public enum UnassignmentReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// An admin reassigned the conversation to another agent.
    case reassigned
    /// The agent or an admin closed the handoff (`POST …/close`): the flow went on, or the conversation closed.
    case closed
    /// The contact revoked their consent (the revocation word), which ends the handoff.
    case revoked
    /// The contact wrote after a reload changed the policy version they had accepted: the conversation closed
    /// (`closed policy_changed`) so that the new policy is asked for first.
    case policyChanged = "policy_changed"
    /// The flow was changed so that the handoff's step no longer exists in it (the conversation was carried
    /// over or started over without it) when the conversation next stepped.
    case flowChanged = "flow_changed"
    /// The conversation's stored session could not be read (a damaged row): it was set aside, and the contact's
    /// message started a new conversation.
    case sessionSetAside = "session_set_aside"

    /// The reason of the `handoff_ended` line at `index` of the events one step logged: the interpreter logs a
    /// revocation just before the handoff's end, and a close for a policy change just after it; any other
    /// `handoff_ended` is the one `ConversationStepper.adopt` logs for a flow change, before the step's own lines.
    init(handoffEndedAt index: Int, in events: [ConversationEvent]) {
        if index > 0, events[index - 1].kind == ConversationEvent.revocationRecorded {
            self = .revoked
        } else if index > 0, events[index - 1].kind == ConversationEvent.sessionSetAside {
            self = .sessionSetAside
        } else if index + 1 < events.count, events[index + 1].kind == ConversationEvent.closed,
            events[index + 1].detail == CloseReason.policyChanged.rawValue
        {
            self = .policyChanged
        } else {
            self = .flowChanged
        }
    }
}
