import Foundation

/// The contact a data subject's request is about, as an agent or an operator writes it: the id a conversation is
/// keyed by, a phone number (`wa_id`, `573001112233`) or a business-scoped user id (`CO.13491208655302741918`),
/// which replies address with at most 256 bytes (`OutboundRequest`). A phone number is taken as people write it
/// (`+57 300 111 2233`, `(57) 300-111-2233`) and kept as the `wa_id` its digits are, since conversations are
/// keyed by the bare `wa_id`: a case under `+573001112233` would otherwise flag and erase nothing. What no webhook
/// would give as a contact (a control character such as a NUL, which would end the id in the store's C strings
/// and logs, or a text longer than any id) is refused, so that a case can always be matched to the conversation
/// it is about.
public enum DataRequestContact {
    /// The longest contact taken, in UTF-8 bytes: the longest business-scoped user id a reply is addressed to.
    public static let maximumBytes = 256

    /// The contact as cases store it: `contact` without the spaces around it; a phone number written with
    /// a leading `+`, spaces, dashes, dots or parentheses as its digits alone, which must then be 6 to 20 (a
    /// `wa_id`, as the template route's `to`); anything else (a business-scoped user id) as written. Throws the
    /// sentence, naming the contact `name`, when it is blank, holds no digit or letter, or is not one (`problem`).
    /// The consent export reads the contact the same way, so that the proof finds what the case is about.
    public static func normalized(_ contact: String, name: String) throws(Refusal) -> String {
        // Control characters (a tab, a line break) are refused wherever they are, as the schema's pattern says;
        // spaces around the contact (a copy-paste) are dropped.
        if let problem = problem(contact, name: name) { throw Refusal(message: problem) }
        let trimmed = contact.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw Refusal(message: "\(name) is empty; give the contact's WhatsApp id (wa_id), e.g. 573001112233")
        }
        // `+`, `()`, `---`: punctuation alone is no id a webhook gives, and a case under it could never be met.
        guard trimmed.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw Refusal(
                message: "\(name) '\(trimmed)' holds no digit or letter; give the contact's WhatsApp id (wa_id), "
                    + "e.g. 573001112233, or business-scoped user id")
        }
        let number = trimmed.hasPrefix("+") ? trimmed.dropFirst() : trimmed[...]
        let separators: Set<Character> = ["-", ".", "(", ")"]
        guard number.contains(where: \.isASCIIDigit),
            number.allSatisfy({ $0.isASCIIDigit || $0.isWhitespace || separators.contains($0) })
        else { return trimmed }
        let digits = String(number.filter(\.isASCIIDigit))
        guard (6...20).contains(digits.count) else {
            throw Refusal(
                message: "\(name) '\(trimmed)' has \(digits.count) digits; a phone number's WhatsApp id (wa_id) has 6 "
                    + "to 20, the country code included, e.g. 573001112233")
        }
        return digits
    }

    /// Why a contact is refused: the sentence to show.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
    }

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

extension Character {
    /// An ASCII digit, 0 to 9 (not the other scripts' digits, which no `wa_id` holds).
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
