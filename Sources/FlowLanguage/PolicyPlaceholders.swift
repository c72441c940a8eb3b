/// The placeholders a consent text may use instead of copying the policy by hand, so that the text cannot
/// drift from the `policy` block. The habeas-data rules accept them as carrying the item.
public enum PolicyPlaceholder: String, Sendable, CaseIterable {
    /// The covered purposes' descriptions, comma-separated (the step's `purposes:`, or every non-optional one).
    case purposes = "policy.purposes"
    /// The responsible party: "name (email, phone, address)", omitting what the policy does not declare.
    case responsible = "policy.responsible"
    /// The policy URL, verbatim.
    case url = "policy.url"
    /// The full sentence of the data subject's rights (Ley 1581, art. 8), in the flow's language.
    case rights = "policy.rights"
    /// The policy version.
    case version = "policy.version"
}

/// The `{{policy.…}}` placeholders a consent text may use, so that the text the contact reads always carries
/// what the policy block declares (Ley 1581, art. 12). They are filled in at compile time: the policy is
/// part of the flow, and the consent evidence must hash exactly what was shown.
public enum PolicyPlaceholders {
    /// The placeholder names, without braces.
    public static let names = PolicyPlaceholder.allCases.map(\.rawValue)

    /// The text of a placeholder, or `nil` when `name` is not a policy placeholder.
    /// `purposes` are the ids a consent step covers; empty means every non-optional purpose.
    public static func value(
        of name: String, policy: Policy?, language: FlowLanguageCode, purposes: [String] = []
    ) -> String? {
        // Bytes: `hasPrefix` walks characters; a name that differs only there fails the switch below anyway.
        guard name.utf8.starts(with: "policy.".utf8) else { return nil }
        switch name {
        case "policy.purposes":
            let covered =
                purposes.isEmpty
                ? (policy?.purposes.filter { !$0.optional } ?? [])
                : purposes.compactMap { id in policy?.purposes.first { $0.id.value == id } }
            return covered.map(\.description.value).joined(separator: ", ")
        case "policy.responsible":
            guard let r = policy?.responsible else { return "" }
            let contact = [r.email?.value, r.phone?.value, r.address?.value].compactMap { $0 }
            return contact.isEmpty ? r.name.value : "\(r.name.value) (\(contact.joined(separator: ", ")))"
        case "policy.url":
            return policy?.url.value ?? ""
        case "policy.version":
            return policy?.version.value ?? ""
        case "policy.rights":
            return rights(language)
        default:
            return nil
        }
    }

    /// The rights of the data subject (Ley 1581, art. 8), as one sentence in the flow's language.
    public static func rights(_ language: FlowLanguageCode) -> String {
        switch language {
        case .es:
            return "Puedes conocer, actualizar, rectificar y suprimir tus datos, revocar esta autorización, "
                + "solicitar prueba de ella, ser informado del uso de tus datos, presentar quejas ante la "
                + "Superintendencia de Industria y Comercio (SIC) y acceder gratuitamente a tus datos."
        case .en:
            return "You may know, update, rectify and delete your data, revoke this authorization, request proof "
                + "of it, be informed of how your data are used, complain to the Superintendence of Industry and "
                + "Commerce (SIC) and access your data free of charge."
        case .pt:
            return "Você pode conhecer, atualizar, retificar e eliminar seus dados, revogar esta autorização, "
                + "solicitar prova dela, ser informado do uso dos seus dados, apresentar reclamação à "
                + "Superintendência de Indústria e Comércio (SIC) e acessar seus dados gratuitamente."
        }
    }

    /// Whether a text names a policy placeholder (and so reads differently once they are filled in).
    public static func isUsed(in template: TextTemplate) -> Bool {
        template.variables.contains { PolicyPlaceholder(rawValue: $0) != nil }
    }

    /// `text` with every policy placeholder replaced, other placeholders left as written.
    public static func expand(
        _ text: String, policy: Policy?, language: FlowLanguageCode, purposes: [String] = []
    ) -> String {
        guard TextTemplate.mayHavePlaceholder(text) else { return text }
        let template = TextTemplate(parsing: text)
        var out = ""
        for piece in template.pieces {
            switch piece {
            case .literal(let literal): out += literal
            case .variable(let name):
                out += value(of: name, policy: policy, language: language, purposes: purposes) ?? "{{\(name)}}"
            }
        }
        return out
    }
}
