import GRDB

extension SQLiteStore {
    @discardableResult
    public func purgeProcessedMessageIDs(before time: Int64, limit: Int) async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run(
                    """
                    DELETE FROM processed_messages WHERE (tenant, message_id) IN (
                        SELECT tenant, message_id FROM processed_messages INDEXED BY processed_by_time
                        WHERE at < ? ORDER BY at LIMIT ?)
                    """, [time, Int64(limit)])
                count = db.changesCount
                // Statuses for messages never reported sent are as stale as the ids; all of them in the first batch
                // (the table is small: statuses of sends another tool made from the same number).
                try db.run("DELETE FROM early_statuses WHERE at < ?", [time])
                return .commit
            }
            return count
        }
    }

    /// A tenant's log lines older than a time, but for messages still in the outbox (arguments: tenant, time);
    /// found through `log_by_time`, which holds time and tenant: left to itself, the planner would rather walk
    /// all of the tenant's lines through `log_thread`, reading each row for its time.
    static let purgeLogSQL = """
        DELETE FROM conversation_log WHERE seq IN (
            SELECT seq FROM conversation_log INDEXED BY log_by_time
            WHERE tenant = ? AND at < ? AND (status IS NULL OR status NOT IN ('pending', 'sending'))
            ORDER BY at LIMIT ?)
        """

    @discardableResult
    public func purgeConversationLog(tenant: String, before time: Int64, limit: Int) async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run(Self.purgeLogSQL, [tenant, time, Int64(limit)])
                count = db.changesCount
                // The figures an erasure kept of a conversation go when its lines would have.
                try db.run("DELETE FROM erased_conversations WHERE tenant = ? AND started_at < ?", [tenant, time])
                return .commit
            }
            return count
        }
    }
}
