import FlowRuntime
import TalkflowJSON

/// The stored JSON form of a message to the contact. `OutboundMessage` is a runtime type without `Codable`
/// (the runtime has no wire format); the log and the outbox keep it in this stable shape, with a `type` tag
/// and snake_case keys, so rows written by one version are read by the next.
public struct StoredOutboundMessage: Codable, Sendable, Hashable {
    /// The message.
    public var message: OutboundMessage

    /// Wraps a message for encoding.
    public init(_ message: OutboundMessage) { self.message = message }

    private enum Keys: String, CodingKey {
        case type, text, body, header, footer, buttons, button, rows, url, caption, name, language, parameters
        case fileName = "file_name"
        case fileExtension = "file_extension"
        case headerType = "header_type"
        case headerLink = "header_link"
    }

    private struct Choice: Codable, Hashable {
        var id: String
        var title: String
        var description: String?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "text":
            message = .text(try c.decode(String.self, forKey: .text))
        case "buttons":
            let buttons = try c.decode([Choice].self, forKey: .buttons).map { ReplyButton(id: $0.id, title: $0.title) }
            message = .buttons(
                body: try c.decode(String.self, forKey: .body),
                header: try c.decodeIfPresent(String.self, forKey: .header),
                footer: try c.decodeIfPresent(String.self, forKey: .footer), buttons: buttons)
        case "list":
            let rows = try c.decode([Choice].self, forKey: .rows).map {
                ListRow(id: $0.id, title: $0.title, description: $0.description)
            }
            message = .list(
                body: try c.decode(String.self, forKey: .body),
                header: try c.decodeIfPresent(String.self, forKey: .header),
                footer: try c.decodeIfPresent(String.self, forKey: .footer),
                button: try c.decode(String.self, forKey: .button), rows: rows)
        case "attachment":
            message = .attachment(
                url: try c.decode(String.self, forKey: .url),
                fileName: try c.decodeIfPresent(String.self, forKey: .fileName),
                caption: try c.decodeIfPresent(String.self, forKey: .caption),
                fileExtension: try c.decode(String.self, forKey: .fileExtension))
        case "template":
            message = .template(
                name: try c.decode(String.self, forKey: .name), language: try c.decode(String.self, forKey: .language),
                parameters: try c.decode([String].self, forKey: .parameters),
                headerType: try c.decodeIfPresent(String.self, forKey: .headerType),
                headerLink: try c.decodeIfPresent(String.self, forKey: .headerLink))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown outbound message type '\(type)'")
        }
    }

    /// Reads a stored message from its column: from a `JSONNode` tree, as `init(from:)` reads it, when the
    /// column is its plain shape (every message this build wrote), else with `JSONDecoder`, which reads any
    /// valid row or says what is wrong.
    static func read(_ text: String, coder: ColumnCoder) throws -> StoredOutboundMessage {
        if let tree = JSONNode.parse(text.utf8), let stored = try? StoredOutboundMessage(tree: tree) { return stored }
        return try coder.decode(StoredOutboundMessage.self, text, table: "conversation_log")
    }

    /// `init(from:)` over a tree.
    init(tree: JSONNode) throws(TreeMismatch) {
        func choices(_ key: String) throws(TreeMismatch) -> [Choice] {
            try tree.requiredArray(key) { (node) throws(TreeMismatch) in
                Choice(
                    id: try node.requiredString("id"), title: try node.requiredString("title"),
                    description: try node.optionalString("description"))
            }
        }
        switch try tree.requiredString("type") {
        case "text":
            message = .text(try tree.requiredString("text"))
        case "buttons":
            let buttons = try choices("buttons").map { ReplyButton(id: $0.id, title: $0.title) }
            message = .buttons(
                body: try tree.requiredString("body"), header: try tree.optionalString("header"),
                footer: try tree.optionalString("footer"), buttons: buttons)
        case "list":
            let rows = try choices("rows").map { ListRow(id: $0.id, title: $0.title, description: $0.description) }
            message = .list(
                body: try tree.requiredString("body"), header: try tree.optionalString("header"),
                footer: try tree.optionalString("footer"), button: try tree.requiredString("button"), rows: rows)
        case "attachment":
            message = .attachment(
                url: try tree.requiredString("url"), fileName: try tree.optionalString("file_name"),
                caption: try tree.optionalString("caption"), fileExtension: try tree.requiredString("file_extension"))
        case "template":
            message = .template(
                name: try tree.requiredString("name"), language: try tree.requiredString("language"),
                parameters: try tree.requiredArray("parameters") { (node) throws(TreeMismatch) in
                    guard case .string(let value) = node else { throw TreeMismatch() }
                    return value
                },
                headerType: try tree.optionalString("header_type"), headerLink: try tree.optionalString("header_link"))
        default:
            throw TreeMismatch()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .type)
        switch message {
        case .text(let text):
            try c.encode(text, forKey: .text)
        case .buttons(let body, let header, let footer, let buttons):
            try c.encode(body, forKey: .body)
            try c.encodeIfPresent(header, forKey: .header)
            try c.encodeIfPresent(footer, forKey: .footer)
            try c.encode(buttons.map { Choice(id: $0.id, title: $0.title) }, forKey: .buttons)
        case .list(let body, let header, let footer, let button, let rows):
            try c.encode(body, forKey: .body)
            try c.encodeIfPresent(header, forKey: .header)
            try c.encodeIfPresent(footer, forKey: .footer)
            try c.encode(button, forKey: .button)
            try c.encode(rows.map { Choice(id: $0.id, title: $0.title, description: $0.description) }, forKey: .rows)
        case .attachment(let url, let fileName, let caption, let fileExtension):
            try c.encode(url, forKey: .url)
            try c.encodeIfPresent(fileName, forKey: .fileName)
            try c.encodeIfPresent(caption, forKey: .caption)
            try c.encode(fileExtension, forKey: .fileExtension)
        case .template(let name, let language, let parameters, let headerType, let headerLink):
            try c.encode(name, forKey: .name)
            try c.encode(language, forKey: .language)
            try c.encode(parameters, forKey: .parameters)
            try c.encodeIfPresent(headerType, forKey: .headerType)
            try c.encodeIfPresent(headerLink, forKey: .headerLink)
        }
    }

    /// The JSON the `Codable` form gives (the same members), written by hand: the store writes one for every
    /// message it queues.
    var columnText: String {
        var json = ColumnJSON()
        json.member("type", kind)
        switch message {
        case .text(let text):
            json.member("text", text)
        case .buttons(let body, let header, let footer, let buttons):
            json.member("body", body)
            json.member("header", header)
            json.member("footer", footer)
            json.member("buttons", objects: buttons) { button, object in
                object.member("id", button.id)
                object.member("title", button.title)
            }
        case .list(let body, let header, let footer, let button, let rows):
            json.member("body", body)
            json.member("header", header)
            json.member("footer", footer)
            json.member("button", button)
            json.member("rows", objects: rows) { row, object in
                object.member("id", row.id)
                object.member("title", row.title)
                object.member("description", row.description)
            }
        case .attachment(let url, let fileName, let caption, let fileExtension):
            json.member("url", url)
            json.member("file_name", fileName)
            json.member("caption", caption)
            json.member("file_extension", fileExtension)
        case .template(let name, let language, let parameters, let headerType, let headerLink):
            json.member("name", name)
            json.member("language", language)
            json.member("parameters", strings: parameters)
            json.member("header_type", headerType)
            json.member("header_link", headerLink)
        }
        return json.object
    }

    /// The `type` tag, also the log row's `kind` column: `text`, `buttons`, `list`, `attachment`, `template`.
    public var kind: String {
        switch message {
        case .text: return "text"
        case .buttons: return "buttons"
        case .list: return "list"
        case .attachment: return "attachment"
        case .template: return "template"
        }
    }
}

