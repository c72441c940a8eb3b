import FlowDiagnostics
import Foundation

/// The consent lock beside a flow file on disk (`ConsentLock.path(forFlow:)`). No lock file is no lock; a lock
/// file that cannot be read or used is an error in it, and the flow is then checked as if it had none.
public enum ConsentLockFile {
    /// The lock beside the flow at `flowPath`, read as `talkflow lint` and `talkflow serve` both read it.
    public static func read(forFlow flowPath: String) -> (lock: ConsentLock?, problems: FileDiagnostics?) {
        let path = ConsentLock.path(forFlow: flowPath)
        var info = stat()
        guard SystemPath.stat(path, &info) == 0 || errno != ENOENT else { return (nil, nil) }
        switch BoundedFileReader.read(path, limit: ConsentLock.maxBytes) {
        case .failure(let message):
            return (nil, ConsentLock.unusable(path: path, "cannot read the consent lock: \(message)"))
        case .tooLarge(let size):
            return (nil, tooLarge(path, size: size))
        case .bytes(let bytes):
            let loaded = ConsentLock.load(bytes: bytes)
            return (loaded.lock, loaded.problems(path: path))
        }
    }

    /// Why the file at `path` cannot be read as a flow when it is a consent lock (`default.consent.lock`, which tab
    /// completion offers right after `default.`): it names the flow to give instead, the `.yaml` beside it (or the
    /// `.yml`, when only that exists). `nil` for any other name.
    public static func notAFlow(_ path: String) -> String? {
        let suffix = ".consent.lock"
        guard path.hasSuffix(suffix), path.count > suffix.count else { return nil }
        let stem = String(path.dropLast(suffix.count))
        var flow = stem + ".yaml"
        var info = stat()
        if stat(flow, &info) != 0, stat(stem + ".yml", &info) == 0 { flow = stem + ".yml" }
        return "it is a consent lock, not a flow; name its flow, '\(flow)'"
    }

    /// A lock file over `ConsentLock.maxBytes`, which is not read.
    public static func tooLarge(_ path: String, size: Int) -> FileDiagnostics {
        ConsentLock.unusable(
            path: path, "the consent lock is \(size) bytes; the limit is \(ConsentLock.maxBytes) bytes")
    }
}
