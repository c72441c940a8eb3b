import FlowRuntime

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A message a contact sent, with everything the server needs to route it (the business number), dedupe it (the
/// wamid), key the session (the contact id) and feed the interpreter (`event(mediaSize:)`).
public struct InboundMessage: Sendable, Hashable {
    /// The business phone number it was sent to (`value.metadata.phone_number_id`): the tenant routing key.
    public var phoneNumberID: String
    /// The business number as shown to people, digits without `+`.
    public var displayPhoneNumber: String?
    /// The key of the contact: the WhatsApp id (`wa_id`, digits without `+`) when Meta gives one, else the
    /// business-scoped user id (`user_id`, `CC.…`), which replaces it for users with a username.
    public var contactID: String
    /// The contact's WhatsApp id (`from`, or `contacts[].wa_id`), when present.
    public var waID: String?
    /// The contact's business-scoped user id (`from_user_id`, or `contacts[].user_id`), when present.
    public var userID: String?
    /// The contact's ids other than `contactID` in this message (the business-scoped user id beside a
    /// `wa_id`): the store keeps one conversation per person whichever ids a message carries, and starts
    /// another when they contradict the ids it knows (a changed number).
    public var aliases: [String] {
        guard let userID, userID != contactID else { return [] }
        return [userID]
    }
    /// The contact's WhatsApp profile name (`contacts[].profile.name`): becomes `contact.name`.
    public var profileName: String?
    /// WhatsApp's message id (`wamid.…`): the dedup key, and what mark-as-read and replies refer to.
    public var id: String
    /// When the contact sent it, Unix seconds.
    public var timestamp: Int64
    /// The raw `type` as Meta sent it (`text`, `interactive`, `image`, `unsupported`, …).
    public var type: String
    /// The type-specific part.
    public var content: Content
    /// What the message replies to or whether it was forwarded.
    public var context: Context?
    /// Errors Meta attached to the message (an unsupported type, a media file it could not fetch).
    public var errors: [WebhookError]
    /// The group the message was written in (WhatsApp groups), `nil` for a one-to-one message. Flows talk
    /// with one contact: the server does not run them for group messages.
    public var groupID: String?

    /// Builds a message; the parser and tests use it.
    public init(
        phoneNumberID: String, displayPhoneNumber: String? = nil, contactID: String, waID: String? = nil,
        userID: String? = nil, profileName: String? = nil, id: String, timestamp: Int64, type: String,
        content: Content, context: Context? = nil, errors: [WebhookError] = [], groupID: String? = nil
    ) {
        self.groupID = groupID
        self.phoneNumberID = phoneNumberID
        self.displayPhoneNumber = displayPhoneNumber
        self.contactID = contactID
        self.waID = waID
        self.userID = userID
        self.profileName = profileName
        self.id = id
        self.timestamp = timestamp
        self.type = type
        self.content = content
        self.context = context
        self.errors = errors
    }

    /// The type-specific part of a message, one case per kind of thing a contact can send.
    public enum Content: Sendable, Hashable {
        /// Typed text (`text.body`).
        case text(String)
        /// A tapped reply button (`interactive.button_reply`): the id the business gave the button, and its title.
        case buttonReply(id: String, title: String)
        /// A chosen list row (`interactive.list_reply`): the row's id, title and description.
        case listReply(id: String, title: String, description: String?)
        /// A tapped template quick-reply button (`button`): the payload set when the template was sent, and the
        /// button's label.
        case templateButton(payload: String, text: String)
        /// An image, document, audio, video or sticker.
        case media(Media)
        /// A shared location.
        case location(Location)
        /// One or more shared contact cards.
        case contacts([SharedContact])
        /// A reaction to an earlier message; `emoji` is `nil` when the contact removed their reaction.
        case reaction(messageID: String, emoji: String?)
        /// Anything else, kept by its raw type name (the flow gets it as `unreadable`, or it is only logged and
        /// acknowledged: see `event(mediaSize:)`): `unsupported`,
        /// `unknown`, `system`, `order`, `edit`, `revoke`, an unknown `interactive` reply (`nfm_reply`), a
        /// future type, or a file whose part is missing. `subtype` is the part's own `type` when it has one
        /// (`unsupported.type` `poll_creation`, `system.type` `user_changed_number`, `interactive.type`).
        case unsupported(type: String, subtype: String?)
    }

    /// A file the contact sent. Meta gives its id, type and hash but not its size: the media endpoint
    /// (`GraphClient.mediaInfo`) does.
    public struct Media: Sendable, Hashable {
        /// Which message type carried the file.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Named like Meta's message types.
            case image, document, audio, video, sticker
        }

        /// The message type that carried it: decides how the file is shown and what the flow accepts.
        public var kind: Kind
        /// The media id, to resolve with `GET /{version}/{media-id}` (downloadable for 7 days).
        public var id: String
        /// The MIME type as Meta sent it, parameters included (`audio/ogg; codecs=opus`).
        public var mimeType: String
        /// Base64 SHA-256 of the file; opaque.
        public var sha256: String?
        /// The caption of an image, video or document.
        public var caption: String?
        /// The file name of a document.
        public var fileName: String?
        /// A direct download URL (being rolled out; never required).
        public var url: String?
        /// An audio recorded as a voice note.
        public var isVoice: Bool
        /// An animated sticker.
        public var isAnimated: Bool

        /// Builds a media description; the parser and tests use it.
        public init(
            kind: Kind, id: String, mimeType: String, sha256: String? = nil, caption: String? = nil,
            fileName: String? = nil, url: String? = nil, isVoice: Bool = false, isAnimated: Bool = false
        ) {
            self.kind = kind
            self.id = id
            self.mimeType = mimeType
            self.sha256 = sha256
            self.caption = caption
            self.fileName = fileName
            self.url = url
            self.isVoice = isVoice
            self.isAnimated = isAnimated
        }
    }

    /// A shared location: the contact's position, or a chosen place with a name and address.
    public struct Location: Sendable, Hashable {
        /// Degrees north; Meta sends a JSON number.
        public var latitude: Double
        /// Degrees east.
        public var longitude: Double
        /// The place's name, for a chosen place.
        public var name: String?
        /// The place's address, for a chosen place.
        public var address: String?
        /// A map link, for a chosen place.
        public var url: String?

        /// Builds a location; the parser and tests use it.
        public init(
            latitude: Double, longitude: Double, name: String? = nil, address: String? = nil, url: String? = nil
        ) {
            self.latitude = latitude
            self.longitude = longitude
            self.name = name
            self.address = address
            self.url = url
        }
    }

    /// A shared contact card, reduced to what a person reading it needs: the name, phones and emails.
    public struct SharedContact: Sendable, Hashable {
        /// A phone number on the card, as written, with the WhatsApp id Meta matched it to.
        public struct Phone: Sendable, Hashable {
            /// The number as written on the card (`+57 300 111 2233`).
            public var phone: String?
            /// The WhatsApp id Meta matched it to, when the number is on WhatsApp.
            public var waID: String?
            /// `MOBILE`, `WORK`, `HOME`…
            public var type: String?

            /// Builds a phone entry.
            public init(phone: String?, waID: String? = nil, type: String? = nil) {
                self.phone = phone
                self.waID = waID
                self.type = type
            }
        }

        /// The name as the card shows it (or first and last name joined).
        public var formattedName: String?
        /// The card's phone numbers, in order.
        public var phones: [Phone]
        /// The card's email addresses, in order.
        public var emails: [String]

        /// Builds a contact card.
        public init(formattedName: String?, phones: [Phone] = [], emails: [String] = []) {
            self.formattedName = formattedName
            self.phones = phones
            self.emails = emails
        }
    }

    /// `context`: which business message the contact replied to, or how often the message was forwarded.
    public struct Context: Sendable, Hashable {
        /// The wamid of the message replied to (for a button tap: the message that had the buttons).
        public var messageID: String?
        /// The number that sent the message replied to.
        public var from: String?
        /// The contact forwarded the message rather than writing it.
        public var forwarded: Bool
        /// Forwarded more than five times.
        public var frequentlyForwarded: Bool

        /// Builds a context.
        public init(
            messageID: String? = nil, from: String? = nil, forwarded: Bool = false,
            frequentlyForwarded: Bool = false
        ) {
            self.messageID = messageID
            self.from = from
            self.forwarded = forwarded
            self.frequentlyForwarded = frequentlyForwarded
        }
    }
}

