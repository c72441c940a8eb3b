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
        self = .sqlite(path: String(path))
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        }
    }
}
