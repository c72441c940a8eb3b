import FlowDiagnostics

/// Bot text with `{{variable}}` and `{{contact.name}}` placeholders, split into pieces once so that checks
/// and the interpreter never re-scan the text.
public struct TextTemplate: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        case literal(String)
        /// A variable reference: `name` or `contact.name`.
        case variable(String)
    }

    public var pieces: [Piece]

    public init(pieces: [Piece]) {
        self.pieces = pieces
    }

    /// Whether the text contains `{{` at all: a byte scan, cheaper than any search through Foundation.
    public static func mayHavePlaceholder(_ text: String) -> Bool {
        func scan(_ bytes: some Collection<UInt8>) -> Bool {
            var previousBrace = false
            for byte in bytes {
                if byte == UInt8(ascii: "{") {
                    if previousBrace { return true }
                    previousBrace = true
                } else {
                    previousBrace = false
                }
            }
            return false
        }
        // A native string's bytes in place: iterating `utf8` checks its representation on every byte.
        return text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(text.utf8)
    }

    /// Splits text at `{{…}}`. Spaces inside the braces are ignored (`{{ name }}`); an unclosed `{{` stays text.
    public init(parsing text: String) {
        // Most bot text has no placeholder: answer without scanning for `}}`.
        guard Self.mayHavePlaceholder(text) else {
            self.pieces = text.isEmpty ? [] : [.literal(text)]
            return
        }
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var literalStart = 0
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        Self.scan(bytes) { whole, name in
            if literalStart < whole.lowerBound { pieces.append(.literal(string(literalStart..<whole.lowerBound))) }
            pieces.append(.variable(string(name)))
            literalStart = whole.upperBound
        }
        if literalStart < bytes.count { pieces.append(.literal(string(literalStart..<bytes.count))) }
        // Adjacent literals (an empty `{{}}` kept as text) are merged, as the text reads.
        var merged: [Piece] = []
        for piece in pieces {
            if case .literal(let b) = piece, case .literal(let a)? = merged.last {
                merged[merged.count - 1] = .literal(a + b)
            } else {
                merged.append(piece)
            }
        }
        self.pieces = merged
    }

    /// Each placeholder of `text` in order, with the Unicode scalars it spans from `{{` to `}}`, so that a check
    /// can point at the placeholder itself. The same placeholders `init(parsing:)` finds.
    public static func placeholders(in text: String) -> [(name: String, scalars: Range<Int>)] {
        guard mayHavePlaceholder(text) else { return [] }
        let bytes = Array(text.utf8)
        var found: [(name: String, scalars: Range<Int>)] = []
        // Scalars before a byte offset: the bytes that do not continue a scalar (`10xxxxxx`).
        var counted = (bytes: 0, scalars: 0)
        func scalarOffset(_ byte: Int) -> Int {
            while counted.bytes < byte {
                if bytes[counted.bytes] & 0xC0 != 0x80 { counted.scalars += 1 }
                counted.bytes += 1
            }
            return counted.scalars
        }
        scan(bytes) { whole, name in
            let start = scalarOffset(whole.lowerBound)
            let end = scalarOffset(whole.upperBound)
            found.append((String(decoding: bytes[name], as: UTF8.self), start..<end))
        }
        return found
    }

    /// Calls `body` with the byte range of each placeholder (`{{` to `}}`) and of its name, spaces trimmed;
    /// `{{}}`, `{{ }}` and an unclosed `{{` are not placeholders. Bytes, because `{`, `}`, space and tab are
    /// ASCII, so byte positions are always character boundaries.
    private static func scan(_ bytes: [UInt8], _ body: (_ whole: Range<Int>, _ name: Range<Int>) -> Void) {
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == open, bytes[i + 1] == open else {
                i += 1
                continue
            }
            var j = i + 2
            while j + 1 < bytes.count, !(bytes[j] == close && bytes[j + 1] == close) { j += 1 }
            guard j + 1 < bytes.count else { break }
            var nameStart = i + 2
            var nameEnd = j
            while nameStart < nameEnd, bytes[nameStart] == 0x20 || bytes[nameStart] == 0x09 { nameStart += 1 }
            while nameEnd > nameStart, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09 { nameEnd -= 1 }
            if nameStart < nameEnd { body(i..<(j + 2), nameStart..<nameEnd) }
            i = j + 2
        }
    }

    /// The variable references in order of appearance.
    public var variables: [String] {
        pieces.compactMap { if case .variable(let name) = $0 { return name } else { return nil } }
    }

    /// The text with each placeholder replaced by `lookup(name)` (empty when it returns `nil`).
    public func render(_ lookup: (String) -> String?) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .variable(let name): out += lookup(name) ?? ""
            }
        }
        return out
    }

    /// The length of the text in characters when every placeholder is empty: the part a check can know.
    public var literalLength: Int {
        pieces.reduce(0) { total, piece in
            if case .literal(let text) = piece { return total + text.count }
            return total
        }
    }
}
