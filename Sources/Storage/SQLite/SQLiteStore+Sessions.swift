import FlowRuntime
import GRDB

extension SQLiteStore {
    public func session(tenant: String, contact: String) async throws -> Session? {
        try await pool.read { db in try Self.loadStoredSession(db, tenant: tenant, contact: contact)?.session }
    }

    public func conversationKey(tenant: String, contact: String) async throws -> String {
        // The ledger is kept under the conversation's key: the same lookup.
        try await pool.read { db in try Self.ledgerKey(db, tenant: tenant, contact: contact) }
    }

    public func conversations(tenant: String, filter: ConversationFilter) async throws -> [ConversationSummary] {
        try await pool.read { db in
            var conditions = ["tenant = ?"]
            var arguments: [any DatabaseValueConvertible] = [tenant]
            if let agent = filter.agent {
                conditions.append("agent = ?")
                arguments.append(agent)
            }
            if !filter.statuses.isEmpty {
                let statuses = filter.statuses.map(\.rawValue).sorted()
                conditions.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
                arguments += statuses as [any DatabaseValueConvertible]
            }
            if let from = filter.startedFrom {
                conditions.append("started_at >= ?")
                arguments.append(from)
            }
            if let before = filter.startedBefore {
                conditions.append("started_at < ?")
                arguments.append(before)
            }
            arguments += [max(0, filter.limit), max(0, filter.offset)]
            let sql = """
                SELECT tenant, contact, contact_name, status, agent, queue, flow, state, started_at, ended_at,
                    handoff_at, agent_first_reply_at, updated_at
                FROM sessions WHERE \(conditions.joined(separator: " AND "))
                ORDER BY started_at DESC, contact LIMIT ? OFFSET ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                let status: String = row["status"]
                guard let parsed = ConversationStatus(rawValue: status) else {
                    throw StorageError.corruptRow(table: "sessions", detail: "unknown status '\(status)'")
                }
                return ConversationSummary(
                    tenant: row["tenant"], contact: row["contact"], contactName: row["contact_name"], status: parsed,
                    agent: row["agent"], queue: row["queue"], flow: row["flow"], state: row["state"],
                    startedAt: row["started_at"], endedAt: row["ended_at"], handoffAt: row["handoff_at"],
                    agentFirstReplyAt: row["agent_first_reply_at"], updatedAt: row["updated_at"])
            }
        }
    }

    public func dueInactivityTimers(now: Int64, limit: Int) async throws -> [DueTimer] {
        try await pool.read { db in
            try db.rows(
                """
                SELECT tenant, contact, inactivity_deadline FROM sessions
                WHERE inactivity_deadline IS NOT NULL AND inactivity_deadline <= ?
                ORDER BY inactivity_deadline LIMIT ?
                """, [now, max(0, limit)]
            ).map { DueTimer(tenant: $0[0], contact: $0[1], deadline: $0[2]) }
        }
    }

    /// A session as stored: the session (with the ledger's consent) and the indexed columns as they are, so
    /// that saving it again rewrites only the indexes whose columns change.
    struct StoredSession {
        var session: Session
        var status: String
        var agent: String?
        var startedAt: Int64?
    }

    /// The stored session with the ledger's consent, or `nil`.
    static func loadStoredSession(_ db: Database, tenant: String, contact: String) throws -> StoredSession? {
        let query = try DirectStatement(
            db, "SELECT session, status, agent, started_at FROM sessions WHERE tenant = ? AND contact = ?")
        query.bind(1, tenant)
        query.bind(2, contact)
        guard try query.step() else { return nil }
        guard let text = query.text(0), let status = query.text(1) else {
            throw StorageError.corruptRow(table: "sessions", detail: "no session or status")
        }
        let agent = query.text(2)
        let startedAt = query.int64(3)
        var session = try SessionColumn.decode(text)
        let consent = try derivedConsent(db, tenant: tenant, contact: contact)
        session.consent.acceptedVersion = consent.acceptedVersion
        session.consent.optIn = consent.optIn
        return StoredSession(session: session, status: status, agent: agent, startedAt: startedAt)
    }

    /// Moves the contact's session row, which could not be read, to `unreadable_sessions` as it was stored (with
    /// why, and when), so that nothing of it is lost and the contact's next message starts a new session.
    /// Returns what the row's own columns still tell of the conversation it held: how it ends in the log (a
    /// handoff's agent unassigned, an open conversation closed), so that reports and agents do not keep it open.
    static func setAsideUnreadableSession(
        _ db: Database, tenant: String, contact: String, detail: String, at: Int64
    ) throws -> [ConversationEvent] {
        let row = try db.row("SELECT status, agent FROM sessions WHERE tenant = ? AND contact = ?", [tenant, contact])
        try db.run(
            """
            INSERT INTO unreadable_sessions (tenant, contact, session, status, detail, found_at)
            SELECT tenant, contact, session, status, ?, ? FROM sessions WHERE tenant = ? AND contact = ?
            """, [detail, at, tenant, contact])
        try db.run("DELETE FROM sessions WHERE tenant = ? AND contact = ?", [tenant, contact])
        var events = [ConversationEvent(ConversationEvent.sessionSetAside)]
        let status = row.flatMap { $0[0] as String? }.flatMap(ConversationStatus.init(rawValue:))
        if status == .queued || status == .withAgent {
            events.append(ConversationEvent(ConversationEvent.handoffEnded, detail: row?[1] as String?))
        }
        if status != .new, status != .closed {
            events.append(ConversationEvent(ConversationEvent.closed, detail: ConversationEvent.sessionSetAside))
        }
        return events
    }

    /// Saves the session with its indexed facts: an insert for a new contact; otherwise an update that sets the
    /// indexed columns (status, agent, start) only when they change, since SQLite rewrites the entry of every
    /// index whose column an update sets, changed or not.
    static func saveSession(
        _ db: Database, tenant: String, contact: String, session: Session, previous: StoredSession?,
        changes: ConversationChanges, at: Int64
    ) throws {
        // Before consent nothing personal is kept (habeas-data item 14): the WhatsApp profile name, which every
        // webhook brings again, is not stored until the contact has accepted a policy.
        var session = session
        if session.consent.acceptedVersion == nil, !session.variables.isEmpty { session.variables[0] = nil }
        let name: String? = session.variables.first ?? nil
        // The interpreter acts on a timeout only while waiting; other deadlines are stale.
        let deadline = session.status == .waiting ? session.inactivityDeadline : nil
        let queue = session.queue == nil ? nil : changes.queueName
        let status = ConversationStatus(session.status).rawValue
        /// The columns every save sets, parameters 1 to 9 of both statements.
        func bindDocument(_ statement: borrowing DirectStatement) {
            statement.bind(1, SessionColumn.encode(session))
            statement.bind(2, name)
            statement.bind(3, queue)
            statement.bind(4, changes.flow)
            statement.bind(5, changes.stateName)
            statement.bind(6, session.endedAt)
            statement.bind(7, session.handoffAt)
            statement.bind(8, deadline)
            statement.bind(9, at)
        }
        guard let previous else {
            let insert = try DirectStatement(
                db,
                """
                INSERT INTO sessions (session, contact_name, queue, flow, state, ended_at, handoff_at,
                    inactivity_deadline, updated_at, status, agent, started_at, tenant, contact)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            bindDocument(insert)
            insert.bind(10, status)
            insert.bind(11, session.agent)
            insert.bind(12, session.startedAt)
            insert.bind(13, tenant)
            insert.bind(14, contact)
            try insert.run()
            return
        }
        // One statement per combination of changed indexed columns and first-reply reset (at most sixteen, each
        // prepared once).
        let statusChanges = status != previous.status
        let agentChanges = session.agent != previous.agent
        let startChanges = session.startedAt != previous.startedAt
        var sql = """
            UPDATE sessions SET session = ?, contact_name = ?, queue = ?, flow = coalesce(?, flow),
                state = coalesce(?, state), ended_at = ?, handoff_at = ?, inactivity_deadline = ?, updated_at = ?
            """
        // The first reply is the outbox's to set, once the Graph API accepts an agent's reply
        // (`recordFirstReply`); a new conversation or an assignment (a reassignment too) starts it again.
        if changes.startsOrAssigns { sql += ", agent_first_reply_at = NULL" }
        if statusChanges { sql += ", status = ?" }
        if agentChanges { sql += ", agent = ?" }
        if startChanges { sql += ", started_at = ?" }
        sql += " WHERE tenant = ? AND contact = ?"
        let update = try DirectStatement(db, sql)
        bindDocument(update)
        var index: Int32 = 10
        for (changed, value) in [(statusChanges, status), (agentChanges, session.agent)] where changed {
            update.bind(index, value)
            index += 1
        }
        if startChanges {
            update.bind(index, session.startedAt)
            index += 1
        }
        update.bind(index, tenant)
        update.bind(index + 1, contact)
        try update.run()
    }
}

