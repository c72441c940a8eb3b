import FlowDiagnostics
import Foundation

/// The only place the command line writes to the terminal, so that every command keeps the same rule: stdout
/// carries the requested output (diagnostics, a machine, a rule list), stderr carries everything else.
enum Console {
    /// Writes to standard output as is; a closed or full stdout is ignored rather than crashing the tool.
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    /// Writes to standard error as is.
    static func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Reports a problem that is not a diagnostic of a flow (a file that cannot be read, an output that cannot
    /// be written) as one line on stderr, `talkflow: error: …`, so that stdout stays machine-readable.
    /// The message usually quotes input (a path, a tenant, a host), so it is printed as diagnostics are
    /// (`VisibleText`): a control character cannot drive the terminal or break the line, an invisible one shows.
    static func error(_ message: String) {
        err("talkflow: error: \(VisibleText.of(message))\n")
    }
}
