import FlowLanguage
import FlowRuntime

/// A message to send, as the JSON body of `POST /{version}/{phone-number-id}/messages`. Encoding is pure and
/// deterministic (sorted keys, compact), so the outbox can store the exact bytes it will send and tests can compare
/// them.
///
/// The shapes, from `OutboundMessage`:
/// - text → `text` with `preview_url: true` when the body contains an `http://` or `https://` link;
/// - buttons → `interactive` `button` (text header, body, footer, reply buttons);
/// - list → `interactive` `list`, every row in one untitled section (one section needs no title);
/// - attachment → `image` for jpg, jpeg and png, `document` for anything else (pdf), by `link`; a document gets a
///   `filename` (the given one, else the name the URL gives, `URLFileName`: its path's last segment,
///   percent-decoded) and both get the caption, if any;
/// - template → `template` with its language, a `header` component with the image or document by link (a document
///   with the `filename` the link gives, as an attachment without one), and a `body` component with one text
///   parameter per value, in order.
public struct OutboundRequest: Sendable, Hashable {
    /// The contact: a phone number in international form (`+573001112233` or the `wa_id` digits, sent as `to` with
    /// a leading `+`, so Meta does not prepend the business's country code), or a business-scoped user id
    /// (`CO.…`, sent as `recipient`, for contacts known only by it).
    public var recipient: String
    /// What to send, as the interpreter (or an agent) produced it.
    public var message: OutboundMessage
    /// Echoed by Meta as `biz_opaque_callback_data` in this message's status webhooks: the outbox row id.
    public var callbackData: String?
    /// The wamid of a contact message to quote (`context.message_id`).
    public var replyTo: String?

    /// A request to send `message` to `recipient`.
    public init(to recipient: String, message: OutboundMessage, callbackData: String? = nil, replyTo: String? = nil) {
        self.recipient = recipient
        self.message = message
        self.callbackData = callbackData
        self.replyTo = replyTo
    }

    /// The JSON body. Throws when the recipient is neither a phone number nor a business-scoped user id, or a
    /// template header has a type but no link.
    public func body() throws(OutboundRequestError) -> [UInt8] {
        var root: JSONObject = [
            "messaging_product": .string("whatsapp"),
            "recipient_type": .string("individual"),
        ]
        let (field, address) = try Self.address(recipient)
        root[field] = .string(address)
        if let callbackData { root["biz_opaque_callback_data"] = .string(callbackData) }
        if let replyTo { root["context"] = .object(["message_id": .string(replyTo)]) }
        let (type, part) = try Self.part(message)
        root["type"] = .string(type)
        root[type] = part
        return JSONValue.object(root).bytes
    }

    /// The body that marks a contact's message (and the ones before it) as read, optionally showing the typing
    /// indicator until the reply or for 25 seconds.
    public static func markRead(messageID: String, typingIndicator: Bool = false) -> [UInt8] {
        var root: JSONObject = [
            "messaging_product": .string("whatsapp"),
            "status": .string("read"),
            "message_id": .string(messageID),
        ]
        if typingIndicator { root["typing_indicator"] = .object(["type": .string("text")]) }
        return JSONValue.object(root).bytes
    }

