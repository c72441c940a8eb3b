/// Why a store refused or failed a call, beyond the database's own errors (which are thrown as they are).
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `--store` value is not a location this build understands (`sqlite:PATH`).
    case invalidLocation(String)
    /// The `sqlite:` path is a name SQLite reads as something other than a file (`:memory:`, a `file:` URI): a
    /// store there would not be the file every other command and the next start read. The associated text says
    /// how SQLite reads it.
    case notAFilePath(String)
    /// The database was written by a newer talkflow: it has migrations this build does not know, so using it
    /// could lose data.
    case unknownMigrations([String])
    /// The file is a SQLite database without talkflow's schema: another program's data, which talkflow must not
    /// turn into a store by adding its tables (or, for a reader, a file with nothing to read).
    case notATalkflowStore
    /// The path names something that is not a regular file (`kind`: "a folder", "a FIFO", "a device"…, in
    /// `FileKind`'s words). Refused before SQLite opens it: SQLite would wait forever on a FIFO and answer a
    /// folder or a device with a bare "disk I/O error".
    case notARegularFile(kind: String)
    /// A file SQLite or the server keeps beside the store (`path`: its `-wal`, `-shm`, `-journal` or
    /// `-sender.lock`) exists and is not a regular file (`kind`, as for `notARegularFile`).
    case sideFileNotRegular(path: String, kind: String)
    /// The store's file name (`name`, `bytes` long) leaves no room for the files kept beside it: at most `limit`
    /// bytes, so that `<name>-sender.lock` fits in a file name.
    case nameTooLong(name: String, bytes: Int, limit: Int)
    /// The store's file (`path`) was deleted or replaced while this process had it open.
    case storeReplaced(path: String)
    /// The store's file is missing but its write-ahead log (`path`) is there: the store was moved or deleted,
    /// and a new empty one would silently lose what it held.
    case journalWithoutStore(path: String)
    /// A stored value could not be decoded (a damaged row, or one written by an incompatible version).
    case corruptRow(table: String, detail: String)

    public var description: String {
        switch self {
        case .invalidLocation(let value):
            return "invalid store '\(value)': expected sqlite:PATH"
        case .notAFilePath(let reading):
            return "the store must be a file path, such as sqlite:talkflow.sqlite; \(reading)"
        case .unknownMigrations(let names):
            return "the database has migrations this talkflow does not know (\(names.joined(separator: ", "))); "
                + "use a newer talkflow"
        case .notATalkflowStore:
            return "not a talkflow store (a SQLite file without talkflow's schema, perhaps another program's); "
                + "name the store talkflow serve writes"
        case .notARegularFile(let kind):
            return "not a regular file (\(kind)); the store must be a SQLite file, which talkflow serve creates "
                + "when it is missing"
        case .sideFileNotRegular(let path, let kind):
            return "'\(path)' beside the store is not a regular file (\(kind)); SQLite and talkflow keep the "
                + "store's journal and lock there: with no server running, move it away and start again"
        case .nameTooLong(_, let bytes, let limit):
            return "the store's file name is \(bytes) bytes; the files kept beside it ('-sender.lock', '-wal') add "
                + "to it, so it may have at most \(limit) bytes: choose a shorter name"
        case .storeReplaced(let path):
            return "the store '\(path)' was deleted or replaced while the server runs: what it writes now would "
                + "vanish when it stops; restart the server (and restore the store if it was deleted)"
        case .journalWithoutStore(let path):
            return "'\(path)' exists without the store it belongs to: the store was moved or deleted (its last "
                + "writes may be in that file); put the store back (Docs/operations.md, Backups), or, to start an "
                + "empty store on purpose, move '\(path)' and its '-shm' away"
        case .corruptRow(let table, let detail):
            return "unreadable row in \(table): \(detail)"
        }
    }
}
