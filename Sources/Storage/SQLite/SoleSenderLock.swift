import FlowDiagnostics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The claim of one server to be the only sender of a SQLite store: an exclusive `flock` on `<store>-sender.lock`,
/// held until the process ends (the kernel drops it with the process, even after `kill -9`). The server releases
/// the outbox claims of a previous run at start-up (`releaseOutboxClaims`), which is right only when no other
/// server is sending from the same file: a second `talkflow serve` on the store (a mistaken restart, a copy on
/// another port) would otherwise release the running server's claims and send its messages twice.
public final class SoleSenderLock: Sendable {
    /// Another process holds the lock.
    public struct Held: Error, CustomStringConvertible {
        public var lockFile: String
        /// The holder's process id, as it wrote it, when readable.
        public var holder: Int32?

        public var description: String {
            "another talkflow serve\(holder.map { " (pid \($0))" } ?? "") is already serving this store; a SQLite "
                + "store serves one server at a time (its lock is \(lockFile)): stop that server first"
        }
    }

    private let descriptor: Int32

    /// Takes the lock of the store at `storePath`, or throws `Held` (or a `POSIXError` when the lock file cannot
    /// be created).
    public init(storePath: String) throws {
        // The lock sits beside the store's own file: a store reached through a symbolic link (a second
        // configuration naming `link.sqlite`) must meet the same lock, not one beside the link. (A folder that is
        // a link needs nothing: the lock beside the name is the same file either way.)
        var info = stat()
        let isLink = SystemPath.lstat(storePath, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
        let storePath = isLink ? (SystemPath.realpath(storePath) ?? storePath) : storePath
        let lockFile = storePath + "-sender.lock"
        try StoreSideFile.check(storePath: storePath, suffixes: ["-sender.lock"])
        // O_NOFOLLOW: a link put there after the check is refused rather than followed to the file it names.
        let fd = SystemPath.open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
            throw Held(lockFile: lockFile, holder: Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}
