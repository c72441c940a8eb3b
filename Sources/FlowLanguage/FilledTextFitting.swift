/// Text whose filled-in values made it longer than WhatsApp accepts, made to fit by cutting the values, never
/// the text the flow's author wrote: every value longer than a common length is cut to that length, ending in
/// `…`, the common length being the longest that lets the whole fit. The same values always give the same text,
/// and the shortest values stay whole. What the interpreter does to a menu's, consent's or opt-in's body, a
/// header, a footer, a caption and a template's parameters (Docs/runtime.md, "Text longer than WhatsApp
/// accepts").
public enum FilledTextFitting {
    /// A part of filled-in text: written by the flow's author, or a value filled in.
    public enum Piece: Sendable, Hashable {
        case literal(String)
        case value(String)
    }

    /// The mark that ends a value that was cut.
    public static let ellipsis: Character = "…"

    /// The pieces joined, with values cut so that the whole is at most `limit` characters. Should the text
    /// written by the author leave no room even for `…` in place of each value, the whole is cut at the limit,
    /// ending in `…`.
    public static func fitted(_ pieces: [Piece], limit: Int) -> String {
        let whole = join(pieces)
        if WhatsAppTextLimit.fits(whole, within: limit) { return whole }
        var fixed = 0
        var values: [String] = []
        for piece in pieces {
            switch piece {
            case .literal(let text): fixed += text.count
            case .value(let value): values.append(value)
            }
        }
        let shortened = cutValues(
            values, occurrences: Array(repeating: 1, count: values.count), fixed: fixed, limit: limit)
        var next = shortened.makeIterator()
        let fitted = join(
            pieces.map { piece in
                if case .value = piece, let value = next.next() { return .value(value) }
                return piece
            })
        // Characters may join across a piece's edge (a combining mark after a letter): counted whole again.
        return WhatsAppTextLimit.fits(fitted, within: limit) ? fitted : cut(fitted, to: limit)
    }

    /// `values` (each appearing `occurrences[i]` times in the text, beside `fixed` characters of written text)
    /// with every value longer than a common length cut to it, that length the longest that keeps the text
    /// within `limit`. Values that already fit are returned as they are.
    public static func cutValues(_ values: [String], occurrences: [Int], fixed: Int, limit: Int) -> [String] {
        let lengths = values.map(\.count)
        func total(_ cap: Int) -> Int {
            fixed + zip(lengths, occurrences).reduce(0) { $0 + min($1.0, cap) * $1.1 }
        }
        let longest = lengths.max() ?? 0
        if total(longest) <= limit { return values }
        // The longest common length that fits, found by halving: `total` grows with the length.
        var low = 1
        var high = longest
        while low < high {
            let middle = (low + high + 1) / 2
            if total(middle) <= limit { low = middle } else { high = middle - 1 }
        }
        return zip(values, lengths).map { value, length in length > low ? cut(value, to: low) : value }
    }

    /// `text` cut to `length` characters, the last being `…` (white space before it removed).
    public static func cut(_ text: String, to length: Int) -> String {
        guard text.count > length else { return text }
        var kept = String(text.prefix(max(0, length - 1)))
        while let last = kept.last, last.isWhitespace { kept.removeLast() }
        kept.append(ellipsis)
        return kept
    }

    private static func join(_ pieces: [Piece]) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text), .value(let text): out += text
            }
        }
        return out
    }
}
