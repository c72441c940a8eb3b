import Foundation
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
