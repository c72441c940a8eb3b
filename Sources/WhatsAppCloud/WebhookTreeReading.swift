import TalkflowJSON

// The webhook envelope read from a `JSONNode` tree: the fast path of `WebhookParser`, several times cheaper than
// `JSONDecoder` for the bodies Meta sends on every message. It reads exactly what the `Decodable` conformances
// read, and gives up (`TreeMismatch`) wherever a body is not their plain case: a missing or mistyped required
// property, a mistyped optional one, a number where a string is expected. The parser then decodes the body with
// `JSONDecoder`, which either reads it the same way or names what is wrong. The conformances stay the reference:
// a test checks both ways give the same updates for every fixture and for mutated copies of them.

extension JSONNode {
    /// `decodeUnixSeconds(forKey:)`: a string of digits as Meta sends it, or an integer not below 0.
    func unixSeconds(_ key: String) throws(TreeMismatch) -> Int64 {
        switch self[key] {
        case .string(let text)?:
            guard let seconds = DigitString.int64(text) else { throw TreeMismatch() }
            return seconds
        case .int(let seconds)? where seconds >= 0: return seconds
        default: throw TreeMismatch()
        }
    }

    /// `decodeCoordinate(forKey:limit:)`: a number, or a string holding one in JSON's grammar, within `limit`
    /// degrees either way.
    func coordinate(_ key: String, limit: Double) throws(TreeMismatch) -> Double {
        let value: Double
        switch self[key] {
        case .string(let text)?:
            guard let number = Coordinate.number(text) else { throw TreeMismatch() }
            value = number
        case .int(let number)?: value = Double(number)
        case .double(let number)?: value = number
        default: throw TreeMismatch()
        }
        guard Coordinate.fits(value, limit: limit) else { throw TreeMismatch() }
        return value
    }
}

extension WireEnvelope {
    init(tree: JSONNode) throws(TreeMismatch) {
        let object = try tree.requiredString("object")
        // Another product's webhook (Instagram, a Page) has entries of its own shape: not read.
        guard object == WireEnvelope.whatsApp else {
            self.init(object: object, entry: [])
            return
        }
        self.init(object: object, entry: try tree.requiredArray("entry", WireEntry.init))
    }
}

extension WireEntry {
    init(tree: JSONNode) throws(TreeMismatch) {
        self.init(id: try tree.optionalString("id"), changes: try tree.requiredArray("changes", WireChange.init))
    }
}

extension WireChange {
    init(tree: JSONNode) throws(TreeMismatch) {
        let field = try tree.requiredString("field")
        switch field {
        case "messages":
            guard let node = tree["value"] else { throw TreeMismatch() }
            self.init(field: field, value: try WireValue(tree: node), preferences: nil)
        case "user_preferences":
            self.init(field: field, value: nil, preferences: tree["value"].flatMap { try? WirePreferences(tree: $0) })
        case "calls":
            self.init(
                field: field, value: nil, preferences: nil, calls: tree["value"].flatMap { try? WireCalls(tree: $0) })
        default:
            self.init(field: field, value: nil, preferences: nil)
        }
    }
}

extension WireMetadata {
    /// The `metadata` of a change's value.
    init(of value: JSONNode) throws(TreeMismatch) {
        guard let metadata = value["metadata"] else { throw TreeMismatch() }
        self.init(
            phoneNumberID: try metadata.requiredString("phone_number_id"),
            displayPhoneNumber: try metadata.optionalString("display_phone_number"))
    }
}

extension WirePreferences {
    init(tree: JSONNode) throws(TreeMismatch) {
        self.init(
            metadata: try WireMetadata(of: tree),
            preferences: try tree.requiredArray("user_preferences") { node in
                try? Preference(
                    waID: node.requiredString("wa_id"), category: node.requiredString("category"),
                    value: node.requiredString("value"), detail: node.optionalString("detail"),
                    timestamp: node.unixSeconds("timestamp"))
            }.compactMap { $0 })
    }
}

extension WireCalls {
    init(tree: JSONNode) throws(TreeMismatch) {
        self.init(
            metadata: try WireMetadata(of: tree),
            calls: try tree.requiredArray("calls") { node in
                try? Call(
                    from: node.optionalString("from"), fromUserID: node.optionalString("from_user_id"),
                    event: node.requiredString("event"), direction: node.optionalString("direction"),
                    timestamp: node.unixSeconds("timestamp"))
            }.compactMap { $0 })
    }
}

extension WireValue {
    init(tree: JSONNode) throws(TreeMismatch) {
        self.init(
            metadata: try WireMetadata(of: tree),
            contacts: try tree.optionalArray("contacts", WireContact.init),
            messages: try tree.optionalArray("messages", WireMessage.init),
            statuses: try tree.optionalArray("statuses", WireStatus.init),
            errors: try tree.optionalArray("errors", WebhookError.init))
    }
}

extension WireContact {
    init(tree: JSONNode) throws(TreeMismatch) {
        let profile = try tree.present("profile").map { (node) throws(TreeMismatch) in
            Profile(name: try node.optionalString("name"))
        }
        self.init(profile: profile, waID: try tree.optionalString("wa_id"), userID: try tree.optionalString("user_id"))
    }
}

