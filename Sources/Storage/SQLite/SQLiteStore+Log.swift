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
        try checkStillTheOpenedFile()
        // Through the commit queue: status webhooks (three or so per message sent) share the steps' commits.
        return try await commits.submit { db in
            let changed = try Self.applyStatus(
                db, tenant: tenant, messageID: messageID, status: status, at: at, error: error, keepEarly: true)
            return SQLiteCommitQueue.Outcome(changed: changed)
        }.changed
    }

    public func outboundMessage(tenant: String, messageID: String) async throws -> (
        contact: String, outboxID: Int64
    )? {
        try await pool.read { db in
            guard let row = try db.row(Self.statusLookupSQL, [tenant, messageID]) else { return nil }
            return (row[2], row[0])
        }
    }

    /// The latest outbound message with a `wamid` (arguments: tenant, wamid), through `log_out_by_message_id`:
    /// its sequence, status, contact and agent, then its times of `sent`, `delivered` and `read`.
    static let statusLookupSQL = """
        SELECT seq, status, contact, agent, sent_at, delivered_at, read_at FROM conversation_log
        WHERE tenant = ? AND message_id = ? AND direction = 'out' ORDER BY seq DESC LIMIT 1
        """

    /// The conversation's first reply found again after one of its agent's replies failed (arguments: tenant,
    /// contact): the earliest reply of the last agent assigned (the log's, so a handoff that ended since keeps
    /// its figure), since their assignment (or the conversation's start), that the Graph API accepted and that
    /// has not failed since; `NULL` when there is none.
    static let firstReplyAgainSQL = """
        UPDATE sessions SET agent_first_reply_at = (
            SELECT min(l.at) FROM conversation_log l INDEXED BY log_thread
            WHERE l.tenant = ?1 AND l.contact = ?2 AND l.direction = 'out'
                AND l.agent = (
                    SELECT a.detail FROM conversation_log a INDEXED BY log_thread
                    WHERE a.tenant = ?1 AND a.contact = ?2 AND a.direction = 'event'
                        AND a.kind = '\(ConversationEvent.agentAssigned)'
                    ORDER BY a.seq DESC LIMIT 1)
                AND l.message_id IS NOT NULL AND l.status != 'failed'
                AND l.seq > coalesce((
                    SELECT max(e.seq) FROM conversation_log e INDEXED BY log_thread
                    WHERE e.tenant = ?1 AND e.contact = ?2 AND e.direction = 'event'
                        AND (e.kind = '\(ConversationEvent.agentAssigned)' OR e.kind = '\(ConversationEvent.started)')
                ), 0))
        WHERE tenant = ?1 AND contact = ?2 AND agent_first_reply_at IS NOT NULL
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
        guard let current = DeliveryStatus(rawValue: row[1]) else { return false }
        let stage = Self.stageTime(of: status)
        let stageUnknown = stage.map { (row[$0.index] as Int64?) == nil } ?? false
        guard current.canMove(to: status) else {
            // A stage reported late (a `delivered` after `read`) still gives its time; nothing follows `failed`.
            if let stage, stageUnknown, current != .failed {
                try db.run("UPDATE conversation_log SET \(stage.column) = ? WHERE seq = ?", [at, seq])
            }
            return false
        }
        if let stage, stageUnknown {
            try db.run(
                "UPDATE conversation_log SET status = ?, status_at = ?, \(stage.column) = ? WHERE seq = ?",
                [status.rawValue, at, at, seq])
        } else if status == .failed {
            try db.run(
                "UPDATE conversation_log SET status = ?, status_at = ?, error_kind = ?, error_detail = ? WHERE seq = ?",
                [status.rawValue, at, error?.kind, error?.detail, seq])
            // An agent's reply that never reached the contact is no answer: the first reply is the next one of
            // theirs that is not failed, or none.
            let agent: String? = row[3]
            if agent != nil { try db.run(Self.firstReplyAgainSQL, [tenant, row[2] as String]) }
        } else {
            try db.run(
                "UPDATE conversation_log SET status = ?, status_at = ? WHERE seq = ?", [status.rawValue, at, seq])
        }
        return true
    }

    /// The column keeping the time of a stage a status webhook reports, and its place in `statusLookupSQL`'s
    /// row; `nil` for `failed` (whose time is `status_at`, nothing following it) and the outbox's own statuses.
    static func stageTime(of status: DeliveryStatus) -> (column: String, index: Int)? {
        switch status {
        case .sent: return ("sent_at", 4)
        case .delivered: return ("delivered_at", 5)
        case .read: return ("read_at", 6)
        case .pending, .sending, .failed: return nil
        }
    }

    /// Applies the statuses that arrived before the message was reported sent, in order, and forgets them;
    /// returns the `failed` one when it applied (its time and error).
    @discardableResult
    static func applyEarlyStatuses(_ db: Database, tenant: String, messageID: String) throws
        -> (at: Int64, error: OutboxError?)?
    {
        var early: [(DeliveryStatus, Int64, OutboxError?)] = []
        do {
            let query = try DirectStatement(
                db,
                "SELECT status, at, error_kind, error_detail FROM early_statuses WHERE tenant = ? AND message_id = ?")
            query.bind(1, tenant)
            query.bind(2, messageID)
            while try query.step() {
                guard let status = query.text(0).flatMap(DeliveryStatus.init(rawValue:)), let at = query.int64(1)
                else { continue }
                early.append((status, at, query.text(2).map { OutboxError(kind: $0, detail: query.text(3)) }))
            }
        }
        guard !early.isEmpty else { return nil }
        early.sort { $0.0.rank < $1.0.rank }
        var failed: (at: Int64, error: OutboxError?)?
        for (status, at, error) in early {
            let applied = try applyStatus(
                db, tenant: tenant, messageID: messageID, status: status, at: at, error: error, keepEarly: false)
            if applied, status == .failed { failed = (at, error) }
        }
        try db.run("DELETE FROM early_statuses WHERE tenant = ? AND message_id = ?", [tenant, messageID])
        return failed
    }

    /// Logs the inbound message: always its metadata, its content only when the changes carry it.
    static func logInbound(
        _ db: Database, tenant: String, contact: String, messageID: String, at: Int64, changes: ConversationChanges
    ) throws {
        let insert = try DirectStatement(
            db,
            """
            INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, message_id, wa_timestamp)
            VALUES (?, ?, ?, 'in', ?, ?, ?, ?)
            """)
        insert.bind(1, tenant)
        insert.bind(2, contact)
        insert.bind(3, at)
        insert.bind(4, changes.inboundKind)
        insert.bind(5, changes.inboundContent.map { StoredContactMessage($0).columnText })
        insert.bind(6, messageID)
        insert.bind(7, changes.inboundTimestamp)
        try insert.run()
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
                let insert = try DirectStatement(
                    db,
                    """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, agent, status,
                        status_at, next_attempt_at, attempts, lease_until)
                    VALUES (?, ?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                insert.bind(1, tenant)
                insert.bind(2, contact)
                insert.bind(3, at)
                insert.bind(4, stored.kind)
                insert.bind(5, stored.columnText)
                insert.bind(6, agent)
                insert.bind(7, claim ? "sending" : "pending")
                insert.bind(8, at)
                insert.bind(9, due)
                insert.bind(10, Int64(claim ? 1 : 0))
                insert.bind(11, claim ? leaseUntil : nil)
                try insert.run()
                let id = db.lastInsertedRowID
                outboxIDs.append(id)
                if claim {
                    claims?.messages.append(
                        OutboxMessage(
                            id: id, tenant: tenant, contact: contact, message: queued.message, sender: queued.sender,
                            queuedAt: at, attempts: 1, leaseUntil: leaseUntil))
                }
            case .event(let event):
                let insert = try DirectStatement(
                    db,
                    """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, detail)
                    VALUES (?, ?, ?, 'event', ?, ?)
                    """)
                insert.bind(1, tenant)
                insert.bind(2, contact)
                insert.bind(3, at)
                insert.bind(4, event.kind)
                insert.bind(5, event.detail)
                try insert.run()
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
                stored.message, from: agent.map { .agent($0) } ?? .bot, status: status,
                times: DeliveryTimes(
                    latest: row["status_at"], sent: row["sent_at"], delivered: row["delivered_at"],
                    read: row["read_at"]),
                error: errorKind.map { OutboxError(kind: $0, detail: row["error_detail"]) })
        default:
            content = .event(ConversationEvent(kind, detail: row["detail"]))
        }
        return LogEntry(
            sequence: row["seq"], tenant: row["tenant"], contact: row["contact"], at: row["at"],
            messageID: row["message_id"], content: content)
    }
}
