import FlowDiagnostics
import FlowLanguage

/// A consent request is shown before the contact authorizes anything, and its text, as shown, is kept as consent
/// evidence for good: append-only, for a decline too, and never erased by a data request (habeas-data items 4
/// and 14). A placeholder other than the policy's (`{{contact.name}}`, `{{contact.phone}}`, a variable) would put
/// the contact's name, number or answers into that record: personal data used before authorization, and kept
/// for ever of a contact who may refuse. The same holds for an opt-in question's text.
struct ConsentTextPersonalRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_text_personal", severity: .error,
        summary: "a consent or opt-in text holds a placeholder other than `{{policy.*}}` (`{{contact.name}}`, "
            + "`{{contact.phone}}`, a variable): the text as shown is kept as consent evidence for good, for a "
            + "decline too, so it would keep the contact's data of someone who may refuse",
        fix: "Write the consent and opt-in texts without the contact's data; only `{{policy.*}}` placeholders may "
            + "appear there. Greet the contact by name in a step after the acceptance.",
        pointsAt: "the placeholder")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.consents(in: context.flow) {
            var texts = [(entry.consent.text, "the text of consent step '\(entry.step.id.value)'")]
            if let optIn = entry.consent.optIn {
                texts.append((optIn.text, "the opt-in text of consent step '\(entry.step.id.value)'"))
            }
            for (text, what) in texts {
                for placeholder in TextTemplate.placeholders(in: text.value)
                where !placeholder.name.hasPrefix("policy.") {
                    diagnostics.append(
                        Self.descriptor.diagnostic(
                            "\(what) holds '{{\(placeholder.name)}}'; the text as shown is kept as consent evidence "
                                + "for good, also when the contact declines, so it would keep their data",
                            at: context.range(ofScalars: placeholder.scalars, in: text),
                            suggestion: "write the text without '{{\(placeholder.name)}}' (only {{policy.*}} "
                                + "placeholders may appear there); use it in a step after the acceptance"))
                }
            }
        }
        return diagnostics
    }
}
