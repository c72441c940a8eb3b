import FlowDiagnostics
import FlowLanguage

/// The contact may withdraw consent at any time, through a free and easy mechanism (habeas-data item 6;
/// Decreto 1377 art. 9; Ley 1581 art. 8(e)): a flow must declare revocation words, which then work at
/// every waiting step.
struct RevocationMissingRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "revocation_missing", severity: .error,
        summary: "the flow declares no revocation words",
        fix: "Add 'settings.revocation' with 'words' (e.g. revocar, \"no autorizo\", \"borrar mis datos\") and the "
            + "confirmation 'text' (Decreto 1377, art. 9).",
        pointsAt: "the `settings:` key (without one, the start of the flow's first key), or `revocation` when it has "
            + "no words")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// The words to suggest, per language.
    static let defaults: [FlowLanguageCode: [String]] = [
        .es: ["revocar", "no autorizo", "borrar mis datos"],
        .en: ["revoke", "i do not authorize", "delete my data"],
        .pt: ["revogar", "não autorizo", "apagar meus dados"],
    ]

    /// One diagnostic when revocation is absent or has no usable word.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let words = (Self.defaults[context.flow.language.value] ?? Self.defaults[.es]!).map { "\"\($0)\"" }
        let suggestion = "add 'revocation: { words: [\(words.joined(separator: ", "))], text: \"…\" }' to 'settings'"
        guard let revocation = context.flow.settings.revocation else {
            let range =
                HabeasData.topLevelKeyRange("settings", in: context.source) ?? HabeasData.flowTop(context.flow)
            return [
                Self.descriptor.diagnostic(
                    "the flow declares no revocation words; the contact must be able to withdraw consent at any "
                        + "step, e.g. by writing \(words.joined(separator: ", "))", at: range, suggestion: suggestion)
            ]
        }
        let usable = revocation.words.contains { !$0.value.allSatisfy(\.isWhitespace) }
        guard !usable else { return [] }
        return [
            Self.descriptor.diagnostic(
                "'revocation' declares no words; the contact must be able to withdraw consent at any step, e.g. by "
                    + "writing \(words.joined(separator: ", "))", at: revocation.range, suggestion: suggestion)
        ]
    }
}
