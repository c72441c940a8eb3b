import FlowDiagnostics
import Foundation

/// The only place the command line writes to the terminal, so that every command keeps the same rule: stdout
/// carries the requested output (diagnostics, a machine, a rule list), stderr carries everything else.
enum Console {
    /// Writes to standard output as is; a closed or full stdout is ignored rather than crashing the tool.
    /// A byte of a file name that is not UTF-8 is printed as U+FFFD (`SystemPath.display`), in every format.
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(SystemPath.display(text).utf8))
    }

    /// Writes to standard error as is (file names' bytes that are not UTF-8 as U+FFFD).
    static func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(SystemPath.display(text).utf8))
    }

    /// Reports a problem that is not a diagnostic of a flow (a file that cannot be read, an output that cannot
    /// be written) as one line on stderr, `talkflow: error: …`, so that stdout stays machine-readable.
    /// The message usually quotes input (a path, a tenant, a host), so it is printed as diagnostics are
    /// (`VisibleText`): a control character cannot drive the terminal or break the line, an invisible one shows.
    static func error(_ message: String) {
        err("talkflow: error: \(VisibleText.of(message))\n")
    }
}
