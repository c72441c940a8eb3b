import GRDB

/// Why a store could not be opened or read, in words an operator can act on: SQLite's result code and message
/// (not the statement GRDB was running, which says nothing to them) and, for the usual causes, what to do.
public enum StoreErrorExplanation {
    /// `reading`: the command only reads (`talkflow consent export`), so a read-only file is not the problem;
    /// SQLite still needs to create the `-wal` and `-shm` files beside it when they are missing.
    public static func explain(_ error: any Error, reading: Bool = false) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        let code = error.resultCode
        let base = "SQLite error \(code.rawValue): \(error.message ?? "\(code)")"
        let hint: String?
        switch code {
        case .SQLITE_NOTADB: hint = "the file is not a SQLite database; check the path"
        case .SQLITE_CANTOPEN:
            hint = "the path must name a file (not a folder) in a folder that exists and that talkflow may write"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            hint =
                reading
                ? "SQLite must create the store's -wal and -shm files beside it, and the folder is read-only for "
                    + "this user; run as the store's owner, or copy the store (with its -wal) to a writable folder "
                    + "and read the copy"
                : "the file or its folder is read-only for this user; the store must be writable"
        case .SQLITE_IOERR:
            hint =
                "the disk may be full (SQLite could not create or grow the store's -wal or -shm files), or the "
                + "file system failed; free space or check the disk, and try again"
        case .SQLITE_CORRUPT: hint = "the file is damaged; restore the latest backup (Docs/operations.md)"
        case .SQLITE_FULL: hint = "the disk is full"
        case .SQLITE_BUSY, .SQLITE_LOCKED: hint = "another process holds the database; try again"
        default: hint = nil
        }
        return hint.map { base + " (\($0))" } ?? base
    }
}
