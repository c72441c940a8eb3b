import FlowDiagnostics
import Foundation

/// The files kept beside a store: SQLite's write-ahead log, shared memory and rollback journal, and the
/// server's sender lock (`SoleSenderLock`). One that is not a regular file (a folder, a FIFO left by another
/// tool) makes SQLite answer "disk I/O error" and the lock a bare POSIX error, neither naming the file at fault;
/// checked before either touches them, the error names it. A symbolic link is not followed: SQLite refuses to
/// open its journal through one, and the lock, written with the server's pid, would overwrite the file it
/// points to (a configuration, anything the server's user may write).
enum StoreSideFile {
    static let suffixes = ["-wal", "-shm", "-journal", "-sender.lock"]

    /// The most bytes a file name may have (Linux's `NAME_MAX`).
    static let longestName = 255

    /// Throws `StorageError.nameTooLong` when a side file's name would be longer than a file name may be: the
    /// store would be created, then its lock refused with a bare system error.
    static func checkNameLength(storePath: String) throws {
        let name = storePath.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? storePath
        let longest = suffixes.map(\.utf8.count).max() ?? 0
        guard name.utf8.count + longest <= longestName else {
            throw StorageError.nameTooLong(name: name, bytes: name.utf8.count, limit: longestName - longest)
        }
    }

    /// Throws `StorageError.sideFileNotRegular` for the first side file of the store at `storePath` that exists
    /// and is not a regular file, a symbolic link included.
    static func check(storePath: String, suffixes: [String] = suffixes) throws {
        for suffix in suffixes {
            let path = storePath + suffix
            var info = stat()
            if SystemPath.lstat(path, &info) == 0, let kind = FileKind.irregular(info) {
                throw StorageError.sideFileNotRegular(path: path, kind: kind)
            }
        }
    }
}
