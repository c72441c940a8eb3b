import ArgumentParser
import Foundation

/// When text output gets ANSI colours. `auto` follows the terminal and the `NO_COLOR` convention, so that
/// colours never end up in a file or a CI log by accident.
enum ColorChoice: String, CaseIterable, ExpressibleByArgument {
    case auto
    case always
    case never

    /// Whether to colour text written to `descriptor`: `auto` means only when it is a terminal and `NO_COLOR`
    /// is unset or empty (https://no-color.org).
    func enabled(for descriptor: Int32) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
            return isatty(descriptor) != 0
        }
    }
}

/// How `talkflow lint` prints diagnostics: for people (`text`), scripts (`json`), code-scanning dashboards
/// (`sarif`) or GitHub Actions annotations (`github`).
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
    case sarif
    case github
}

/// What `talkflow compile` prints: the machine itself (`json`) or a diagram of it (`dot`, `mermaid`).
enum EmitFormat: String, CaseIterable, ExpressibleByArgument {
    case json
    case dot
    case mermaid
}

/// The exit codes of every command, in one place so that `--help`, Docs/cli.md and the tests agree.
enum Exit {
    /// No errors (warnings allowed unless `--strict`).
    static let clean = ExitCode(0)
    /// Diagnostics that fail the run: errors, or warnings under `--strict`.
    static let problems = ExitCode(1)
    /// A file could not be read (or the output could not be written); everything else was still checked.
    static let unreadable = ExitCode(2)
    /// The command line itself is wrong (EX_USAGE).
    static let usage = ExitCode(64)
}
