import FlowRuntime

/// One line of a conversation log, in order: a message from the contact, a message to the contact (with its
/// delivery status), or an event. What the agent API shows as a conversation's thread.
public struct LogEntry: Sendable, Hashable {
    /// What the line is.
    public enum Content: Sendable, Hashable {
        /// A contact message. `message` is `nil` when only its metadata was kept (before consent).
        case inbound(kind: String, message: RelayedMessage?, whatsAppTimestamp: Int64?)
        /// A message to the contact, from the bot or an agent, how far it got and when it reached each stage.
        case outbound(OutboundMessage, from: Sender, status: DeliveryStatus, times: DeliveryTimes, error: OutboxError?)
        /// Anything else (steps, start, close, handoff…).
        case event(ConversationEvent)
    }

    /// The log's sequence number (also the outbox id of an outbound message).
    public var sequence: Int64
    /// The tenant the conversation belongs to.
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`).
    public var contact: String
    /// When the line was written: the server's receipt time of the message or step, Unix seconds.
    public var at: Int64
    /// WhatsApp's message id (`wamid`) of a message, once known.
    public var messageID: String?
    /// The message or event.
    public var content: Content

    /// A line as the store reads it.
    public init(sequence: Int64, tenant: String, contact: String, at: Int64, messageID: String?, content: Content) {
        self.sequence = sequence
        self.tenant = tenant
        self.contact = contact
        self.at = at
        self.messageID = messageID
        self.content = content
    }
}
