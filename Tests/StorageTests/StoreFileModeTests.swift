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

/// A store path that is a link to a file still to be made (a store kept on another volume) creates that file
/// through the link, the owner's only as any new store (SQLite had created it with the process's default mode).
@Test func aNewStoreThroughALinkIsReadableByItsOwnerOnly() async throws {
    let folder = try TestFolder()
    let target = folder.path("elsewhere.db")
    let link = folder.path("store.db")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    let store = try SQLiteStore(path: link)
    try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    #expect(try mode(target) == 0o600)
    #expect(try await store.consentHistory(tenant: "t1", contact: "c").records.count == 1)
}
