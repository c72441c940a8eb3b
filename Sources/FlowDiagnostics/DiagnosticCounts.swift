/// How many diagnostics there are of each severity, for summary lines and for the diagnostics a file reports
/// beyond what is shown (`notShown` in JSON and SARIF output, encoded as `{errors, warnings, notes}`).
public struct DiagnosticCounts: Codable, Sendable, Hashable {
    public var errors = 0
    public var warnings = 0
    public var notes = 0

    public init() {}

    public init(_ diagnostics: some Sequence<Diagnostic>) {
        for diagnostic in diagnostics { add(diagnostic.severity) }
    }

    public var total: Int { errors + warnings + notes }

    public mutating func add(_ severity: Severity) {
        switch severity {
        case .error: errors += 1
        case .warning: warnings += 1
        case .note: notes += 1
        }
    }

    public static func + (a: DiagnosticCounts, b: DiagnosticCounts) -> DiagnosticCounts {
        var sum = a
        sum.errors += b.errors
        sum.warnings += b.warnings
        sum.notes += b.notes
        return sum
    }

    /// The non-zero counts, `3 errors, 1 warning`, as the summary line writes them.
    public var description: String {
        [(errors, "error"), (warnings, "warning"), (notes, "note")].filter { $0.0 > 0 }
            .map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: ", ")
    }
}
