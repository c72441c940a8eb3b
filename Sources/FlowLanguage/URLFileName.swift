import Foundation

/// The file name a URL gives a file the bot sends without a `filename`: what WhatsApp shows the contact, the REPL
/// prints, transcripts compare and lint reads the file type from. One place, so none of them can disagree.
public enum URLFileName {
    /// The last segment of the URL's path, without query or fragment, percent-decoded:
    /// `…/docs/cat%C3%A1logo.pdf?v=2` → `catálogo.pdf`. A segment that is not valid percent-encoding of UTF-8
    /// (`100%.pdf`, `%FF.pdf`) is kept as written, and so is one whose decoding would hold a path separator or a
    /// control character (`a%2Fb.pdf`, `a%0Ab.pdf`), which no file name shown to a contact should. `nil` when
    /// the path ends with `/`.
    public static func of(_ url: String) -> String? {
        var path = Substring(url)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let segment = String(path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path)
        guard !segment.isEmpty else { return nil }
        guard let decoded = segment.removingPercentEncoding,
            !decoded.unicodeScalars.contains(where: {
                $0 == "/" || $0 == "\\" || $0.properties.generalCategory == .control
            })
        else { return segment }
        return decoded
    }
}
