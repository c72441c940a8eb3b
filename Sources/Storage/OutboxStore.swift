/// The outbox: outbound messages appended in the same transaction as the session that produced them, sent by
/// a worker. Claims are leased, so a message is never lost: whatever is not reported sent or failed becomes
/// pending again (when its lease ends, or at start-up with `releaseOutboxClaims`). A message may be sent
/// twice if a sender dies after WhatsApp accepted it and before reporting it; it is never sent zero times.
/// The outbox is infrastructure, shared by all tenants: each message carries its tenant.
public protocol OutboxStore: Sendable {
    /// Claims up to `limit` messages ready at `now`, for `lease` seconds, oldest first, at most one per
    /// conversation: the oldest unfinished message of each conversation, so that a conversation's messages
    /// are sent in order (a later one waits while an earlier one is claimed or waits for a retry). Each
    /// claim counts as an attempt.
    func claimOutbox(now: Int64, limit: Int, lease: Int64) async throws -> [OutboxMessage]

    /// Records what the senders report, all in one transaction. A result for a message that is no longer
    /// claimed (its lease ran out and another claim took it, or it was already reported) still applies when
    /// it reports `sent`, so a `wamid` is never lost; `retry` and `failed` then change nothing.
    func completeOutbox(_ results: [OutboxResult]) async throws

    /// Makes every claimed message pending again; returns how many. Call at start-up when this process is
    /// the only sender of the store (after a crash, its claims are orphans). With several sending processes,
    /// rely on leases instead.
    @discardableResult
    func releaseOutboxClaims() async throws -> Int

    /// Messages not yet accepted by WhatsApp nor given up (pending or claimed): the outbox depth metric.
    func outboxDepth() async throws -> Int
}
