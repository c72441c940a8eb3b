/// Something that happened to a conversation. Time comes inside the event (Unix seconds), so the interpreter
/// never reads a clock and the same session and event always give the same result.
public struct Event: Sendable, Hashable {
    public var at: Int64
    public var kind: Kind
    /// The contact forwarded the message (WhatsApp marks it so) rather than writing it: it is never an answer
    /// to a consent or opt-in question, which must be the contact's own expression (Ley 1581 art. 9).
    public var forwarded: Bool
    /// The message is no decision on a consent request or opt-in question, whatever it says: it answers a
    /// request a reload has changed since it was shown (`Session.awaitsOutdatedConsentAnswer`), or it is a tap on
    /// a template's button, whose payload is the template's. At such a question the current one is shown again.
    public var neverConsent: Bool
    /// When the contact wrote the message by WhatsApp's clock (its webhook `timestamp`; `nil` in the simulator,
    /// whose messages arrive in order). Orders a consent acceptance delivered late against a revocation word
    /// already received (`Session.heldRevocation`).
    public var sentAt: Int64?

    public init(
        at: Int64, _ kind: Kind, forwarded: Bool = false, neverConsent: Bool = false, sentAt: Int64? = nil
    ) {
        self.at = at
        self.kind = kind
        self.forwarded = forwarded
        self.neverConsent = neverConsent
        self.sentAt = sentAt
    }

    /// A file the contact sent, as WhatsApp describes it.
    public struct Attachment: Sendable, Hashable, Codable {
        public var mimeType: String
        /// Size in bytes (from the media endpoint on the real channel).
        public var size: Int64
        public var fileName: String?
        /// What the contact wrote with the file: kept with it and relayed, so the agent reads it.
        public var caption: String?
        /// WhatsApp's id of the file (its bytes stay at Meta), so that an agent's tool can fetch it.
        public var mediaID: String?

        public init(
            mimeType: String, size: Int64, fileName: String? = nil, caption: String? = nil, mediaID: String? = nil
        ) {
            self.mimeType = mimeType
            self.size = size
            self.fileName = fileName
            self.caption = caption
            self.mediaID = mediaID
        }
    }

    public enum Kind: Sendable, Hashable {
        /// The contact typed text.
        case text(String, messageID: String? = nil)
        /// The contact tapped a reply button or a list row (WhatsApp's reply id).
        case reply(id: String, messageID: String? = nil)
        /// The contact sent a file.
        case attachment(Attachment, messageID: String? = nil)
        /// The contact sent a message the flow cannot read (an order, a WhatsApp Flows answer, a poll, a type
        /// WhatsApp itself does not support, a shared location or contact card): it renews the 24-hour window
        /// like any message of theirs, is never an answer, and an agent is told of it by its `type`, with its
        /// `content` as text when it has one a person can read (a place's name, address and coordinates).
        case unreadable(type: String, content: String? = nil, messageID: String? = nil)
        /// The shared rotation assigned this agent to the requested handoff.
        case agentAssigned(String)
        /// The assigned agent wrote to the contact.
        case agentMessage(String)
        /// The agent closed the conversation.
        case agentClosed
        /// The inactivity timer fired.
        case inactivityTimeout
        /// The contact stopped the business's marketing messages in WhatsApp's own settings: the opt-in to
        /// promotions is withdrawn (and recorded), as if they had declined it. Not a message of theirs.
        /// `optInVersion`: the policy version the withdrawn opt-in was given under, which the record names (the
        /// store knows it from the ledger; `nil` means the flow's current version).
        case marketingStopped(optInVersion: String?)

        /// The `wamid` of a contact's message, when the channel gave one; `nil` for other events.
        public var messageID: String? {
            switch self {
            case .text(_, let id), .reply(_, let id), .attachment(_, let id), .unreadable(_, _, let id): return id
            case .agentAssigned, .agentMessage, .agentClosed, .inactivityTimeout, .marketingStopped: return nil
            }
        }
    }

    /// Whether the event comes from the contact (and so opens or renews the 24-hour window).
    public var isFromContact: Bool {
        switch kind {
        case .text, .reply, .attachment, .unreadable: return true
        case .agentAssigned, .agentMessage, .agentClosed, .inactivityTimeout, .marketingStopped: return false
        }
    }
}
