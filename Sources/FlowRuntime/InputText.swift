import FlowLanguage

/// `TextMatching.normalize` for what contacts type, with a fast path for Latin-1 text.
///
/// The compiler stores menu keys, keywords and accept words normalized by `TextMatching.normalize`; the
/// interpreter must normalize every contact message the same way. For text outside ASCII that function folds
/// through Foundation, which costs more than the rest of an interpreter step. Spanish and Portuguese replies
/// ("Envíos", "Ana María", "não") are Latin-1 (U+0000–U+00FF), where folding is per scalar (Latin-1 holds no
/// combining marks), so a table of each scalar's folded form, filled from `TextMatching.normalize` itself, gives
/// the same result. Anything else goes to `TextMatching.normalize`. A test compares the two on every Latin-1
/// string of one and two scalars and on random longer ones.
enum InputText {
    /// Per Latin-1 scalar: its folded form as `TextMatching.normalize` gives it, or `nil` for white space.
    static let latin1: [String?] = (0...255).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        if scalar.properties.isWhitespace { return nil }
        return TextMatching.normalize(String(Character(scalar)))
    }

    /// The same as `TextMatching.normalize(text)`.
    static func normalize(_ text: String) -> String {
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return TextMatching.normalize(text) }
        for scalar in text.unicodeScalars where scalar.value > 0xFF { return TextMatching.normalize(text) }
        let table = latin1
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            guard let folded = table[Int(scalar.value)] else {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out += folded
        }
        return out
    }
}
