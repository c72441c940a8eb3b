import FlowDiagnostics
import FlowLanguage

/// Promotional messages need their own, optional opt-in (habeas-data item 9; Decreto 1377 art. 5; Ley 2300
/// de 2023 art. 5): a flow that sends a marketing template must ask for an opt-in to a purpose declared
/// `marketing: true` and `optional: true`, and an opt-in can only be for an optional purpose.
struct MarketingOptInRequiredRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "marketing_opt_in_required", severity: .error,
        summary: "a marketing template is sent without an opt-in to an optional marketing purpose, or an opt-in "
            + "is for a purpose that is not optional",
        fix: "Declare a purpose with 'marketing: true' and 'optional: true' and add an 'opt_in' for it to the "
            + "consent step; an opt-in is always for an optional purpose (Decreto 1377, art. 5).",
        pointsAt: "the step's `template` value; a note points at the template's `category`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Opt-ins to non-optional purposes, then marketing sends without a marketing opt-in.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let flow = context.flow
        let purposes = flow.policy?.purposes ?? []
        var diagnostics: [Diagnostic] = []
        var hasMarketingOptIn = false
        for entry in HabeasData.consents(in: flow) {
            guard let optIn = entry.consent.optIn else { continue }
            // Unknown ids are `unknown_purpose`'s.
            guard let purpose = purposes.first(where: { $0.id.value == optIn.purpose.value }) else { continue }
            if !purpose.optional {
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "the opt-in of consent step '\(entry.step.id.value)' is for purpose '\(purpose.id.value)', "
                            + "which is not optional; an opt-in must be for a purpose with 'optional: true'",
                        at: optIn.purpose.range,
                        notes: [
                            DiagnosticNote(
                                message: "purpose '\(purpose.id.value)' is declared here", range: purpose.range)
                        ]))
            } else if purpose.marketing, !entry.consent.sensitive {
                hasMarketingOptIn = true
            }
        }
        guard !hasMarketingOptIn else { return diagnostics }
        let marketing = Set(flow.templates.filter { $0.category.value == .marketing }.map(\.key.value))
        for step in flow.steps {
            guard case .template(let send) = step.kind, marketing.contains(send.template.value) else { continue }
            let template = flow.templates.first { $0.key.value == send.template.value }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "step '\(step.id.value)' sends marketing template '\(send.template.value)', but no consent step "
                        + "asks for an opt-in to an optional marketing purpose; add 'opt_in' to the consent step "
                        + "for a purpose with 'marketing: true' and 'optional: true'",
                    at: send.template.range,
                    notes: template.map {
                        [
                            DiagnosticNote(
                                message: "template '\($0.key.value)' is of category marketing", range: $0.category.range
                            )
                        ]
                    } ?? []))
        }
        return diagnostics
    }
}
