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
        var path = Substring(url)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let segment = String(path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path)
        guard !segment.isEmpty else { return nil }
        guard let decoded = segment.removingPercentEncoding, isShowable(decoded) else { return segment }
        return decoded
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
