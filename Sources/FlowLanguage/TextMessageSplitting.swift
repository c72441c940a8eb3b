/// A text message that filled-in values made longer than WhatsApp's 4096 characters, sent as several messages
/// instead of one Meta would refuse: each part as long as fits, ending at the last line break within the limit,
/// else at the last white space, else (one unbroken word) at the limit itself. The white space where a part
/// ends is not sent. Docs/runtime.md ("Text longer than WhatsApp accepts") describes it.
public enum TextMessageSplitting {
    /// `text` in parts of at most `limit` characters, in order; text that fits is one part, as it is.
    public static func parts(of text: String, limit: Int = WhatsAppTextLimit.textMessage) -> [String] {
        if WhatsAppTextLimit.fits(text, within: limit) { return [text] }
        var parts: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let end = rest.index(rest.startIndex, offsetBy: limit, limitedBy: rest.endIndex),
                end < rest.endIndex
            else {
                parts.append(String(rest))
                break
            }
            let window = rest[..<end]
            // A break at the very start would make an empty part: not taken.
            let lineBreak = window.lastIndex(where: \.isNewline).flatMap { $0 > rest.startIndex ? $0 : nil }
            let space = window.lastIndex(where: \.isWhitespace).flatMap { $0 > rest.startIndex ? $0 : nil }
            let cut = lineBreak ?? space ?? end
            var part = rest[..<cut]
            while let last = part.last, last.isWhitespace { part = part.dropLast() }
            if !part.isEmpty { parts.append(String(part)) }
            rest = rest[cut...].drop(while: \.isWhitespace)
        }
        return parts
    }
}
