import FlowRuntime
import GRDB

extension SQLiteStore {
    public func thread(tenant: String, contact: String, after sequence: Int64?, limit: Int) async throws -> [LogEntry] {
        try await pool.read { db in
            let coder = ColumnCoder()
            return try db.rows(
                """
                SELECT * FROM conversation_log WHERE tenant = ? AND contact = ? AND seq > ? ORDER BY seq LIMIT ?
                """, [tenant, contact, sequence ?? 0, max(0, limit)]
            ).map { try Self.logEntry($0, coder: coder) }
        }
    }

    @discardableResult
    public func updateDeliveryStatus(
        tenant: String, messageID: String, status: DeliveryStatus, at: Int64, error: OutboxError?
    ) async throws -> Bool {
        // Through the commit queue: status webhooks (three or so per message sent) share the steps' commits.
        try await commits.submit { db in
            let changed = try Self.applyStatus(
                db, tenant: tenant, messageID: messageID, status: status, at: at, error: error, keepEarly: true)
            return SQLiteCommitQueue.Outcome(changed: changed)
        }.changed
    }

    /// The latest outbound message with a `wamid` (arguments: tenant, wamid), through `log_out_by_message_id`.
    static let statusLookupSQL = """
        SELECT seq, status FROM conversation_log
        WHERE tenant = ? AND message_id = ? AND direction = 'out' ORDER BY seq DESC LIMIT 1
        """

    /// Moves the outbound message forward to `status` if the order allows. A status for a `wamid` not in the
    /// log yet (the webhook outran the sender's report) is kept in `early_statuses` when `keepEarly`.
    static func applyStatus(
        _ db: Database, tenant: String, messageID: String, status: DeliveryStatus, at: Int64, error: OutboxError?,
        keepEarly: Bool
    ) throws -> Bool {
        guard let row = try db.row(statusLookupSQL, [tenant, messageID]) else {
            if keepEarly {
                try db.run(
                    """
                    INSERT OR IGNORE INTO early_statuses (tenant, message_id, status, at, error_kind, error_detail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, [tenant, messageID, status.rawValue, at, error?.kind, error?.detail])
            }
            return false
        }
        let seq: Int64 = row[0]
        guard let current = DeliveryStatus(rawValue: row[1]), current.canMove(to: status) else { return false }
        if status == .failed {
            try db.run(
                "UPDATE conversation_log SET status = ?, status_at = ?, error_kind = ?, error_detail = ? WHERE seq = ?",
                [status.rawValue, at, error?.kind, error?.detail, seq])
        } else {
            try db.run(
                "UPDATE conversation_log SET status = ?, status_at = ? WHERE seq = ?", [status.rawValue, at, seq])
        }
        return true
    }

    /// Applies the statuses that arrived before the message was reported sent, in order, and forgets them.
    static func applyEarlyStatuses(_ db: Database, tenant: String, messageID: String) throws {
        let rows = try db.rows(
            "SELECT status, at, error_kind, error_detail FROM early_statuses WHERE tenant = ? AND message_id = ?",
            [tenant, messageID])
        guard !rows.isEmpty else { return }
        let early = rows.compactMap { row -> (DeliveryStatus, Int64, OutboxError?)? in
            guard let status = DeliveryStatus(rawValue: row[0]) else { return nil }
            let kind: String? = row[2]
            return (status, row[1], kind.map { OutboxError(kind: $0, detail: row[3]) })
        }.sorted { $0.0.rank < $1.0.rank }
        for (status, at, error) in early {
            _ = try applyStatus(
                db, tenant: tenant, messageID: messageID, status: status, at: at, error: error, keepEarly: false)
        }
        try db.run("DELETE FROM early_statuses WHERE tenant = ? AND message_id = ?", [tenant, messageID])
    }

    /// Logs the inbound message: always its metadata, its content only when the changes carry it.
    static func logInbound(
        _ db: Database, tenant: String, contact: String, messageID: String, at: Int64, changes: ConversationChanges
    ) throws {
        let content = changes.inboundContent.map { StoredContactMessage($0).columnText }
        try db.run(
            """
            INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, message_id, wa_timestamp)
            VALUES (?, ?, ?, 'in', ?, ?, ?, ?)
            """, [tenant, contact, at, changes.inboundKind, content, messageID, changes.inboundTimestamp])
    }

    /// Logs the changes' lines in order; outbound messages enter the outbox as `pending`, or, while `claims`
    /// is set, as claimed for its sender (leased until `leaseUntil`) until one is not due yet: from there on
    /// they are all pending, so that none overtakes it. Returns the outbox ids of the messages.
    static func logLines(
        _ db: Database, tenant: String, contact: String, at: Int64, changes: ConversationChanges,
        claims: inout OutboxClaims?, leaseUntil: Int64
    ) throws -> [Int64] {
        var outboxIDs: [Int64] = []
        var claiming = claims != nil
        for line in changes.lines {
            switch line {
            case .message(let queued):
                let stored = StoredOutboundMessage(queued.message)
                let agent: String?
                if case .agent(let name) = queued.sender { agent = name } else { agent = nil }
                let due = queued.notBefore ?? at
                if due > at { claiming = false }
                let claim = claiming
                try db.run(
                    """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, agent, status,
                        status_at, next_attempt_at, attempts, lease_until)
                    VALUES (?, ?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        tenant, contact, at, stored.kind, stored.columnText, agent,
                        claim ? "sending" : "pending", at, due, claim ? 1 : 0, claim ? leaseUntil : nil,
                    ])
                let id = db.lastInsertedRowID
                outboxIDs.append(id)
                if claim {
                    claims?.messages.append(
                        OutboxMessage(
                            id: id, tenant: tenant, contact: contact, message: queued.message, sender: queued.sender,
                            queuedAt: at, attempts: 1, leaseUntil: leaseUntil))
                }
            case .event(let event):
                try db.run(
                    """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, detail)
                    VALUES (?, ?, ?, 'event', ?, ?)
                    """, [tenant, contact, at, event.kind, event.detail])
            }
        }
        return outboxIDs
    }

    /// Reads a log row back.
    static func logEntry(_ row: Row, coder: ColumnCoder) throws -> LogEntry {
        let direction: String = row["direction"]
        let kind: String = row["kind"]
        let content: LogEntry.Content
        switch direction {
        case "in":
            let text: String? = row["content"]
            let message = try text.map { try coder.decode(StoredContactMessage.self, $0, table: "conversation_log") }
            content = .inbound(kind: kind, message: message?.message, whatsAppTimestamp: row["wa_timestamp"])
        case "out":
            let stored = try StoredOutboundMessage.read(row["content"], coder: coder)
            let agent: String? = row["agent"]
            let statusName: String = row["status"]
            guard let status = DeliveryStatus(rawValue: statusName) else {
                throw StorageError.corruptRow(table: "conversation_log", detail: "unknown status '\(statusName)'")
            }
            let errorKind: String? = row["error_kind"]
            content = .outbound(
                stored.message, from: agent.map { .agent($0) } ?? .bot, status: status, statusAt: row["status_at"],
                error: errorKind.map { OutboxError(kind: $0, detail: row["error_detail"]) })
        default:
            content = .event(ConversationEvent(kind, detail: row["detail"]))
        }
        return LogEntry(
            sequence: row["seq"], tenant: row["tenant"], contact: row["contact"], at: row["at"],
            messageID: row["message_id"], content: content)
    }
}
