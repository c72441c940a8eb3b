/// Something that happened in a conversation besides a message, kept in the conversation log in order with
/// the messages: steps entered, start and close, handoff milestones, messages held back. Kinds are open
/// strings (the server adds its own, such as a Graph API error recorded on the conversation); the constants
/// below are the ones the effect mapping and the server write. `detail` never holds anything the contact wrote:
/// a step id, a close reason, a queue, an agent's name, a template name, a variable's name, a consent choice.
public struct ConversationEvent: Sendable, Hashable, Codable {
    /// What happened (one of the constants below, or a kind of the caller).
    public var kind: String
    /// A step id, a reason, a queue, an agent, a name or a choice: never anything the contact wrote.
    public var detail: String?

    /// An event of `kind`.
    public init(_ kind: String, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    /// A conversation started (`detail` nil).
    public static let started = "started"
    /// The flow entered a step (`detail`: the step id).
    public static let stepEntered = "step"
    /// The conversation closed (`detail`: `end`, `agent_closed`, `inactivity`, `error`, `policy_changed` or
    /// `flow_changed`).
    public static let closed = "closed"
    /// A handoff was requested (`detail`: the queue).
    public static let handoffRequested = "handoff_requested"
    /// The rotation assigned an agent (`detail`: the agent).
    public static let agentAssigned = "agent_assigned"
    /// The handoff ended before the agent closed it (`detail`: the agent, if one was assigned).
    public static let handoffEnded = "handoff_ended"
    /// An agent or an admin closed the handoff through the agent API (`detail`: who closed it), before the flow
    /// goes on at the handoff's `next` or the conversation closes.
    public static let handoffClosed = "handoff_closed"
    /// A free-form message was not sent: the 24-hour window had closed (`detail`: `bot` or the agent; `graph_api`
    /// when the Graph API refused it).
    public static let windowClosed = "window_closed"
    /// A template was not sent: no opt-in (`detail`: the template name).
    public static let templateRefused = "template_refused"
    /// An agent's message was refused (emoji); `detail` is the reason.
    public static let agentMessageRefused = "agent_message_refused"
    /// An answer was saved into a variable (`detail`: the variable's name; the value stays in the session).
    public static let variableSaved = "variable_saved"
    /// Consent evidence was appended to the ledger (`detail`: the choice).
    public static let consentRecorded = "consent"
    /// A revocation was appended to the ledger (`detail` nil).
    public static let revocationRecorded = "revocation"
    /// The stored session could not be read (a damaged row): it was moved to `unreadable_sessions` and the
    /// contact's message started a new one, consent derived from the ledger (`detail` nil).
    public static let sessionSetAside = "session_set_aside"
}
