#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One thing a webhook POST reported, flattened out of Meta's `entry[].changes[].value` nesting so the server can
/// handle each on its own (route it to a tenant, dedupe it, store it). A POST may carry many of them, for several
/// phone numbers, in any order.
public enum WebhookUpdate: Sendable, Hashable {
    /// A message a contact sent to one of the business's numbers.
    case message(InboundMessage)
    /// News about a message the business sent: sent, delivered, read, played or failed.
    case status(StatusUpdate)
    /// A system, app or account error Meta reports outside any message (`value.errors[]`), such as a throughput
    /// limit hit. `phoneNumberID` names the number it concerns.
    case error(phoneNumberID: String, WebhookError)
    /// A contact stopped or resumed marketing messages from the business in WhatsApp's own settings (the
    /// `user_preferences` field, category `marketing_messages`).
    case marketingPreference(MarketingPreference)
    /// A change of a field talkflow does not handle (`message_template_status_update`, `account_update`, …): kept
    /// so the server can log and acknowledge it instead of failing the whole POST. `wabaID` is `entry[].id`.
    case unknown(field: String, wabaID: String?)
    /// A message of a type the flow does not read (a `system` notice about a changed id, an `order`, Meta's
    /// `unsupported`) that names no sender: no `from`, no `from_user_id`, and no contact card to take one from.
    /// There is no conversation to put it in: the server acknowledges it and logs its type at debug level.
    case messageWithoutSender(type: String, phoneNumberID: String)
    /// A contact started a call to the business's number (the `calls` field, a user-initiated `connect`): Meta
    /// opens or renews the 24-hour window on a call as on a message.
    case callStarted(CallStarted)
    /// A webhook of another Meta product (`object` is not `whatsapp_business_account`: Instagram, a Page) sent
    /// to this URL by an app subscribed to it too: acknowledged and ignored, so that Meta does not retry it.
    case otherProduct(object: String)

    /// The business phone number the update concerns (`value.metadata.phone_number_id`): the tenant routing key.
    /// `nil` for changes of fields other than `messages`, which are not addressed to a number.
    public var phoneNumberID: String? {
        switch self {
        case .message(let message): return message.phoneNumberID
        case .status(let status): return status.phoneNumberID
        case .error(let phoneNumberID, _): return phoneNumberID
        case .marketingPreference(let preference): return preference.phoneNumberID
        case .callStarted(let call): return call.phoneNumberID
        case .messageWithoutSender(_, let phoneNumberID): return phoneNumberID
        case .unknown, .otherProduct: return nil
        }
    }
}

/// An error object as Meta embeds it in webhooks: in `value.errors[]`, in a failed status's `errors[]` and in an
/// inbound message's `errors[]` (an unsupported type, a media download that failed). It has the same codes as the
/// Graph API's synchronous errors, so `kind` classifies it with the same table.
public struct WebhookError: Sendable, Hashable, Decodable, CustomStringConvertible {
    /// Meta's error code (`130429`, `131047`, …): what to branch on.
    public var code: Int
    /// A short English title, for logs.
    public var title: String
    /// A longer English message; often the same as the title.
    public var message: String?
    /// `error_data.details`: the specific reason, for logs and the conversation record.
    public var details: String?
    /// A link to Meta's documentation of the code.
    public var href: String?

    /// Builds an error; tests and the server's own records use it.
    public init(code: Int, title: String, message: String? = nil, details: String? = nil, href: String? = nil) {
        self.code = code
        self.title = title
        self.message = message
        self.details = details
        self.href = href
    }

    /// What to do about the error, by the same table as synchronous Graph API errors (no HTTP status here).
    public var kind: GraphError.Kind { GraphError.classify(code: code, httpStatus: nil) }

    /// `webhook error <code> (<kind>): <title> — <message> — <details>`, for logs: Meta's wording through
    /// `MetaWording` (no phone numbers or e-mail addresses), each text once.
    public var description: String {
        var out = "webhook error \(code) (\(kind.name)"
        if case .blocked(let reason) = kind { out += " \(reason.rawValue)" }
        out += "): \(MetaWording.redacted(title))"
        var said = [title]
        for text in [message, details].compactMap({ $0 }) where !said.contains(text) {
            out += " — \(MetaWording.redacted(text))"
            said.append(text)
        }
        return out
    }

    private enum CodingKeys: String, CodingKey {
        case code, title, message, href
        case errorData = "error_data"
    }

    private enum DataKeys: String, CodingKey {
        case details
    }

    /// Decodes Meta's shape; only `code` is required (a missing title reads as the message, or empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(Int.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? message ?? ""
        href = try c.decodeIfPresent(String.self, forKey: .href)
        if c.contains(.errorData), try !c.decodeNil(forKey: .errorData) {
            let data = try c.nestedContainer(keyedBy: DataKeys.self, forKey: .errorData)
            details = try data.decodeIfPresent(String.self, forKey: .details)
        } else {
            details = nil
        }
    }
}

