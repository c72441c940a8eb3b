/// The lengths WhatsApp accepts for text the bot sends, counted as `Docs/language.md` ("WhatsApp limits")
/// counts them: in characters as people see them (grapheme clusters). Lint holds text as written to them; the
/// runtime holds text filled in at run time to them too, since Meta refuses a longer message and the contact
/// would get nothing.
public enum WhatsAppTextLimit {
    /// A text message's `body`.
    public static let textMessage = 4096
    /// The body of an interactive message (a menu, a consent or an opt-in).
    public static let interactiveBody = 1024
    /// An attachment's caption.
    public static let caption = 1024
    /// A menu's header or footer.
    public static let headerOrFooter = 60
    /// A template's body once its parameters are filled in (Meta's error 132005 past it).
    public static let templateBody = 1024

    /// The length of `text` as WhatsApp counts it.
    public static func length(of text: String) -> Int { text.count }

    /// Whether `text` is at most `limit` characters long; text this short in bytes fits without counting, since
    /// a character takes at least one UTF-8 byte.
    public static func fits(_ text: String, within limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }
}
