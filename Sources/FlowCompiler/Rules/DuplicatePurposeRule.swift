import FlowDiagnostics
import FlowLanguage

/// Purposes are accepted, declined and revoked one by one by their id (habeas-data item 9; Decreto 1377
/// art. 5), so two purposes with the same id would make the evidence record ambiguous.
struct DuplicatePurposeRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "duplicate_purpose", severity: .error,
        summary: "two purposes of the policy have the same id",
        fix: "Give each purpose its own id; consent is recorded per purpose id.",
        pointsAt: "the `id` value of the second purpose")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per repeated id, at the repetition, with a note at the first.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        var first: [String: Purpose] = [:]
        var diagnostics: [Diagnostic] = []
        for purpose in policy.purposes {
            guard let earlier = first[purpose.id.value] else {
                first[purpose.id.value] = purpose
                continue
            }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "purpose '\(purpose.id.value)' is declared twice; each purpose needs its own id",
                    at: purpose.id.range,
                    notes: [
                        DiagnosticNote(message: "'\(purpose.id.value)' is first declared here", range: earlier.id.range)
                    ]))
        }
        return diagnostics
    }
}
