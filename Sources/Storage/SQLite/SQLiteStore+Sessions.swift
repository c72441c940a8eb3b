import FlowRuntime
import GRDB

extension SQLiteStore {
    public func session(tenant: String, contact: String) async throws -> Session? {
        try await pool.read { db in try Self.loadSession(db, tenant: tenant, contact: contact, coder: ColumnCoder()) }
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

    /// The stored session with the ledger's consent, or `nil`.
    static func loadSession(_ db: Database, tenant: String, contact: String, coder: ColumnCoder) throws -> Session? {
        guard let row = try db.row("SELECT session FROM sessions WHERE tenant = ? AND contact = ?", [tenant, contact])
        else { return nil }
        var session = try SessionColumn.decode(row[0])
        let consent = try derivedConsent(db, tenant: tenant, contact: contact)
        session.consent.acceptedVersion = consent.acceptedVersion
        session.consent.optIn = consent.optIn
        return session
    }

    /// Inserts or replaces the session with its indexed facts.
    static func saveSession(
        _ db: Database, tenant: String, contact: String, session: Session, changes: ConversationChanges, at: Int64,
        coder: ColumnCoder
    ) throws {
        let name: String? = session.variables.first ?? nil
        // The interpreter acts on a timeout only while waiting; other deadlines are stale.
        let deadline = session.status == .waiting ? session.inactivityDeadline : nil
        let queue = session.queue == nil ? nil : changes.queueName
        try db.run(
            """
            INSERT INTO sessions (tenant, contact, session, status, contact_name, agent, queue, flow, state,
                started_at, ended_at, handoff_at, agent_first_reply_at, inactivity_deadline, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant, contact) DO UPDATE SET session = excluded.session, status = excluded.status,
                contact_name = excluded.contact_name, agent = excluded.agent, queue = excluded.queue,
                flow = coalesce(excluded.flow, flow), state = coalesce(excluded.state, state),
                started_at = excluded.started_at, ended_at = excluded.ended_at, handoff_at = excluded.handoff_at,
                agent_first_reply_at = excluded.agent_first_reply_at,
                inactivity_deadline = excluded.inactivity_deadline, updated_at = excluded.updated_at
            """,
            [
                tenant, contact, SessionColumn.encode(session), ConversationStatus(session.status).rawValue, name,
                session.agent, queue, changes.flow, changes.stateName, session.startedAt, session.endedAt,
                session.handoffAt, session.agentFirstReplyAt, deadline, at,
            ])
    }
}
