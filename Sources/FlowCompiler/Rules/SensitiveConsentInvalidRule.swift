import FlowDiagnostics
import FlowLanguage

/// A sensitive consent (habeas-data item 11; Ley 1581 arts. 5, 6, 12(b); Decreto 1377 art. 6) must say which
/// data are sensitive, say that answering is optional, and let the contact skip: its decline continues the
/// service, because no activity may depend on giving sensitive data. Sensitive questions reached without it
/// are reported by `consent_required`.
struct SensitiveConsentInvalidRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "sensitive_consent_invalid", severity: .error,
        summary: "a sensitive consent does not list its data, does not name them in its text, does not say "
            + "answering is optional, its decline does not continue the service, or it carries an opt-in",
        fix: "List the sensitive data under 'data' and name each in the text, say in the text that the contact is "
            + "not obliged to answer, "
            + "send 'decline' to a step that continues the service (Decreto 1377, art. 6), and ask an opt-in at "
            + "the general consent step.",
        pointsAt: "what is wrong in the sensitive consent step: its name, its `text`, a `data` item the text does not "
            + "name, the decline's `next`, or its `opt_in`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Folded phrases that tell the contact answering is optional, per language, found anywhere in the folded
    /// text (so "voluntari" matches "voluntario" and "voluntaria"). language.md publishes this list: keep both
    /// in step. The refusal forms name what may be refused ("no tienes que autorizar", not "no tienes que"), so
    /// an unrelated "you don't have to wait" does not pass.
    static let optionalPhrases: [FlowLanguageCode: [String]] = [
        .es: [
            "no estas obligad", "no esta obligad", "no es obligatori", "opcional", "facultativ", "voluntari",
            "puedes negarte", "puede negarse", "no tienes que autoriz", "no tiene que autoriz",
            "no tienes que respond", "no tiene que respond",
        ],
        .en: [
            "not required", "optional", "not obliged", "not obligated", "voluntary", "may refuse", "can refuse",
            "may decline", "can decline", "don't have to answer", "don’t have to answer", "do not have to answer",
            "don't have to authori", "don’t have to authori", "do not have to authori",
        ],
        .pt: [
            "nao e obrigad", "nao esta obrigad", "nao e obrigatori", "opcional", "facultativ", "voluntari",
            "pode recusar", "pode se recusar", "nao precisa autoriz", "nao precisa respond",
        ],
    ]

    /// An example of the phrase, per language, for messages.
    static let example: [FlowLanguageCode: String] = [
        .es: "'no estás obligado a autorizar el tratamiento de estos datos'",
        .en: "'you are not required to authorize the processing of these data'",
        .pt: "'você não é obrigado a autorizar o tratamento destes dados'",
    ]

    /// Per sensitive consent: no data, optional wording, each data item the text does not name, decline, an opt-in
    /// it never asks.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let flow = context.flow
        let language = flow.language.value
        var diagnostics: [Diagnostic] = []
        var ends = StepReachedWithoutWaiting(context)
        for entry in HabeasData.consents(in: flow) where entry.consent.sensitive {
            let consent = entry.consent
            let name = "sensitive consent step '\(entry.step.id.value)'"
            if !consent.sensitiveData.contains(where: { !$0.value.allSatisfy(\.isWhitespace) }) {
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "\(name) does not say which data are sensitive; list them under 'data', e.g. "
                            + "'data: [foto del documento]'", at: entry.step.id.range))
            }
            let text = consent.text
            if HabeasData.isWritten(text) {
                let folded = HabeasData.fold(text.value)
                let phrases = Self.optionalPhrases[language] ?? []
                if !phrases.contains(where: { folded.contains($0) }) {
                    diagnostics.append(
                        Self.descriptor.diagnostic(
                            "the text of \(name) does not say that answering is optional; say it plainly, e.g. "
                                + (Self.example[language] ?? ""), at: text.range))
                }
                // The contact is told which of the data are sensitive (Decreto 1377, art. 6): each listed item
                // is named in the text, so the evidence's shown text records what was authorized.
                for item in consent.sensitiveData where !item.value.allSatisfy(\.isWhitespace) {
                    guard !folded.contains(HabeasData.fold(item.value)) else { continue }
                    diagnostics.append(
                        Self.descriptor.diagnostic(
                            "the text of \(name) does not name '\(item.value)', which its 'data' lists as sensitive; "
                                + "the contact must be told which data are sensitive", at: item.range,
                            suggestion: "write '\(item.value)' in the text, word for word (case and accents aside), "
                                + "or list under 'data' the words the text uses"))
                }
            }
            if let problem = declineProblem(consent.decline, of: entry.step, in: context, ends: &ends) {
                diagnostics.append(
                    Self.descriptor.diagnostic("the decline of \(name) \(problem.text)", at: problem.range))
            }
            // The runtime asks an opt-in only after a general consent: here it would silently never be asked.
            if let optIn = consent.optIn {
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "\(name) has an 'opt_in', which is asked only after a general consent; move it to the "
                            + "general consent step", at: optIn.range))
            }
        }
        return diagnostics
    }

    /// Why the decline does not continue the service, and where to point, or `nil` when it does.
    private func declineProblem(
        _ decline: ConsentChoice, of step: Step, in context: RuleContext, ends: inout StepReachedWithoutWaiting
    ) -> Problem? {
        // A missing 'decline' mapping is the decoder's `missing_field`.
        guard HabeasData.isWritten(decline.title) else { return nil }
        guard let next = decline.next else {
            return Problem(
                text: "leads nowhere; give it a 'next' that skips the sensitive questions and continues the service",
                range: decline.range)
        }
        guard context.graph.stepIndex[next.value] != nil else { return nil }
        if let end = ends.end(from: next.value) {
            return Problem(
                text: "ends the conversation at '\(end.id.value)'; declining sensitive data must not stop the "
                    + "service, so lead it to a step that skips the sensitive questions and continues",
                range: next.range)
        }
        // Straight back, or through messages and branches that ask the same step again at once: the contact
        // could only accept.
        var back = StepReachedWithoutWaiting(context, goal: step.id.value)
        if back.end(from: next.value) != nil {
            return Problem(
                text: "leads back to the same step; declining must skip the sensitive questions and continue",
                range: next.range)
        }
        return nil
    }

    /// A problem of the decline, as message text and place.
    private struct Problem {
        var text: String
        var range: SourceRange
    }
}
