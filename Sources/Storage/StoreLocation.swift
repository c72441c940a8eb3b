/// Where a store lives, as given on the command line (`--store sqlite:PATH`). A `postgres:` form can be added
/// beside `sqlite` without changing the callers, which only pass the parsed value to `openStore`.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file (created if missing), with its `-wal` and `-shm` files beside it.
    case sqlite(path: String)

    /// Parses `sqlite:PATH` (`sqlite://PATH` also accepted, so `sqlite:///var/lib/talkflow.db` works).
    public init(parsing text: String) throws {
        guard text.hasPrefix("sqlite:") else { throw StorageError.invalidLocation(text) }
        var path = Substring(text.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path = path.dropFirst(2) }
        guard !path.isEmpty else { throw StorageError.invalidLocation(text) }
        if let reading = Self.specialReading(path) { throw StorageError.notAFilePath(reading) }
        self = .sqlite(path: String(path))
    }

    /// How SQLite reads `path` when it is not a file name: `:memory:` is a database in memory, lost at exit, and
    /// a name starting with `file:` is a URI (`file:x.db?mode=memory` is in memory too). `nil` for a file name.
    static func specialReading(_ path: Substring) -> String? {
        if path == ":memory:" {
            return "SQLite reads ':memory:' as a database kept in memory, lost when talkflow exits"
        }
        if path.hasPrefix("file:") {
            return "SQLite reads a name starting with 'file:' as a URI, not as a file name "
                + "(write ./file:… for a file of that name)"
        }
        return nil
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        }
    }
}
