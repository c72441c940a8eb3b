/// What a check is, for `--list-rules`, `Docs/lint-rules.md` and SARIF: its stable id, default severity,
/// a one-line summary and how to fix what it reports.
public struct RuleDescriptor: Codable, Sendable, Hashable {
    /// Stable snake_case id, as shown in brackets after a diagnostic's message.
    public var id: String
    public var severity: Severity
    /// One line: what the check finds.
    public var summary: String
    /// Why it matters and how to fix it, in a sentence or two.
    public var fix: String
    /// What in the file a diagnostic of the check points at, in a few words (`the step's name`), so that
    /// Docs/lint-rules.md says where to look; nil for checks outside the flow linter (configuration, transcripts).
    public var pointsAt: String?
    /// Whether a step may silence it with `suppress: [id]` (only warnings can be silenced).
    public var suppressible: Bool { severity == .warning }

    public init(id: String, severity: Severity, summary: String, fix: String, pointsAt: String? = nil) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.fix = fix
        self.pointsAt = pointsAt
    }

    /// A diagnostic of this rule.
    public func diagnostic(
        _ message: String,
        at range: SourceRange,
        notes: [DiagnosticNote] = [],
        suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(id: id, severity: severity, message: message, range: range, notes: notes, suggestion: suggestion)
    }
}
