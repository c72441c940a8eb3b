import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// What checking one file on disk gave: its diagnostics (and the flow, for `compile`), or why it could not be
/// read. Lint and compile share it so that both treat files exactly alike.
enum FileCheck {
    case checked(FileDiagnostics, flow: Flow?)
    case unreadable(path: String, message: String)

    /// Reads and checks one file. A file over the loader's size limit is never read: it gets `yaml_too_large`
    /// at 1:1, the diagnostic the loader itself would give.
    static func run(path: String, limits: LoaderLimits = .default) -> FileCheck {
        switch FlowReader.read(path, limit: limits.maxBytes) {
        case .failure(let message):
            return .unreadable(path: path, message: message)
        case .tooLarge(let size):
            let diagnostic = SyntaxRules.tooLarge.diagnostic(
                "file is \(size) bytes; the limit is \(limits.maxBytes) bytes", at: .fileStart)
            return .checked(FileDiagnostics(path: path, source: nil, diagnostics: [diagnostic]), flow: nil)
        case .bytes(let bytes):
            let result = FlowChecker.check(bytes: bytes, limits: limits)
            let source = String(decoding: result.source.bytes, as: UTF8.self)
            return .checked(
                FileDiagnostics(path: path, source: source, diagnostics: result.diagnostics), flow: result.flow)
        }
    }
}
