import FlowDiagnostics
import FlowLanguage

/// In a text where placeholders are filled, `{{}}`, `{{ }}`, an unclosed `{{` and a `}}` that closes nothing
/// are sent as written (language.md): a dropped brace is the likeliest typo in a placeholder, and it would reach
/// the contact as raw braces with a clean lint. A warning, not an error, because the runtime behaviour is
/// defined and a text may mean to show braces. Template bodies are not looked at: their `{{1}}` tokens are
/// Meta's (`template_tokens`), and fields sent as written take no placeholder at all (`placeholder_not_filled`).
struct PlaceholderMalformedRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "placeholder_malformed", severity: .warning,
        summary: "braces that make no placeholder in a text where placeholders are filled: `{{}}`, `{{ }}`, a `{{` "
            + "that no `}}` closes (`{{contact.name}`) or a `}}` that closes no `{{` (`{contact.name}}`); the bot "
            + "sends them as written",
        fix: "Write the placeholder with two braces on each side, as `{{contact.name}}`, or remove the braces. A "
            + "text that means to show them can keep them with `suppress: [placeholder_malformed]` on its step.",
        pointsAt: "the malformed braces, with the name written between or beside them")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ text: Located<String>, in place: @autoclosure () -> String) {
            for malformed in MalformedPlaceholder.find(in: text.value) {
                let written = malformed.written(in: text.value)
                let problem: String
                let suggestion: String
                switch malformed.kind {
                case .empty:
                    problem = "names no variable"
                    suggestion = "remove the braces, or write a variable's name between them, as {{name}}"
                case .unclosed(let name):
                    problem = "is not closed with '}}'"
                    suggestion = "close it as {{\(name ?? "name")}}, or remove the braces"
                case .unopened(let name):
                    problem = "is not opened with '{{'"
                    suggestion = "open it as {{\(name ?? "name")}}, or remove the braces"
                }
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "'\(written)' in \(place()) \(problem), so it is no placeholder: the contact would read "
                            + "the braces as written",
                        at: context.range(ofScalars: malformed.scalars, in: text), suggestion: suggestion))
            }
        }
        if let revocation = context.flow.settings.revocation { report(revocation.text, in: "the revocation text") }
        if let inactivity = context.flow.settings.inactivityText { report(inactivity, in: "the inactivity text") }
        for step in context.flow.steps {
            for text in StepTexts.filled(in: step) { report(text, in: "step '\(step.id.value)'") }
        }
        return diagnostics
    }
}
