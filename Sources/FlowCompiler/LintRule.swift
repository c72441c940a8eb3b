import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Synchronization

/// A check over a decoded flow. Each rule lives in a file of its own under `Rules/`, carries its descriptor
/// (stable id, severity, summary, fix) and has a fixture folder `Tests/FlowCompilerTests/Fixtures/<id>/`
/// with a flow that triggers it and the expected diagnostics.
public protocol LintRule: Sendable {
    /// One rule may report under several ids (e.g. each WhatsApp limit); most have one.
    var descriptors: [RuleDescriptor] { get }
    func check(_ context: RuleContext) -> [Diagnostic]
}

/// What a rule may look at: the flow, its source text and the precomputed step graph.
public struct RuleContext: Sendable {
    public let flow: Flow
    public let source: SourceText
    public let graph: FlowGraph
    /// Every text the bot sends, listed once for the emoji and length rules.
    let botTexts: [BotText]
    /// The flow's consent lock, when it has one beside it (`consent_text_changed`).
    public let consentLock: ConsentLock?
    /// The text fields' spellings, worked out once each when a rule first asks where a scalar is written.
    let spellings = ScalarSpellings()

    public init(flow: Flow, source: SourceText, consentLock: ConsentLock? = nil) {
        self.flow = flow
        self.source = source
        self.consentLock = consentLock
        self.graph = FlowGraph(flow)
        self.botTexts = BotText.all(in: flow)
    }

    /// The source range of some Unicode scalars of a text field's value, so that a diagnostic about a few
    /// characters (an emoji, a template token) points at their exact line and column.
    ///
    /// The value's non-blank scalars are matched in order against the characters written in the source, which
    /// is what plain, quoted, literal (`|`) and folded (`>`) scalars all keep: indentation, line breaks and
    /// folding are blanks on both sides; a tag or anchor, a block scalar's header line (with any comment on
    /// it) and the quotes are skipped; `''` in single quotes is one `'`; an escape in double quotes (`\u00e1`,
    /// `\U0001F600`) stands for the scalar it produces and is located as a whole. Falls back to the whole
    /// field when the source does not spell the value (a placeholder for a missing field) or when the scalars
    /// asked for are all blanks.
    public func range(ofScalars scalarRange: Range<Int>, in text: Located<String>) -> SourceRange {
        // By where the field is written and its value: two values at one place (a made-up one) are not mixed up.
        // Comparing the same string again is quick (its storage is the same), unlike hashing it each time.
        let key = ScalarSpelling.Key(start: text.range.start.offset, end: text.range.end.offset)
        let spelling = spellings.cache.withLock { cache in
            if let known = cache[key]?.first(where: { $0.value == text.value }) { return known.spelling }
            let made = ScalarSpelling(text, in: source)
            cache[key, default: []].append((text.value, made))
            return made
        }
        return spelling.range(ofScalars: scalarRange, in: text, source: source)
    }
}

/// The spellings worked out so far, one per text field, shared by every rule of one check: a text with thousands
/// of problems (emoji, placeholders, control characters) is read once, not once per problem.
final class ScalarSpellings: Sendable {
    let cache = Mutex<[ScalarSpelling.Key: [(value: String, spelling: ScalarSpelling)]]>([:])
}

/// How a text field's value is spelled in the source: each non-blank scalar of the value with the bytes that
/// write it, and the blank ones written as escapes. See `RuleContext.range(ofScalars:in:)`.
struct ScalarSpelling: Sendable {
    struct Key: Hashable, Sendable {
        var start: Int
        var end: Int
    }
    typealias Written = (scalar: Unicode.Scalar, start: Int, end: Int)

    let value: [Unicode.Scalar]
    let spelled: [Written]
    /// For each scalar of the value, how many non-blank scalars come before it.
    let nonBlankBefore: [Int]
    /// The first index of the value from which its non-blank scalars no longer match the spelling.
    let matchedUpTo: Int
    /// For each blank scalar of the value, how many of the same scalar come before it since the last non-blank.
    let sameBlankBefore: [Int]
    /// The blank scalars written as escapes, by the number of non-blank scalars before them and the scalar.
    let escapedBlanks: [EscapeKey: [Written]]

