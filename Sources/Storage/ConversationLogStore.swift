/// The conversation log: every inbound and outbound message with its times and delivery status, and every
/// step entered, in order. Lines are appended by the conversation transactions; only an outbound message's
/// delivery status (and, for the outbox, its send state) changes afterwards.
public protocol ConversationLogStore: Sendable {
    /// The contact's log lines after `sequence` (all when `nil`), oldest first, at most `limit`.
    func thread(tenant: String, contact: String, after sequence: Int64?, limit: Int) async throws -> [LogEntry]

    /// Applies a status webhook to the tenant's outbound message with this `wamid`. Statuses only move forward
    /// (`DeliveryStatus.canMove(to:)`): a repeated or late status changes nothing. Returns whether the message
    /// changed. A status for a message not (yet) marked sent is kept and applied when it is.
    @discardableResult
    func updateDeliveryStatus(
        tenant: String, messageID: String, status: DeliveryStatus, at: Int64, error: OutboxError?
    ) async throws -> Bool

    /// The conversation (its contact key) and outbox id of the tenant's latest outbound message with this
    /// `wamid`: whose message a status webhook is about, whatever id the status names the recipient by.
    func outboundMessage(tenant: String, messageID: String) async throws -> (contact: String, outboxID: Int64)?
}
