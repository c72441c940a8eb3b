import FlowDiagnostics
import FlowLanguage

/// The data subject's rights (Ley 1581 art. 8) belong in the consent text (habeas-data item 2): informing
/// them only through the policy link is risky (the SIC ordered WhatsApp to inform all of art. 12 at the
/// moment of asking), so it is a warning rather than an error.
struct ConsentRightsByLinkRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_rights_by_link", severity: .warning,
        summary: "a general consent text leaves some of the data subject's rights to the policy link",
        fix: "State the rights in the text (know, update, rectify, delete, revoke, ask for proof, complain to the "
            + "SIC, free access) or use {{policy.rights}} (Ley 1581, arts. 8 and 12(c)).",
        pointsAt: "the consent step's `text` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One right: how it is named in messages and the word stems (folded) that show the text states it.
    struct Right {
        var name: String
        var stems: [String]
    }

    /// The rights of L. art. 8 per language, as stems so that inflections ("rectificación") count.
    static let rights: [FlowLanguageCode: [Right]] = [
        .es: [
            Right(name: "conocer", stems: ["conoc", "conozc"]),
            Right(name: "actualizar", stems: ["actualiz", "actualic"]),
            Right(name: "rectificar", stems: ["rectific", "rectifiqu"]),
            Right(name: "suprimir", stems: ["suprim", "supresi"]),
            Right(name: "revocar", stems: ["revoca", "revoqu"]),
            Right(name: "solicitar prueba", stems: ["prueba"]),
            Right(name: "quejarse ante la SIC", stems: ["sic", "superintendencia"]),
            Right(name: "acceso gratuito", stems: ["gratuit", "gratis"]),
        ],
        .en: [
            Right(name: "know", stems: ["know"]),
            Right(name: "update", stems: ["updat"]),
            Right(name: "rectify", stems: ["rectif"]),
            Right(name: "delete", stems: ["delet", "eras"]),
            Right(name: "revoke", stems: ["revok", "revoc"]),
            Right(name: "ask for proof", stems: ["proof"]),
            Right(name: "complain to the SIC", stems: ["complain"]),
            Right(name: "free access", stems: ["free"]),
        ],
        .pt: [
            Right(name: "conhecer", stems: ["conhec"]),
            Right(name: "atualizar", stems: ["atualiz"]),
            Right(name: "retificar", stems: ["retific", "retifiqu"]),
            Right(name: "eliminar", stems: ["elimin", "exclu"]),
            Right(name: "revogar", stems: ["revog"]),
            Right(name: "pedir prova", stems: ["prova"]),
            Right(name: "reclamar perante a SIC", stems: ["reclama"]),
            Right(name: "acesso gratuito", stems: ["gratuit", "gratis"]),
        ],
    ]

    /// One warning per general consent whose text leaves rights out, naming them.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let rights = Self.rights[context.flow.language.value] ?? []
        return HabeasData.generalConsents(in: context.flow).compactMap { entry in
            let text = entry.consent.text
            guard HabeasData.isWritten(text), !HabeasData.uses(.rights, in: text.value) else { return nil }
            let words = HabeasData.words(HabeasData.fold(text.value))
            let missing = rights.filter { !HabeasData.hasWord(startingWith: $0.stems, in: words) }
            guard !missing.isEmpty else { return nil }
            return Self.descriptor.diagnostic(
                "the text of consent step '\(entry.step.id.value)' does not state the rights "
                    + HabeasData.quotedList(missing.map(\.name))
                    + "; a policy link alone may not inform them: write them in the text or use {{policy.rights}}",
                at: text.range)
        }
    }
}
