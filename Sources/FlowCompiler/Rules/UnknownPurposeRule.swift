import FlowDiagnostics
import FlowLanguage

/// A consent's `purposes:` and its opt-in's `purpose` name purposes of the policy (habeas-data item 9): the
/// evidence record stores consent per purpose id, so a misspelt id would record consent to nothing.
struct UnknownPurposeRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unknown_purpose", severity: .error,
        summary: "a consent or opt-in names a purpose the policy does not declare",
        fix: "Use the id of a purpose declared under 'policy.purposes' (the message suggests the closest), or "
            + "declare the purpose.",
        pointsAt: "the purpose id in the step's `purposes` list")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per unknown purpose reference, with the closest id as suggestion.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        let ids = policy.purposes.map(\.id.value)
        let known = Set(ids)
        var diagnostics: [Diagnostic] = []
        /// Reports one reference unless it names a declared purpose (or the decoder invented it).
        func check(_ reference: Located<String>, holder: String) {
            guard HabeasData.isWritten(reference), !known.contains(reference.value) else { return }
            let suggestion = Suggestions.closest(to: reference.value, in: ids)
            let expected =
                ids.isEmpty
                ? "declare it under 'policy.purposes'" : "use one of " + HabeasData.quotedList(ids, conjunction: "or")
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "\(holder) names purpose '\(reference.value)', which the policy does not declare; \(expected)",
                    at: reference.range,
                    suggestion: suggestion.map { "did you mean '\($0)'?" }))
        }
        for entry in HabeasData.consents(in: context.flow) {
            let name = "step '\(entry.step.id.value)'"
            for purpose in entry.consent.purposes { check(purpose, holder: "'purposes' of \(name)") }
            if let optIn = entry.consent.optIn { check(optIn.purpose, holder: "the opt-in of \(name)") }
        }
        return diagnostics
    }
}
