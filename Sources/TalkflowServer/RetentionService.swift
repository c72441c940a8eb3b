import Logging
import ServiceLifecycle
import Storage

/// Deletes what is no longer needed, at start-up (once a webhook has shown the clock right) and then once an hour (habeas-data checklist item 15; D. 1377
/// art. 11): processed message ids after a week (Meta retries a webhook for a few days at most, so dedup stays
/// exact) and, for each tenant with `log_retention_days`, its conversation log lines older than that (outbound
/// messages still in the outbox are kept). The consent ledger and its texts are never deleted.
struct RetentionService: Service {
    /// How long processed message ids are kept, in seconds.
    static let processedIDsKept: Int64 = 7 * 86_400

    let store: any ConversationStore
    let registry: TenantRegistry
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// When set, a pass deletes nothing until the clock has agreed with WhatsApp's lately (`ClockAgreement`).
    var clockAgreement: ClockAgreement?
    var interval: Duration = .seconds(3600)
    /// How soon a pass that waited for the clock's agreement is tried again.
    var waitingInterval: Duration = .seconds(60)
    /// The most rows one transaction deletes: a large backlog (a retention turned on for a long log) is deleted in
    /// batches, so the webhooks' transactions go on between them and the WAL stays small.
    var batch = 5_000

    /// Runs a pass, then sleeps, until graceful shutdown; it ends quietly (a service that throws would make the
    /// server's shutdown a failure).
    func run() async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // A pass waiting for the clock's agreement is tried again within the minute, so the start-up purge
            // runs soon after the first webhook rather than an hour later (or never, for a server restarted often).
            let wait = await pass() ? interval : min(interval, waitingInterval)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    /// One round of purges; failures are logged and retried on the next round. Returns `false` when it waited
    /// for the clock's agreement with WhatsApp's and deleted nothing.
    @discardableResult
    func pass() async -> Bool {
        let now = clock()
        if let clockAgreement, !clockAgreement.confirmed(at: now) {
            logger.debug("retention purge waits for a webhook that shows this machine's clock agrees with WhatsApp's")
            return false
        }
        do {
            let ids = try await Self.inBatches(batch) {
                try await store.purgeProcessedMessageIDs(before: now - Self.processedIDsKept, limit: $0)
            }
            if ids > 0 { logger.info("old processed message ids deleted", metadata: ["rows": "\(ids)"]) }
            for tenant in registry.tenants {
                guard let days = tenant.config.logRetentionDays else { continue }
                let lines = try await Self.inBatches(batch) {
                    try await store.purgeConversationLog(
                        tenant: tenant.id, before: now - Int64(days) * 86_400, limit: $0)
                }
                if lines > 0 {
                    logger.info(
                        "conversation log lines past their retention deleted",
                        metadata: ["tenant": "\(tenant.id)", "rows": "\(lines)", "days": "\(days)"])
                }
            }
        } catch is CancellationError {
            // The server is stopping (or did not start): nothing failed.
        } catch {
            logger.error("retention purge failed; retrying within the hour", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// Runs `delete` with `size` until it deletes fewer rows; returns how many went in all.
    static func inBatches(_ size: Int, _ delete: (Int) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let deleted = try await delete(size)
            total += deleted
            if deleted < size { return total }
        }
    }
}
