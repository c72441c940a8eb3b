import FlowDiagnostics
import FlowLanguage

/// A word the contact types must do one thing. Revocation words are read before keywords, and among keywords the
/// first that lists a word wins, so a word that two keywords share (leading to different steps), or that is also
/// a revocation word, never reaches the later one: the flow's author meant something that cannot happen.
/// Both are read before a menu's options too, as exact words, so a keyword or revocation word that reads as an
/// option's number ("2", "02", "+2") takes that very text from every menu with as many options: typing it there
/// never chooses the option (typing the number another way, "2" for a keyword "02", still does).
/// A template's opt-out label is read right after the revocation words, before keywords and every step's answer,
/// for a contact with the opt-in: a label that is also a keyword, a menu option's title, id or synonym, or a
/// consent or opt-in button label takes that typed word from them for such a contact. A menu option's title or
/// synonym that is a revocation or keyword word is taken from the option the same way: typing the title of a
/// row "Borrar mis datos" would revoke the consent, while tapping it chooses the row.
/// Compared as typed words are matched (ignoring case, accents and extra spaces).
struct KeywordConflictRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "keyword_conflict", severity: .warning,
        summary: "a keyword word is also a revocation word, two keywords leading to different steps share a "
            + "word (the later one never runs for it), or a keyword or revocation word reads as the "
            + "number of a menu's option (typing it there never chooses the option), or a template's opt-out label "
            + "is also a keyword, a menu option's word or a consent button (a contact with the opt-in who types it "
            + "stops promotions instead), or a menu option's title or synonym is also a revocation or keyword "
            + "word (typing it revokes the consent or follows the keyword instead of choosing the option)",
        fix: "Give each word one meaning: remove it from one of the keywords, or from the keyword when it is a "
            + "revocation word (revocation is read first); for a number, use a number no menu's options reach (such "
            + "as 0) or a word; give an opt-out label words nothing else in the flow uses; give a menu option a title "
            + "and synonyms no revocation or keyword word uses.",
        pointsAt: "the word that never leads where it is written, or the number word; a note points at the word "
            + "that wins, or at the first menu option of that number; for an opt-out label, the label, with a note at "
            + "the first word it takes")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        let settings = context.flow.settings
        var revocation: [String: Located<String>] = [:]
        for word in settings.revocation?.words ?? [] {
            let key = TextMatching.normalize(word.value)
            if !key.isEmpty, revocation[key] == nil { revocation[key] = word }
        }
        var first: [String: (word: Located<String>, target: String)] = [:]
        var out: [Diagnostic] = []
        for keyword in settings.keywords {
            for word in keyword.words {
                let key = TextMatching.normalize(word.value)
                guard !key.isEmpty else { continue }
                if let revoking = revocation[key] {
                    out.append(
                        Self.descriptor.diagnostic(
                            "keyword word '\(word.value)' is also a revocation word; revocation is read first, so "
                                + "this keyword never runs for it", at: word.range,
                            notes: [DiagnosticNote(message: "the revocation word", range: revoking.range)]))
                    continue
                }
                if let earlier = first[key] {
                    if earlier.target != keyword.target.value {
                        out.append(
                            Self.descriptor.diagnostic(
                                "keyword word '\(word.value)' already leads to step '\(earlier.target)'; the first "
                                    + "keyword that lists a word wins, so it never leads to '\(keyword.target.value)'",
                                at: word.range,
                                notes: [DiagnosticNote(message: "first listed here", range: earlier.word.range)]))
                    }
                    continue
                }
                first[key] = (word, keyword.target.value)
            }
        }
        out += numberWords(context)
        out += optionWords(context, revocation: revocation, keywords: first)
        out += optOutLabels(context)
        return out
    }

    /// A menu option's title or synonym that is also a revocation word or a keyword word: both are read before
    /// the options, so typing it revokes the consent, or goes where the keyword leads, instead of choosing the
    /// option (tapping the option still chooses it). A keyword that leads where the option does is no conflict.
    private func optionWords(
        _ context: RuleContext, revocation: [String: Located<String>],
        keywords: [String: (word: Located<String>, target: String)]
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in context.flow.steps {
            guard case .menu(let menu) = step.kind else { continue }
            for option in menu.options {
                // Titles and synonyms, what a contact types; an id is what a tapped button sends.
                let named = [("title", option.title)] + option.synonyms.map { ("synonym", $0) }
                for (kind, word) in named {
                    let key = TextMatching.normalize(word.value)
                    guard !key.isEmpty else { continue }
                    let what = "\(kind) '\(word.value)' of option '\(option.id.value)' in step '\(step.id.value)'"
                    if let revoking = revocation[key] {
                        out.append(
                            Self.descriptor.diagnostic(
                                "\(what) is also a revocation word; revocation words are read before a menu's "
                                    + "options, so a contact who types it revokes the consent instead of choosing "
                                    + "the option", at: word.range,
                                notes: [DiagnosticNote(message: "the revocation word", range: revoking.range)]))
                    } else if let keyword = keywords[key], keyword.target != option.next?.value {
                        out.append(
                            Self.descriptor.diagnostic(
                                "\(what) is also keyword word '\(keyword.word.value)'; keywords are read before a "
                                    + "menu's options, so a contact who types it goes to step '\(keyword.target)' "
                                    + "instead of choosing the option", at: word.range,
                                notes: [DiagnosticNote(message: "the keyword word", range: keyword.word.range)]))
                    }
                }
            }
        }
        return out
    }

    /// Opt-out labels that are also another word the contact types: a keyword word, a menu option's title, id or
    /// synonym, or a consent or opt-in button label (one diagnostic per label, at the first word it takes).
    private func optOutLabels(_ context: RuleContext) -> [Diagnostic] {
        let labels = context.flow.templates.compactMap { template in template.optOut.map { (template, $0) } }
        guard !labels.isEmpty else { return [] }
        var words: [(key: String, word: Located<String>, what: String)] = []
        for keyword in context.flow.settings.keywords {
            words += keyword.words.map {
                (
                    TextMatching.normalize($0.value), $0,
                    "keyword word '\($0.value)' (it leads to step '\(keyword.target.value)')"
                )
            }
        }
        for step in context.flow.steps {
            switch step.kind {
            case .menu(let menu):
                for option in menu.options {
                    let named = [("title", option.title), ("id", option.id)] + option.synonyms.map { ("synonym", $0) }
                    for (kind, word) in named {
                        words.append(
                            (
                                TextMatching.normalize(word.value), word,
                                "\(kind) '\(word.value)' of option '\(option.id.value)' in step '\(step.id.value)'"
                            ))
                    }
                }
            case .consent(let consent):
                var buttons = [consent.accept.title, consent.decline.title]
                if let optIn = consent.optIn { buttons += [optIn.accept, optIn.decline] }
                words += buttons.map {
                    (TextMatching.normalize($0.value), $0, "button '\($0.value)' of consent step '\(step.id.value)'")
                }
            default:
                continue
            }
        }
        var out: [Diagnostic] = []
        for (template, label) in labels {
            let key = TextMatching.normalize(label.value)
            guard !key.isEmpty, let taken = words.first(where: { $0.key == key }) else { continue }
            out.append(
                Self.descriptor.diagnostic(
                    "opt-out label '\(label.value)' of template '\(template.key.value)' is also the \(taken.what); "
                        + "the opt-out is read first, so a contact with the opt-in who types it stops promotions "
                        + "instead", at: label.range,
                    notes: [DiagnosticNote(message: "also written here", range: taken.word.range)]))
        }
        return out
    }

    /// Keyword and revocation words that are a menu option's number, as the interpreter reads a typed number
    /// (`Int` of the normalized text: "2", "02" and "+2" are 2): one diagnostic per word, at the first menu that
    /// has that many options, counting the others.
    private func numberWords(_ context: RuleContext) -> [Diagnostic] {
        let settings = context.flow.settings
        let menus: [(step: String, menu: MenuStep)] = context.flow.steps.compactMap { step in
            guard case .menu(let menu) = step.kind else { return nil }
            return (step.id.value, menu)
        }
        guard !menus.isEmpty else { return [] }
        var words: [(word: Located<String>, what: String)] = []
        for keyword in settings.keywords {
            words += keyword.words.map {
                ($0, "keyword word '\($0.value)' (it leads to step '\(keyword.target.value)')")
            }
        }
        words += (settings.revocation?.words ?? []).map { ($0, "revocation word '\($0.value)'") }
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        for (word, what) in words {
            let key = TextMatching.normalize(word.value)
            guard let number = Int(key), number >= 1, seen.insert(key).inserted else { continue }
            let reached = menus.filter { $0.menu.options.count >= number }
            guard let first = reached.first else { continue }
            let option = first.menu.options[number - 1]
            let others =
                reached.count == 1 ? "" : " (and in \(reached.count - 1) other menu\(reached.count == 2 ? "" : "s"))"
            out.append(
                Self.descriptor.diagnostic(
                    "\(what) reads as the number of option '\(option.id.value)' in step '\(first.step)'"
                        + "\(others); keywords and revocation words are read before a menu's options, so typing "
                        + "'\(key)' there never chooses the option",
                    at: word.range,
                    notes: [DiagnosticNote(message: "option \(number) is here", range: option.range)]))
        }
        return out
    }
}
