import FlowRuntime

/// An outbound message claimed from the outbox by a sender. It stays claimed (`sending`) until the sender
/// reports it sent, failed or to retry, or until its lease runs out (a sender that died): then it is pending
/// again and another claim takes it.
public struct OutboxMessage: Sendable, Hashable {
    /// The outbox id (the message's log sequence number): what the sender reports back.
    public var id: Int64
    /// The tenant, whose access token sends it.
    public var tenant: String
    /// The recipient's WhatsApp id (`wa_id`).
    public var contact: String
    /// What to send.
    public var message: OutboundMessage
    /// The bot or the agent who wrote it.
    public var sender: Sender
    /// When the message was queued, Unix seconds.
    public var queuedAt: Int64
    /// Send attempts so far, this one included.
    public var attempts: Int
    /// When the claim's lease ends (Unix seconds): after it another claim may take the message, so a sender
    /// that has not started sending it by then must leave it.
    public var leaseUntil: Int64?

    /// A claimed message as the store reads it.
    public init(
        id: Int64, tenant: String, contact: String, message: OutboundMessage, sender: Sender, queuedAt: Int64,
        attempts: Int, leaseUntil: Int64? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.contact = contact
        self.message = message
        self.sender = sender
        self.queuedAt = queuedAt
        self.attempts = attempts
        self.leaseUntil = leaseUntil
    }
}

/// Why a send failed, kept on the message: a kind the server chose (`rate_limited`, `server_error`,
/// `outside_window`, `invalid_parameter`, `network`…) and an optional detail such as Meta's error code. No
/// message content belongs here.
public struct OutboxError: Sendable, Hashable, Codable {
    /// The failure kind (stable, for metrics and the agent API).
    public var kind: String
    /// Meta's error code or a short reason.
    public var detail: String?

    /// An error of `kind`.
    public init(kind: String, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }
}

/// What a sender reports about one claimed message.
public struct OutboxResult: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// WhatsApp accepted it and gave this `wamid`.
        case sent(messageID: String)
        /// Try again at this time (Unix seconds): a rate limit or a server error. The message goes back to
        /// `pending`, and the conversation's later messages wait behind it.
        case retry(at: Int64, OutboxError)
        /// Given up (invalid parameters, outside the 24-hour window, too many attempts): terminal. The
        /// conversation's later messages go on.
        case failed(OutboxError)
        /// Not sent, and not attempted: the claim is given back (the message is pending again and the
        /// attempt is not counted), such as the messages behind one that waits for a retry, or those a
        /// stopping sender had not started.
        case released
        /// Not sent, and not attempted, until this time (Unix seconds), for a reason that is the sender's, not
        /// the message's (the tenant's access token was refused): pending again with `next_attempt_at` set and
        /// the error kept, the attempt not counted; the conversation's later messages wait behind it.
        case deferred(until: Int64, OutboxError)
    }

    /// The outbox id of the claimed message.
    public var id: Int64
    /// Sent, retry or failed.
    public var outcome: Outcome
    /// When the sender learnt the outcome, Unix seconds.
    public var at: Int64

    /// A report about message `id`.
    public init(id: Int64, _ outcome: Outcome, at: Int64) {
        self.id = id
        self.outcome = outcome
        self.at = at
    }
}
