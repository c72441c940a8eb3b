import FlowDiagnostics
import FlowLanguage

/// A word the contact types must do one thing. Revocation words are read before keywords, and among keywords the
/// first that lists a word wins, so a word that two keywords share (leading to different steps), or that is also
/// a revocation word, never reaches the later one: the flow's author meant something that cannot happen.
/// Compared as typed words are matched (ignoring case, accents and extra spaces).
struct KeywordConflictRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "keyword_conflict", severity: .warning,
        summary: "a keyword word is also a revocation word, or two keywords leading to different steps share a "
            + "word (the later one never runs for it)",
        fix: "Give each word one meaning: remove it from one of the keywords, or from the keyword when it is a "
            + "revocation word (revocation is read first).",
        pointsAt: "the word that never leads where it is written; a note points at the word that wins")

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
        return out
    }
}
