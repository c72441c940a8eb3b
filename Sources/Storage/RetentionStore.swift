/// Deleting what is no longer needed (habeas-data checklist item 15; D. 1377 art. 11). Consent evidence is
/// never deleted through the store; conversation data are, after the tenant's retention period.
public protocol RetentionStore: Sendable {
    /// Forgets at most `limit` processed message ids recorded before `time` (Unix seconds), oldest first, and
    /// every early status of that age (not limited); returns how many ids went. Meta retries a webhook for a few days at most,
    /// so keeping ids for a week or more keeps deduplication exact.
    @discardableResult
    func purgeProcessedMessageIDs(before time: Int64, limit: Int) async throws -> Int

    /// Deletes at most `limit` of the tenant's log lines written before `time`, oldest first, except outbound
    /// messages still in the outbox; returns how many went.
    @discardableResult
    func purgeConversationLog(tenant: String, before time: Int64, limit: Int) async throws -> Int
}

extension RetentionStore {
    /// Every processed message id recorded before `time`, in one transaction.
    @discardableResult
    public func purgeProcessedMessageIDs(before time: Int64) async throws -> Int {
        try await purgeProcessedMessageIDs(before: time, limit: .max)
    }

    /// Every log line of the tenant written before `time` but those still in the outbox, in one transaction.
    @discardableResult
    public func purgeConversationLog(tenant: String, before time: Int64) async throws -> Int {
        try await purgeConversationLog(tenant: tenant, before: time, limit: .max)
    }
}
