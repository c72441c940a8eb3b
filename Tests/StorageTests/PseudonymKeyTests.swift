import Foundation
import GRDB
import Testing

@testable import Storage

// The key behind pseudonymous conversation ids: made once per store at random, the same after every reopen
// (else a conversation's id would change with a restart), different for another store, and never changed.

@Test func thePseudonymKeyIsRandomPerStoreStableAcrossReopeningAndNeverChanges() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let first = try await SQLiteStore(path: path).pseudonymKey()
    #expect(first.count == 32)
    #expect(Set(first).count > 8, "32 random bytes, not a constant")
    for _ in 0..<2 { #expect(try await SQLiteStore(path: path).pseudonymKey() == first) }
    #expect(try await SQLiteStore(path: folder.path("other.db")).pseudonymKey() != first)

    let raw = try DatabaseQueue(path: path)
    try await raw.write { db in
        #expect(throws: DatabaseError.self) {
            try db.execute(sql: "UPDATE installation_keys SET key = zeroblob(32)")
        }
        #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM installation_keys") }
        #expect(throws: DatabaseError.self) {
            try db.execute(sql: "INSERT INTO installation_keys (name, key) VALUES ('conversation_ids', zeroblob(32))")
        }
    }
    #expect(try await SQLiteStore(path: path).pseudonymKey() == first)
}

/// `INSERT OR REPLACE` deletes the key it displaces without firing the delete trigger, and an upsert turns the
/// insert into an update: both are refused, so no client can swap the key (every conversation id would change,
/// and ids already in logs would no longer match). A new store still makes its key.
@Test func noClientReplacesThePseudonymKey() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let first = try await SQLiteStore(path: path).pseudonymKey()
    let raw = try DatabaseQueue(path: path)
    for sql in [
        "INSERT OR REPLACE INTO installation_keys VALUES ('conversation_ids', randomblob(32))",
        "REPLACE INTO installation_keys (name, key) VALUES ('conversation_ids', zeroblob(32))",
        """
        INSERT INTO installation_keys (name, key) VALUES ('conversation_ids', zeroblob(32))
        ON CONFLICT (name) DO UPDATE SET key = excluded.key
        """,
        "UPDATE OR REPLACE installation_keys SET key = zeroblob(32)",
    ] {
        let error = #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
        #expect(error?.message == "installation keys never change", "\(sql)")
    }
    #expect(try await SQLiteStore(path: path).pseudonymKey() == first)
    let fresh = try await SQLiteStore(path: folder.path("new.db")).pseudonymKey()
    #expect(fresh.count == 32 && fresh != first)
}
