import FlowCompiler
import FlowDiagnostics

/// How one transcript ran: passed, failed (with located failures), or could not be read. Pure data, for the
/// CLI's text output, the JUnit writer and the coverage report.
public struct TranscriptResult: Sendable {
    /// The verdict.
    public enum Status: String, Sendable, Hashable {
        /// Every expectation held.
        case passed
        /// A failure: an expectation that did not hold, an unlisted output, a malformed transcript, a flow with
        /// errors, an input that could not be performed.
        case failed
        /// The transcript or its flow file could not be read (missing, permission denied, not a regular file).
        case unreadable
    }

    /// The transcript file, as given to the runner.
    public var path: String
    /// The flow file the transcript names, resolved against its folder (`nil` when the transcript could not be
    /// read far enough to name one).
    public var flowPath: String?
    /// The test's name (`name:` or the file name).
    public var name: String
    public var status: Status
    /// Failures by file: usually only the transcript file; a flow with errors adds its own diagnostics.
    /// Every diagnostic is an error with a location in its file.
    public var failures: [FileDiagnostics]
    /// Warnings about the transcript file (`text_cut_by_comment`: a text a ` #` cut short), whatever the verdict:
    /// they fail nothing, and are printed after the verdict line as lint prints them.
    public var warnings: [Diagnostic] = []
    /// The transcript file's text, for the warnings' source lines.
    public var source: String?
    /// Why the transcript or its flow could not be read (`status == .unreadable`).
    public var unreadableReason: String?
    /// What the transcript exercised of its flow (`nil` when the flow never ran).
    public var coverage: FlowCoverage?
    /// How many steps of the transcript ran before it finished or stopped.
    public var stepsRun: Int
    /// Wall-clock seconds.
    public var seconds: Double

    public init(
        path: String, name: String, status: Status, failures: [FileDiagnostics] = [], unreadableReason: String? = nil,
        coverage: FlowCoverage? = nil, stepsRun: Int = 0, seconds: Double = 0, flowPath: String? = nil
    ) {
        self.flowPath = flowPath
        self.path = path
        self.name = name
        self.status = status
        self.failures = failures
        self.unreadableReason = unreadableReason
        self.coverage = coverage
        self.stepsRun = stepsRun
        self.seconds = seconds
    }

    /// Whether the transcript passed.
    public var passed: Bool { status == .passed }

    /// Every failure diagnostic, in file order.
    public var allFailures: [Diagnostic] { failures.flatMap(\.diagnostics) }

    /// The warnings as `path:line:col: warning: message [id]` with the source line, a caret and the help; empty
    /// when there are none.
    public func renderedWarnings(colors: Bool = false) -> String {
        TextRenderer.render(files: [FileDiagnostics(path: path, source: source, diagnostics: warnings)], colors: colors)
    }

    /// What `talkflow test` prints under the verdict line: the failures of a transcript that did not pass and the
    /// warnings, those of the transcript file among its failures in the order of their places in it.
    public func renderedReport(colors: Bool = false) -> String {
        if passed || (failures.isEmpty && status == .unreadable) {
            return (passed ? "" : renderedFailures(colors: colors)) + renderedWarnings(colors: colors)
        }
        var files = failures
        if let own = files.firstIndex(where: { $0.path == path }) {
            files[own].diagnostics = Diagnostic.sortedByPosition(files[own].diagnostics + warnings)
        } else if !warnings.isEmpty {
            files.insert(FileDiagnostics(path: path, source: source, diagnostics: warnings), at: 0)
        }
        return TextRenderer.render(files: files, colors: colors)
    }

    /// The failures as `path:line:col: error: message [id]` with the source line and a caret, the way
    /// `talkflow test` prints them.
    public func renderedFailures(colors: Bool = false) -> String {
        if failures.isEmpty, status == .unreadable {
            return "\(path): error: cannot read: \(unreadableReason ?? "unknown reason")\n"
        }
        return TextRenderer.render(files: failures, colors: colors)
    }
}

/// The checks a transcript run reports, with stable ids (they appear in brackets after each failure).
public enum TranscriptRules {
    /// An output differs from the expectation written for it.
    public static let mismatch = RuleDescriptor(
        id: "transcript_mismatch", severity: .error,
        summary: "the flow's output differs from the expectation",
        fix: "Correct the expectation, or the flow if the flow is wrong.")
    /// An expectation found nothing to match.
    public static let missing = RuleDescriptor(
        id: "transcript_missing", severity: .error,
        summary: "an expected output did not happen",
        fix: "Remove the expectation, or fix the flow so that it produces it.")
    /// An exhaustive transcript did not list an output.
    public static let unexpected = RuleDescriptor(
        id: "transcript_unexpected", severity: .error,
        summary: "an output of the flow is not listed in an exhaustive transcript",
        fix: "List the output after the input that caused it, or set 'exhaustive: false'.")
    /// An input could not be performed (a tap with nothing to tap, time going backwards).
    public static let input = RuleDescriptor(
        id: "transcript_input", severity: .error,
        summary: "an input of the transcript cannot be performed",
        fix: "Correct the input as the message says.")
    /// The flow file has errors, or the fixtures do not fit it.
    public static let flow = RuleDescriptor(
        id: "transcript_flow", severity: .error,
        summary: "the flow cannot run: it has errors, or the fixtures name what it does not have",
        fix: "Fix the flow file (talkflow lint shows every error), or the fixtures.")
}
