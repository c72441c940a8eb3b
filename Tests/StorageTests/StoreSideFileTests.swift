import Foundation
import Testing

@testable import Storage

/// A file beside the store that is not a regular file (its WAL a FIFO, its sender lock a folder) is named in the
/// error, with what to do, instead of "disk I/O error" or a Foundation error dump.
@Test(arguments: [("-wal", "a FIFO"), ("-shm", "a folder"), ("-sender.lock", "a folder")])
func aSideFileThatIsNotARegularFileIsNamed(_ suffix: String, _ kind: String) throws {
    let folder = try TestFolder()
    let path = folder.path("t.sqlite")
    if kind == "a FIFO" {
        #expect(mkfifo(path + suffix, 0o600) == 0)
    } else {
        try FileManager.default.createDirectory(atPath: path + suffix, withIntermediateDirectories: false)
    }
    let expected =
        "'\(path + suffix)' beside the store is not a regular file (\(kind)); SQLite and talkflow keep "
        + "the store's journal and lock there: with no server running, move it away and start again"
    do {
        if suffix == "-sender.lock" {
            _ = try SoleSenderLock(storePath: path)
        } else {
            _ = try SQLiteStore(path: path)
        }
        Issue.record("opened a store whose \(suffix) is \(kind)")
    } catch let error as StorageError {
        #expect("\(error)" == expected)
    }
}

/// A side file that is a symbolic link is refused, not followed (hostile2 #2: the sender lock, followed, wrote
/// the server's pid over the configuration it named). The file the link names is left as it was.
@Test(arguments: ["-sender.lock", "-wal"])
func aSideFileThatIsALinkIsRefusedAndItsTargetKept(_ suffix: String) throws {
    let folder = try TestFolder()
    let path = folder.path("t.sqlite")
    let precious = folder.path("config.yaml")
    try "server:\n  port: 8080\n".write(toFile: precious, atomically: false, encoding: .utf8)
    #expect(symlink(precious, path + suffix) == 0)
    do {
        if suffix == "-sender.lock" {
            _ = try SoleSenderLock(storePath: path)
        } else {
            _ = try SQLiteStore(path: path)
        }
        Issue.record("opened a store whose \(suffix) is a link")
    } catch let error as StorageError {
        #expect("\(error)".hasPrefix("'\(path + suffix)' beside the store is not a regular file (a symbolic link)"))
    }
    #expect(try String(contentsOfFile: precious, encoding: .utf8) == "server:\n  port: 8080\n")
}

/// A store whose file is gone but whose write-ahead log is there was moved or deleted: it is refused rather than
/// replaced by a new empty store beside the log (hostile2 #4: the consent ledger was silently gone).
@Test func aJournalWithoutItsStoreIsRefused() throws {
    let folder = try TestFolder()
    let path = folder.path("t.sqlite")
    try "x".write(toFile: path + "-wal", atomically: false, encoding: .utf8)
    do {
        _ = try SQLiteStore(path: path)
        Issue.record("opened a new store beside an orphaned -wal")
    } catch let error as StorageError {
        #expect(error == .journalWithoutStore(path: path + "-wal"))
        #expect("\(error)".hasPrefix("'\(path)-wal' exists without the store it belongs to"))
    }
    #expect(!FileManager.default.fileExists(atPath: path))
}

/// A store name that fits but whose lock name would not is refused before anything is created (hostile2 #7.5: the
/// store was created and migrated, then the lock failed with a Foundation error dump).
@Test func aStoreNameWithNoRoomForItsLockIsRefusedBeforeItIsCreated() throws {
    let folder = try TestFolder()
    let path = folder.path(String(repeating: "b", count: 240) + ".sqlite")
    do {
        _ = try SQLiteStore(path: path)
        Issue.record("opened a store whose lock name is too long")
    } catch let error as StorageError {
        #expect(
            "\(error)"
                == "the store's file name is 247 bytes; the files kept beside it ('-sender.lock', '-wal') add to it, "
                + "so it may have at most 243 bytes: choose a shorter name")
    }
    #expect(!FileManager.default.fileExists(atPath: path))
    _ = try SQLiteStore(path: folder.path(String(repeating: "c", count: 236) + ".sqlite"))
}

/// A store whose file was replaced (a restore while the server runs) or deleted refuses to take a message, so
/// that the webhook gets 500 and Meta delivers it again, instead of a write into a file that will vanish (hostile2
/// #4).
@Test func aStoreWhoseFileWasReplacedTakesNoMessage() async throws {
    let folder = try TestFolder()
    let path = folder.path("t.sqlite")
    let store = try SQLiteStore(path: path)
    try "other".write(toFile: path + ".new", atomically: false, encoding: .utf8)
    #expect(rename(path + ".new", path) == 0)
    do {
        _ = try await store.handleInbound(
            tenant: "t1", contact: "a", aliases: [], messageID: "wamid.1", receivedAt: Fixtures.monday
        ) { _, _ in ConversationChanges() }
        Issue.record("a message was taken by a store whose file was replaced")
    } catch let error as StorageError {
        #expect(error == .storeReplaced(path: path))
    }
    await #expect(throws: StorageError.storeReplaced(path: path)) {
        try await store.updateDeliveryStatus(
            tenant: "t1", messageID: "wamid.x", status: .read, at: Fixtures.monday, error: nil)
    }
}