extension WebhookError {
    init(tree: JSONNode) throws(TreeMismatch) {
        guard case .int(let wide)? = tree["code"], let code = Int(exactly: wide) else { throw TreeMismatch() }
        let message = try tree.optionalString("message")
        self.init(
            code: code, title: try tree.optionalString("title") ?? message ?? "", message: message,
            details: try tree.present("error_data")?.optionalString("details"), href: try tree.optionalString("href"))
    }
}

extension WireStatus {
    init(tree: JSONNode) throws(TreeMismatch) {
        id = try tree.requiredString("id")
        status = try tree.requiredString("status")
        timestamp = try tree.unixSeconds("timestamp")
        recipientID = try tree.optionalString("recipient_id")
        recipientUserID = try tree.optionalString("recipient_user_id")
        callbackData = try tree.optionalString("biz_opaque_callback_data")
        errors = try tree.optionalArray("errors", WebhookError.init) ?? []
        conversationID = try tree.present("conversation")?.optionalString("id")
        pricingCategory = try tree.present("pricing")?.optionalString("category")
    }
}

extension WireMessage {
    init(tree: JSONNode) throws(TreeMismatch) {
        from = try tree.optionalString("from")
        fromUserID = try tree.optionalString("from_user_id")
        id = try tree.requiredString("id")
        timestamp = try tree.unixSeconds("timestamp")
        type = try tree.requiredString("type")
        context = try tree.present("context").map { (node) throws(TreeMismatch) in
            InboundMessage.Context(
                messageID: try node.optionalString("id"), from: try node.optionalString("from"),
                forwarded: try node.optionalBool("forwarded") ?? false,
                frequentlyForwarded: try node.optionalBool("frequently_forwarded") ?? false)
        }
        errors = try tree.optionalArray("errors", WebhookError.init) ?? []
        groupID = try tree.optionalString("group_id")
        content = try Self.content(of: type, in: tree)
    }

    /// The part named like the type, read as `content(of:in:)` reads it.
    private static func content(of type: String, in message: JSONNode) throws(TreeMismatch) -> InboundMessage.Content {
        guard let part = try message.present(type) else {
            guard mayLackPart(type) else { throw TreeMismatch() }
            return .unsupported(type: type, subtype: nil)
        }
        switch type {
        case "text":
            return .text(try part.requiredString("body"))
        case "interactive":
            let kind = try part.requiredString("type")
            let button = try part.present("button_reply").map(reply)
            let list = try part.present("list_reply").map(reply)
            if kind == "button_reply", let button { return .buttonReply(id: button.id, title: button.title) }
            if kind == "list_reply", let list {
                return .listReply(id: list.id, title: list.title, description: list.description)
            }
            return .unsupported(type: "interactive", subtype: kind)
        case "button":
            return .templateButton(payload: try part.requiredString("payload"), text: try part.requiredString("text"))
        case "image", "document", "audio", "video", "sticker":
            return .media(
                InboundMessage.Media(
                    kind: InboundMessage.Media.Kind(rawValue: type) ?? .document, id: try part.requiredString("id"),
                    mimeType: try part.optionalString("mime_type") ?? "application/octet-stream",
                    sha256: try part.optionalString("sha256"), caption: try part.optionalString("caption"),
                    fileName: try part.optionalString("filename"), url: try part.optionalString("url"),
                    isVoice: try part.optionalBool("voice") ?? false,
                    isAnimated: try part.optionalBool("animated") ?? false))
        case "location":
            return .location(
                InboundMessage.Location(
                    latitude: try part.coordinate("latitude", limit: Coordinate.latitudeLimit),
                    longitude: try part.coordinate("longitude", limit: Coordinate.longitudeLimit),
                    name: try part.optionalString("name"), address: try part.optionalString("address"),
                    url: try part.optionalString("url")))
        case "contacts":
            guard case .array(let cards) = part else { throw TreeMismatch() }
            var contacts: [InboundMessage.SharedContact] = []
            for card in cards { contacts.append(try sharedContact(card)) }
            return .contacts(contacts)
        case "reaction":
            let emoji = try part.optionalString("emoji")
            return .reaction(
                messageID: try part.requiredString("message_id"), emoji: emoji.flatMap { $0.isEmpty ? nil : $0 })
        default:
            return .unsupported(type: type, subtype: part["type"]?.string)
        }
    }

    private static func reply(_ node: JSONNode) throws(TreeMismatch) -> (
        id: String, title: String, description: String?
    ) {
        (try node.requiredString("id"), try node.requiredString("title"), try node.optionalString("description"))
    }

    private static func sharedContact(_ card: JSONNode) throws(TreeMismatch) -> InboundMessage.SharedContact {
        let name = try card.present("name")
        let formatted = try name?.optionalString("formatted_name")
        let joined = [try name?.optionalString("first_name"), try name?.optionalString("last_name")]
            .compactMap { $0 }.joined(separator: " ")
        let phones = try card.optionalArray("phones") { (phone) throws(TreeMismatch) in
            InboundMessage.SharedContact.Phone(
                phone: try phone.optionalString("phone"), waID: try phone.optionalString("wa_id"),
                type: try phone.optionalString("type"))
        }
        let emails = try card.optionalArray("emails") { (email) throws(TreeMismatch) in
            try email.optionalString("email")
        }
        return InboundMessage.SharedContact(
            formattedName: formatted ?? (joined.isEmpty ? nil : joined), phones: phones ?? [],
            emails: (emails ?? []).compactMap { $0 })
    }
}