/// The stored JSON form of a contact message kept in the log (after consent only): `{"type": "text", "text"}`
/// or `{"type": "attachment", "mime_type", "size", "file_name", "caption", "media_id"}` (a file's metadata and
/// what the contact wrote with it; its bytes stay at Meta).
public struct StoredContactMessage: Codable, Sendable, Hashable {
    /// The message.
    public var message: RelayedMessage

    /// Wraps a message for encoding.
    public init(_ message: RelayedMessage) { self.message = message }

    private enum Keys: String, CodingKey {
        case type, text, size
        case mimeType = "mime_type"
        case fileName = "file_name"
        case caption
        case mediaID = "media_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "text":
            message = .text(try c.decode(String.self, forKey: .text))
        case "attachment":
            message = .attachment(
                Event.Attachment(
                    mimeType: try c.decode(String.self, forKey: .mimeType),
                    size: try c.decode(Int64.self, forKey: .size),
                    fileName: try c.decodeIfPresent(String.self, forKey: .fileName),
                    caption: try c.decodeIfPresent(String.self, forKey: .caption),
                    mediaID: try c.decodeIfPresent(String.self, forKey: .mediaID)))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown contact message type '\(type)'")
        }
    }

    /// The JSON the `Codable` form gives, written by hand (see `StoredOutboundMessage.columnText`).
    var columnText: String {
        var json = ColumnJSON()
        switch message {
        case .text(let text):
            json.member("type", "text")
            json.member("text", text)
        case .attachment(let file):
            json.member("type", "attachment")
            json.member("mime_type", file.mimeType)
            json.member("size", file.size)
            json.member("file_name", file.fileName)
            json.member("caption", file.caption)
            json.member("media_id", file.mediaID)
        }
        return json.object
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch message {
        case .text(let text):
            try c.encode("text", forKey: .type)
            try c.encode(text, forKey: .text)
        case .attachment(let file):
            try c.encode("attachment", forKey: .type)
            try c.encode(file.mimeType, forKey: .mimeType)
            try c.encode(file.size, forKey: .size)
            try c.encodeIfPresent(file.fileName, forKey: .fileName)
            try c.encodeIfPresent(file.caption, forKey: .caption)
            try c.encodeIfPresent(file.mediaID, forKey: .mediaID)
        }
    }
}
