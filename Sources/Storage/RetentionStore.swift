/// Deleting what is no longer needed (habeas-data checklist item 15; D. 1377 art. 11). Consent evidence is
/// never deleted through the store; conversation data are, after the tenant's retention period.
public protocol RetentionStore: Sendable {
    /// Forgets processed message ids recorded before `time` (Unix seconds). Meta retries a webhook for a few
    /// days at most, so keeping ids for a week or more keeps deduplication exact.
    @discardableResult
    func purgeProcessedMessageIDs(before time: Int64) async throws -> Int

    /// Deletes the tenant's log lines written before `time`, except outbound messages still in the outbox.
    @discardableResult
    func purgeConversationLog(tenant: String, before time: Int64) async throws -> Int
}
