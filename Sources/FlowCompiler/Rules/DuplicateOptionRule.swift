import FlowDiagnostics
import FlowLanguage

/// Every reply to a menu must choose one option. The contact may tap an option or type its number, title,
/// id or a synonym, so two options sharing any of these (compared as typed replies are matched: ignoring case,
/// accents and extra spaces) make the reply ambiguous; WhatsApp also refuses two reply buttons or rows with the same id or title.
struct DuplicateOptionRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "duplicate_option", severity: .error,
        summary: "two options of a menu share an id, a title or a synonym (ignoring case, accents and extra "
            + "spaces, as typed replies are matched), a synonym repeats another option's id or title, or a title or "
            + "synonym is another option's number",
        fix: "Give each option its own id, title and synonyms; remove the repeated word from one of them.",
        pointsAt: "the second title, synonym or number; a note points at the first")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One word that chooses an option.
    private struct Reply {
        enum Kind: String {
            case id, title, synonym
        }

        let option: Int
        let kind: Kind
        let text: Located<String>
    }

    /// Compares every reply word of each menu with the ones before it.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in context.flow.steps {
            guard case .menu(let menu) = step.kind else { continue }
            // Options are named by position and title: two options may share their id, the very mistake reported.
            func named(_ index: Int) -> String { "option \(index + 1) ('\(menu.options[index].title.value)')" }
            var replies: [Reply] = []
            for (index, option) in menu.options.enumerated() {
                // Titles first: a repeat is best explained against what the contact sees.
                replies.append(Reply(option: index, kind: .title, text: option.title))
                replies.append(Reply(option: index, kind: .id, text: option.id))
                replies += option.synonyms.map { Reply(option: index, kind: .synonym, text: $0) }
            }
            var earlierReplies: [String: [Reply]] = [:]
            for reply in replies {
                let key = TextMatching.normalize(reply.text.value)
                guard !key.isEmpty else { continue }
                let what =
                    "\(reply.kind.rawValue) '\(reply.text.value)' of \(named(reply.option)) in step '\(step.id.value)'"
                if let number = Int(key), (1...menu.options.count).contains(number), number - 1 != reply.option {
                    out.append(
                        Self.descriptor.diagnostic(
                            "\(what) is the number of \(named(number - 1)), which the contact can type to choose it",
                            at: reply.text.range,
                            notes: [
                                DiagnosticNote(
                                    message: "option \(number) is here", range: menu.options[number - 1].range)
                            ],
                            suggestion: Self.fix(reply, named(reply.option))))
                    continue
                }
                let earlier = earlierReplies[key, default: []]
                earlierReplies[key, default: []].append(reply)
                // An option's own id, title and synonyms may coincide ("comprar" / "Comprar"); only a repeat of
                // the same kind within one option, or any repeat across options, is a problem. The repeat of the
                // same kind is named first: a copied id repeats an id, whatever title it also matches.
                let clashes = earlier.filter { $0.option != reply.option || $0.kind == reply.kind }
                guard let clash = clashes.first(where: { $0.kind == reply.kind }) ?? clashes.first else { continue }
                // A word written twice in one option is named without an owner: it is that option's own.
                let whose = clash.option == reply.option ? "" : " of \(named(clash.option))"
                out.append(
                    Self.descriptor.diagnostic(
                        "\(what) repeats the \(clash.kind.rawValue) '\(clash.text.value)'\(whose); each reply must "
                            + "choose exactly one option", at: reply.text.range,
                        notes: [DiagnosticNote(message: "first used here", range: clash.text.range)],
                        suggestion: clash.option == reply.option
                            ? "remove the repeated \(reply.kind.rawValue)" : Self.fix(reply, named(reply.option))))
            }
        }
        return out
    }

    /// The help for a word that chooses another option too: change it in the option it is reported at.
    private static func fix(_ reply: Reply, _ option: String) -> String {
        switch reply.kind {
        case .id: "give \(option) an id of its own (the reply WhatsApp sends back names it)"
        case .title: "give \(option) a title of its own"
        case .synonym: "remove the synonym '\(reply.text.value)' from \(option), or give it another word"
        }
    }
}