    private static func address(_ recipient: String) throws(OutboundRequestError) -> (String, String) {
        let trimmed = recipient.trimmingSpaces
        let digits = trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return ("to", "+" + digits)
        }
        if isBusinessScopedID(trimmed) { return ("recipient", trimmed) }
        throw OutboundRequestError(
            reason: "the recipient is neither a phone number (digits, optionally after '+') nor a business-scoped "
                + "user id (letters, digits, '.', '_' and '-', with a '.' inside, at most 256 bytes)")
    }

    /// A business-scoped user id as Meta gives them: `CC.` and letters and digits (`CO.13491208655302741918`), a
    /// parent id (`US.ENT.118…`), or the `user.…` form of Meta's examples. Read broadly (letters, digits, `.`,
    /// `_`, `-`, with a `.` inside, at most 256 bytes), since the id is Meta's own and Meta judges it: refusing one
    /// here would drop every reply to a contact whose messages were read.
    private static func isBusinessScopedID(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard (3...256).contains(bytes.count), bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: "."),
            bytes.contains(UInt8(ascii: "."))
        else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    private static func part(_ message: OutboundMessage) throws(OutboundRequestError) -> (String, JSONValue) {
        switch message {
        case .text(let body):
            var text: JSONObject = ["body": .string(body)]
            if containsLink(body) { text["preview_url"] = .bool(true) }
            return ("text", .object(text))
        case .buttons(let body, let header, let footer, let buttons):
            var interactive = frame(type: "button", body: body, header: header, footer: footer)
            interactive["action"] = .object([
                "buttons": .array(
                    buttons.map {
                        .object([
                            "type": .string("reply"),
                            "reply": .object(["id": .string($0.id), "title": .string($0.title)]),
                        ])
                    })
            ])
            return ("interactive", .object(interactive))
        case .list(let body, let header, let footer, let button, let rows):
            var interactive = frame(type: "list", body: body, header: header, footer: footer)
            let rowValues: [JSONValue] = rows.map { row in
                var value: JSONObject = ["id": .string(row.id), "title": .string(row.title)]
                if let description = row.description, !description.isEmpty {
                    value["description"] = .string(description)
                }
                return .object(value)
            }
            interactive["action"] = .object([
                "button": .string(button),
                "sections": .array([.object(["rows": .array(rowValues)])]),
            ])
            return ("interactive", .object(interactive))
        case .attachment(let url, let fileName, let caption, let fileExtension):
            var media: JSONObject = ["link": .string(url)]
            if let caption, !caption.isEmpty { media["caption"] = .string(caption) }
            if ["jpg", "jpeg", "png"].contains(fileExtension.lowercased()) {
                return ("image", .object(media))
            }
            if let name = fileName ?? URLFileName.of(url), !name.isEmpty { media["filename"] = .string(name) }
            return ("document", .object(media))
        case .template(let name, let language, let parameters, let headerType, let headerLink):
            var components: [JSONValue] = []
            if let headerType {
                guard let headerLink else {
                    throw OutboundRequestError(reason: "the template header of type \(headerType) has no link")
                }
                let type = headerType.lowercased()
                var media: JSONObject = ["link": .string(headerLink)]
                // Named as a document attachment without `filename` is, or the contact sees an unnamed file.
                if type == "document", let name = URLFileName.of(headerLink), !name.isEmpty {
                    media["filename"] = .string(name)
                }
                components.append(
                    .object([
                        "type": .string("header"),
                        "parameters": .array([.object(["type": .string(type), type: .object(media)])]),
                    ]))
            }
            if !parameters.isEmpty {
                components.append(
                    .object([
                        "type": .string("body"),
                        "parameters": .array(
                            parameters.map { .object(["type": .string("text"), "text": .string($0)]) }),
                    ]))
            }
            var template: JSONObject = [
                "name": .string(name),
                "language": .object(["code": .string(language)]),
            ]
            if !components.isEmpty { template["components"] = .array(components) }
            return ("template", .object(template))
        }
    }

    private static func frame(type: String, body: String, header: String?, footer: String?) -> JSONObject {
        var interactive: JSONObject = [
            "type": .string(type),
            "body": .object(["text": .string(body)]),
        ]
        if let header, !header.isEmpty {
            interactive["header"] = .object(["type": .string("text"), "text": .string(header)])
        }
        if let footer, !footer.isEmpty { interactive["footer"] = .object(["text": .string(footer)]) }
        return interactive
    }

    /// Whether the text has `http://` or `https://`, in any case (compared byte by byte: no lower-cased copy).
    private static func containsLink(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 7 else { return false }
        for start in 0...(bytes.count - 7) where bytes[start] | 0x20 == UInt8(ascii: "h") {
            guard bytes[start + 1] | 0x20 == UInt8(ascii: "t"), bytes[start + 2] | 0x20 == UInt8(ascii: "t"),
                bytes[start + 3] | 0x20 == UInt8(ascii: "p")
            else { continue }
            var next = start + 4
            if bytes[next] | 0x20 == UInt8(ascii: "s") { next += 1 }
            if next + 3 <= bytes.count, bytes[next] == UInt8(ascii: ":"), bytes[next + 1] == UInt8(ascii: "/"),
                bytes[next + 2] == UInt8(ascii: "/")
            {
                return true
            }
        }
        return false
    }
}

/// Why a message could not be encoded; a bug or bad data, never worth retrying.
public struct OutboundRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for the outbox record and logs.
    public var reason: String

    /// An error with its reason.
    public init(reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}

extension String {
    /// The string without spaces, tabs and line breaks at either end.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
