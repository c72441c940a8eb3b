import FlowDiagnostics

/// The `help:` for a value YAML did not read as the plain text its author wrote.
///
/// WhatsApp texts start with `*bold*`, a backquote, `{{contact.name}}` or `[Aviso]`, or hold `Horario: 8-12`; YAML
/// reads each of those as something else (an alias, a reserved character, a mapping, a list, a key), and libyaml
/// says so in its own vocabulary ("while scanning an alias"). When the place of a problem is inside, or just
/// after, the value written after `key:` (or `- `) on its line and one character of that value explains it, the
/// help names that character and the one fix for all of them: quote the text, or write it as a block scalar.
/// Transcripts, configurations and consent locks go through the same loader, so the help speaks of a value.
enum UnquotedTextHint {
    /// How the diagnostic relates to the value, which decides what may explain it.
    enum Place {
        /// A syntax error at `offset` (libyaml's problem mark); `context` is where libyaml's context began
        /// ("while parsing a flow mapping"), which may be the value itself when the error is lines later.
        case syntaxError(offset: Int, context: Int?)
        /// An anchor, alias or tag at `offset`, on a scalar: only when it starts the value is it a mistaken text.
        case indicator(offset: Int)
        /// A mapping used as a key, starting at `offset`: only `{{` at the start of the value makes that.
        case complexKey(offset: Int)
    }

    /// A value longer than this is not repeated, quoted, in the help: the line above already shows it.
    static let maxQuoted = YAMLQuoting.exampleLimit

    /// The help for a problem at `place`, or `nil` when the value on that line does not explain it.
    static func help(_ source: SourceText, _ place: Place) -> String? {
        switch place {
        case .syntaxError(let offset, let context):
            if let value = Value(source, containing: offset) {
                if let help = value.help(forErrorAt: offset) { return help }
            }
            // An unclosed `{{` makes libyaml read on, lines past the value, and fail there.
            if let context, let value = Value(source, containing: context), value.start == context,
                value.startsWithPlaceholder
            {
                return value.placeholderHelp
            }
            return nil
        case .indicator(let offset):
            guard followsKeyOrDash(source.bytes, offset), let value = Value(source, containing: offset),
                value.start == offset, value.key != "<<"
            else {
                return nil
            }
            return value.indicatorHelp
        case .complexKey(let offset):
            guard offset >= 1, followsKeyOrDash(source.bytes, offset - 1),
                let value = Value(source, containing: offset), value.startsWithPlaceholder,
                offset == value.start + 1
            else { return nil }
            return value.placeholderHelp
        }
    }

    /// Whether only blanks separate `offset` from a `:` or `-` before it: the one place a value starts. A file
    /// of a thousand aliases in one flow list is checked in constant time each, never by reading its long line.
    static func followsKeyOrDash(_ bytes: [UInt8], _ offset: Int) -> Bool {
        var i = offset
        while i > 0, bytes[i - 1] == 0x20 { i -= 1 }
        return i < offset && i > 0 && (bytes[i - 1] == UInt8(ascii: ":") || bytes[i - 1] == UInt8(ascii: "-"))
    }

    /// The value written on one line after `key:` or after a list's `- `.
    struct Value {
        let bytes: [UInt8]
        /// The key as written, or `nil` for a list item.
        let key: String?
        /// Where the value starts and where its line ends (before the line break).
        let start: Int
        let lineEnd: Int