// MARK: - Interpreter events

extension InboundMessage {
    /// What the message means to a flow, as an interpreter event kind (put it in `Event(at: timestamp, …)`), or
    /// `nil` for messages a flow does not react to.
    ///
    /// - text → `.text`; a reply button or list row → `.reply(id:)` with the id the flow gave it; a template
    ///   quick-reply button → `.text(payload)`: talkflow sends templates without payloads, so WhatsApp sends the
    ///   button's label, read as if typed (a revocation word, a keyword, an answer to a question). The server
    ///   marks it no decision on consent, whatever it says.
    /// - image, document, audio, video, sticker → `.attachment(mime type, size: mediaSize, file name)`; with
    ///   `errors` (Meta could not deliver the file), `.unreadable(type:)` even when it names a media id. Webhooks
    ///   carry no size: the server resolves it with `GraphClient.mediaInfo(id:)` (`file_size`) and passes it here,
    ///   so the monthly allowance counts real bytes; `0` until then. The interpreter itself refuses the types it
    ///   does not accept (audio, video, stickers…) with a polite message, so every file is reported.
    /// - location → `.unreadable(type: "location")` with the place's name, address and `latitude,longitude` on
    ///   separate lines as its content, and shared contacts → `.unreadable(type: "contacts")` with each card's
    ///   name and phone numbers: not typed text, so never an answer (a question for a name must not take
    ///   coordinates), but the agent of a handoff reads them.
    /// - reaction → `nil`: a reaction answers nothing and must not start a conversation or re-prompt a menu.
    /// - order, a WhatsApp Flows answer (`interactive` `nfm_reply`), `unsupported`, `unknown` and any type not
    ///   known here → `.unreadable(type:)`, named by its part's own `type` when it has one (`nfm_reply`,
    ///   `poll_creation`): the contact wrote, so the 24-hour
    ///   window renews (Meta opens it on any message of theirs), but nothing in it is an answer.
    /// - system notices, `request_welcome`, edit and revoke → `nil`: not a message the contact wrote; so is Meta's
    ///   `unsupported` whose `unsupported.type` is one of `chatChanges` (a reaction or an edit Meta could not
    ///   deliver natively is still a reaction or an edit).
    public func event(mediaSize: Int64 = 0) -> Event.Kind? {
        switch content {
        case .text(let body):
            return .text(body, messageID: id)
        case .buttonReply(let replyID, _), .listReply(let replyID, _, _):
            return .reply(id: replyID, messageID: id)
        case .templateButton(let payload, _):
            return .text(payload, messageID: id)
        case .media(let media):
            // Meta could not deliver the file (a download error such as 131052): nothing to judge or pass on.
            guard errors.isEmpty else { return .unreadable(type: type, messageID: id) }
            let attachment = Event.Attachment(
                mimeType: media.mimeType, size: mediaSize, fileName: media.fileName, caption: media.caption,
                mediaID: media.id)
            return .attachment(attachment, messageID: id)
        case .location(let location):
            return .unreadable(type: "location", content: location.text, messageID: id)
        case .contacts(let cards):
            let lines = cards.map(\.text).filter { !$0.isEmpty }
            return .unreadable(type: "contacts", content: lines.joined(separator: "\n"), messageID: id)
        case .unsupported(let type, let subtype):
            guard !Self.notices.contains(type) else { return nil }
            if type == "unsupported", let subtype, Self.chatChanges.contains(subtype) { return nil }
            return .unreadable(type: subtype ?? type, messageID: id)
        case .reaction:
            return nil
        }
    }

