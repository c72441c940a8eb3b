import GRDB

/// The sender attached to a store (`OutboxStore.attachSender`) and the lease its claims get.
struct OutboxSenderAttachment: Sendable {
    let handoff: any OutboxHandoff
    let lease: Int64
}

/// Outbox messages one step claimed for an attached sender, handed over once the step's transaction commits.
struct OutboxClaims: Sendable {
    let handoff: any OutboxHandoff
    var messages: [OutboxMessage]

    /// Hands the claims of one commit to their senders, in order: consecutive claims for the same sender
    /// go in one call.
    static func handOff(_ claims: [OutboxClaims]) {
        var index = claims.startIndex
        while index < claims.endIndex {
            let handoff = claims[index].handoff
            var messages = claims[index].messages
            index += 1
            while index < claims.endIndex, claims[index].handoff === handoff {
                messages += claims[index].messages
                index += 1
            }
            if !messages.isEmpty { handoff.take(messages) }
        }
    }
}

extension SQLiteStore {
    public func attachSender(_ handoff: (any OutboxHandoff)?, lease: Int64) {
        sender.withLock { $0 = handoff.map { OutboxSenderAttachment(handoff: $0, lease: max(1, lease)) } }
    }

    /// The attached sender, read when a transaction starts.
    var attachedSender: OutboxSenderAttachment? { sender.withLock { $0 } }

    /// The status of the conversation's oldest message not yet sent nor given up (`pending`, or `sending`
    /// while a sender holds it), or `nil` when every message is finished.
    static func unfinishedOutboxHead(_ db: Database, tenant: String, contact: String) throws -> String? {
        try db.row(
            """
            SELECT status FROM conversation_log
            WHERE status IN ('pending', 'sending') AND tenant = ? AND contact = ? ORDER BY seq LIMIT 1
            """, [tenant, contact])?[0]
    }

    /// After a conversation's message was finished (sent or failed): claims the conversation's next
    /// messages, in order, while they are pending and due and no earlier one is unfinished.
    static func claimNext(
        _ db: Database, tenant: String, contact: String, sender: OutboxSenderAttachment
    ) throws -> OutboxClaims? {
        let coder = ColumnCoder()
        let at = sender.handoff.now
        let rows = try db.rows(
            """
            SELECT seq, status, next_attempt_at, at, content, agent, attempts FROM conversation_log
            WHERE status IN ('pending', 'sending') AND tenant = ? AND contact = ?
            ORDER BY seq LIMIT 32
            """, [tenant, contact])
        var claimed: [OutboxMessage] = []
        for row in rows {
            let status: String = row[1]
            let due: Int64? = row[2]
            guard status == "pending", (due ?? at) <= at else { break }
            claimed.append(
                try claim(db, row, tenant: tenant, contact: contact, leaseUntil: at + sender.lease, coder: coder))
        }
        return claimed.isEmpty ? nil : OutboxClaims(handoff: sender.handoff, messages: claimed)
    }

    /// Claims one outbox row until `leaseUntil` (status `sending`, one more attempt) and returns it as the
    /// sender gets it. `row` holds `seq` at 0 and `at`, `content`, `agent`, `attempts` at 3 to 6, as both
    /// claiming queries select them.
    static func claim(
        _ db: Database, _ row: Row, tenant: String, contact: String, leaseUntil: Int64, coder: ColumnCoder
    ) throws -> OutboxMessage {
        let seq: Int64 = row[0]
        let attempts: Int = row[6]
        try db.run(
            "UPDATE conversation_log SET status = 'sending', attempts = attempts + 1, lease_until = ? WHERE seq = ?",
            [leaseUntil, seq])
        let stored = try StoredOutboundMessage.read(row[4], coder: coder)
        let agent: String? = row[5]
        return OutboxMessage(
            id: seq, tenant: tenant, contact: contact, message: stored.message,
            sender: agent.map { .agent($0) } ?? .bot, queuedAt: row[3], attempts: attempts + 1, leaseUntil: leaseUntil)
    }
}
