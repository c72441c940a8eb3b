/// How bad a finding is. Errors stop a flow from compiling; warnings do not (unless `--strict`).
public enum Severity: String, Codable, Sendable, Hashable, CaseIterable {
    case error
    case warning
    case note
}

/// A pointer from a diagnostic to another, related place ("the consent step is here").
public struct DiagnosticNote: Codable, Sendable, Hashable {
    public var message: String
    public var range: SourceRange

    public init(message: String, range: SourceRange) {
        self.message = message
        self.range = range
    }
}

/// A finding about a flow file: what is wrong, where, and how to fix it.
///
/// Stages produce diagnostics and never print them; renderers turn them into text, JSON, SARIF or
/// GitHub annotations. The `id` is stable snake_case: users type it in suppressions and CI configurations.
public struct Diagnostic: Codable, Sendable, Hashable {
    /// Stable rule id, such as `consent_required` or `unknown_step`.
    public var id: String
    public var severity: Severity
    /// Lower-case, no final period, says what was expected.
    public var message: String
    public var range: SourceRange
    /// Related places, each with its own message.
    public var notes: [DiagnosticNote]
    /// A concrete fix, such as "did you mean 'menu_principal'?".
    public var suggestion: String?

    public init(
        id: String,
        severity: Severity,
        message: String,
        range: SourceRange,
        notes: [DiagnosticNote] = [],
        suggestion: String? = nil
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.suggestion = suggestion
    }

    /// Orders diagnostics by position, then id, so that output is stable.
    public static func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            if a.element.range.start != b.element.range.start {
                return a.element.range.start < b.element.range.start
            }
            if a.element.id != b.element.id { return a.element.id < b.element.id }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// The diagnostics of one file, with the text they point into (renderers show the offending line).
public struct FileDiagnostics: Sendable {
    /// The path as the user named it.
    public var path: String
    /// The file's text, or `nil` when it could not be read or decoded.
    public var source: String?
    public var diagnostics: [Diagnostic]

    public init(path: String, source: String?, diagnostics: [Diagnostic]) {
        self.path = path
        self.source = source
        self.diagnostics = diagnostics
    }

    public var errorCount: Int { diagnostics.count(where: { $0.severity == .error }) }
    public var warningCount: Int { diagnostics.count(where: { $0.severity == .warning }) }
}
