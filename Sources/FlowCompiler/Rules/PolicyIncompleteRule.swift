import FlowDiagnostics
import FlowLanguage

/// The policy must identify how to reach the Responsable and what the data are for (habeas-data item 2;
/// Ley 1581 art. 12(a), (d); Decreto 1377 art. 13): an address (physical or electronic), a phone and at
/// least one purpose.
struct PolicyIncompleteRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "policy_incomplete", severity: .error,
        summary: "the policy lacks the responsible party's address (or email) or phone, or declares no purpose",
        fix: "Give 'responsible' an 'address' or an 'email' and a 'phone', and list at least one purpose under "
            + "'purposes' (Ley 1581, art. 12(a) and (d)).",
        pointsAt: "the `responsible` mapping for a missing contact detail, the `policy` mapping for missing purposes")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// A diagnostic for the responsible party's missing contact and one for missing purposes.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        var diagnostics: [Diagnostic] = []
        let responsible = policy.responsible
        var missing: [String] = []
        if !Self.present(responsible.address) && !Self.present(responsible.email) {
            missing.append("a physical or electronic address ('address' or 'email')")
        }
        if !Self.present(responsible.phone) { missing.append("a phone ('phone')") }
        if !missing.isEmpty {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the policy's responsible party lacks \(missing.joined(separator: " and ")); the law asks "
                        + "for an address or an email, and a phone, so the contact can reach the Responsable",
                    at: responsible.range))
        }
        if policy.purposes.isEmpty {
            diagnostics.append(
                Self.descriptor.diagnostic(
                    "the policy declares no purpose; list under 'purposes' what the data are used for, each with "
                        + "an 'id' and a 'description'", at: policy.range))
        }
        return diagnostics
    }

    /// Whether an optional field is given with some non-blank text.
    private static func present(_ value: Located<String>?) -> Bool {
        guard let value else { return false }
        return !value.value.allSatisfy(\.isWhitespace)
    }
}
