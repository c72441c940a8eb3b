/// A message that asked for a consent decision, as the export shows it beside the record (habeas-data item 4,
/// "outbound request message ids"). The record is never updated, so a request whose send was reported after
/// the decision was recorded (the contact answered first, or Meta's answer to the send was slow) is linked to it
/// by its outbox id, and its `wamid` comes from that link.
public struct ConsentRequestMessage: Codable, Sendable, Hashable {
    /// Where the request's send stood, as far as the store knows it when the export is read.
    public enum State: String, Codable, Sendable, Hashable {
        /// Reported sent before the decision was recorded: the `wamid` is in the record itself.
        case sentBeforeDecision = "sent_before_decision"
        /// Reported sent after the decision was recorded: the `wamid` was appended then to
        /// `consent_request_sends`, at `sentAt`.
        case sentAfterDecision = "sent_after_decision"
        /// Not reported sent yet: waiting in the outbox, or handed to the Graph API whose answer is not in.
        case pending
        /// Never sent: the send was given up (the message failed), or its outbox line is gone (retention or an
        /// erasure) without a send having been reported.
        case notSent = "not_sent"
    }

    /// The request's outbox id (its conversation log sequence number); `nil` for a record written before the
    /// store kept it (version 15), whose `wamid` is all there is.
    public var outboxID: Int64?
    /// Its `wamid`, once the send is reported.
    public var messageID: String?
    /// Where its send stood.
    public var state: State
    /// When the send was reported (Unix seconds), for `sentAfterDecision`; `nil` otherwise (a request reported
    /// sent before the decision has its time in the conversation log's `status_at`, while the log keeps it).
    public var sentAt: Int64?

    enum CodingKeys: String, CodingKey {
        case state
        case outboxID = "outbox_id"
        case messageID = "message_id"
        case sentAt = "sent_at"
    }

    /// A request as the store reads it.
    public init(outboxID: Int64?, messageID: String?, state: State, sentAt: Int64? = nil) {
        self.outboxID = outboxID
        self.messageID = messageID
        self.state = state
        self.sentAt = sentAt
    }

    /// Encodes every key, absent values as `null`, as the record does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outboxID, forKey: .outboxID)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(state, forKey: .state)
        try c.encode(sentAt, forKey: .sentAt)
    }
}
