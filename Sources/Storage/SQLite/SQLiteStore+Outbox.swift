import FlowRuntime
import GRDB

extension SQLiteStore {
    /// The oldest unfinished message of each conversation, if it is ready: pending and due, or claimed by a
    /// sender whose lease has run out (arguments: now, limit). The heads come from the partial index of
    /// unfinished messages (`outbox_open`), so a claim reads only those, however long the log.
    static let claimSQL = """
        SELECT o.seq, o.tenant, o.contact, o.at, o.content, o.agent, o.attempts
        FROM (
            SELECT min(seq) AS head FROM conversation_log
            WHERE status IN ('pending', 'sending') GROUP BY tenant, contact
        ) AS h
        JOIN conversation_log o ON o.seq = h.head
        WHERE (o.status = 'pending' AND o.next_attempt_at <= ?1) OR (o.status = 'sending' AND o.lease_until <= ?1)
        ORDER BY o.seq LIMIT ?2
        """

    /// How SQLite runs `sql` on this file (`EXPLAIN QUERY PLAN`, `arguments` bound), one step per line: tests
    /// check that the hot queries use their indexes.
    func queryPlan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        }
    }

    public func claimOutbox(now: Int64, limit: Int, lease: Int64) async throws -> [OutboxMessage] {
        guard limit > 0 else { return [] }
        return try await pool.writeWithoutTransaction { db in
            var claimed: [OutboxMessage] = []
            try db.inTransaction(.immediate) {
                // A template whose send a crash or a lapsed lease interrupted, and whose contact revoked since,
                // is not claimed again (as `failIfRevoked` does for one given back).
                try db.run(Self.failRevokedTemplatesSQL, [now])
                let coder = ColumnCoder()
                for row in try db.rows(Self.claimSQL, [now, limit]) {
                    claimed.append(
                        try Self.claim(
                            db, UnclaimedMessage(row), tenant: row[1], contact: row[2], leaseUntil: now + max(1, lease),
                            coder: coder))
                }
                return .commit
            }
            return claimed
        }
    }

    /// The start of an `UPDATE` failing templates as `revoked` (first argument: the time of the change).
    private static let failAsRevokedSQL = """
        UPDATE conversation_log SET status = 'failed', status_at = ?1, error_kind = 'revoked',
            error_detail = 'consent revoked before it was sent', next_attempt_at = NULL, lease_until = NULL
        """

    /// A log row's contact revoked consent after the row was queued.
    private static let revokedSinceQueuedSQL = """
        EXISTS (
            SELECT 1 FROM consent_ledger l INDEXED BY consent_by_contact
            WHERE l.tenant = conversation_log.tenant AND l.contact = conversation_log.contact
                AND l.kind = 'revocation' AND l.received_at >= conversation_log.at)
        """

    /// The messages a revocation stops after their send began: templates and agents' replies. (The bot's own
    /// messages are stopped only while they wait: the revocation's confirmation is one, queued in its second.)
    private static let stoppedByRevocationSQL = "direction = 'out' AND (kind = 'template' OR agent IS NOT NULL)"

    /// Fails as `revoked` every unfinished template or agent's reply (pending, or claimed by a sender that may be
    /// gone) whose contact revoked consent after it was queued (argument: the time of the change), through the
    /// partial index of unfinished messages.
    static let failRevokedTemplatesSQL =
        failAsRevokedSQL + """

            WHERE status IN ('pending', 'sending') AND \(stoppedByRevocationSQL)
                AND (status = 'pending' OR lease_until <= ?1) AND \(revokedSinceQueuedSQL)
            """

    /// A template or agent's reply given back to wait for another attempt (a retry, a deferral, a released claim)
    /// whose contact revoked consent after it was queued is not tried again: Meta never accepted it, and a revocation cancels
    /// the business-initiated messages not yet handed over (habeas-data item 6). It fails as `revoked`, as the
    /// revocation fails the templates still `pending` then; one being sent at that moment comes here. Returns its
    /// conversation when it failed, so that the messages queued behind it go on.
    private static func failIfRevoked(_ db: Database, _ result: OutboxResult) throws -> FinishedMessage? {
        let update = try DirectStatement(
            db,
            failAsRevokedSQL + """

                WHERE seq = ?2 AND \(stoppedByRevocationSQL) AND status = 'pending'
                    AND \(revokedSinceQueuedSQL)
                RETURNING tenant, contact, agent, at, ledger_awaits_wamid
                """)
        update.bind(1, result.at)
        update.bind(2, result.id)
        return try Self.finishedConversation(update)
    }

    @discardableResult
    public func completeOutbox(_ results: [OutboxResult]) async throws -> [EarlyFailure] {
        guard !results.isEmpty else { return [] }
        // Through the commit queue: reports share the conversation steps' commits (and their flush).
        return try await commits.submit { [self] db in
            let sender = attachedSender
            var claims: OutboxClaims?
            var early: [EarlyFailure] = []
            for result in results {
                guard let next = try Self.complete(db, result, sender: sender, earlyFailures: &early) else { continue }
                if claims == nil { claims = next } else { claims?.messages += next.messages }
            }
            var outcome = SQLiteCommitQueue.Outcome(claimed: claims)
            outcome.earlyFailures = early
            return outcome
        }.earlyFailures
    }

    /// Records one sender's report (see `OutboxStore.completeOutbox`); when it finishes the message and a
    /// `sender` is attached, claims the conversation's next messages for it. Each outcome is one `UPDATE …
    /// RETURNING` that applies only from the statuses it may leave (`sent` from any unfinished status, the
    /// others only from `sending`).
    static func complete(
        _ db: Database, _ result: OutboxResult, sender: OutboxSenderAttachment?, earlyFailures: inout [EarlyFailure]
    ) throws -> OutboxClaims? {
        let conversation: FinishedMessage?
        switch result.outcome {
        case .sent(let messageID):
            let update = try DirectStatement(
                db,
                """
                UPDATE conversation_log SET status = 'sent', status_at = ?1, sent_at = ?1, message_id = ?2,
                    lease_until = NULL, next_attempt_at = NULL, error_kind = NULL, error_detail = NULL
                WHERE seq = ?3 AND direction = 'out' AND status IN ('pending', 'sending')
                RETURNING tenant, contact, agent, at, ledger_awaits_wamid
                """)
            update.bind(1, result.at)
            update.bind(2, messageID)
            update.bind(3, result.id)
            conversation = try Self.finishedConversation(update)
            if let conversation, conversation.agent != nil { try recordFirstReply(db, conversation, id: result.id) }
            if let conversation, conversation.awaitedByLedger {
                try linkConsentRequest(
                    db, tenant: conversation.tenant, outboxID: result.id, messageID: messageID, at: result.at)
            }
            if let conversation,
                let failure = try applyEarlyStatuses(db, tenant: conversation.tenant, messageID: messageID)
            {
                earlyFailures.append(
                    EarlyFailure(
                        tenant: conversation.tenant, contact: conversation.contact, outboxID: result.id,
                        at: failure.at, error: failure.error))
            }
        case .failed(let error):
            let update = try DirectStatement(
                db,
                """
                UPDATE conversation_log SET status = 'failed', status_at = ?, lease_until = NULL,
                    next_attempt_at = NULL, error_kind = ?, error_detail = ?
                WHERE seq = ? AND direction = 'out' AND status = 'sending'
                RETURNING tenant, contact, agent, at, ledger_awaits_wamid
                """)
            update.bind(1, result.at)
            update.bind(2, error.kind)
            update.bind(3, error.detail)
            update.bind(4, result.id)
            conversation = try Self.finishedConversation(update)
        case .retry(let time, let error):
            try db.run(
                """
                UPDATE conversation_log SET status = 'pending', next_attempt_at = ?, lease_until = NULL,
                    error_kind = ?, error_detail = ?
                WHERE seq = ? AND direction = 'out' AND status = 'sending'
                """, [time, error.kind, error.detail, result.id])
            conversation = try failIfRevoked(db, result)
        case .deferred(let time, let error):
            try db.run(
                """
                UPDATE conversation_log SET status = 'pending', lease_until = NULL, attempts = max(0, attempts - 1),
                    next_attempt_at = ?, error_kind = ?, error_detail = ?
                WHERE seq = ? AND direction = 'out' AND status = 'sending'
                """, [time, error.kind, error.detail, result.id])
            conversation = try failIfRevoked(db, result)
        case .released:
            try db.run(
                """
                UPDATE conversation_log SET status = 'pending', lease_until = NULL, attempts = max(0, attempts - 1),
                    next_attempt_at = coalesce(next_attempt_at, at)
                WHERE seq = ? AND direction = 'out' AND status = 'sending'
                """, [result.id])
            conversation = try failIfRevoked(db, result)
        }
        guard let conversation, let sender else { return nil }
        return try claimNext(db, tenant: conversation.tenant, contact: conversation.contact, sender: sender)
    }

    /// A message an outcome finished: its conversation, its agent (`nil` for the bot's), when it was queued, and
    /// whether a consent record names it as its request and waits for its `wamid`.
    private struct FinishedMessage {
        var tenant: String
        var contact: String
        var agent: String?
        var queuedAt: Int64
        var awaitedByLedger: Bool
    }

    /// The message an `UPDATE … RETURNING tenant, contact, agent, at, ledger_awaits_wamid` finished, if it
    /// changed a row; the statement is run to its end.
    private static func finishedConversation(_ update: borrowing DirectStatement) throws -> FinishedMessage? {
        guard try update.step(), let tenant = update.text(0), let contact = update.text(1),
            let queuedAt = update.int64(3)
        else { return nil }
        let finished = FinishedMessage(
            tenant: tenant, contact: contact, agent: update.text(2), queuedAt: queuedAt,
            awaitedByLedger: update.int64(4) != nil)
        try update.run()
        return finished
    }

    /// Appends the `wamid` of a consent request that a ledger record named before its send was recorded (the
    /// contact answered first): the record is never updated, so the link is a row of its own, append-only too.
    private static func linkConsentRequest(
        _ db: Database, tenant: String, outboxID: Int64, messageID: String, at: Int64
    ) throws {
        let insert = try DirectStatement(
            db,
            """
            INSERT INTO consent_request_sends (outbox_id, tenant, message_id, sent_at)
            SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM consent_request_sends WHERE outbox_id = ?1)
            """)
        insert.bind(1, outboxID)
        insert.bind(2, tenant)
        insert.bind(3, messageID)
        insert.bind(4, at)
        try insert.run()
    }

    /// Sets the conversation's first reply (arguments: the reply's time, its outbox id, tenant, contact) unless
    /// one is set or the conversation started or was assigned again after the reply (see `recordFirstReply`).
    static let firstReplySQL = """
        UPDATE sessions SET agent_first_reply_at = ?1
        WHERE tenant = ?3 AND contact = ?4 AND agent_first_reply_at IS NULL AND NOT EXISTS (
            SELECT 1 FROM conversation_log INDEXED BY log_thread
            WHERE tenant = ?3 AND contact = ?4 AND seq > ?2 AND direction = 'event'
                AND (kind = '\(ConversationEvent.agentAssigned)' OR kind = '\(ConversationEvent.started)'))
        """

    /// An agent's reply the Graph API accepted becomes the conversation's first reply
    /// (`sessions.agent_first_reply_at`, at the time the agent wrote it): the first reply counts only once it
    /// is actually sent, and only for the agent assigned now, from their assignment on, so a reply written
    /// before the conversation started or was assigned again never counts. `loggedConversations` reads the
    /// same rule from the log, so that the list and the report agree.
    private static func recordFirstReply(_ db: Database, _ reply: FinishedMessage, id: Int64) throws {
        let update = try DirectStatement(db, firstReplySQL)
        update.bind(1, reply.queuedAt)
        update.bind(2, id)
        update.bind(3, reply.tenant)
        update.bind(4, reply.contact)
        try update.run()
    }

    @discardableResult
    public func releaseOutboxClaims() async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run(
                    """
                    UPDATE conversation_log SET status = 'pending', lease_until = NULL,
                        next_attempt_at = coalesce(next_attempt_at, at)
                    WHERE status = 'sending'
                    """)
                count = db.changesCount
                return .commit
            }
            return count
        }
    }

    /// The pending messages due later than `?1 + ?2` made due at `?1`, found through `outbox_open` (the
    /// unfinished messages), not a scan of the whole log.
    static let dueAfterAClockStepSQL = """
        UPDATE conversation_log SET next_attempt_at = ?1
        WHERE seq IN (
            SELECT seq FROM conversation_log INDEXED BY outbox_open
            WHERE status IN ('pending', 'sending') AND status = 'pending' AND next_attempt_at > ?1 + ?2)
        """

    @discardableResult
    public func dueAfterAClockStep(now: Int64, longestWait: Int64) async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run(Self.dueAfterAClockStepSQL, [now, longestWait])
                count = db.changesCount
                return .commit
            }
            return count
        }
    }

    @discardableResult
    public func resumeDeferredMessages(errorKind: String, tenant: String?, now: Int64) async throws -> [String: Int] {
        try await pool.writeWithoutTransaction { db in
            var counts: [String: Int] = [:]
            try db.inTransaction(.immediate) {
                let tenants = try String.fetchAll(
                    db,
                    sql: """
                        UPDATE conversation_log SET next_attempt_at = ?
                        WHERE status = 'pending' AND error_kind = ? AND next_attempt_at > ?
                          AND (? IS NULL OR tenant = ?)
                        RETURNING tenant
                        """, arguments: [now, errorKind, now, tenant, tenant])
                for tenant in tenants { counts[tenant, default: 0] += 1 }
                return .commit
            }
            return counts
        }
    }

    public func outboxDepth() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM conversation_log WHERE status IN ('pending', 'sending')")
                ?? 0
        }
    }
}
