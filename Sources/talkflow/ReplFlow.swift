import FlowCompiler
import FlowDiagnostics
import Foundation

/// Loads the flow the REPL talks to, at start and at `/reload`, with exactly the checks of `talkflow lint`
/// and the diagnostics output of `talkflow compile`: a flow with errors is never run.
enum ReplFlow {
    /// Why a flow could not be loaded.
    enum Failure: Error {
        /// The file could not be read; the message says why.
        case unreadable(String)
        /// The flow has errors (already printed on stderr).
        case errors
    }

    /// Reads, checks and compiles the flow at `path`. Its diagnostics, warnings included, are printed on
    /// stderr in the text format followed by the summary line, as `talkflow compile` prints them.
    static func load(_ path: String, colors: Bool) -> Result<StateMachine, Failure> {
        switch FileCheck.run(path: path) {
        case .unreadable(_, let message):
            return .failure(.unreadable(message))
        case .checked(let file, let flow, let lock):
            let files = FileCheck.files(file, lock)
            if files.contains(where: { !$0.diagnostics.isEmpty }) {
                Console.err(TextRenderer.render(files: files, colors: colors))
                Console.err(TextRenderer.summary(files: files) + "\n")
            }
            guard files.allSatisfy({ $0.errorCount == 0 }), let flow else { return .failure(.errors) }
            return .success(MachineCompiler.compile(flow))
        }
    }
}
