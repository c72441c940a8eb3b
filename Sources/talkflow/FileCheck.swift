import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation

/// What checking one file on disk gave: its diagnostics (and the flow, for `compile`), or why it could not be
/// read. Lint and compile share it so that both treat files exactly alike.
enum FileCheck {
    /// The flow file's diagnostics, the flow when it could be decoded, and the diagnostics of its consent lock
    /// when the lock file beside it has problems (they are the lock file's own, at its lines).
    case checked(FileDiagnostics, flow: Flow?, lock: FileDiagnostics?)
    case unreadable(path: String, message: String)

    /// Reads and checks one file, with the consent lock beside it if there is one. A file over the loader's size
    /// limit is never read: it gets `yaml_too_large` at 1:1, the diagnostic the loader itself would give.
    /// `locks`: a consent lock named on the command line (`talkflow lint default.consent.lock`) is checked as a
    /// lock, not as a flow.
    static func run(path: String, limits: LoaderLimits = .default, locks: Bool = false) -> FileCheck {
        if locks, path.hasSuffix(".consent.lock") {
            switch BoundedFileReader.read(path, limit: ConsentLock.maxBytes) {
            case .failure(let message): return .unreadable(path: path, message: message)
            case .tooLarge(let size):
                return .checked(ConsentLockFile.tooLarge(path, size: size), flow: nil, lock: nil)
            case .bytes(let bytes):
                let loaded = ConsentLock.load(bytes: bytes)
                let file =
                    loaded.problems(path: path)
                    ?? FileDiagnostics(path: path, source: String(decoding: bytes, as: UTF8.self), diagnostics: [])
                return .checked(file, flow: nil, lock: nil)
            }
        }
        // Read as a flow, a lock only gives errors about keys a flow lacks; say what it is instead.
        if let notAFlow = ConsentLockFile.notAFlow(path) { return .unreadable(path: path, message: notAFlow) }
        switch BoundedFileReader.read(path, limit: limits.maxBytes) {
        case .failure(let message):
            return .unreadable(path: path, message: message)
        case .tooLarge(let size):
            let diagnostics = YAMLLoader.tooLarge(size: size, limits: limits).diagnostics
            return .checked(
                FileDiagnostics(path: path, source: nil, diagnostics: diagnostics), flow: nil, lock: nil)
        case .bytes(let bytes):
            let lock = ConsentLockFile.read(forFlow: path)
            let result = FlowChecker.check(bytes: bytes, limits: limits, consentLock: lock.lock)
            let source = String(decoding: result.source.bytes, as: UTF8.self)
            return .checked(
                FileDiagnostics(path: path, source: source, diagnostics: result.diagnostics), flow: result.flow,
                lock: lock.problems)
        }
    }

    /// Every file with something to report, the flow first.
    static func files(_ flow: FileDiagnostics, _ lock: FileDiagnostics?) -> [FileDiagnostics] {
        [flow] + (lock.map { [$0] } ?? [])
    }
}
