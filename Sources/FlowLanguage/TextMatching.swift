import Foundation

/// How a contact's typed reply is compared with option titles, synonyms, keywords and accept words:
/// case-, accent- and surrounding-space-insensitive, with inner runs of spaces collapsed, so that
/// "  CREDITO " chooses "Crédito". The compiler stores keys in this form; the interpreter normalizes input once.
public enum TextMatching {
    public static func normalize(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.unicodeScalars.append(" ")
                pendingSpace = false
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
