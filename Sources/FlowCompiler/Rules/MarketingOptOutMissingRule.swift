import FlowDiagnostics
import FlowLanguage

/// Promotional sends carry an easy way to cancel them (habeas-data item 9; Ley 2300 de 2023, art. 5): a
/// marketing template should name the quick-reply button that stops promotions, so that a tap on it withdraws
/// the opt-in. A warning, not an error: the contact can still stop them in WhatsApp or by revoking consent.
struct MarketingOptOutMissingRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "marketing_opt_out_missing", severity: .warning,
        summary: "a `category: marketing` template without `opt_out`, the quick-reply button that stops promotions",
        fix: "Have Meta approve the template with a quick-reply button such as 'No recibir más' and declare its "
            + "label as the template's `opt_out` (Ley 2300 de 2023, art. 5: an easy way to cancel promotions).",
        pointsAt: "the template's `category` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One warning per marketing template that declares no opt-out.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.flow.templates.compactMap { template in
            guard template.category.value == .marketing, template.optOut == nil else { return nil }
            return Self.descriptor.diagnostic(
                "marketing template '\(template.key.value)' has no 'opt_out': promotional messages must carry an "
                    + "easy way to stop them", at: template.category.range,
                suggestion: "add opt_out: \"<the label of its quick-reply button>\", e.g. \"No recibir más\"")
        }
    }
}
