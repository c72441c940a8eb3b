/// The outbox: outbound messages appended in the same transaction as the session that produced them, sent by
/// a worker. Claims are leased, so a message is never lost: whatever is not reported sent or failed becomes
/// pending again (when its lease ends, or at start-up with `releaseOutboxClaims`). A message may be sent
/// twice if a sender dies after WhatsApp accepted it and before reporting it; it is never sent zero times.
/// The outbox is infrastructure, shared by all tenants: each message carries its tenant.
///
/// A sender that lives in the same process attaches itself (`attachSender`): the store then claims messages as
/// it commits them and hands them over at once, so the hot path needs no claiming query and no extra
/// transaction, and `claimOutbox` is left to the messages that wait (retries, scheduled sends, claims of a
/// sender that died).
public protocol OutboxStore: Sendable {
    /// Attaches this process's sender (`nil` detaches it). While one is attached:
    ///
    /// - a transaction that queues messages for a conversation with no unfinished message (none pending, none
    ///   claimed) claims those that are due at once, for `lease` seconds from the sender's clock (`now`);
    /// - recording a message `sent` or `failed` claims the conversation's next messages if they are pending
    ///   and due;
    ///
    /// and both hand what they claimed to `handoff`, in commit order, right after the commit. A conversation's
    /// messages therefore reach the sender in order and never twice while their lease runs. Without a sender,
    /// queued messages stay pending until `claimOutbox` takes them.
    func attachSender(_ handoff: (any OutboxHandoff)?, lease: Int64)

    /// Claims up to `limit` messages ready at `now`, for `lease` seconds, oldest first, at most one per
    /// conversation: the oldest unfinished message of each conversation, so that a conversation's messages
    /// are sent in order (a later one waits while an earlier one is claimed or waits for a retry). Each
    /// claim counts as an attempt.
    func claimOutbox(now: Int64, limit: Int, lease: Int64) async throws -> [OutboxMessage]

    /// Records what the senders report, all in one transaction. A result for a message that is no longer
    /// claimed (its lease ran out and another claim took it, or it was already reported) still applies when
    /// it reports `sent`, so a `wamid` is never lost; `retry` and `failed` then change nothing.
    ///
    /// Returns the `failed` statuses that Meta's webhooks had reported before the message was recorded sent
    /// (kept in the meantime, applied now): the caller does for them what it does for a `failed` status that
    /// arrives after (a log line, a metric, the closed-window note).
    @discardableResult
    func completeOutbox(_ results: [OutboxResult]) async throws -> [EarlyFailure]

    /// Makes every claimed message pending again; returns how many. Call at start-up when this process is
    /// the only sender of the store (after a crash, its claims are orphans). With several sending processes,
    /// rely on leases instead.
    @discardableResult
    func releaseOutboxClaims() async throws -> Int

    /// Makes due at `now` every pending message waiting until later than `now + longestWait`, the longest wait
    /// the sender ever sets; returns how many. Such a wait was set by a clock that has since stepped back (a
    /// clock a day fast corrected by NTP): without this, the contact's replies would wait for the old clock.
    @discardableResult
    func dueAfterAClockStep(now: Int64, longestWait: Int64) async throws -> Int

    /// Makes the pending messages held back by an error of `errorKind` due at `now` (of `tenant` only, when given);
    /// returns how many per tenant. Call at start-up for a cause a restart removes (a renewed access token:
    /// `authentication`), and when the cause went away (a send with the token went through), so that they go out
    /// at once rather than when their wait would have ended.
    @discardableResult
    func resumeDeferredMessages(errorKind: String, tenant: String?, now: Int64) async throws -> [String: Int]

    /// Messages not yet accepted by WhatsApp nor given up (pending or claimed): the outbox depth metric.
    func outboxDepth() async throws -> Int
}

/// Receives the messages a store claimed for this process's sender as it committed them (`attachSender`).
public protocol OutboxHandoff: AnyObject, Sendable {
    /// The sender's clock (Unix seconds): the leases of the claims handed to it run from here, whatever time
    /// the step itself is at (an inactivity timer steps at its deadline, which may be long past).
    var now: Int64 { get }

    /// Takes claimed messages, in commit order (a conversation's in its order). Called on the database's thread
    /// right after the commit: it must return at once (queue them and wake the sender), never block or await.
    func take(_ messages: [OutboxMessage])
}

/// A `failed` delivery status that arrived before its message was recorded sent, applied when it was.
public struct EarlyFailure: Sendable, Hashable {
    public var tenant: String
    public var contact: String
    /// The outbox id of the message.
    public var outboxID: Int64
    /// The status's time (Unix seconds).
    public var at: Int64
    public var error: OutboxError?

    public init(tenant: String, contact: String, outboxID: Int64, at: Int64, error: OutboxError?) {
        self.tenant = tenant
        self.contact = contact
        self.outboxID = outboxID
        self.at = at
        self.error = error
    }
}
