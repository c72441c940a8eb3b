import FlowDiagnostics
import FlowLanguage

/// A template is sent by the name Meta approved, which is lowercase letters, digits and underscores of at most
/// 512 characters; any other name cannot match an approved template, so every send would fail.
struct TemplateNameRule: LintRule {
    static let maxLength = 512

    static let descriptor = RuleDescriptor(
        id: "template_name_invalid", severity: .error,
        summary: "a template `name` that is not lowercase letters, digits and underscores, or is over 512 "
            + "characters",
        fix: "Write the name exactly as approved in WhatsApp Manager, e.g. `recordatorio_cita`.",
        pointsAt: "the template's `name` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Checks each template name against Meta's naming rules.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.flow.templates.compactMap { template in
            let name = template.name
            // An empty name is a missing field, which the decoder has already reported.
            guard !name.value.isEmpty else { return nil }
            if !Identifiers.isTemplateName(name.value) {
                let suggestion = Self.suggestedName(name.value)
                return Self.descriptor.diagnostic(
                    "template '\(template.key.value)' has name '\(name.value)'; a Meta template name uses only "
                        + "lowercase letters, digits and '_'", at: name.range,
                    suggestion: suggestion.map { "did you mean '\($0)'?" })
            }
            let length = name.value.unicodeScalars.count
            guard length > Self.maxLength else { return nil }
            return Self.descriptor.diagnostic(
                "the name of template '\(template.key.value)' has \(length) characters; Meta allows at most "
                    + "\(Self.maxLength)", at: name.range)
        }
    }

    /// The name lower-cased with spaces and hyphens as underscores, when that makes it valid.
    static func suggestedName(_ name: String) -> String? {
        let candidate = String(
            name.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
        return Identifiers.isTemplateName(candidate) && candidate.count <= maxLength ? candidate : nil
    }
}
