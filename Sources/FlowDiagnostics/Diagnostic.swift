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
        self.message = Diagnostic.shortened(message)
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
        self.message = Self.shortened(message)
        self.range = range
        self.notes = notes
        self.suggestion = suggestion.map(Self.shortened)
    }

    /// The longest message, note or help kept whole, in UTF-8 bytes.
    public static let longestText = 8192
    /// What a longer one keeps: its first and last characters.
    static let keptHead = 2000
    static let keptTail = 500

    /// `text`, or, past `longestText` bytes (a message quoting a value of megabytes from a hostile file), its first
    /// 2,000 and last 500 characters joined by `… (N characters left out) …`: printing the whole value would take
    /// seconds per diagnostic and bury the rest, and its ends say what it is.
    public static func shortened(_ text: String) -> String {
        guard text.utf8.count > longestText else { return text }
        let scalars = text.unicodeScalars
        let count = scalars.count
        guard count > keptHead + keptTail else { return text }
        let head = String(String.UnicodeScalarView(scalars.prefix(keptHead)))
        let tail = String(String.UnicodeScalarView(scalars.suffix(keptTail)))
        return "\(head)… (\(count - keptHead - keptTail) characters left out) …\(tail)"
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
///
/// At most `shownLimit` diagnostics are shown, the first ones in the order given (by position, as the checker
/// sorts them); the rest are only counted, in `notShown`, and the counts still include them. A hostile file can
/// hold a million problems: printing them all would take minutes and gigabytes and bury the first ones, which are
/// what a reader fixes first. The renderers end such a file with one note, `notShownNote`. What is shown and
/// counted is derived from `diagnostics` whenever it is read, so a caller that filters them (`lock` dropping the
/// warning it settles) shows and counts the rest right.
public struct FileDiagnostics: Sendable {
    /// The most diagnostics shown for one file.
    public static let shownLimit = 1000
    /// The id of the note that says how many diagnostics were not shown; it is no rule and counts as nothing.
    public static let notShownID = "diagnostics_not_shown"

    /// The path as the user named it.
    public var path: String
    /// The file's text, or `nil` when it could not be read or decoded.
    public var source: String?
    /// Every diagnostic of the file, shown or not.
    public var diagnostics: [Diagnostic]

    public init(path: String, source: String?, diagnostics: [Diagnostic]) {
        self.path = path
        self.source = source
        self.diagnostics = diagnostics
    }

    /// The diagnostics shown: the first `shownLimit`.
    public var shown: ArraySlice<Diagnostic> { diagnostics.prefix(Self.shownLimit) }
    /// The diagnostics past `shownLimit`, counted by severity.
    public var notShown: DiagnosticCounts { DiagnosticCounts(diagnostics.dropFirst(Self.shownLimit)) }

    /// Every diagnostic of the file by severity, shown or not.
    public var counts: DiagnosticCounts { DiagnosticCounts(diagnostics) }

    public var errorCount: Int { counts.errors }
    public var warningCount: Int { counts.warnings }

    /// The note that ends a file whose diagnostics were not all shown, at its first line: `… and 1500 more
    /// diagnostics not shown (1500 errors); …`. `nil` when every diagnostic is shown.
    public var notShownNote: Diagnostic? {
        guard notShown.total > 0 else { return nil }
        return Diagnostic(
            id: Self.notShownID, severity: .note,
            message: "… and \(notShown.total) more \(notShown.total == 1 ? "diagnostic" : "diagnostics") not shown "
                + "(\(notShown.description)): only the first \(Self.shownLimit) of a file are shown",
            range: .fileStart)
    }

    /// What the renderers print for the file: the diagnostics shown, then `notShownNote` if there is one.
    public var rendered: [Diagnostic] { Array(shown) + (notShownNote.map { [$0] } ?? []) }
}
