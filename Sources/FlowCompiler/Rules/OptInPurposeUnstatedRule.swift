import FlowDiagnostics
import FlowLanguage

/// An opt-in records consent to its purpose (habeas-data items 2 and 9; Decreto 1377 art. 5, every specific
/// purpose): its question must say what that purpose is. The general consent text may not name an optional
/// purpose (`optional_purpose_bundled`), so the opt-in's own text is the only place the contact reads it. A
/// warning, found by words: the text shares no word of five letters or more with the purpose's description
/// (compared by their first six letters, so a singular says a plural; generic words such as "enviarte" or
/// "recibir" aside), as "¿Te podemos seguir escribiendo?" for "enviarte
/// publicidad de terceros y vender tus datos a aliados comerciales".
struct OptInPurposeUnstatedRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "opt_in_purpose_unstated", severity: .warning,
        summary: "an opt-in's text shares no word (of five letters or more, generic ones aside) with its "
            + "purpose's description: the contact is not told what they accept",
        fix: "Say the purpose in the opt-in's text, with the words of its description (\"¿Quieres que te "
            + "enviemos promociones por WhatsApp?\" for \"enviarte promociones\").",
        pointsAt: "the opt-in's `text`; a note points at the purpose's description")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Words that say nothing of what a purpose is for: sending and receiving, messages, the channel.
    static let generic: Set<String> = [
        "enviarte", "enviarle", "enviar", "recibir", "quieres", "mensajes", "whatsapp", "nuestras", "nuestros",
        "send", "sending", "receive", "messages", "would", "enviar", "receber", "mensagens", "nossas", "nossos",
    ]

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.consents(in: context.flow) {
            guard let optIn = entry.consent.optIn, HabeasData.isWritten(optIn.text),
                let purpose = policy.purposes.first(where: { $0.id.value == optIn.purpose.value })
            else { continue }
            let words = Self.words(purpose.description.value).filter { $0.count >= 5 && !Self.generic.contains($0) }
            guard !words.isEmpty else { continue }
            // As the contact reads it: `{{policy.purposes}}` there is the purpose's description.
            let shown = PolicyPlaceholders.expand(
                optIn.text.value, policy: policy, language: context.flow.language.value,
                purposes: optIn.placeholderPurposes)
            // Compared by their first six letters, so that "promoción" says "promociones".
            let said = Set(Self.words(shown).map { String($0.prefix(6)) })
            guard words.allSatisfy({ !said.contains(String($0.prefix(6))) }) else { continue }
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the opt-in text of consent step '\(entry.step.id.value)' does not say what purpose "
                        + "'\(purpose.id.value)' is for: it shares no word with its description "
                        + "'\(purpose.description.value)', and the contact accepts that purpose",
                    at: optIn.text.range,
                    notes: [DiagnosticNote(message: "the purpose's description", range: purpose.description.range)],
                    suggestion: "say the purpose in the text, with the words of its description"))
        }
        return diagnostics
    }

    /// The folded words (runs of letters and digits) of `text`.
    static func words(_ text: String) -> [String] {
        HabeasData.fold(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }
}
