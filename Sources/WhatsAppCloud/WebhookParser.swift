import TalkflowJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns the raw body of a webhook POST into a flat list of updates, in the order Meta listed them: every entry,
/// every change, and in each change its messages, then its statuses, then its errors.
///
/// Check the signature over the same raw bytes first (`WebhookSignature`); the parser trusts nothing and never
/// traps: a body that is not JSON or not shaped like Meta's webhooks throws a `WebhookParseError` naming where.
/// Unknown properties are ignored, unknown change fields become `.unknown`, unknown message types become
/// `.unsupported` content and unknown statuses `.other`, so Meta adding things never fails a POST.
public enum WebhookParser {
    /// Parses a body held as bytes (as the HTTP server hands it over).
    public static func parse(_ body: [UInt8]) throws(WebhookParseError) -> [WebhookUpdate] {
        try updates(of: try envelope(body, data: Data(body)))
    }

    /// Parses a body held as `Data`.
    public static func parse(_ body: Data) throws(WebhookParseError) -> [WebhookUpdate] {
        try updates(of: try envelope(body, data: body))
    }

    /// Reads the envelope from a `JSONNode` tree when the body is the plain shape (`WebhookTreeReading`), else
    /// with `JSONDecoder`, which reads it the same way or names what is wrong.
    private static func envelope(
        _ bytes: some Collection<UInt8>, data: @autoclosure () -> Data
    ) throws(WebhookParseError) -> WireEnvelope {
        guard !bytes.isEmpty else { throw WebhookParseError(path: "", reason: "the body is empty") }
        if let tree = JSONNode.parse(bytes) {
            // A tree was read, so no key repeats and nothing nests too deep: only its shape sends it to the
            // reference path.
            if let envelope = try? WireEnvelope(tree: tree) { return envelope }
        } else {
            try refuseAmbiguous(bytes)
        }
        return try decodedEnvelope(data())
    }

    /// Refuses what `JSONDecoder` would read but the tree reader does not: a key given twice in one object
    /// (`JSONDecoder` keeps one value and drops the other unseen: a second `messages` array, a second `from`), and
    /// arrays and objects nested deeper than `JSONNode.maximumDepth` (`JSONDecoder` goes to about 512), so that
    /// both readers take exactly the same bodies.
    static func refuseAmbiguous(_ bytes: some Collection<UInt8>) throws(WebhookParseError) {
        switch JSONNode.failure(bytes) {
        case .duplicateKey(let path)?:
            throw WebhookParseError(path: path, reason: "the key is given twice in one object")
        case .tooDeep?:
            throw WebhookParseError(
                path: "",
                reason: "the body nests arrays and objects deeper than \(JSONNode.maximumDepth) levels; Meta's "
                    + "webhooks nest about twelve")
        case .syntax?, nil:
            break
        }
    }

    /// The fast path: `nil` when the body is not JSON the tree reader takes or not the plain shape.
    static func treeEnvelope(_ bytes: some Collection<UInt8>) -> WireEnvelope? {
        guard let tree = JSONNode.parse(bytes) else { return nil }
        return try? WireEnvelope(tree: tree)
    }

    /// The reference path: the `Decodable` conformances.
    static func decodedEnvelope(_ data: Data) throws(WebhookParseError) -> WireEnvelope {
        do {
            return try JSONDecoder().decode(WireEnvelope.self, from: data)
        } catch let error as DecodingError {
            var parseError = WebhookParseError(error)
            if parseError.path.isEmpty, case .dataCorrupted = error {
                parseError.reason = Self.unreadable(Array(data))
            }
            throw parseError
        } catch {
            throw WebhookParseError(path: "", reason: "the body could not be read: \(error)")
        }
    }

