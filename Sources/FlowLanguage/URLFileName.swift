import FlowDiagnostics
import Foundation

/// The file name a URL gives a file the bot sends without a `filename`: what WhatsApp shows the contact, the REPL
/// prints, transcripts compare and lint reads the file type from. One place, so none of them can disagree.
public enum URLFileName {
    /// The last segment of the URL's path, without query or fragment, percent-decoded:
    /// `…/docs/cat%C3%A1logo.pdf?v=2` → `catálogo.pdf`. A segment that is not valid percent-encoding of UTF-8
    /// (`100%.pdf`, `%FF.pdf`) is kept as written, and so is one whose decoding would be no fit name to show a
    /// contact: one holding a path separator, an emoji (the flow's texts may hold none, no-emoji.md) or an
    /// invisible or layout character (controls, format characters such as U+202E, which reverses the text and so
    /// disguises an extension, line and paragraph separators, private-use and unassigned code points), or `.` or
    /// `..`. `nil` when the path ends with `/`.
    public static func of(_ url: String) -> String? {
        guard let range = nameRange(in: url) else { return nil }
        let segment = String(url.unicodeScalars[range])
        guard let decoded = segment.removingPercentEncoding, isShowable(decoded) else { return segment }
        return decoded
    }

    /// Where the name is in `url`, as written: the last segment of the path, after the scheme and the host and
    /// before a query or fragment (`https://x.pdf` has no path, so no name). `nil` when there is none.
    public static func nameRange(in url: String) -> Range<String.UnicodeScalarView.Index>? {
        let scalars = url.unicodeScalars
        var start = scalars.startIndex
        // Past `scheme://host[:port]`: the authority names a server, not a file.
        if let scheme = url.range(of: "://") {
            start = scheme.upperBound
            guard let slash = scalars[start...].firstIndex(of: "/") else { return nil }
            start = slash
        }
        let end = scalars[start...].firstIndex(where: { $0 == "?" || $0 == "#" }) ?? scalars.endIndex
        let from = scalars[start..<end].lastIndex(of: "/").map { scalars.index(after: $0) } ?? start
        return from < end ? from..<end : nil
    }

    /// A character no link holds as written and no name shown to a contact may: whitespace, controls, format
    /// characters (U+202E, U+200B), line and paragraph separators, other characters drawn as nothing. The same
    /// characters diagnostics print as escapes (`VisibleText`), so what a link may not hold is what shows.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        VisibleText.isInvisible(scalar)
    }

    /// `U+202E` or `a space`: the character named for a diagnostic.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        scalar == " " ? "a space" : scalar.codePoint
    }

    /// Whether a decoded name may be shown as it is.
    static func isShowable(_ name: String) -> Bool {
        guard name != ".", name != "..", !EmojiScanner.containsEmoji(name) else { return false }
        return !name.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate:
                return true
            default:
                return scalar == "/" || scalar == "\\"
            }
        }
    }
}
