import GRDB

extension SQLiteStore {
    @discardableResult
    public func purgeProcessedMessageIDs(before time: Int64) async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run("DELETE FROM processed_messages WHERE at < ?", [time])
                count = db.changesCount
                // Statuses for messages never reported sent are as stale as the ids.
                try db.run("DELETE FROM early_statuses WHERE at < ?", [time])
                return .commit
            }
            return count
        }
    }

    @discardableResult
    public func purgeConversationLog(tenant: String, before time: Int64) async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.immediate) {
                try db.run(
                    """
                    DELETE FROM conversation_log
                    WHERE tenant = ? AND at < ? AND (status IS NULL OR status NOT IN ('pending', 'sending'))
                    """, [tenant, time])
                count = db.changesCount
                return .commit
            }
            return count
        }
    }
}
