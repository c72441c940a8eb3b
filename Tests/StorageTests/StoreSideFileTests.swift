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
