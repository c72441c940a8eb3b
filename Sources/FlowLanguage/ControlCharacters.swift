import FlowDiagnostics

/// Control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) in text the bot sends: a phone
/// shows them as boxes or not at all, and ESC can restyle a terminal that shows the conversation. Only a line
/// feed, and a tab where a text allows it, are text; every other one is a mistake or an attack (an escape
/// such as `\0`, `\e` or `\x7f` in a double-quoted YAML string writes one).
public enum ControlCharacters {
    /// Whether `scalar` is a control character (line feeds and tabs included; callers allow those).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// Offsets, in Unicode scalars, of the control characters in `text` other than line feeds (and tabs when
    /// `tabs` allows them), each with its scalar.
    public static func offsets(in text: String, tabs: Bool) -> [(offset: Int, scalar: Unicode.Scalar)] {
        // Almost every text has no byte below 0x20 but line feeds and tabs, nor any C1 control or DEL.
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 >= 0x7F }) || !tabs else {
            return []
        }
        var found: [(offset: Int, scalar: Unicode.Scalar)] = []
        for (offset, scalar) in text.unicodeScalars.enumerated() where isControl(scalar) {
            if scalar == "\n" || (tabs && scalar == "\t") { continue }
            found.append((offset, scalar))
        }
        return found
    }

    /// `\u{1B} (ESC)`: the character in Swift's escape, which shows it whatever the terminal, and its name
    /// when it has a common one.
    public static func described(_ scalar: Unicode.Scalar) -> String {
        let escape = VisibleText.escape(scalar)
        let names: [UInt32: String] = [
            0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x09: "tab", 0x0B: "vertical tab", 0x0C: "form feed",
            0x0D: "carriage return", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL",
        ]
        return names[scalar.value].map { "\(escape) (\($0))" } ?? escape
    }
}