/// A contact's choice about the business's marketing messages, made in WhatsApp's settings ("Stop" or "Resume"
/// promotional messages), as Meta's `user_preferences` webhook reports it.
public struct MarketingPreference: Sendable, Hashable {
    /// The business number the choice concerns (`metadata.phone_number_id`).
    public var phoneNumberID: String
    /// The contact's WhatsApp id.
    public var waID: String
    /// `stop` or `resume`, as Meta writes it (another value is kept as written).
    public var value: String
    /// Meta's description of the choice, for the record.
    public var detail: String?
    /// When the contact chose, Unix seconds (Meta's `timestamp`).
    public var timestamp: Int64

    public init(phoneNumberID: String, waID: String, value: String, detail: String?, timestamp: Int64) {
        self.phoneNumberID = phoneNumberID
        self.waID = waID
        self.value = value
        self.detail = detail
        self.timestamp = timestamp
    }
}

/// A call a contact placed to one of the business's numbers, as Meta's `calls` webhook reports its start.
public struct CallStarted: Sendable, Hashable {
    /// The business number called (`metadata.phone_number_id`).
    public var phoneNumberID: String
    /// The caller: their `wa_id` (`from`), else their business-scoped user id (`from_user_id`).
    public var caller: String
    /// When the call started, Unix seconds (Meta's `timestamp`).
    public var timestamp: Int64

    public init(phoneNumberID: String, caller: String, timestamp: Int64) {
        self.phoneNumberID = phoneNumberID
        self.caller = caller
        self.timestamp = timestamp
    }
}

// MARK: - Wire envelope (internal)
//
// The envelope as Meta sends it. Only what talkflow reads is declared: JSONDecoder ignores every other property,
// so new fields Meta adds never break parsing. The `value` of a change is decoded only for the `messages` field,
// whose shape is known; any other field's value is skipped unread.

struct WireEnvelope: Decodable {
    /// The `object` of WhatsApp Business Account webhooks, the only ones read.
    static let whatsApp = "whatsapp_business_account"

    var object: String
    var entry: [WireEntry]

    private enum CodingKeys: String, CodingKey {
        case object, entry
    }
}

// In an extension, so that the memberwise initializer (which the tree reader uses) stays.
extension WireEnvelope {
    /// Another product's webhook (Instagram, a Page) has entries of its own shape: they are not read.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(String.self, forKey: .object)
        entry = object == Self.whatsApp ? try container.decode([WireEntry].self, forKey: .entry) : []
    }
}

struct WireEntry: Decodable {
    var id: String?
    var changes: [WireChange]
}

struct WireChange: Decodable {
    var field: String
    /// The decoded value, for the `messages` field only.
    var value: WireValue?
    /// The decoded value of a `user_preferences` change; `nil` for other fields, and for a value that does not
    /// read as Meta documents it (acknowledged as an unknown change, as before talkflow read this field).
    var preferences: WirePreferences?
    /// The decoded value of a `calls` change; `nil` for other fields and for a value not in Meta's shape.
    var calls: WireCalls? = nil

    fileprivate enum CodingKeys: String, CodingKey {
        case field, value
    }
}

// In an extension, so that the memberwise initializer (which the tree reader uses) stays.
extension WireChange {
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        field = try c.decode(String.self, forKey: .field)
        value = field == "messages" ? try c.decode(WireValue.self, forKey: .value) : nil
        preferences = field == "user_preferences" ? try? c.decode(WirePreferences.self, forKey: .value) : nil
        calls = field == "calls" ? try? c.decode(WireCalls.self, forKey: .value) : nil
    }
}

/// A `calls` change's value: the calls' starts, ends and permission answers. Only what a window needs is read.
struct WireCalls: Decodable {
    struct Call: Decodable, Hashable {
        var from: String?
        var fromUserID: String?
        var event: String
        var direction: String?
        var timestamp: Int64

        fileprivate enum CodingKeys: String, CodingKey {
            case from, event, direction, timestamp
            case fromUserID = "from_user_id"
        }
    }

    var metadata: WireMetadata
    /// The items in Meta's shape; one that is not is skipped.
    var calls: [Call]

    fileprivate enum CodingKeys: String, CodingKey {
        case metadata, calls
    }

    /// The calls a contact started: user-initiated `connect` events with a caller.
    func started() -> [CallStarted] {
        calls.compactMap { call in
            guard call.event == "connect", call.direction == "USER_INITIATED",
                let caller = WebhookParser.given(call.from) ?? WebhookParser.given(call.fromUserID)
            else { return nil }
            return CallStarted(phoneNumberID: metadata.phoneNumberID, caller: caller, timestamp: call.timestamp)
        }
    }
}

