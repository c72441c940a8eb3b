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
            + "'I do not accept', 'Aceito' / 'Não aceito' (Decreto 1377, art. 7).")

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
        let acceptProblem = problem(accept, vague: Self.vagueAccept)
        let declineProblem = problem(decline, vague: Self.vagueDecline)
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
        let a = HabeasData.fold(accept.value)
        if acceptProblem == nil, declineProblem == nil, !a.isEmpty, a == HabeasData.fold(decline.value) {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the accept and decline labels of \(holder) are both '\(decline.value)'; the contact must be "
                        + "able to tell them apart, e.g. \(example.accept) and \(example.decline)",
                    at: decline.range))
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

    /// The label quoted after a space for messages, or nothing when it is blank.
    private static func quoted(_ label: Located<String>) -> String {
        label.value.allSatisfy(\.isWhitespace) ? "" : " '\(label.value)'"
    }
}
