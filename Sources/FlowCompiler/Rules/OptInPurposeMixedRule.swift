import FlowDiagnostics
import FlowLanguage

/// talkflow keeps one opt-in per contact (the promotional messages' one), not one per purpose: in force or not,
/// remembered across conversations, withdrawn by a template's opt-out. Two `opt_in`s naming different purposes
/// would share it, so an opt-in to surveys would let a marketing template through to a contact who declined
/// promotions, and a contact who accepted one would never be asked the other (habeas-data item 9: purposes are
/// granular). Until opt-ins are kept per purpose, a flow asks for one optional purpose only.
struct OptInPurposeMixedRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "opt_in_purpose_mixed", severity: .error,
        summary: "two consent steps ask for an opt-in to different purposes; talkflow keeps one opt-in per "
            + "contact, so one purpose's opt-in would count for the other",
        fix: "Ask every `opt_in` for the same optional purpose (the promotions one, `marketing: true`); an "
            + "optional purpose that needs its own yes or no is a question of the flow, not an opt-in.",
        pointsAt: "the `purpose` of each opt-in that differs from the first; a note points at the first")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var first: (step: String, purpose: Located<String>)?
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.consents(in: context.flow) {
            guard let optIn = entry.consent.optIn else { continue }
            guard let earlier = first else {
                first = (entry.step.id.value, optIn.purpose)
                continue
            }
            guard optIn.purpose.value != earlier.purpose.value else { continue }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the opt-in of consent step '\(entry.step.id.value)' is for purpose '\(optIn.purpose.value)', "
                        + "but consent step '\(earlier.step)' asks for an opt-in to '\(earlier.purpose.value)'; "
                        + "talkflow keeps one opt-in per contact, so an opt-in to either would count for both",
                    at: optIn.purpose.range,
                    notes: [
                        DiagnosticNote(
                            message: "the opt-in to '\(earlier.purpose.value)' is asked here",
                            range: earlier.purpose.range)
                    ],
                    suggestion: "ask every opt-in for the same purpose, '\(earlier.purpose.value)'"))
        }
        return diagnostics
    }
}