extension WireCalls {
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(WireMetadata.self, forKey: .metadata)
        calls = try c.decodeReadable(Call.self, forKey: .calls)
    }
}

extension WireCalls.Call {
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        fromUserID = try c.decodeIfPresent(String.self, forKey: .fromUserID)
        event = try c.decode(String.self, forKey: .event)
        direction = try c.decodeIfPresent(String.self, forKey: .direction)
        timestamp = try c.decodeUnixSeconds(forKey: .timestamp)
    }
}

/// A `user_preferences` change's value.
struct WirePreferences: Decodable {
    struct Preference: Decodable {
        var waID: String
        var category: String
        var value: String
        var detail: String?
        var timestamp: Int64

        fileprivate enum CodingKeys: String, CodingKey {
            case waID = "wa_id"
            case category, value, detail, timestamp
        }
    }

    var metadata: WireMetadata
    /// The items in Meta's shape; one that is not (a missing timestamp) is skipped, so that it cannot cancel
    /// another contact's choice in the same change.
    var preferences: [Preference]

    fileprivate enum CodingKeys: String, CodingKey {
        case metadata
        case preferences = "user_preferences"
    }
}

extension WirePreferences {
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(WireMetadata.self, forKey: .metadata)
        preferences = try c.decodeReadable(Preference.self, forKey: .preferences)
    }
}

// In an extension, so that the memberwise initializer (which the tree reader uses) stays.
extension WirePreferences.Preference {
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        waID = try c.decode(String.self, forKey: .waID)
        category = try c.decode(String.self, forKey: .category)
        value = try c.decode(String.self, forKey: .value)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        timestamp = try c.decodeUnixSeconds(forKey: .timestamp)
    }
}

struct WireValue: Decodable {
    var metadata: WireMetadata
    var contacts: [WireContact]?
    var messages: [WireMessage]?
    var statuses: [WireStatus]?
    var errors: [WebhookError]?
}

struct WireMetadata: Decodable {
    var phoneNumberID: String
    var displayPhoneNumber: String?

    private enum CodingKeys: String, CodingKey {
        case phoneNumberID = "phone_number_id"
        case displayPhoneNumber = "display_phone_number"
    }
}

struct WireContact: Decodable {
    struct Profile: Decodable {
        var name: String?
    }

    var profile: Profile?
    var waID: String?
    var userID: String?

    private enum CodingKeys: String, CodingKey {
        case profile
        case waID = "wa_id"
        case userID = "user_id"
    }
}

/// A coding key made from any string, to look into objects whose key is only known at run time (the
/// type-specific part of a message is under a key named like its `type`).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Any JSON value, decoded to be stepped over.
private struct SkippedValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

extension KeyedDecodingContainer {
    /// The items of the array at `key` that read as `T`; one that does not is stepped over, so that one item not
    /// in Meta's shape cannot cancel the others (another contact's choice, another call).
    func decodeReadable<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> [T] {
        var items = try nestedUnkeyedContainer(forKey: key)
        var read: [T] = []
        while !items.isAtEnd {
            // A failed decode leaves the container where it was: the item is then stepped over.
            if let item = try? items.decode(T.self) {
                read.append(item)
            } else {
                _ = try items.decode(SkippedValue.self)
            }
        }
        return read
    }

    /// Meta sends timestamps as strings of Unix seconds (digits only: no sign); an integer not below 0 is
    /// accepted too. Anything else throws with the key's path.
    func decodeUnixSeconds(forKey key: Key) throws -> Int64 {
        if let text = try? decode(String.self, forKey: key) {
            guard let seconds = DigitString.int64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self,
                    debugDescription: "expected Unix seconds (digits), found a string that is not only digits")
            }
            return seconds
        }
        let seconds = try decode(Int64.self, forKey: key)
        guard seconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected Unix seconds, found a negative number")
        }
        return seconds
    }

    /// A coordinate: a JSON number, or a string holding one in JSON's grammar (coordinates have been seen both
    /// ways in client fixtures; `NaN`, `inf` and `0x1p3` are no JSON number), within `limit` degrees either way.
    func decodeCoordinate(forKey key: Key, limit: Double) throws -> Double {
        let value: Double
        if let text = try? decode(String.self, forKey: key) {
            guard let number = Coordinate.number(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self, debugDescription: "expected a number, found a string that is not a number")
            }
            value = number
        } else {
            value = try decode(Double.self, forKey: key)
        }
        guard Coordinate.fits(value, limit: limit) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\(value) is out of range: a coordinate runs from -\(Int(limit)) to \(Int(limit))")
        }
        return value
    }
}
