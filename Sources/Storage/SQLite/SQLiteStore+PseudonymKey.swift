import Foundation
import GRDB

extension SQLiteStore {
    public func pseudonymKey() async throws -> [UInt8] {
        try await pool.read { db in
            guard
                let key = try Data.fetchOne(
                    db, sql: "SELECT key FROM installation_keys WHERE name = 'conversation_ids'"),
                key.count == 32
            else {
                throw StorageError.corruptRow(table: "installation_keys", detail: "no 32-byte conversation id key")
            }
            return Array(key)
        }
    }
}
