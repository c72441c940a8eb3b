import FlowDiagnostics
import FlowLanguage

/// Purposes are accepted, declined and revoked one by one by their id (habeas-data item 9; Decreto 1377
/// art. 5), so two purposes with the same id would make the evidence record ambiguous; a consent step listing a
/// purpose twice would show it twice in its text and record it twice.
struct DuplicatePurposeRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "duplicate_purpose", severity: .error,
        summary: "two purposes of the policy have the same id, or a consent step lists a purpose twice",
        fix: "Give each purpose its own id, and list each purpose once in a consent's 'purposes'; consent is "
            + "recorded per purpose id.",
        pointsAt: "the `id` value of the second purpose, or the second mention in a consent's `purposes`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per repeated id, at the repetition, with a note at the first.
    func check(_ context: RuleContext) -> [Diagnostic] {
        declaredTwice(context.flow) + listedTwice(context.flow)
    }

    /// A consent step's `purposes` naming one purpose more than once.
    private func listedTwice(_ flow: Flow) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for step in flow.steps {
            guard case .consent(let consent) = step.kind else { continue }
            var first: [String: Located<String>] = [:]
            for purpose in consent.purposes {
                guard let earlier = first[purpose.value] else {
                    first[purpose.value] = purpose
                    continue
                }
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "consent step '\(step.id.value)' lists purpose '\(purpose.value)' twice; list it once",
                        at: purpose.range,
                        notes: [
                            DiagnosticNote(message: "'\(purpose.value)' is first listed here", range: earlier.range)
                        ]))
            }
        }
        return diagnostics
    }

    private func declaredTwice(_ flow: Flow) -> [Diagnostic] {
        guard let policy = flow.policy else { return [] }
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
