import FlowDiagnostics
import FlowLanguage

/// WhatsApp's Cloud API and the hosting provider process the messages outside Colombia (habeas-data item 13;
/// Ley 1581 art. 26; Decreto 1377 arts. 24, 25): the policy should name the processors and the consent text
/// should say the data are processed abroad. A warning: a transmission under contract needs no consent, but
/// saying it costs one sentence and covers a transfer too.
struct InternationalProcessingUndisclosedRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "international_processing_undisclosed", severity: .warning,
        summary: "the policy names no processors, or a consent text does not say that data are processed outside "
            + "Colombia",
        fix: "List the processors and their countries under 'policy.processors' (e.g. Meta Platforms, Estados "
            + "Unidos) and say in the consent text that data are processed outside Colombia (Ley 1581, art. 26).",
        pointsAt: "the consent step's `text` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Folded phrases that say the data leave Colombia, in any of the flow languages: a flow in English may
    /// well say it in Spanish too, and the contact reads what is written.
    static let abroadPhrases = [
        "fuera de colombia", "fuera del pais", "exterior", "otros paises", "otro pais", "outside colombia",
        "outside of colombia", "abroad", "other countries", "another country", "fora da colombia", "fora do pais",
        "outros paises", "outro pais",
    ]

    /// An example of the sentence, per language, for messages.
    static let example: [FlowLanguageCode: String] = [
        .es: "'tus datos se procesan fuera de Colombia (Meta Platforms, Estados Unidos)'",
        .en: "'your data are processed outside Colombia (Meta Platforms, United States)'",
        .pt: "'seus dados são processados fora da Colômbia (Meta Platforms, Estados Unidos)'",
    ]

    /// Warnings for missing processors and for consent texts silent about abroad.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        var diagnostics: [Diagnostic] = []
        if policy.processors.isEmpty {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the policy names no processors; list who processes the data and where under 'processors', "
                        + "e.g. '{ name: Meta Platforms (WhatsApp Cloud API), country: Estados Unidos }'",
                    at: policy.range))
        }
        let phrases =
            Self.abroadPhrases
            + policy.processors.map { HabeasData.fold($0.country.value) }.filter { !$0.isEmpty }
        for entry in HabeasData.generalConsents(in: context.flow) {
            let text = entry.consent.text
            guard HabeasData.isWritten(text) else { continue }
            let folded = HabeasData.fold(text.value)
            guard !phrases.contains(where: { folded.contains($0) }) else { continue }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the text of consent step '\(entry.step.id.value)' does not say that data are processed "
                        + "outside Colombia; say so and name where, e.g. "
                        + (Self.example[context.flow.language.value] ?? ""),
                    at: text.range))
        }
        return diagnostics
    }
}