    /// Types that are not a message the contact wrote: WhatsApp's notices (a changed number), a welcome request
    /// (the chat was opened), and changes to an earlier message (edited, deleted).
    static let notices: Set<String> = ["system", "request_welcome", "edit", "revoke"]

    /// The `unsupported.type`s that change the chat rather than say something to the business, read like their
    /// native forms: a reaction, an edit or deletion of an earlier message, a pin, keeping a disappearing message
    /// (`keep_in_chat`) and a vote in a poll (`poll_update`; talkflow sends no polls, so the poll is not its
    /// question). Stepped, each would be taken for an answer that is not there (a menu would ask again) or
    /// start a conversation with someone who only reacted.
    static let chatChanges: Set<String> = ["reaction", "edit", "revoke", "pin", "keep_in_chat", "poll_update"]
}

extension InboundMessage.Location {
    /// The place as text: name, address and `latitude,longitude`, one per line, skipping what is missing.
    var text: String {
        var lines: [String] = []
        if let name = name.map(Self.oneLine), !name.isEmpty { lines.append(name) }
        if let address = address.map(Self.oneLine), !address.isEmpty { lines.append(address) }
        lines.append("\(latitude),\(longitude)")
        return lines.joined(separator: "\n")
    }
}

extension InboundMessage.Location {
    /// A field on one line (each line break a space, CR LF one break), so that the place's lines stay name,
    /// address, coordinates, and a card stays on its line.
    static func oneLine(_ text: String) -> String {
        var line = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            if scalar == "\n", afterCarriageReturn { continue }
            let breaks =
                scalar.properties.generalCategory == .lineSeparator
                || ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2029}"].contains(scalar)
            line.append(breaks ? " " : scalar)
        }
        return String(line).trimmingCharacters(in: .whitespaces)
    }
}

