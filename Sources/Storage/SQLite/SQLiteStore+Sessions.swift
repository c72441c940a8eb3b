import FlowRuntime
import GRDB

extension SQLiteStore {
    public func session(tenant: String, contact: String) async throws -> Session? {
        try await pool.read { db in try Self.loadStoredSession(db, tenant: tenant, contact: contact)?.session }
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
        guard
            let row = try db.row(
                "SELECT session, status, agent, started_at FROM sessions WHERE tenant = ? AND contact = ?",
                [tenant, contact])
        else { return nil }
        var session = try SessionColumn.decode(row[0])
        let consent = try derivedConsent(db, tenant: tenant, contact: contact)
        session.consent.acceptedVersion = consent.acceptedVersion
        session.consent.optIn = consent.optIn
        return StoredSession(session: session, status: row[1], agent: row[2], startedAt: row[3])
    }

    /// Saves the session with its indexed facts: an insert for a new contact; otherwise an update that sets the
    /// indexed columns (status, agent, start) only when they change, since SQLite rewrites the entry of every
    /// index whose column an update sets, changed or not.
    static func saveSession(
        _ db: Database, tenant: String, contact: String, session: Session, previous: StoredSession?,
        changes: ConversationChanges, at: Int64
    ) throws {
        let name: String? = session.variables.first ?? nil
        // The interpreter acts on a timeout only while waiting; other deadlines are stale.
        let deadline = session.status == .waiting ? session.inactivityDeadline : nil
        let queue = session.queue == nil ? nil : changes.queueName
        let status = ConversationStatus(session.status).rawValue
        guard let previous else {
            try db.run(
                """
                INSERT INTO sessions (tenant, contact, session, status, contact_name, agent, queue, flow, state,
                    started_at, ended_at, handoff_at, agent_first_reply_at, inactivity_deadline, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    tenant, contact, SessionColumn.encode(session), status, name, session.agent, queue, changes.flow,
                    changes.stateName, session.startedAt, session.endedAt, session.handoffAt, session.agentFirstReplyAt,
                    deadline, at,
                ])
            return
        }
        var sql = """
            UPDATE sessions SET session = ?, contact_name = ?, queue = ?, flow = coalesce(?, flow),
                state = coalesce(?, state), ended_at = ?, handoff_at = ?, agent_first_reply_at = ?,
                inactivity_deadline = ?, updated_at = ?
            """
        var arguments: [(any DatabaseValueConvertible)?] = [
            SessionColumn.encode(session), name, queue, changes.flow, changes.stateName, session.endedAt,
            session.handoffAt, session.agentFirstReplyAt, deadline, at,
        ]
        if status != previous.status {
            sql += ", status = ?"
            arguments.append(status)
        }
        if session.agent != previous.agent {
            sql += ", agent = ?"
            arguments.append(session.agent)
        }
        if session.startedAt != previous.startedAt {
            sql += ", started_at = ?"
            arguments.append(session.startedAt)
        }
        sql += " WHERE tenant = ? AND contact = ?"
        arguments += [tenant, contact]
        try db.run(sql, StatementArguments(arguments))
    }
}