extension SQLiteStore {
    public func loggedConversations(tenant: String, startedFrom from: Int64?, startedBefore before: Int64?)
        async throws -> [LoggedConversation]
    {
        try await pool.read { db in
            // Every line from the period's start on, each contact's in order; lines of conversations started
            // earlier are skipped.
            let logged = try Self.loggedConversations(
                db,
                lines: """
                    SELECT contact, at, direction, kind, detail, agent, message_id, status FROM conversation_log
                    INDEXED BY log_by_time
                    WHERE at >= ? AND tenant = ?
                    ORDER BY contact, seq
                    """, arguments: [from ?? 0, tenant], startedBefore: before)
            // The figures an erasure under a reclamo kept of the conversations whose lines it deleted.
            return logged
                + (try Self.erasedConversations(db, tenant: tenant, startedFrom: from, startedBefore: before))
        }
    }

    /// The conversations (`LoggedConversationReader`) in the log lines the query `lines` selects: `contact`,
    /// `at`, `direction`, `kind`, `detail`, `agent`, `message_id` and `status`, each contact's in order.
    static func loggedConversations(
        _ db: Database, lines: String, arguments: StatementArguments, startedBefore before: Int64?
    ) throws -> [LoggedConversation] {
        let rows = try Row.fetchCursor(db, sql: lines, arguments: arguments)
        var reader = LoggedConversationReader(startedBefore: before)
        while let row = try rows.next() {
            reader.read(
                contact: row[0], at: row[1], direction: row[2], kind: row[3], detail: row[4], agent: row[5],
                messageID: row[6], status: row[7])
        }
        return reader.finish()
    }
}