        /// The value on the line holding `offset`, when `offset` is at or past its start (on that line, or at
        /// its end): `nil` on a line with no `key:` or `- `, or with nothing after them.
        init?(_ source: SourceText, containing offset: Int) {
            let bytes = source.bytes
            guard offset >= 0, offset <= bytes.count, let first = source.lineStarts.first, offset >= first else {
                return nil
            }
            // The line holding `offset`: the last line start at or before it.
            var low = 0
            var high = source.lineStarts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if source.lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
            }
            let lineStart = source.lineStarts[low]
            var end = low + 1 < source.lineStarts.count ? source.lineStarts[low + 1] : bytes.count
            end -= Self.breakLength(endingAt: end, in: bytes, after: lineStart)
            while end > lineStart, bytes[end - 1] == 0x20 { end -= 1 }
            var i = lineStart
            func skipBlanks() { while i < end, bytes[i] == 0x20 { i += 1 } }
            skipBlanks()
            // `- ` items, possibly several on one line (`- - a`).
            var item = false
            while i < end, bytes[i] == UInt8(ascii: "-"), i + 1 == end || bytes[i + 1] == 0x20 {
                item = true
                i += 1
                skipBlanks()
            }
            let keyStart = i
            var key: String?
            // A plain key runs to the first ': ' (or ':' at the end of the line); a quoted key to its quote.
            if i < end, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                let quote = bytes[i]
                var j = i + 1
                while j < end, bytes[j] != quote { j += bytes[j] == UInt8(ascii: "\\") && quote == 0x22 ? 2 : 1 }
                if j < end, j + 1 < end, bytes[j + 1] == UInt8(ascii: ":"), j + 2 == end || bytes[j + 2] == 0x20 {
                    key = String(decoding: bytes[keyStart...j], as: UTF8.self)
                    i = j + 2
                }
            } else if i < end, !Self.startsNonText(bytes[i]) {
                var j = i
                while j < end, !(bytes[j] == UInt8(ascii: ":") && (j + 1 == end || bytes[j + 1] == 0x20)) { j += 1 }
                if j < end {
                    key = String(decoding: bytes[keyStart..<j], as: UTF8.self)
                    i = j + 1
                }
            }
            guard key != nil || item else { return nil }
            skipBlanks()
            guard i < end, offset >= i, offset <= end else { return nil }
            self.bytes = bytes
            self.key = key
            self.start = i
            self.lineEnd = end
        }

        /// The length of the line break (as `SourceText` breaks lines) that ends just before `end`, if any.
        static func breakLength(endingAt end: Int, in bytes: [UInt8], after lineStart: Int) -> Int {
            let room = end - lineStart
            if room >= 2, bytes[end - 2] == 0x0D, bytes[end - 1] == 0x0A { return 2 }
            if room >= 1, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { return 1 }
            if room >= 2, bytes[end - 2] == 0xC2, bytes[end - 1] == 0x85 { return 2 }
            if room >= 3, bytes[end - 3] == 0xE2, bytes[end - 2] == 0x80,
                bytes[end - 1] == 0xA8 || bytes[end - 1] == 0xA9
            {
                return 3
            }
            return 0
        }

        /// The characters that keep a value from being plain text when they start it (`-`, `?` and `:` only
        /// before a space, which the caller checks where it matters; quotes start text of their own).
        static func startsNonText(_ byte: UInt8) -> Bool {
            Array("*&![]{}`@%|>#,".utf8).contains(byte)
        }

        var first: UInt8 { bytes[start] }

        var startsWithPlaceholder: Bool {
            start + 1 < lineEnd && bytes[start] == UInt8(ascii: "{") && bytes[start + 1] == UInt8(ascii: "{")
        }

        /// What YAML makes of a value that starts with `first`, for the characters a text may start with by
        /// mistake.
        var meaning: String? {
            switch first {
            case UInt8(ascii: "*"): return "an alias (a reference to an anchor)"
            case UInt8(ascii: "&"): return "an anchor"
            case UInt8(ascii: "!"): return "a tag"
            case UInt8(ascii: "["): return "a list"
            case UInt8(ascii: "{"): return "a mapping"
            default: return nil
            }
        }

        /// The help for a syntax error at `offset`, when the value explains it.
        func help(forErrorAt offset: Int) -> String? {
            if startsWithPlaceholder { return placeholderHelp }
            switch first {
            case UInt8(ascii: "*"), UInt8(ascii: "&"), UInt8(ascii: "!"):
                return indicatorHelp
            case UInt8(ascii: "`"), UInt8(ascii: "@"), UInt8(ascii: "%"):
                return fix(because: "'\(Character(Unicode.Scalar(first)))' cannot start a plain value in YAML")
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                // A list or mapping meant as one is not text; text after its closing bracket shows it was.
                guard let close = closingBracket, offset > close else { return nil }
                return indicatorHelp
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                // `"Llama al" 601 700 0000.`: text after the closing quote, at or before the error.
                guard let close = closingQuote, offset > close, close + 1 < lineEnd,
                    bytes[(close + 1)..<lineEnd].contains(where: { $0 != 0x20 }),
                    bytes[(close + 1)..<lineEnd].first(where: { $0 != 0x20 }) != UInt8(ascii: "#")
                else { return nil }
                return fix(because: "a quoted text ends at its closing quote, and YAML allows no text after it")
            case UInt8(ascii: "-"), UInt8(ascii: "?"):
                // `text: - Llama al 601…` (a bullet line): a list item or a complex key cannot follow a key.
                guard key != nil, start + 1 == lineEnd || bytes[start + 1] == 0x20 else { return nil }
                let what = first == UInt8(ascii: "-") ? "a list item" : "a complex key"
                return fix(
                    because: "'\(Character(Unicode.Scalar(first))) ' at the start of a value makes it \(what), not text"
                )
            default:
                // `Horario: de 8 a 12.`: the ': ' at or before the error.
                var i = start
                while i < min(offset + 1, lineEnd) {
                    if bytes[i] == UInt8(ascii: ":"), i + 1 == lineEnd || bytes[i + 1] == 0x20 {
                        return fix(because: "': ' inside a value makes YAML read a key and its value")
                    }
                    i += 1
                }
                return nil
            }
        }

        /// The help for a value whose first character makes it an alias, anchor, tag, list or mapping.
        var indicatorHelp: String? {
            guard let meaning else { return nil }
            return fix(
                because: "'\(Character(Unicode.Scalar(first)))' at the start of a value makes it \(meaning), not text")
        }

        var placeholderHelp: String {
            "'{' at the start of a value makes it a mapping, so a text that starts with {{…}} must be quoted: "
                + (example ?? "\"{{…}} …\"")
        }

        /// "quote the text … or write it as a block scalar", with `reason` in front.
        func fix(because reason: String) -> String {
            "\(reason): quote the text, \(example ?? "\"…\""), or write it as a block scalar (>-)"
        }

        /// The line's key and value with the value double-quoted, when it is short enough to repeat; a
        /// comment (` #`) is left out, as YAML would leave it out of a plain value.
        var example: String? {
            var end = start
            while end < lineEnd, !(bytes[end] == UInt8(ascii: "#") && end > start && bytes[end - 1] == 0x20) {
                end += 1
            }
            while end > start, bytes[end - 1] == 0x20 { end -= 1 }
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            guard text.unicodeScalars.count <= UnquotedTextHint.maxQuoted,
                !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else { return nil }
            let quoted = "\"" + text.replacingBackslashesAndQuotes() + "\""
            return key.map { "\($0): \(quoted)" } ?? "- \(quoted)"
        }

        /// Where the quote that starts the value closes on its line (`''` in single quotes and `\"` in double
        /// quotes are text); `nil` if it does not.
        var closingQuote: Int? {
            let quote = bytes[start]
            var i = start + 1
            while i < lineEnd {
                if quote == 0x22, bytes[i] == UInt8(ascii: "\\") {
                    i += 2
                } else if bytes[i] == quote {
                    if quote == UInt8(ascii: "'"), i + 1 < lineEnd, bytes[i + 1] == quote {
                        i += 2
                    } else {
                        return i
                    }
                } else {
                    i += 1
                }
            }
            return nil
        }

        /// Where the bracket that starts the value closes on its line, skipping quoted text; `nil` if it does not.
        var closingBracket: Int? {
            var depth = 0
            var i = start
            while i < lineEnd {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    i += 1
                    while i < lineEnd, bytes[i] != b { i += b == 0x22 && bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                    depth += 1
                } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return i }
                }
                i += 1
            }
            return nil
        }
    }
}

extension String {
    /// The text with `\` and `"` escaped, for a YAML double-quoted scalar.
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for c in self {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
