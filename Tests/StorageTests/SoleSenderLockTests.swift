import Foundation
import Testing

@testable import Storage

/// One server at a time sends from a SQLite store: a second one is refused (naming the first's pid) instead of
/// releasing the first one's outbox claims, and the lock is free again once its holder is gone.
@Test func aSecondSenderOfTheSameStoreIsRefusedUntilTheFirstIsGone() throws {
    let folder = try TestFolder()
    let path = folder.path("store.sqlite")
    var first: SoleSenderLock? = try SoleSenderLock(storePath: path)
    let refusal = #expect(throws: SoleSenderLock.Held.self) { try SoleSenderLock(storePath: path) }
    #expect(refusal?.holder == getpid())
    #expect(refusal?.description.contains("already serving this store") == true)
    #expect(first != nil)
    first = nil
    // Free once closed. A child process another test forks at this moment shares the open lock file until it
    // runs its program (the descriptor is close-on-exec), so allow it a moment.
    var second: SoleSenderLock?
    for _ in 0..<100 where second == nil {
        second = try? SoleSenderLock(storePath: path)
        if second == nil { Thread.sleep(forTimeInterval: 0.02) }
    }
    #expect(second != nil)
    // Another store is another lock.
    _ = try SoleSenderLock(storePath: folder.path("other.sqlite"))
}

/// A store reached through a symbolic link is the same store: the second server meets the first one's lock,
/// which names the store's own file.
@Test func aStoreNamedThroughALinkMeetsTheSameLock() throws {
    let folder = try TestFolder()
    let path = folder.path("store.sqlite")
    FileManager.default.createFile(atPath: path, contents: Data())
    try FileManager.default.createSymbolicLink(atPath: folder.path("link.sqlite"), withDestinationPath: path)
    let first = try SoleSenderLock(storePath: path)
    let refusal = #expect(throws: SoleSenderLock.Held.self) {
        try SoleSenderLock(storePath: folder.path("link.sqlite"))
    }
    #expect(refusal?.lockFile.hasSuffix("/store.sqlite-sender.lock") == true, "\(refusal?.lockFile ?? "")")
    #expect(!FileManager.default.fileExists(atPath: folder.path("link.sqlite-sender.lock")))
    withExtendedLifetime(first) {}
}
