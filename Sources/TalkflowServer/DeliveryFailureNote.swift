import Logging
import Storage
import WhatsAppCloud

/// What the server does when Meta reports that a message it accepted failed (a `failed` status webhook, applied
/// when it arrives or, when it outran the sender's report, once the message is recorded sent): a warning with
/// the outbox id, the error kind and the pseudonymous conversation id; for a closed 24-hour window (131047)
/// the `window_closed` failure metric and the `window_closed` line on the conversation; for a contact who stopped
/// the business's marketing messages (131050), the opt-in withdrawn (Meta would refuse every later one).
struct DeliveryFailureNote: Sendable {
    let store: any ConversationStore
    let metrics: ServerMetrics?
    let pseudonyms: ConversationPseudonyms
    let clock: @Sendable () -> Int64

    /// Whether the failure says the contact stopped the business's marketing messages (code 131050).
    static func stoppedMarketing(_ error: OutboxError?) -> Bool {
        guard let code = error?.detail.flatMap({ Int($0) }) else { return false }
        return GraphError.classify(code: code, httpStatus: nil) == .blocked(.marketingOptOut)
    }

    func record(
        tenant: Tenant, contact: String?, outboxID: String, error: OutboxError?, windowClosed: Bool, at: Int64,
        logger: Logger
    ) async throws {
        var metadata: Logger.Metadata = ["outbox_id": "\(outboxID)", "error": "\(error?.kind ?? "unknown")"]
        if let contact { metadata["conversation"] = "\(await pseudonyms.id(tenant: tenant.id, contact: contact))" }
        logger.warning("Meta reported a message failed", metadata: metadata)
        try await withdrawIfMarketingStopped(tenant: tenant, contact: contact, error: error, at: at, logger: logger)
        guard windowClosed, let contact else { return }
        metrics?.failed(.windowClosed)
        try await store.recordWindowClosed(tenant: tenant, contact: contact, at: at)
    }

    /// For a contact who stopped the business's marketing messages (131050), the opt-in withdrawn.
    func withdrawIfMarketingStopped(tenant: Tenant, contact: String?, error: OutboxError?, at: Int64, logger: Logger)
        async throws
    {
        guard Self.stoppedMarketing(error), let contact else { return }
        try await OptInWithdrawal(store: store, pseudonyms: pseudonyms, clock: clock).withdraw(
            tenant: tenant, contact: contact, at: at, whatsAppTime: true, because: "failed_131050", logger: logger)
    }
}
