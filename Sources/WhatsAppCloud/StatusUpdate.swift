#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What became of a message the business sent (`value.statuses[]`). Statuses arrive at least once, possibly out of
/// order and twice: apply them with `Status.supersedes(_:)`, and dedupe by `(messageID, status)`.
public struct StatusUpdate: Sendable, Hashable {
    /// The business phone number that sent the message: the tenant routing key.
    public var phoneNumberID: String
    /// The wamid the Graph API returned when the message was sent.
    public var messageID: String
    /// What happened to the message.
    public var status: Status
    /// When it happened, Unix seconds.
    public var timestamp: Int64
    /// The contact's WhatsApp id (digits, no `+`), when Meta gives it.
    public var recipientID: String?
    /// The contact's business-scoped user id, when Meta gives it.
    public var recipientUserID: String?
    /// The string given as `biz_opaque_callback_data` when sending: talkflow puts the outbox row id there, so a
    /// status maps to its row without a lookup by wamid.
    public var callbackData: String?
    /// Why a `failed` message failed (codes as in the Graph API's error table).
    public var errors: [WebhookError]
    /// The conversation id Meta billed it under (webhooks before v24.0).
    public var conversationID: String?
    /// The pricing category (`marketing`, `utility`, `service`, …), on `sent` and one of `delivered`/`read`.
    public var pricingCategory: String?

    /// Builds a status; the parser and tests use it.
    public init(
        phoneNumberID: String, messageID: String, status: Status, timestamp: Int64, recipientID: String? = nil,
        recipientUserID: String? = nil, callbackData: String? = nil, errors: [WebhookError] = [],
        conversationID: String? = nil, pricingCategory: String? = nil
    ) {
        self.phoneNumberID = phoneNumberID
        self.messageID = messageID
        self.status = status
        self.timestamp = timestamp
        self.recipientID = recipientID
        self.recipientUserID = recipientUserID
        self.callbackData = callbackData
        self.errors = errors
        self.conversationID = conversationID
        self.pricingCategory = pricingCategory
    }

    /// A delivery status. Unknown values are kept as `other` so a new status never fails a webhook.
    public enum Status: Sendable, Hashable {
        /// Accepted by WhatsApp, on its way; delivered to the phone; read by the contact; failed (see `errors`).
        case sent, delivered, read, failed
        /// The contact played a voice message for the first time.
        case played
        /// A status this code does not know, by Meta's name.
        case other(String)

        /// Reads Meta's string.
        public init(rawValue: String) {
            switch rawValue {
            case "sent": self = .sent
            case "delivered": self = .delivered
            case "read": self = .read
            case "failed": self = .failed
            case "played": self = .played
            default: self = .other(rawValue)
            }
        }

        /// Meta's string.
        public var rawValue: String {
            switch self {
            case .sent: return "sent"
            case .delivered: return "delivered"
            case .read: return "read"
            case .failed: return "failed"
            case .played: return "played"
            case .other(let value): return value
            }
        }

        /// Whether this status should replace `previous` as a message's recorded status. Statuses only move
        /// forward (sent < delivered < read < played), `failed` replaces anything but is itself final, and an
        /// unknown status never replaces a known one. So a late `delivered` after `read` is ignored, as is a
        /// duplicate.
        public func supersedes(_ previous: Status?) -> Bool {
            guard let previous else { return true }
            if previous == .failed { return false }
            if self == .failed { return true }
            guard let new = progress else { return false }
            guard let old = previous.progress else { return true }
            return new > old
        }

        private var progress: Int? {
            switch self {
            case .sent: return 1
            case .delivered: return 2
            case .read: return 3
            case .played: return 4
            case .failed, .other: return nil
            }
        }
    }
}

// MARK: - Wire form (internal)

/// One element of `value.statuses[]`.
struct WireStatus: Decodable {
    var id: String
    var status: String
    var timestamp: Int64
    var recipientID: String?
    var recipientUserID: String?
    var callbackData: String?
    var errors: [WebhookError]
    var conversationID: String?
    var pricingCategory: String?

    private enum CodingKeys: String, CodingKey {
        case id, status, timestamp, errors, conversation, pricing
        case recipientID = "recipient_id"
        case recipientUserID = "recipient_user_id"
        case callbackData = "biz_opaque_callback_data"
    }

    private struct Conversation: Decodable {
        var id: String?
    }

    private struct Pricing: Decodable {
        var category: String?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        status = try c.decode(String.self, forKey: .status)
        timestamp = try c.decodeUnixSeconds(forKey: .timestamp)
        recipientID = try c.decodeIfPresent(String.self, forKey: .recipientID)
        recipientUserID = try c.decodeIfPresent(String.self, forKey: .recipientUserID)
        callbackData = try c.decodeIfPresent(String.self, forKey: .callbackData)
        errors = try c.decodeIfPresent([WebhookError].self, forKey: .errors) ?? []
        conversationID = try c.decodeIfPresent(Conversation.self, forKey: .conversation)?.id
        pricingCategory = try c.decodeIfPresent(Pricing.self, forKey: .pricing)?.category
    }

    func update(phoneNumberID: String) -> StatusUpdate {
        StatusUpdate(
            phoneNumberID: phoneNumberID, messageID: id, status: .init(rawValue: status), timestamp: timestamp,
            recipientID: recipientID, recipientUserID: recipientUserID, callbackData: callbackData, errors: errors,
            conversationID: conversationID, pricingCategory: pricingCategory)
    }
}