    struct EscapeKey: Hashable, Sendable {
        var after: Int
        var scalar: Unicode.Scalar
    }

    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}": return true
        default: return false
        }
    }

    init(_ text: Located<String>, in source: SourceText) {
        func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
        /// The scalar a one-character escape of a double-quoted scalar stands for (YAML 1.2, 5.7).
        func unescaped(_ code: Unicode.Scalar) -> Unicode.Scalar? {
            let table: [Unicode.Scalar: UInt32] = [
                "0": 0, "a": 0x07, "b": 0x08, "t": 0x09, "\t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D,
                "e": 0x1B, " ": 0x20, "\"": 0x22, "/": 0x2F, "\\": 0x5C, "N": 0x85, "_": 0xA0, "L": 0x2028,
                "P": 0x2029,
            ]
            return table[code].flatMap(Unicode.Scalar.init)
        }
        let isBlank = Self.isBlank
        value = Array(text.value.unicodeScalars)

        // The field's source, one scalar at a time, with byte offsets.
        let bytes = source.bytes
        let upper = min(max(text.range.end.offset, text.range.start.offset), bytes.count)
        var written: [Written] = []
        var offset = min(text.range.start.offset, bytes.count)
        while offset < upper {
            let length = min(SourceText.scalarLength(leadingByte: bytes[offset]), upper - offset)
            let decoded = String(decoding: bytes[offset..<(offset + length)], as: UTF8.self).unicodeScalars.first
            written.append((decoded ?? "\u{FFFD}", offset, offset + length))
            offset += length
        }

        // The non-blank scalars the value is made of, each with where it is written; and the blank ones written
        // as escapes (`\N`, `\u0085`, `\r`), each with how many non-blank scalars come before it.
        var spelled: [Written] = []
        var escapedBlanks: [EscapeKey: [Written]] = [:]
        var k = 0
        while k < written.count, written[k].scalar == "!" || written[k].scalar == "&" {
            while k < written.count, !isBlank(written[k].scalar) { k += 1 }
            while k < written.count, isBlank(written[k].scalar) { k += 1 }
        }
        let style = k < written.count ? written[k].scalar : " "
        if style == "|" || style == ">" {
            while k < written.count, !isLineBreak(written[k].scalar) { k += 1 }
        } else if style == "'" || style == "\"" {
            k += 1
        }
        scan: while k < written.count {
            let scalar = written[k].scalar
            if style == "'", scalar == "'" {
                guard k + 1 < written.count, written[k + 1].scalar == "'" else { break scan }
                spelled.append(("'", written[k].start, written[k + 1].end))
                k += 2
            } else if style == "\"", scalar == "\"" {
                break scan
            } else if style == "\"", scalar == "\\", k + 1 < written.count {
                let code = written[k + 1].scalar
                let digits = code == "x" ? 2 : code == "u" ? 4 : code == "U" ? 8 : 0
                var produced = unescaped(code)
                if digits > 0, k + 1 + digits < written.count {
                    let hex = String(String.UnicodeScalarView(written[(k + 2)..<(k + 2 + digits)].map(\.scalar)))
                    produced = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init)
                }
                let end = k + 1 + digits
                if let produced, !isBlank(produced) {
                    spelled.append((produced, written[k].start, written[end].end))
                } else if let produced, end < written.count {
                    escapedBlanks[EscapeKey(after: spelled.count, scalar: produced), default: []].append(
                        (produced, written[k].start, written[end].end))
                }
                k = end + 1
            } else {
                if !isBlank(scalar) { spelled.append(written[k]) }
                k += 1
            }
        }
        self.spelled = spelled
        self.escapedBlanks = escapedBlanks

        // One pass over the value: the counts each look-up needs, and how far it matches its spelling.
        var nonBlankBefore: [Int] = []
        var sameBlankBefore: [Int] = []
        nonBlankBefore.reserveCapacity(value.count)
        sameBlankBefore.reserveCapacity(value.count)
        var nonBlank = 0
        var blanksSinceNonBlank: [Unicode.Scalar: Int] = [:]
        var matchedUpTo = value.count
        for (index, scalar) in value.enumerated() {
            nonBlankBefore.append(nonBlank)
            if isBlank(scalar) {
                sameBlankBefore.append(blanksSinceNonBlank[scalar, default: 0])
                blanksSinceNonBlank[scalar, default: 0] += 1
            } else {
                sameBlankBefore.append(0)
                if matchedUpTo == value.count, nonBlank >= spelled.count || spelled[nonBlank].scalar != scalar {
                    matchedUpTo = index
                }
                nonBlank += 1
                blanksSinceNonBlank.removeAll(keepingCapacity: true)
            }
        }
        self.nonBlankBefore = nonBlankBefore
        self.sameBlankBefore = sameBlankBefore
        self.matchedUpTo = matchedUpTo
    }

    func range(ofScalars scalarRange: Range<Int>, in text: Located<String>, source: SourceText) -> SourceRange {
        guard scalarRange.lowerBound >= 0, scalarRange.upperBound <= value.count else { return text.range }
        // One blank scalar asked for (a control character such as NEL): the escape that wrote it, found by the
        // non-blank scalars before it and the same blank scalars between it and them.
        if scalarRange.count == 1, Self.isBlank(value[scalarRange.lowerBound]) {
            let index = scalarRange.lowerBound
            let candidates = escapedBlanks[EscapeKey(after: nonBlankBefore[index], scalar: value[index])] ?? []
            guard sameBlankBefore[index] < candidates.count else { return text.range }
            let escape = candidates[sameBlankBefore[index]]
            return SourceRange(
                start: source.location(ofByte: escape.start), end: source.location(ofByte: escape.end))
        }
        // Every non-blank scalar up to those asked for must match its spelling.
        let lastNonBlank = scalarRange.reversed().first { !Self.isBlank(value[$0]) }
        guard let first = scalarRange.first(where: { !Self.isBlank(value[$0]) }), let lastNonBlank,
            lastNonBlank < matchedUpTo
        else { return text.range }
        let start = spelled[nonBlankBefore[first]].start
        let end = spelled[nonBlankBefore[lastNonBlank]].end
        return SourceRange(start: source.location(ofByte: start), end: source.location(ofByte: end))
    }

}
