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

    /// Takes the queue's next turn inside the caller's write transaction, which holds SQLite's write lock
    /// (`BEGIN IMMEDIATE`), so no other connection or process can take the same turn. While the queue's agents
    /// stay the same, turn `n` is `agents[n % count]`. When a reload changed them, the rotation goes on from the
    /// last agent assigned: the next is the one after them in the new list, or, when they left it, the first
    /// agent after them in the old list who is still there (no agent twice in a row, nobody skipped); the turn
    /// moves on to the next number that names that agent, so `agent == agents[turn % count]` holds again.
    static func nextAgent(_ db: Database, tenant: String, queue: String, agents: [String]) throws -> AgentAssignment? {
        guard !agents.isEmpty else { return nil }
        let count = Int64(agents.count)
        var turn: Int64 = 0
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT turn, agents FROM rotations WHERE tenant = ? AND queue = ?"),
            arguments: [tenant, queue])
        {
            let taken: Int64 = row[0]
            turn = taken
            let stored: String? = row[1]
            if let stored, let old = RotationAgents.decode(stored), !old.isEmpty, old != agents {
                let index = RotationAgents.nextIndex(
                    after: old[Int((taken - 1) % Int64(old.count))], old: old, new: agents)
                turn = taken + (Int64(index) - taken % count + count) % count
            }
        }
        try db.execute(
            sql: """
                INSERT INTO rotations (tenant, queue, turn, agents) VALUES (?1, ?2, ?3 + 1, ?4)
                ON CONFLICT (tenant, queue) DO UPDATE SET turn = ?3 + 1, agents = ?4
                """, arguments: [tenant, queue, turn, RotationAgents.encode(agents)])
        return AgentAssignment(agent: agents[Int(turn % count)], turn: turn)
    }
}
