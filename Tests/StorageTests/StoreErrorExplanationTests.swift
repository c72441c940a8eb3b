import Foundation
import GRDB
import Testing

@testable import Storage

/// A store that cannot be opened is explained in words an operator can act on, without GRDB's statement.
@Test func storeOpenErrorsAreExplained() throws {
    let folder = try TestFolder()
    let text = folder.path("notes.txt")
    try Data(String(repeating: "not a database ", count: 20).utf8).write(to: URL(fileURLWithPath: text))
    do {
        _ = try SQLiteStore(path: text)
        Issue.record("a text file opened as a store")
    } catch {
        let explained = StoreErrorExplanation.explain(error)
        #expect(explained.hasPrefix("SQLite error 26: file is not a database (the file is not a SQLite database"))
        #expect(!explained.contains("PRAGMA"))
    }
    do {
        _ = try SQLiteStore(path: folder.path("missing-folder/store.sqlite"))
        Issue.record("a store opened in a folder that does not exist")
    } catch {
        #expect(StoreErrorExplanation.explain(error).contains("in a folder that exists"), "\(error)")
    }
}

/// A read-only command is not told the store must be writable (hostile2 #7.2), and an I/O error names the usual
/// cause, a full disk (hostile2 #7.1: "disk I/O error" alone).
@Test func readOnlyAndIOErrorsSayWhatToDo() {
    let readOnly = DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database")
    #expect(
        StoreErrorExplanation.explain(readOnly).hasSuffix(
            "(the file or its folder is read-only for this user; the store must be writable)"))
    let reading = StoreErrorExplanation.explain(readOnly, reading: true)
    #expect(reading.contains("SQLite must create the store's -wal and -shm files beside it"))
    #expect(reading.contains("copy the store (with its -wal) to a writable folder"))
    #expect(!reading.contains("must be writable"))
    let io = StoreErrorExplanation.explain(DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error"))
    #expect(io.hasPrefix("SQLite error 10: disk I/O error (the disk may be full"))
}