    /// Why a body JSONDecoder could not read is refused: where it stops being JSON, as "(line L, column C)" in
    /// bytes from 1 (a duplicate key or too deep a nesting was refused before `JSONDecoder` read it).
    static func unreadable(_ bytes: [UInt8]) -> String {
        switch JSONNode.failure(bytes) {
        case .syntax(let offset)?:
            var line = 1
            var column = 1
            for byte in bytes[..<min(offset, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            return "the body is not valid JSON (line \(line), column \(column))"
        case nil, .tooDeep?, .duplicateKey?:
            // The reader takes it, JSONDecoder does not: JSONDecoder's word is all there is.
            return "the body is not valid JSON"
        }
    }

    /// The message types the flow reads. One of these without a sender is refused; a message of another type
    /// without one is acknowledged (`messageWithoutSender`), as nothing would be done with it anyway.
    static let readTypes: Set<String> = [
        "text", "interactive", "button", "image", "document", "audio", "video", "sticker", "location", "contacts",
        "reaction",
    ]

    /// The updates of an envelope, in order.
    static func updates(of envelope: WireEnvelope) throws(WebhookParseError) -> [WebhookUpdate] {
        guard envelope.object == WireEnvelope.whatsApp else { return [.otherProduct(object: envelope.object)] }
        var updates: [WebhookUpdate] = []
        for (e, entry) in envelope.entry.enumerated() {
            for (c, change) in entry.changes.enumerated() {
                if let preferences = change.preferences {
                    let marketing = preferences.preferences.filter { $0.category == "marketing_messages" }
                    for preference in marketing {
                        updates.append(
                            .marketingPreference(
                                MarketingPreference(
                                    phoneNumberID: preferences.metadata.phoneNumberID, waID: preference.waID,
                                    value: preference.value, detail: preference.detail,
                                    timestamp: preference.timestamp)))
                    }
                    if marketing.isEmpty { updates.append(.unknown(field: change.field, wabaID: entry.id)) }
                    continue
                }
                if let calls = change.calls {
                    let started = calls.started()
                    updates += started.map(WebhookUpdate.callStarted)
                    if started.isEmpty { updates.append(.unknown(field: change.field, wabaID: entry.id)) }
                    continue
                }
                guard let value = change.value else {
                    updates.append(.unknown(field: change.field, wabaID: entry.id))
                    continue
                }
                let path = "entry[\(e)].changes[\(c)].value"
                try append(value, path: path, to: &updates)
            }
        }
        return updates
    }

    /// An id as given, `nil` when absent or empty.
    static func given(_ id: String?) -> String? {
        guard let id, !id.isEmpty else { return nil }
        return id
    }

    private static func append(
        _ value: WireValue, path: String, to updates: inout [WebhookUpdate]
    ) throws(WebhookParseError) {
        let phoneNumberID = value.metadata.phoneNumberID
        let contacts = value.contacts ?? []
        for (m, message) in (value.messages ?? []).enumerated() {
            // The contact card for this message: the one with its wa_id, else the one with its user_id that names
            // no other number, else, for a message that names no sender, the only one. A card naming someone else
            // is never the sender's: its user id would be linked to the sender's number (another person's
            // messages would then be answered there) and its profile name would become the sender's.
            // An empty id is an absent one: Meta sends `"from": ""` and `"wa_id": ""` for a user with a username
            // whose number it withholds, with `from_user_id` naming them.
            let from = Self.given(message.from)
            let fromUserID = Self.given(message.fromUserID)
            let contact =
                contacts.first { from != nil && Self.given($0.waID) == from }
                ?? contacts.first {
                    fromUserID != nil && Self.given($0.userID) == fromUserID
                        && (from == nil || Self.given($0.waID) == nil)
                }
                ?? (from == nil && fromUserID == nil && contacts.count == 1 ? contacts[0] : nil)
            let waID = from ?? Self.given(contact?.waID)
            let userID = fromUserID ?? Self.given(contact?.userID)
            guard let contactID = waID ?? userID else {
                // A message the flow does not read (a `system` message about a changed id may name no sender):
                // nothing to do with it, and the rest of the POST (statuses included) still counts.
                if !Self.readTypes.contains(message.type) {
                    updates.append(.messageWithoutSender(type: message.type, phoneNumberID: phoneNumberID))
                    continue
                }
                throw WebhookParseError(
                    path: "\(path).messages[\(m)]", reason: "the message has neither \"from\" nor \"from_user_id\"")
            }
            // Ids key the store (a NUL would end them there, merging two contacts or two messages; an empty one
            // would be one conversation for every such sender); Meta's are never empty and never hold a NUL.
            for (field, id) in [("id", message.id), ("from", contactID)] {
                if id.isEmpty { throw WebhookParseError(path: "\(path).messages[\(m)].\(field)", reason: "is empty") }
                if id.utf8.contains(0) {
                    throw WebhookParseError(path: "\(path).messages[\(m)].\(field)", reason: "contains a NUL character")
                }
            }
            // A file is looked up by its id at the media endpoint: an empty one would ask the Graph API's root
            // with the tenant's token. It is refused as a missing one is.
            if case .media(let media) = message.content, media.id.isEmpty {
                throw WebhookParseError(path: "\(path).messages[\(m)].\(message.type).id", reason: "is empty")
            }
            updates.append(
                .message(
                    InboundMessage(
                        phoneNumberID: phoneNumberID, displayPhoneNumber: value.metadata.displayPhoneNumber,
                        contactID: contactID, waID: waID, userID: userID,
                        profileName: contact?.profile?.name.map { $0.replacingOccurrences(of: "\u{0}", with: "") },
                        id: message.id, timestamp: message.timestamp, type: message.type, content: message.content,
                        context: message.context, errors: message.errors, groupID: message.groupID)))
        }
        for status in value.statuses ?? [] {
            updates.append(.status(status.update(phoneNumberID: phoneNumberID)))
        }
        for error in value.errors ?? [] {
            updates.append(.error(phoneNumberID: phoneNumberID, error))
        }
    }
}

/// Why a webhook body could not be parsed: where (a JSON path such as `entry[0].changes[1].value.messages[2].id`,
/// or the line and column where a body that is not JSON breaks) and what was wrong. It never quotes the body, so
/// it can be logged without leaking message contents.
public struct WebhookParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the body, as a JSON path; empty for the body as a whole.
    public var path: String
    /// What was expected and what was found.
    public var reason: String

    /// Builds an error; the parser uses it.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`, or just the reason for the whole body.
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: Self.path(context.codingPath), reason: "expected \(Self.name(of: type))")
        case .valueNotFound(let type, let context):
            self.init(path: Self.path(context.codingPath), reason: "expected \(Self.name(of: type)), found null")
        case .keyNotFound(let key, let context):
            self.init(
                path: Self.path(context.codingPath), reason: "missing required property \"\(key.stringValue)\"")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(path: "", reason: "the body is not valid JSON (\(Self.underlying(context)))")
            } else {
                self.init(path: Self.path(context.codingPath), reason: context.debugDescription)
            }
        @unknown default:
            self.init(path: "", reason: "the body could not be decoded")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String: Any].Type: return "an object"
        case is [Any].Type: return "an array"
        default: return "an object"
        }
    }

    private static func underlying(_ context: DecodingError.Context) -> String {
        if let underlying = context.underlyingError {
            return String(describing: underlying).prefix(200).description
        }
        return context.debugDescription
    }
}
