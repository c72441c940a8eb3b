/// Reads the conversations of `AgentReport` out of conversation log lines given contact by contact, each
/// contact's in order: a conversation is its `started` line up to its `closed` line. Both the report (over a
/// period) and an erasure (which keeps the figures of the conversations whose lines it deletes) read them so.
struct LoggedConversationReader {
    /// Conversations started at or after this time are skipped (`nil`: none is).
    var startedBefore: Int64?
    private(set) var conversations: [LoggedConversation] = []
    private var contact: String?
    private var current: LoggedConversation?

    init(startedBefore: Int64?) { self.startedBefore = startedBefore }

    /// One log line; lines of a conversation started before the first line read are skipped.
    mutating func read(
        contact lineContact: String, at: Int64, direction: String, kind: String, detail: String?, agent: String?,
        messageID: String?, status: String?
    ) {
        if lineContact != contact {
            finishConversation()
            contact = lineContact
        }
        if direction == "event", kind == ConversationEvent.started {
            finishConversation()
            if startedBefore.map({ at < $0 }) ?? true { current = LoggedConversation(startedAt: at) }
            return
        }
        guard var conversation = current else { return }
        switch (direction, kind) {
        case ("event", ConversationEvent.handoffRequested):
            conversation.handoffRequested(at: at)
        case ("event", ConversationEvent.agentAssigned):
            if let detail { conversation.assigned(detail, at: at) }
        case ("event", ConversationEvent.closed):
            conversation.endedAt = at
            current = conversation
            finishConversation()
            return
        case ("out", _):
            // A `wamid` is recorded only when the Graph API accepted the message; one Meta then reported `failed`
            // never reached the contact.
            if let agent, messageID != nil, status != DeliveryStatus.failed.rawValue {
                conversation.replySent(by: agent, at: at)
            }
        default:
            break
        }
        current = conversation
    }

    /// The conversations read, the last one still open included.
    mutating func finish() -> [LoggedConversation] {
        finishConversation()
        return conversations
    }

    private mutating func finishConversation() {
        if let conversation = current { conversations.append(conversation) }
        current = nil
    }
}
