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
        let query = try DirectStatement(
            db,
            """
            SELECT status FROM conversation_log
            WHERE status IN ('pending', 'sending') AND tenant = ? AND contact = ? ORDER BY seq LIMIT 1
            """)
        query.bind(1, tenant)
        query.bind(2, contact)
        return try query.step() ? query.text(0) : nil
    }

    /// After a conversation's message was finished (sent or failed): claims the conversation's next
    /// messages, in order, while they are pending and due and no earlier one is unfinished.
    static func claimNext(
        _ db: Database, tenant: String, contact: String, sender: OutboxSenderAttachment
    ) throws -> OutboxClaims? {
        let at = sender.handoff.now
        // The ready messages are read first, then claimed: claiming changes the rows the query walks.
        var ready: [UnclaimedMessage] = []
        do {
            let query = try DirectStatement(
                db,
                """
                SELECT seq, status, next_attempt_at, at, content, agent, attempts FROM conversation_log
                WHERE status IN ('pending', 'sending') AND tenant = ? AND contact = ?
                ORDER BY seq LIMIT 32
                """)
            query.bind(1, tenant)
            query.bind(2, contact)
            while try query.step() {
                guard query.text(1) == "pending", (query.int64(2) ?? at) <= at else { break }
                ready.append(
                    try UnclaimedMessage(
                        seq: query.int64(0), queuedAt: query.int64(3), content: query.text(4), agent: query.text(5),
                        attempts: query.int64(6)))
            }
        }
        guard !ready.isEmpty else { return nil }
        let coder = ColumnCoder()
        let claimed = try ready.map {
            try claim(db, $0, tenant: tenant, contact: contact, leaseUntil: at + sender.lease, coder: coder)
        }
        return OutboxClaims(handoff: sender.handoff, messages: claimed)
    }

    /// An outbox row about to be claimed, as both claiming queries read it.
    struct UnclaimedMessage {
        var seq: Int64
        var queuedAt: Int64
        var content: String
        var agent: String?
        var attempts: Int

        init(seq: Int64?, queuedAt: Int64?, content: String?, agent: String?, attempts: Int64?) throws {
            guard let seq, let queuedAt, let content, let attempts else {
                throw StorageError.corruptRow(table: "conversation_log", detail: "outbox row without its columns")
            }
            self.seq = seq
            self.queuedAt = queuedAt
            self.content = content
            self.agent = agent
            self.attempts = Int(attempts)
        }

        /// `row` holds `seq` at 0 and `at`, `content`, `agent`, `attempts` at 3 to 6.
        init(_ row: Row) throws {
            try self.init(seq: row[0], queuedAt: row[3], content: row[4], agent: row[5], attempts: row[6])
        }
    }

    /// Claims one outbox row until `leaseUntil` (status `sending`, one more attempt) and returns it as the
    /// sender gets it.
    static func claim(
        _ db: Database, _ message: UnclaimedMessage, tenant: String, contact: String, leaseUntil: Int64,
        coder: ColumnCoder
    ) throws -> OutboxMessage {
        let update = try DirectStatement(
            db, "UPDATE conversation_log SET status = 'sending', attempts = attempts + 1, lease_until = ? WHERE seq = ?"
        )
        update.bind(1, leaseUntil)
        update.bind(2, message.seq)
        try update.run()
        let stored = try StoredOutboundMessage.read(message.content, coder: coder)
        return OutboxMessage(
            id: message.seq, tenant: tenant, contact: contact, message: stored.message,
            sender: message.agent.map { .agent($0) } ?? .bot, queuedAt: message.queuedAt,
            attempts: message.attempts + 1, leaseUntil: leaseUntil)
    }
}
