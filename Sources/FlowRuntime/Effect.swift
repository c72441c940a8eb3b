/// What the interpreter asks the outside world to do. Effects are data: the driver performs them (send
/// through a channel, append to the consent ledger, ask the rotation for an agent, set a timer).
public enum Effect: Sendable, Hashable {
    /// Send a message to the contact.
    case send(OutboundMessage, from: Sender)
    /// A free-form message was not sent: more than 24 hours have passed since the contact's last message,
    /// and only an approved template may be sent now.
    case windowClosed(OutboundMessage, from: Sender)
    /// A template was not sent (the contact did not opt in to promotional messages).
    case templateRefused(name: String, reason: String)
    /// An agent's message was refused (emoji in it); nothing was sent.
    case agentMessageRefused(reason: String)
    /// Append consent evidence to the ledger (never updated).
    case recordConsent(ConsentEvidence)
    /// Append a revocation to the ledger.
    case recordRevocation(RevocationEvidence)
    /// Ask the shared round-robin rotation of this queue for the next agent; answered by `agentAssigned`.
    case requestHandoff(queue: String)
    /// A contact message for the agent (or the queue, while no agent is assigned).
    case relayToAgent(agent: String?, message: RelayedMessage)
    /// The handoff ended before the agent closed it (the contact revoked consent).
    case endHandoff(agent: String?)
    /// Schedule (or move) the inactivity timer.
    case scheduleInactivityTimer(at: Int64)
    case cancelInactivityTimer
    /// The conversation ended.
    case closeConversation(CloseReason)
    /// A new conversation started (the first message, or the first after a close).
    case conversationStarted
    /// The flow entered a step (for the conversation log and coverage).
    case stepEntered(String)
    /// A contact message to keep in the conversation log. Never emitted before consent is accepted.
    case logContactMessage(RelayedMessage)
    /// A variable was saved from an answer (for the conversation log; personal data stay in the session).
    case variableSaved(name: String)
}

/// Who sends an outbound message.
public enum Sender: Sendable, Hashable {
    case bot
    case agent(String)
}

/// Why a conversation ended.
public enum CloseReason: String, Sendable, Hashable {
    case end
    case agentClosed = "agent_closed"
    case inactivity
    case error
    /// Consent given to another policy version than the flow's (a flow reloaded mid-conversation with a new
    /// one): the conversation closes and the contact's message starts a new one, which asks for the new policy.
    case policyChanged = "policy_changed"
    /// A reload removed the step the conversation was at (the server's carry-over): the conversation ends there,
    /// and the contact's message starts a new one at the flow's start.
    case flowChanged = "flow_changed"
}

/// A contact message as relayed to an agent or kept in the log.
public enum RelayedMessage: Sendable, Hashable {
    case text(String)
    case attachment(Event.Attachment)
}

/// A message to the contact, in WhatsApp's forms.
public enum OutboundMessage: Sendable, Hashable {
    case text(String)
    case buttons(body: String, header: String?, footer: String?, buttons: [ReplyButton])
    case list(body: String, header: String?, footer: String?, button: String, rows: [ListRow])
    case attachment(url: String, fileName: String?, caption: String?, fileExtension: String)
    case template(name: String, language: String, parameters: [String], headerType: String?, headerLink: String?)
}

/// A reply button: the id WhatsApp sends back and the title shown.
public struct ReplyButton: Sendable, Hashable {
    public var id: String
    public var title: String

    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// A list row.
public struct ListRow: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?

    public init(id: String, title: String, description: String?) {
        self.id = id
        self.title = title
        self.description = description
    }
}

/// Proof of a consent decision (habeas-data checklist item 4). The driver adds the tenant, the contact and
/// the channel's outbound message ids; the ledger never updates a record.
public struct ConsentEvidence: Sendable, Hashable, Codable {
    public var flow: String
    public var step: String
    public var policyVersion: String
    /// The flow's policy URL; `nil` for an opt-in withdrawn, where nothing was shown.
    public var policyURL: String?
    /// `accepted` or `declined`; for an opt-in answer, `opt_in_accepted` or `opt_in_declined`; `opt_in_withdrawn`
    /// when WhatsApp says the contact stopped the business's marketing messages, or the contact used a template's
    /// opt-out button (then `replyMessageID` is their message's).
    public var choice: String
    /// The exact texts shown: the consent text and each button label, in order.
    public var shownTexts: [String]
    /// Lower-case hex SHA-256 of the shown texts joined by a newline; `nil` when no text was shown (an opt-in
    /// withdrawn, in WhatsApp or with a template's opt-out): a hash of nothing would prove nothing.
    public var textSHA256: String?
    public var purposesAccepted: [String]
    public var purposesDeclined: [String]
    public var sensitive: Bool
    /// Unix seconds.
    public var at: Int64
    /// The contact's reply message id (wamid), when the channel gave one.
    public var replyMessageID: String?
    /// The language of the texts shown; `nil` when none was shown.
    public var language: String?

    public init(
        flow: String, step: String, policyVersion: String, policyURL: String?, choice: String, shownTexts: [String],
        textSHA256: String?, purposesAccepted: [String], purposesDeclined: [String], sensitive: Bool, at: Int64,
        replyMessageID: String?, language: String?
    ) {
        self.flow = flow
        self.step = step
        self.policyVersion = policyVersion
        self.policyURL = policyURL
        self.choice = choice
        self.shownTexts = shownTexts
        self.textSHA256 = textSHA256
        self.purposesAccepted = purposesAccepted
        self.purposesDeclined = purposesDeclined
        self.sensitive = sensitive
        self.at = at
        self.replyMessageID = replyMessageID
        self.language = language
    }
}

/// A revocation of consent (habeas-data checklist item 6).
public struct RevocationEvidence: Sendable, Hashable, Codable {
    public var flow: String
    public var policyVersion: String
    /// The words the contact wrote.
    public var words: String
    public var at: Int64
    public var messageID: String?
    /// When the contact wrote the words by WhatsApp's clock, for a revocation recorded after the step that
    /// received it (`Session.heldRevocation`); `nil`: the step's own message.
    public var sentAt: Int64?

    public init(
        flow: String, policyVersion: String, words: String, at: Int64, messageID: String?, sentAt: Int64? = nil
    ) {
        self.flow = flow
        self.policyVersion = policyVersion
        self.words = words
        self.at = at
        self.messageID = messageID
        self.sentAt = sentAt
    }
}
