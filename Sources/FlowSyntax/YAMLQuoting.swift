/// Writing YAML scalars that read back exactly: the transcripts `/save` writes and the consent locks
/// `talkflow lock` writes.
public enum YAMLQuoting {
    /// A double-quoted scalar of `value`: quotes and backslashes escaped, line breaks and other invisible or
    /// control characters as escapes, so that the text stays text (`2026-01`, `no`, `1.10`) and on one line.
    public static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{FEFF}"
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The longest value a help repeats, quoted, as the fix to write: a longer one is shown as `"…"` (the line
    /// above the help already shows it).
    public static let exampleLimit = 60

    /// `value` double-quoted for a help's example, or `"…"` when it is longer than `exampleLimit`.
    public static func example(_ value: String) -> String {
        value.unicodeScalars.count <= exampleLimit ? doubleQuoted(value) : "\"…\""
    }
}
