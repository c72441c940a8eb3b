import Foundation
import Testing

@testable import Storage

// A new store holds personal data and consent evidence: its file, WAL and shared memory are the owner's only,
// whatever the process's umask. A store that already exists keeps the mode its operator gave it.

private func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int)
}

@Test func aNewStoreIsReadableByItsOwnerOnly() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let store = try SQLiteStore(path: path)
    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    #expect(try mode(path) == 0o600)
    #expect(try mode(path + "-wal") == 0o600)
    #expect(try mode(path + "-shm") == 0o600)
}

@Test func anExistingStoreKeepsItsMode() throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    _ = try SQLiteStore(path: path)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
    _ = try SQLiteStore(path: path)
    #expect(try mode(path) == 0o640)
}
