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
            var replies: [Reply] = []
            for (index, option) in menu.options.enumerated() {
                // Titles first: a repeat is best explained against what the contact sees.
                replies.append(Reply(option: index, kind: .title, text: option.title))
                replies.append(Reply(option: index, kind: .id, text: option.id))
                replies += option.synonyms.map { Reply(option: index, kind: .synonym, text: $0) }
            }
            var first: [String: Reply] = [:]
            for reply in replies {
                let key = TextMatching.normalize(reply.text.value)
                guard !key.isEmpty else { continue }
                if let number = Int(key), (1...menu.options.count).contains(number), number - 1 != reply.option {
                    let other = menu.options[number - 1]
                    out.append(
                        Self.descriptor.diagnostic(
                            "\(reply.kind.rawValue) '\(reply.text.value)' of option "
                                + "'\(menu.options[reply.option].id.value)' in step '\(step.id.value)' is the number "
                                + "of option '\(other.id.value)', which the contact can type to choose it",
                            at: reply.text.range,
                            notes: [DiagnosticNote(message: "option \(number) is here", range: other.range)]))
                    continue
                }
                guard let earlier = first[key] else {
                    first[key] = reply
                    continue
                }
                // An option's own id, title and synonyms may coincide ("comprar" / "Comprar"); only a repeat of
                // the same kind within one option, or any repeat across options, is a problem.
                guard earlier.option != reply.option || earlier.kind == reply.kind else { continue }
                let owner = menu.options[reply.option].id.value
                let earlierOwner = menu.options[earlier.option].id.value
                let whose = earlier.option == reply.option ? "" : " of option '\(earlierOwner)'"
                out.append(
                    Self.descriptor.diagnostic(
                        "\(reply.kind.rawValue) '\(reply.text.value)' of option '\(owner)' in step "
                            + "'\(step.id.value)' repeats the \(earlier.kind.rawValue) '\(earlier.text.value)'"
                            + "\(whose); each reply must choose exactly one option", at: reply.text.range,
                        notes: [DiagnosticNote(message: "first used here", range: earlier.text.range)]))
            }
        }
        return out
    }
}
