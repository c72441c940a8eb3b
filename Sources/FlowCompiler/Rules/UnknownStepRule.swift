import FlowDiagnostics
import FlowLanguage

/// Every step reference (`start`, `next`, `fallback`, options, cases, keywords) names a step of the flow.
struct UnknownStepRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unknown_step", severity: .error,
        summary: "a reference to a step that does not exist",
        fix: "Correct the step id (the message suggests the closest one) or add the missing step.")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Distinct missing names given a suggestion: each costs a comparison with every step id, so a file of
    /// thousands of missing names would take minutes; past this many, the diagnostics come without one.
    static let suggestedNames = 100

    func check(_ context: RuleContext) -> [Diagnostic] {
        let ids = context.flow.steps.map(\.id.value)
        var suggestions: [String: String?] = [:]
        return context.graph.references.compactMap { reference in
            guard reference.target == nil, !reference.name.value.isEmpty,
                !context.flow.undecodedStepIds.contains(reference.name.value)
            else { return nil }
            let name = reference.name.value
            let suggestion: String?
            if let known = suggestions[name] {
                suggestion = known
            } else if suggestions.count < Self.suggestedNames {
                suggestion = Suggestions.closest(to: name, in: ids)
                suggestions[name] = suggestion
            } else {
                suggestion = nil
            }
            return Self.descriptor.diagnostic(
                "\(reference.holder) names step '\(reference.name.value)', which does not exist",
                at: reference.name.range, suggestion: suggestion.map { "did you mean '\($0)'?" })
        }
    }
}