extension InboundMessage.SharedContact {
    /// The card as text: the name followed by its phone numbers; empty for a card with neither (it then takes no
    /// line of the note).
    var text: String {
        let parts =
            [formattedName.map(InboundMessage.Location.oneLine)].compactMap { $0 }
            + phones.compactMap { ($0.phone ?? $0.waID.map { "+\($0)" }).map(InboundMessage.Location.oneLine) }
        return parts.joined(separator: " ")
    }
}

// MARK: - Wire form (internal)

/// One element of `value.messages[]`, decoded with its type-specific part.
struct WireMessage: Decodable {
    var from: String?
    var fromUserID: String?
    var id: String
    var timestamp: Int64
    var type: String
    var content: InboundMessage.Content
    var context: InboundMessage.Context?
    var errors: [WebhookError]
    var groupID: String?

    private enum CodingKeys: String, CodingKey {
        case from, id, timestamp, type, context, errors
        case fromUserID = "from_user_id"
        case groupID = "group_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        fromUserID = try c.decodeIfPresent(String.self, forKey: .fromUserID)
        id = try c.decode(String.self, forKey: .id)
        timestamp = try c.decodeUnixSeconds(forKey: .timestamp)
        type = try c.decode(String.self, forKey: .type)
        context = try c.decodeIfPresent(WireContext.self, forKey: .context)?.context
        errors = try c.decodeIfPresent([WebhookError].self, forKey: .errors) ?? []
        groupID = try c.decodeIfPresent(String.self, forKey: .groupID)
        content = try Self.content(of: type, in: try decoder.container(keyedBy: AnyKey.self))
    }

    /// Whether a message of `type` is read without the part named like it: a file (Meta sends one it could not
    /// deliver without its part, with `errors`) or a type talkflow does not read. Text, replies, a location,
    /// contact cards and a reaction need their part: Meta always sends it, and without it there is nothing to
    /// read (a text with no `text` is refused like `"text":{}`).
    static func mayLackPart(_ type: String) -> Bool {
        !WebhookParser.readTypes.contains(type) || InboundMessage.Media.Kind(rawValue: type) != nil
    }

    /// Reads the part named like the type. A file whose part is absent is kept as `unsupported`, and so is any
    /// type talkflow does not read; another type without its part, or a part of the wrong shape, throws with
    /// its path.
    private static func content(
        of type: String, in c: KeyedDecodingContainer<AnyKey>
    ) throws -> InboundMessage.Content {
        let key = AnyKey(type)
        if mayLackPart(type), try !c.contains(key) || c.decodeNil(forKey: key) {
            return .unsupported(type: type, subtype: nil)
        }
        switch type {
        case "text":
            return .text(try c.decode(WireText.self, forKey: key).body)
        case "interactive":
            return try c.decode(WireInteractive.self, forKey: key).content
        case "button":
            let button = try c.decode(WireButton.self, forKey: key)
            return .templateButton(payload: button.payload, text: button.text)
        case "image", "document", "audio", "video", "sticker":
            let kind = InboundMessage.Media.Kind(rawValue: type) ?? .document
            return .media(try c.decode(WireMedia.self, forKey: key).media(kind))
        case "location":
            return .location(try c.decode(WireLocation.self, forKey: key).location)
        case "contacts":
            return .contacts(try c.decode([WireSharedContact].self, forKey: key).map(\.contact))
        case "reaction":
            let reaction = try c.decode(WireReaction.self, forKey: key)
            let emoji = reaction.emoji.flatMap { $0.isEmpty ? nil : $0 }
            return .reaction(messageID: reaction.messageID, emoji: emoji)
        default:
            // `unsupported`, `system`, `order`, `edit`, `revoke`, future types: keep the part's own `type`, if
            // the part is an object that has one, and nothing else.
            let inner = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: key)
            let subtype = (try? inner?.decodeIfPresent(String.self, forKey: AnyKey("type"))) ?? nil
            return .unsupported(type: type, subtype: subtype)
        }
    }
}

