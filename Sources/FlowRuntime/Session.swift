/// Where one contact's conversation stands: everything the interpreter needs to take the next step, and
/// nothing else. Small and flat on purpose (a few hundred bytes besides variable values): a server keeps
/// one per open conversation, and the store saves it after every event.
public struct Session: Codable, Sendable, Hashable {
    /// What the conversation is doing.
    public enum Status: UInt8, Codable, Sendable, Hashable {
        /// No event has arrived yet; the first one starts the flow.
        case new
        /// The bot waits for the contact at `state`.
        case waiting
        /// A handoff was requested; no agent is assigned yet. Contact messages are kept for the agent.
        case queued
        /// An agent has the conversation; the bot stays silent.
        case withAgent
        /// The conversation ended; the next contact message starts a new one.
        case closed
    }

    /// The habeas-data state of the contact, remembered across conversations per policy version.
    public struct Consent: Codable, Sendable, Hashable {
        /// Policy version of the last accepted general consent; `nil` when none is in force.
        public var acceptedVersion: String?
        /// A sensitive-data consent was accepted (for this conversation's sensitive steps).
        public var sensitive: Bool
        /// The contact opted in to business-initiated (promotional) messages.
        public var optIn: Bool

        public init(acceptedVersion: String? = nil, sensitive: Bool = false, optIn: Bool = false) {
            self.acceptedVersion = acceptedVersion
            self.sensitive = sensitive
            self.optIn = optIn
        }

        /// Whether this consent covers the policy `version` in force: both set and equal. Consent given to
        /// another version covers nothing under this one; without a version in force there is nothing to cover.
        /// The one rule the interpreter's data steps, template sending and the agent API all apply.
        public func covers(_ version: String?) -> Bool {
            acceptedVersion != nil && acceptedVersion == version
        }
    }

    /// A revocation word the contact wrote, kept by the contact's own time of writing it (WhatsApp's
    /// `timestamp`) so that a consent acceptance WhatsApp delivers after it, though written before it, does not put
    /// consent back in force: Meta retries a failed webhook, so a contact's messages can arrive out of order.
    /// A class, immutable, so that the rare session holding one pays its size and the others one pointer.
    public final class HeldRevocation: Codable, Sendable, Hashable {
        /// The words the contact wrote and their message's id, for the ledger's record.
        public let words: String
        public let messageID: String?
        /// When the contact wrote them, by WhatsApp's clock (Unix seconds).
        public let sentAt: Int64
        /// The revocation was recorded and confirmed when it arrived (the contact had something to revoke); `false`
        /// for a word written at a consent question with nothing to revoke, which only showed the request again.
        public let applied: Bool

        public init(words: String, messageID: String?, sentAt: Int64, applied: Bool) {
            self.words = words
            self.messageID = messageID
            self.sentAt = sentAt
            self.applied = applied
        }

        public static func == (a: HeldRevocation, b: HeldRevocation) -> Bool {
            a.words == b.words && a.messageID == b.messageID && a.sentAt == b.sentAt && a.applied == b.applied
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(words)
            hasher.combine(messageID)
            hasher.combine(sentAt)
            hasher.combine(applied)
        }
    }

    /// The current state (a step index of the machine).
    public var state: Int32
    public var status: Status
    /// 1 while a consent step waits for the answer to its opt-in question.
    public var awaitingOptIn: Bool
    /// `true` once the opt-in question was asked in this conversation (`nil` until then, and in sessions stored
    /// before it existed): a contact who declined is not asked again in the same conversation.
    public var optInAsked: Bool?
    /// The id of the step a general consent asked again leads to once accepted (`nil` otherwise, and in sessions
    /// stored before it existed): a handoff reached, or a question for personal data answered, under a policy
    /// version the contact has not accepted asks for the current one first, and an acceptance then goes on to
    /// that handoff, or asks that question again. An id, not a step index, so that it names the same step after a
    /// reload renumbers the flow's steps.
    public var pendingStep: String?
    /// Invalid answers at the current step so far.
    public var attempts: Int32
    public var consent: Consent
    /// Variable values by the machine's variable index (0 = contact.name, 1 = contact.phone).
    public var variables: [String?]
    /// Unix seconds of the contact's last message: the 24-hour window runs from here.
    public var lastContactMessageAt: Int64?
    /// The calendar month (`year * 100 + month`, in the flow's time zone) the attachment bytes belong to.
    public var attachmentMonth: Int32
    public var attachmentBytes: Int64
    /// The queue (index) of the requested handoff and the assigned agent.
    public var queue: Int32?
    public var agent: String?
    /// When the inactivity timer fires, if one is scheduled.
    public var inactivityDeadline: Int64?
    /// The version of the flow this session was last stepped with (a prefix of the flow file's SHA-256; `nil`
    /// where nobody keeps versions, and in sessions stored before it existed): its indices are that flow's, and
    /// a server running another version carries the session over by name first (`carryOver`).
    public var flowVersion: String?
    /// Facts for the dashboard: conversation start and end, handoff request. (An agent's first reply is the
    /// store's to record: it counts once the Graph API accepts it, which the interpreter never learns.)
    public var startedAt: Int64?
    public var endedAt: Int64?
    public var handoffAt: Int64?
    /// The latest revocation word from a WhatsApp message (`nil` until one, and in the simulator, whose messages
    /// arrive in order): an acceptance written before it is recorded and then revoked by it.
    public var heldRevocation: HeldRevocation?

    /// A session for a contact who has not written yet, with what the store remembers of them.
    public init(contactName: String? = nil, phone: String? = nil, consent: Consent = Consent()) {
        self.state = 0
        self.status = .new
        self.awaitingOptIn = false
        self.attempts = 0
        self.consent = consent
        self.variables = [contactName, phone]
        self.lastContactMessageAt = nil
        self.attachmentMonth = 0
        self.attachmentBytes = 0
        self.queue = nil
        self.agent = nil
        self.inactivityDeadline = nil
        self.startedAt = nil
        self.endedAt = nil
        self.handoffAt = nil
    }

    /// Whether the conversation is open (not closed and started).
    public var isOpen: Bool { status != .new && status != .closed }
}
