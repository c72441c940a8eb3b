/// The contact a data subject's request is about, as an agent or an operator writes it: the id a conversation is
/// keyed by, a phone number (`wa_id`, `573001112233`) or a business-scoped user id (`CO.13491208655302741918`),
/// which replies address with at most 256 bytes (`OutboundRequest`). What no webhook would give as a contact (a
/// control character such as a NUL, which would end the id in the store's C strings and logs, or a text longer
/// than any id) is refused, so that a case can always be matched to the conversation it is about.
public enum DataRequestContact {
    /// The longest contact taken, in UTF-8 bytes: the longest business-scoped user id a reply is addressed to.
    public static let maximumBytes = 256

    /// Why `contact` is not one, as a sentence naming it `name`; `nil` when it is. A blank contact is the
    /// callers' to refuse, each with its own example.
    public static func problem(_ contact: String, name: String) -> String? {
        if contact.utf8.count > maximumBytes {
            return "\(name) is longer than \(maximumBytes) bytes; give the contact's WhatsApp id (wa_id) or "
                + "business-scoped user id"
        }
        if contact.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "\(name) holds a control character; give the contact's WhatsApp id (wa_id) or business-scoped "
                + "user id"
        }
        return nil
    }
}
