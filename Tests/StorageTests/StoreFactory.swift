import Foundation
import Storage
import Testing

// The storage suite is written against `ConversationStore`, parameterised by a factory: a PostgreSQL store
// joins by adding its factory to `StoreFactory.all`. Tests of what only SQLite has (its triggers seen through
// raw SQL, two connection pools on one file) open `SQLiteStore` themselves.

/// Opens stores of one implementation in a test's own folder. Opening again in the same folder reaches the
/// same data: a restart of the server.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let open: @Sendable (TestFolder) throws -> any ConversationStore

    var testDescription: String { name }

    static let sqlite = StoreFactory(name: "sqlite") { folder in
        try SQLiteStore(path: folder.path("store.db"), options: SQLiteStore.Options(durability: .process))
    }

    /// Every implementation the suite runs against.
    static let all: [StoreFactory] = [.sqlite]
}

/// A fresh temporary folder, removed with its contents when the test lets go of it.
final class TestFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "talkflow-storage-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
