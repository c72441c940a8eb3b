import FlowDiagnostics
import FlowLanguage
import Foundation

/// Shared helpers of the habeas-data rules: finding consent steps, comparing text the way a reader would
/// (ignoring case, accents and line folding) and locating top-level keys the typed flow does not keep.
enum HabeasData {
    /// A consent step together with the step that holds it, for ids and ranges in messages.
    struct ConsentEntry {
        var step: Step
        var consent: ConsentStep
    }

    /// Every consent step, general and sensitive, in file order.
    static func consents(in flow: Flow) -> [ConsentEntry] {
        flow.steps.compactMap { step in
            guard case .consent(let consent) = step.kind else { return nil }
            return ConsentEntry(step: step, consent: consent)
        }
    }

    /// The general (non-sensitive) consent steps: the ones that carry the art. 12 disclosure.
    static func generalConsents(in flow: Flow) -> [ConsentEntry] {
        consents(in: flow).filter { !$0.consent.sensitive }
    }

    /// Text folded for comparison: lower-cased, accents removed ("Atención" → "atencion") and every run of
    /// white space made one space, because a YAML block may break a phrase across lines.
    static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for character in folded {
            if character.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }

    /// The words of folded text: runs of letters and digits, so that "SIC." and "(SIC)" both give "sic".
    static func words(_ folded: String) -> [Substring] {
        folded.split { !($0.isLetter || $0.isNumber) }
    }

    /// Whether some word of the folded text starts with one of the stems (folded too): the lenient match
    /// that lets "rectificación" satisfy "rectific" while "sic" does not match inside "música".
    static func hasWord(startingWith stems: [String], in words: [Substring]) -> Bool {
        stems.contains { stem in words.contains { $0.hasPrefix(stem) } }
    }

    /// Whether the text uses a `{{policy.…}}` placeholder (spaces inside the braces allowed).
    static func uses(_ placeholder: PolicyPlaceholder, in text: String) -> Bool {
        TextTemplate(parsing: text).variables.contains(placeholder.rawValue)
    }

    /// Whether a value was written in the file rather than invented by the decoder for a missing field
    /// (the decoder's placeholders are empty ranges), so a rule does not repeat a `missing_field` error.
    static func isWritten(_ value: Located<String>) -> Bool {
        value.range.start.offset != value.range.end.offset || !value.value.isEmpty
    }

    /// The range of a top-level key written in block style at column 1 (`steps:`), which the typed flow
    /// does not keep; `nil` when the key is absent or written some other way.
    static func topLevelKeyRange(_ key: String, in source: SourceText) -> SourceRange? {
        let keyBytes = Array(key.utf8)
        let bytes = source.bytes
        for start in source.lineStarts {
            let end = start + keyBytes.count
            guard end <= bytes.count, Array(bytes[start..<end]) == keyBytes else { continue }
            var i = end
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            guard i < bytes.count, bytes[i] == 0x3A else { continue }
            // A colon must end the key: followed by a space, a line break or the end of the file.
            let after = i + 1
            guard after == bytes.count || [0x20, 0x09, 0x0A, 0x0D].contains(bytes[after]) else { continue }
            return SourceRange(start: source.location(ofByte: start), end: source.location(ofByte: end))
        }
        return nil
    }

    /// Where a problem of the flow as a whole is reported when no better place exists: the first key.
    static func flowTop(_ flow: Flow) -> SourceRange {
        SourceRange(at: flow.range.start)
    }

    /// A list of quoted items for messages: `'a', 'b' and 'c'`.
    static func quotedList(_ items: [String], conjunction: String = "and") -> String {
        let quoted = items.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + quoted.last!
    }
}

extension HabeasData {
    /// The purpose ids a consent step covers, as the compiled machine records them on acceptance: its
    /// `purposes`, or every non-optional purpose of the policy when it lists none.
    static func coveredPurposes(of consent: ConsentStep, policy: Policy) -> [String] {
        consent.purposes.isEmpty
            ? policy.purposes.filter { !$0.optional }.map(\.id.value) : consent.purposes.map(\.value)
    }

    /// The first handoff step, in file order, that the flow can reach, if any.
    static func firstReachableHandoff(_ context: RuleContext) -> Step? {
        let reachable = context.graph.reachable()
        let steps = context.flow.steps
        return steps.indices.first { index in
            guard case .handoff = steps[index].kind else { return false }
            return reachable[index]
        }.map { steps[$0] }
    }

    /// Whether a consent step lists only declared purposes: one naming an unknown purpose is reported by
    /// `unknown_purpose`, and the rules that compare covered purposes skip it rather than repeat the error.
    static func listsOnlyDeclaredPurposes(_ consent: ConsentStep, policy: Policy) -> Bool {
        let declared = Set(policy.purposes.map(\.id.value))
        return consent.purposes.allSatisfy { declared.contains($0.value) }
    }

    /// The covered purposes for a message: "'a' and 'b'", or "no purpose".
    static func describePurposes(_ ids: [String]) -> String {
        ids.isEmpty ? "no purpose" : quotedList(ids, conjunction: "and")
    }

    /// Where a consent step's purposes are shown in a message: its first listed purpose, else its id.
    static func purposesRange(of entry: ConsentEntry) -> SourceRange {
        entry.consent.purposes.first?.range ?? entry.step.id.range
    }
}
