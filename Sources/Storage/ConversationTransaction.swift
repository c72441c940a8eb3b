import FlowRuntime

/// What the body of a conversation transaction may ask of the store besides changing the session, inside the
/// same transaction: so that a handoff's agent assignment commits (or rolls back) together with the step that
/// requested it. Valid only while the body runs; do not keep it.
public protocol ConversationTransaction {
    var tenant: String { get }
    /// The contact's WhatsApp id (`wa_id`).
    var contact: String { get }
    /// The transaction's time (the message's receipt time), Unix seconds.
    var at: Int64 { get }
    /// Whether the conversation had a stored session before this transaction; `false` when the body was given a
    /// new session for a contact never seen (an action on an existing conversation refuses that one).
    var hasStoredSession: Bool { get }

    /// The next agent of the tenant's `queue` in strict rotation, advancing it: what `requestHandoff` asks
    /// for. `nil` for an empty `agents` list (the rotation does not move). See
    /// `AgentRotationStore.nextAgent(tenant:queue:agents:)`.
    func nextAgent(queue: String, agents: [String]) throws -> AgentAssignment?

    /// The message to this conversation's contact whose WhatsApp id is `messageID` (the message a tapped button
    /// belongs to, which the tap quotes), as it was sent; `nil` when the conversation has none.
    func sentMessage(messageID: String) throws -> OutboundMessage?

    /// Whether the latest message to this conversation's contact offering a button with `buttonID` failed: Meta
    /// refused it, or its sending was given up. A consent request that never reached the contact takes no answer.
    func latestMessageFailed(offering buttonID: String) throws -> Bool
}