private struct WireText: Decodable {
    var body: String
}

private struct WireInteractive: Decodable {
    struct Reply: Decodable {
        var id: String
        var title: String
        var description: String?
    }

    var type: String
    var buttonReply: Reply?
    var listReply: Reply?

    private enum CodingKeys: String, CodingKey {
        case type
        case buttonReply = "button_reply"
        case listReply = "list_reply"
    }

    var content: InboundMessage.Content {
        if type == "button_reply", let reply = buttonReply {
            return .buttonReply(id: reply.id, title: reply.title)
        }
        if type == "list_reply", let reply = listReply {
            return .listReply(id: reply.id, title: reply.title, description: reply.description)
        }
        return .unsupported(type: "interactive", subtype: type)
    }
}

private struct WireButton: Decodable {
    var payload: String
    var text: String
}

private struct WireMedia: Decodable {
    var id: String
    var mimeType: String?
    var sha256: String?
    var caption: String?
    var filename: String?
    var url: String?
    var voice: Bool?
    var animated: Bool?

    private enum CodingKeys: String, CodingKey {
        case id, sha256, caption, filename, url, voice, animated
        case mimeType = "mime_type"
    }

    func media(_ kind: InboundMessage.Media.Kind) -> InboundMessage.Media {
        InboundMessage.Media(
            kind: kind, id: id, mimeType: mimeType ?? "application/octet-stream", sha256: sha256, caption: caption,
            fileName: filename, url: url, isVoice: voice ?? false, isAnimated: animated ?? false)
    }
}

private struct WireLocation: Decodable {
    var location: InboundMessage.Location

    private enum CodingKeys: String, CodingKey {
        case latitude, longitude, name, address, url
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        location = InboundMessage.Location(
            latitude: try c.decodeCoordinate(forKey: .latitude, limit: Coordinate.latitudeLimit),
            longitude: try c.decodeCoordinate(forKey: .longitude, limit: Coordinate.longitudeLimit),
            name: try c.decodeIfPresent(String.self, forKey: .name),
            address: try c.decodeIfPresent(String.self, forKey: .address),
            url: try c.decodeIfPresent(String.self, forKey: .url))
    }
}

private struct WireSharedContact: Decodable {
    struct Name: Decodable {
        var formattedName: String?
        var firstName: String?
        var lastName: String?

        private enum CodingKeys: String, CodingKey {
            case formattedName = "formatted_name"
            case firstName = "first_name"
            case lastName = "last_name"
        }
    }

    struct Phone: Decodable {
        var phone: String?
        var waID: String?
        var type: String?

        private enum CodingKeys: String, CodingKey {
            case phone, type
            case waID = "wa_id"
        }
    }

    struct Email: Decodable {
        var email: String?
    }

    var name: Name?
    var phones: [Phone]?
    var emails: [Email]?

    var contact: InboundMessage.SharedContact {
        let joined = [name?.firstName, name?.lastName].compactMap { $0 }.joined(separator: " ")
        return InboundMessage.SharedContact(
            formattedName: name?.formattedName ?? (joined.isEmpty ? nil : joined),
            phones: (phones ?? []).map { .init(phone: $0.phone, waID: $0.waID, type: $0.type) },
            emails: (emails ?? []).compactMap(\.email))
    }
}

private struct WireReaction: Decodable {
    var messageID: String
    var emoji: String?

    private enum CodingKeys: String, CodingKey {
        case emoji
        case messageID = "message_id"
    }
}

private struct WireContext: Decodable {
    var id: String?
    var from: String?
    var forwarded: Bool?
    var frequentlyForwarded: Bool?

    private enum CodingKeys: String, CodingKey {
        case id, from, forwarded
        case frequentlyForwarded = "frequently_forwarded"
    }

    var context: InboundMessage.Context {
        InboundMessage.Context(
            messageID: id, from: from, forwarded: forwarded ?? false, frequentlyForwarded: frequentlyForwarded ?? false)
    }
}
