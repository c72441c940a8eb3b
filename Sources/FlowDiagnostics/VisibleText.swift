/// Text that came from talkflow's input (a path, a value quoted in a message, a source line) made safe to print
/// and readable: a flow file or a file name must not drive the terminal or forge a CI log line, and a character
/// nobody can see must show, or `unknown key 'start'` would look wrong for no visible reason.
///
/// - A control character (Unicode category Cc: NUL, ESC, DEL, C1 controls, line breaks) becomes U+FFFD `�`, and
///   so does a byte of a file name that is not UTF-8 (held as U+10FE80–U+10FEFF, `SystemPath`).
/// - An invisible character becomes an escape naming it, `\u{202E}`: a format character (category Cf, such as
///   U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF), a line or paragraph separator
///   (U+2028, U+2029), a space other than U+0020 (U+00A0, U+2000–U+200A, U+3000 …) and any other character
///   Unicode draws as nothing (Default_Ignorable_Code_Point, such as the Hangul filler U+3164), except a
///   variation selector, which styles the character before it.
/// - A zero-width joiner between two emoji and the tags of a flag such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿 stay: they are drawn as part of the
///   emoji, not as nothing.
/// - Everything else, a backslash included, is printed as it is.
public enum VisibleText {
    /// `text` as it may be printed: control characters as U+FFFD, invisible ones as `\u{…}`. `kept` names
    /// control characters that stay (line feeds and tabs for text printed as it is laid out).
    public static func of(_ text: String, keeping kept: Set<Unicode.Scalar> = []) -> String {
        // Almost every text is plain ASCII and comes back as it is after one pass over its bytes.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) else { return text }
        let scalars = Array(text.unicodeScalars)
        guard scalars.indices.contains(where: { needsReplacing(at: $0, in: scalars, keeping: kept) }) else {
            return text
        }
        // One scalar at a time: appending a whole view copies the text built so far (quadratic on a long value).
        var result = String.UnicodeScalarView()
        for index in scalars.indices {
            for scalar in shown(at: index, in: scalars, keeping: kept) { result.append(scalar) }
        }
        return String(result)
    }

    /// What is printed for the scalar at `index`: itself, U+FFFD, or the scalars of its escape. It takes the
    /// line, not the scalar alone, because a joiner or a tag is visible only inside an emoji sequence.
    public static func shown(
        at index: Int, in scalars: [Unicode.Scalar], keeping kept: Set<Unicode.Scalar> = []
    ) -> String.UnicodeScalarView {
        let scalar = scalars[index]
        guard needsReplacing(at: index, in: scalars, keeping: kept) else { return String.UnicodeScalarView([scalar]) }
        if scalar.properties.generalCategory == .control || SystemPath.isEscape(scalar) {
            return String.UnicodeScalarView(["\u{FFFD}"])
        }
        return escape(scalar).unicodeScalars
    }

    /// A character no link holds as written and nothing shows: whitespace (U+0020 included), controls, format
    /// characters (U+202E, U+200B), line and paragraph separators, and other default-ignorable code points
    /// other than variation selectors.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator: return true
        default: return scalar.properties.isDefaultIgnorableCodePoint && !scalar.properties.isVariationSelector
        }
    }

    /// `\u{202E}`: the escape an invisible character is printed as, in Swift's spelling (upper-case hex, no
    /// leading zeros).
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }

    private static func needsReplacing(at index: Int, in scalars: [Unicode.Scalar], keeping kept: Set<Unicode.Scalar>)
        -> Bool
    {
        let scalar = scalars[index]
        if SystemPath.isEscape(scalar) { return true }
        guard scalar != " ", !kept.contains(scalar), isInvisible(scalar) else { return false }
        return !joinsEmoji(at: index, in: scalars)
    }

    /// Whether the scalar at `index` is a zero-width joiner between two emoji (👩‍💻) or a tag of a flag
    /// sequence (🏴 followed by tags up to U+E007F), which a terminal draws as part of the emoji.
    private static func joinsEmoji(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let scalar = scalars[index]
        if scalar == "\u{200D}" {
            guard index > 0, index + 1 < scalars.count, isPictograph(scalars[index + 1]) else { return false }
            let before = scalars[index - 1]
            return isPictograph(before) || before == "\u{FE0F}"
        }
        guard (0xE0020...0xE007F).contains(scalar.value) else { return false }
        var start = index
        while start > 0, (0xE0020...0xE007E).contains(scalars[start - 1].value) { start -= 1 }
        return start > 0 && scalars[start - 1] == "\u{1F3F4}"
    }

    /// An emoji a joiner may join: not a digit, `#` or `*`, which Unicode counts as emoji for their keycaps.
    private static func isPictograph(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x7F && scalar.properties.isEmoji
    }
}
