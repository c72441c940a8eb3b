import FlowDiagnostics
import FlowLanguage

/// A `template` step sends a template declared under `templates:`; a key that is not declared has no name,
/// language or body to send.
struct UnknownTemplateRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unknown_template", severity: .error,
        summary: "a `template` step names a template that is not declared under `templates`",
        fix: "Correct the key (the message suggests the closest one) or declare the template.",
        pointsAt: "the step's `template` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Checks the template each `template` step names.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let keys = context.flow.templates.map(\.key.value)
        return context.flow.steps.compactMap { step in
            guard case .template(let send) = step.kind else { return nil }
            let name = send.template
            guard !name.value.isEmpty, !keys.contains(name.value) else { return nil }
            return Self.descriptor.diagnostic(
                "step '\(step.id.value)' sends template '\(name.value)', which is not declared under 'templates'",
                at: name.range,
                suggestion: Suggestions.closest(to: name.value, in: keys).map { "did you mean '\($0)'?" })
        }
    }
}
