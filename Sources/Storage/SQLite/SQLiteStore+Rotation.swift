import GRDB

extension SQLiteStore {
    public func nextAgent(tenant: String, queue: String, agents: [String]) async throws -> AgentAssignment? {
        guard !agents.isEmpty else { return nil }
        return try await pool.writeWithoutTransaction { db in
            var assignment: AgentAssignment?
            try db.inTransaction(.immediate) {
                assignment = try Self.nextAgent(db, tenant: tenant, queue: queue, agents: agents)
                return .commit
            }
            return assignment
        }
    }

    /// Takes the queue's next turn inside the caller's write transaction: one statement reads and advances
    /// the position, and the transaction holds SQLite's write lock (`BEGIN IMMEDIATE`), so no other
    /// connection or process can take the same turn.
    static func nextAgent(_ db: Database, tenant: String, queue: String, agents: [String]) throws -> AgentAssignment? {
        guard !agents.isEmpty else { return nil }
        let advance = try DirectStatement(
            db,
            """
            INSERT INTO rotations (tenant, queue, turn) VALUES (?, ?, 1)
            ON CONFLICT (tenant, queue) DO UPDATE SET turn = turn + 1
            RETURNING turn
            """)
        advance.bind(1, tenant)
        advance.bind(2, queue)
        let next = try advance.step() ? advance.int64(0) : nil
        try advance.run()
        let turn = (next ?? 1) - 1
        return AgentAssignment(agent: agents[Int(turn % Int64(agents.count))], turn: turn)
    }
}
