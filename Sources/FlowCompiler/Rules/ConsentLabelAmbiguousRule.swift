import FlowDiagnostics
import FlowLanguage
import Foundation

/// The choice must be explicit (habeas-data item 3; Decreto 1377 art. 7; SIC Res. 76538 de 2019): the accept
/// and decline buttons, of the consent and of its opt-in, must say plainly that the contact accepts or
/// declines. "Continuar" or "OK" is a click, not an authorization; labels must also fit a WhatsApp button.
struct ConsentLabelAmbiguousRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_label_ambiguous", severity: .error,
        summary: "a consent or opt-in button label is empty, too long, repeated or does not say accept/decline",
        fix: "Label the buttons plainly, 20 characters or fewer: 'Acepto' / 'No acepto', 'I accept' / "
            + "'I do not accept', 'Aceito' / 'Não aceito' (Decreto 1377, art. 7). The accept label needs a word "
            + "of acceptance and no negation, the decline label a negation or a refusal (the words are listed "
            + "under 'consent' in Docs/language.md).",
        pointsAt: "the `title` of the accept button")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// The longest label allowed, in characters (a WhatsApp reply button shows 20).
    static let maxLength = 20

    /// Accept labels that say "go on" rather than "I authorize" (folded, in any of the three languages).
    static let vagueAccept: Set<String> = [
        "continuar", "seguir", "siguiente", "ok", "okay", "oki", "okey", "vale", "listo", "entendido", "enterado",
        "comenzar", "empezar", "iniciar", "adelante", "ver mas", "continue", "next", "got it", "start", "proceed",
        "go", "understood", "proximo", "avancar", "comecar", "entendi", "pronto",
    ]

    /// Decline labels that say "leave" rather than "I do not authorize" (folded).
    static let vagueDecline: Set<String> = [
        "cancelar", "salir", "volver", "atras", "cerrar", "despues", "luego", "mas tarde", "cancel", "exit", "back",
        "later", "close", "sair", "voltar", "fechar", "depois", "mais tarde",
    ]

    /// Word beginnings that say "I accept" (folded: no case, no accents), in the three languages: acepto,
    /// aceptar, autorizo, accept, agree, authorize, aceito, concordo, consiento, permito; and, for an opt-in,
    /// quiero, want, quero, suscribirme, subscribe.
    static let acceptStems = [
        "acept", "accept", "aceit", "autoriz", "authori", "agree", "consent", "consient", "concord", "permit",
        "allow", "quier", "quero", "want", "suscrib", "subscri", "inscrev",
    ]
    /// Whole words that say "yes, I agree".
    static let acceptWords: Set<String> = ["si", "sim", "yes", "acuerdo"]
    /// Whole words that negate: a label with one of them does not accept, and it declines.
    static let negations: Set<String> = ["no", "not", "nao", "dont", "never", "nunca", "nope", "nein"]
    /// Word beginnings that say "I decline": rechazo, declino, recuso, reject, refuse, deny, niego…
    static let declineStems = ["rechaz", "declin", "recus", "reject", "refus", "deny", "deni", "niego"]

    /// Plain labels to suggest, per language.
    static let examples: [FlowLanguageCode: (accept: String, decline: String)] = [
        .es: ("'Acepto' or 'Autorizo'", "'No acepto' or 'No autorizo'"),
        .en: ("'I accept' or 'I authorize'", "'I do not accept'"),
        .pt: ("'Aceito' or 'Autorizo'", "'Não aceito' or 'Não autorizo'"),
    ]

    /// One diagnostic per faulty label of each consent step and its opt-in.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let example = Self.examples[context.flow.language.value] ?? Self.examples[.es]!
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.consents(in: context.flow) {
            let name = "consent step '\(entry.step.id.value)'"
            diagnostics += check(
                accept: entry.consent.accept.title, decline: entry.consent.decline.title, of: name, example: example)
            if let optIn = entry.consent.optIn {
                diagnostics += check(
                    accept: optIn.accept, decline: optIn.decline, of: "the opt-in of \(name)", example: example)
            }
        }
        return diagnostics
    }

    /// The problems of one accept/decline pair.
    private func check(
        accept: Located<String>, decline: Located<String>, of holder: String,
        example: (accept: String, decline: String)
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var acceptProblem = problem(accept, vague: Self.vagueAccept)
        var declineProblem = problem(decline, vague: Self.vagueDecline)
        let a = HabeasData.fold(accept.value)
        if acceptProblem == nil, declineProblem == nil, !a.isEmpty, a == HabeasData.fold(decline.value) {
            return [
                Self.descriptor.diagnostic(
                    "the accept and decline labels of \(holder) are both '\(decline.value)'; the contact must be "
                        + "able to tell them apart, e.g. \(example.accept) and \(example.decline)",
                    at: decline.range)
            ]
        }
        acceptProblem = acceptProblem ?? meaningProblem(accept: accept)
        declineProblem = declineProblem ?? meaningProblem(decline: decline)
        if let acceptProblem {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the accept label\(Self.quoted(accept)) of \(holder) \(acceptProblem); it must say plainly that "
                        + "the contact accepts, e.g. \(example.accept)", at: accept.range))
        }
        if let declineProblem {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the decline label\(Self.quoted(decline)) of \(holder) \(declineProblem); it must say plainly "
                        + "that the contact declines, e.g. \(example.decline)", at: decline.range))
        }
        return diagnostics
    }

    /// What is wrong with one label, or `nil`. Labels the decoder invented for a missing field are skipped.
    private func problem(_ label: Located<String>, vague: Set<String>) -> String? {
        guard HabeasData.isWritten(label) else { return nil }
        let folded = HabeasData.fold(label.value)
        if folded.isEmpty { return "is empty" }
        let length = label.value.trimmingCharacters(in: .whitespacesAndNewlines).count
        if length > Self.maxLength {
            return "has \(length) characters, more than \(Self.maxLength)"
        }
        let bare = String(folded.filter { $0.isLetter || $0.isNumber || $0 == " " })
            .split(separator: " ").joined(separator: " ")
        if vague.contains(bare) { return "is ambiguous" }
        return nil
    }

    /// The words of a label, folded (no case, no accents) and split at anything but letters and digits
    /// ("No, acepto." → no, acepto; "don't" → dont).
    static func words(_ label: String) -> [String] {
        HabeasData.fold(label).replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "’", with: "")
            .split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// Whether `words` say the contact declines: a negation ("no", "not", "não") or a word of refusal.
    static func declines(_ words: [String]) -> Bool {
        words.contains { word in
            negations.contains(word) || declineStems.contains { word.hasPrefix($0) }
        }
    }

    /// Why an accept label does not say that the contact accepts, or `nil`: it must have a word of
    /// acceptance and nothing that negates or refuses ("No acepto" on the accept button is refused).
    private func meaningProblem(accept label: Located<String>) -> String? {
        guard HabeasData.isWritten(label) else { return nil }
        let words = Self.words(label.value)
        if Self.declines(words) { return "says that the contact declines" }
        let accepts = words.contains { word in
            Self.acceptWords.contains(word) || Self.acceptStems.contains { word.hasPrefix($0) }
        }
        return accepts ? nil : "does not say that the contact accepts"
    }

    /// Why a decline label does not say that the contact declines, or `nil`: it must negate or refuse.
    private func meaningProblem(decline label: Located<String>) -> String? {
        guard HabeasData.isWritten(label) else { return nil }
        return Self.declines(Self.words(label.value)) ? nil : "does not say that the contact declines"
    }

    /// The label quoted after a space for messages, or nothing when it is blank.
    private static func quoted(_ label: Located<String>) -> String {
        label.value.allSatisfy(\.isWhitespace) ? "" : " '\(label.value)'"
    }
}
