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
