import FlowDiagnostics
import FlowLanguage

/// An optional purpose (promotions) is consented to on its own, through an `opt_in`, never together with the
/// purposes the service needs (Ley 1581 art. 9: consent is free, so it cannot be a condition of service; the
/// habeas-data design keeps marketing a separate opt-in). Listing it in a consent step's `purposes` would make
/// accepting the service accept it too.
struct OptionalPurposeBundledRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "optional_purpose_bundled", severity: .error,
        summary: "a consent step's purposes include an optional purpose, which is accepted only on its own",
        fix: "Remove the optional purpose from 'purposes' and ask it with an 'opt_in' on the general consent step.",
        pointsAt: "the optional purpose in the consent step's `purposes` list")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per optional purpose listed in a consent step's `purposes`.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        let optional = Set(policy.purposes.filter(\.optional).map(\.id.value))
        guard !optional.isEmpty else { return [] }
        var diagnostics: [Diagnostic] = []
        for entry in HabeasData.consents(in: context.flow) {
            for purpose in entry.consent.purposes where optional.contains(purpose.value) {
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "'purposes' of step '\(entry.step.id.value)' includes the optional purpose "
                            + "'\(purpose.value)', which the contact accepts only on its own; ask it with an "
                            + "'opt_in' instead", at: purpose.range))
            }
        }
        return diagnostics
    }
}
