/// Braces in a text that look like a placeholder but make none: `{{}}`, `{{ }}`, a `{{` no `}}` closes
/// (`{{contact.name}`) and a `}}` that closes no `{{` (`{contact.name}}`). The runtime sends them as written
/// (language.md), which is never what the author meant, so `placeholder_malformed` points at each.
public struct MalformedPlaceholder: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `{{}}` or `{{ }}`: braces around no name.
        case empty
        /// A `{{` that no `}}` closes, or only one after another `{{`; `name` is the name written after it.
        case unclosed(name: String?)
        /// A `}}` that closes no `{{`; `name` is the name written before it.
        case unopened(name: String?)
    }

    public var kind: Kind
    /// The Unicode scalars of the text the braces span, from the first brace to the last, with the name
    /// between them, so that a check can underline exactly the malformed braces.
    public var scalars: Range<Int>

    /// The braces as written in `text`, for messages.
    public func written(in text: String) -> String {
        let all = Array(text.unicodeScalars)
        return String(String.UnicodeScalarView(all[scalars]))
    }

    /// Every malformed placeholder of `text`, in order. A placeholder `TextTemplate` fills is never one; a `{{`
    /// that a later placeholder's `}}` closes (`{{contact.name} y {{x}}`) is reported as unclosed, because that
    /// is what the author wrote, although the runtime reads it all as one placeholder.
    public static func find(in text: String) -> [MalformedPlaceholder] {
        guard hasDoubledBrace(text) else { return [] }
        let s = Array(text.unicodeScalars)
        var found: [MalformedPlaceholder] = []
        /// Where the text not yet part of a placeholder or a report begins: a name is looked for only after it.
        var free = 0
        var i = 0
        while i + 1 < s.count {
            if s[i] == "{", s[i + 1] == "{" {
                var j = i + 2
                while j + 1 < s.count, !(s[j] == "}" && s[j + 1] == "}") { j += 1 }
                guard j + 1 < s.count else {
                    // No `}}` after it: every `{{` from here on is unclosed.
                    let report = unclosed(at: i, in: s)
                    found.append(report)
                    i = max(report.scalars.upperBound, i + 2)
                    free = i
                    continue
                }
                let inner = s[(i + 2)..<j]
                if inner.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    found.append(MalformedPlaceholder(kind: .empty, scalars: i..<(j + 2)))
                } else if inner.indices.contains(where: { $0 + 1 < j && s[$0] == "{" && s[$0 + 1] == "{" }) {
                    found.append(unclosed(at: i, in: s))
                }
                i = j + 2
                free = i
            } else if s[i] == "}", s[i + 1] == "}" {
                found.append(unopened(at: i, after: free, in: s))
                i += 2
                free = i
            } else {
                i += 1
            }
        }
        return found
    }

    /// A scalar that may be part of a placeholder's name: ASCII letters, digits, `_` and `.` (`contact.name`).
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".": return true
        default: return false
        }
    }

    /// The unclosed `{{` at `start`, with the name after it and a single `}` after the name, when written.
    static func unclosed(at start: Int, in s: [Unicode.Scalar]) -> MalformedPlaceholder {
        var k = start + 2
        while k < s.count, s[k] == " " || s[k] == "\t" { k += 1 }
        let nameStart = k
        while k < s.count, isNameScalar(s[k]) { k += 1 }
        guard k > nameStart else {
            return MalformedPlaceholder(kind: .unclosed(name: nil), scalars: start..<(start + 2))
        }
        let name = String(String.UnicodeScalarView(s[nameStart..<k]))
        var end = k
        while end < s.count, s[end] == " " || s[end] == "\t" { end += 1 }
        end = end < s.count && s[end] == "}" ? end + 1 : k
        return MalformedPlaceholder(kind: .unclosed(name: name), scalars: start..<end)
    }

    /// The `}}` at `close`, with the name before it and a single `{` before the name, when written after `free`.
    static func unopened(at close: Int, after free: Int, in s: [Unicode.Scalar]) -> MalformedPlaceholder {
        var k = close
        while k > free, s[k - 1] == " " || s[k - 1] == "\t" { k -= 1 }
        let nameEnd = k
        while k > free, isNameScalar(s[k - 1]) { k -= 1 }
        guard k < nameEnd else {
            return MalformedPlaceholder(kind: .unopened(name: nil), scalars: close..<(close + 2))
        }
        let name = String(String.UnicodeScalarView(s[k..<nameEnd]))
        var start = k
        while start > free, s[start - 1] == " " || s[start - 1] == "\t" { start -= 1 }
        start = start > free && s[start - 1] == "{" ? start - 1 : k
        return MalformedPlaceholder(kind: .unopened(name: name), scalars: start..<(close + 2))
    }

    /// Whether the text has `{{` or `}}` at all: a byte scan, so that the many texts without braces cost little.
    static func hasDoubledBrace(_ text: String) -> Bool {
        func scan(_ bytes: some Collection<UInt8>) -> Bool {
            var previous: UInt8 = 0
            for byte in bytes {
                if byte == previous, byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") { return true }
                previous = byte
            }
            return false
        }
        return text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(text.utf8)
    }
}
