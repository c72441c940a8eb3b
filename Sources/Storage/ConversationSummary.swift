import FlowRuntime

/// A conversation as the agent API lists it: the session's indexed facts, without its variables.
public struct ConversationSummary: Sendable, Hashable, Codable {
    /// The tenant the conversation belongs to.
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`).
    public var contact: String
    /// The contact's WhatsApp profile name (`contact.name`), when known.
    public var contactName: String?
    /// Where the conversation stands.
    public var status: ConversationStatus
    /// The agent assigned, during a handoff.
    public var agent: String?
    /// The queue of the requested handoff.
    public var queue: String?
    /// The flow the session runs.
    public var flow: String?
    /// The step id the conversation is at.
    public var state: String?
    /// When the conversation started (Unix seconds).
    public var startedAt: Int64?
    /// When it ended, if it did.
    public var endedAt: Int64?
    /// When a handoff was requested.
    public var handoffAt: Int64?
    /// When the agent assigned now wrote their first reply that the Graph API accepted (set by the outbox
    /// once it is accepted; a new conversation or assignment clears it).
    public var agentFirstReplyAt: Int64?
    /// When the session was last saved, Unix seconds.
    public var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case tenant, contact, status, agent, queue, flow, state
        case contactName = "contact_name"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case handoffAt = "handoff_at"
        case agentFirstReplyAt = "agent_first_reply_at"
        case updatedAt = "updated_at"
    }

    /// A summary as the store reads it.
    public init(
        tenant: String, contact: String, contactName: String?, status: ConversationStatus, agent: String?,
        queue: String?, flow: String?, state: String?, startedAt: Int64?, endedAt: Int64?, handoffAt: Int64?,
        agentFirstReplyAt: Int64?, updatedAt: Int64
    ) {
        self.tenant = tenant
        self.contact = contact
        self.contactName = contactName
        self.status = status
        self.agent = agent
        self.queue = queue
        self.flow = flow
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.handoffAt = handoffAt
        self.agentFirstReplyAt = agentFirstReplyAt
        self.updatedAt = updatedAt
    }
}

/// A session's status by name, as stored in the `status` column and shown by the agent API.
public enum ConversationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// No message yet.
    case new
    /// The bot waits for the contact.
    case waiting
    /// A handoff waits for an agent.
    case queued
    /// An agent has the conversation.
    case withAgent = "with_agent"
    /// The conversation ended.
    case closed

    /// The name of a session's status.
    public init(_ status: Session.Status) {
        switch status {
        case .new: self = .new
        case .waiting: self = .waiting
        case .queued: self = .queued
        case .withAgent: self = .withAgent
        case .closed: self = .closed
        }
    }
}

/// Which conversations to list: every condition given must hold. Newest start first.
public struct ConversationFilter: Sendable, Hashable {
    /// Only this agent's conversations.
    public var agent: String?
    /// Any of these statuses; empty means any status.
    public var statuses: Set<ConversationStatus>
    /// Started at or after this time (Unix seconds).
    public var startedFrom: Int64?
    /// Started before this time (Unix seconds).
    public var startedBefore: Int64?
    /// At most this many conversations.
    public var limit: Int
    /// Skip this many first (paging).
    public var offset: Int

    /// A filter; the defaults list the 100 newest conversations of any status.
    public init(
        agent: String? = nil, statuses: Set<ConversationStatus> = [], startedFrom: Int64? = nil,
        startedBefore: Int64? = nil, limit: Int = 100, offset: Int = 0
    ) {
        self.agent = agent
        self.statuses = statuses
        self.startedFrom = startedFrom
        self.startedBefore = startedBefore
        self.limit = limit
        self.offset = offset
    }
}
