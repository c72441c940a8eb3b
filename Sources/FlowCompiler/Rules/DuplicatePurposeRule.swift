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
        flow.steps.flatMap { step -> [Diagnostic] in
            guard case .consent(let consent) = step.kind else { return [] }
            return Self.repeats(consent.purposes).map { purpose, earlier in
                Self.descriptor.diagnostic(
                    "consent step '\(step.id.value)' lists purpose '\(purpose.value)' twice; list it once",
                    at: purpose.range,
                    notes: [DiagnosticNote(message: "'\(purpose.value)' is first listed here", range: earlier.range)])
            }
        }
    }

    private func declaredTwice(_ flow: Flow) -> [Diagnostic] {
        Self.repeats(flow.policy?.purposes.map(\.id) ?? []).map { id, earlier in
            Self.descriptor.diagnostic(
                "purpose '\(id.value)' is declared twice; each purpose needs its own id", at: id.range,
                notes: [DiagnosticNote(message: "'\(id.value)' is first declared here", range: earlier.range)])
        }
    }

    /// Each id that repeats an earlier one, with that earlier one, in order.
    private static func repeats(_ ids: [Located<String>]) -> [(Located<String>, first: Located<String>)] {
        var first: [String: Located<String>] = [:]
        return ids.compactMap { id in
            if let earlier = first[id.value] { return (id, earlier) }
            first[id.value] = id
            return nil
        }
    }
}
