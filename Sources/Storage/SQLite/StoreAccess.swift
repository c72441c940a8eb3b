import FlowDiagnostics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which file of a store this process may not open, in words an operator can act on. The usual case: a first
/// run as root created the store and its side files (mode `0600`), then the service runs as its own user
/// (`User=talkflow`) and SQLite's "unable to open database file", or the lock's "Permission denied", names
/// neither the file nor its owner.
public enum StoreAccess {
    /// The store's files, in the order they are opened.
    static let suffixes = ["", "-wal", "-shm", "-sender.lock"]

    /// `permission denied on 'F' (owner root, mode 0600) for the user nobody: …`, for the first file of the
    /// store at `storePath` (the database, its `-wal`, `-shm` or `-sender.lock`) that exists and that this
    /// process may not read and write; `nil` when every one it finds is open to it.
    public static func problem(storePath: String) -> String? {
        for suffix in suffixes {
            let file = storePath + suffix
            var info = stat()
            guard SystemPath.stat(file, &info) == 0 else { continue }
            guard SystemPath.withCString(file, { access($0, R_OK | W_OK) }) != 0, errno == EACCES else { continue }
            let owner = userName(info.st_uid)
            let user = userName(geteuid())
            let digits = String(info.st_mode & 0o777, radix: 8)
            let mode = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            return "permission denied on '\(SystemPath.display(file))' (owner \(owner), mode \(mode)) for the user "
                + "\(user): give the store's files to that user (chown \(user) '\(SystemPath.display(storePath))'*) "
                + "or run talkflow as \(owner)"
        }
        return nil
    }

    /// The name of the user `uid`, or `uid N` when it has none.
    public static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
