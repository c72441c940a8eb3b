import FlowDiagnostics
import FlowLanguage

/// Every step reference (`start`, `next`, `fallback`, options, cases, keywords) names a step of the flow.
struct UnknownStepRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unknown_step", severity: .error,
        summary: "a reference to a step that does not exist",
        fix: "Correct the step id (the message suggests the closest one) or add the missing step.",
        pointsAt: "the value that names the missing step (`start`, `next`, `goto`, an option's or a case's `next`, …)")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        // Only the first `SuggestionCache.distinctNames` distinct missing names get a suggestion.
        var suggestions = SuggestionCache(candidates: context.flow.steps.map(\.id.value))
        return context.graph.references.compactMap { reference in
            guard reference.target == nil, !reference.name.value.isEmpty,
                !context.flow.undecodedStepIds.contains(reference.name.value)
            else { return nil }
            let suggestion = suggestions.closest(to: reference.name.value)
            return Self.descriptor.diagnostic(
                "\(reference.holder) names step '\(reference.name.value)', which does not exist",
                at: reference.name.range, suggestion: suggestion.map { "did you mean '\($0)'?" })
        }
    }
}
