import FlowRuntime

/// Sessions: one per (tenant, contact), the interpreter's `Session` plus indexed facts for the agent API.
/// Sessions are written only through `ConversationStore.handleInbound` and `update`, so that a session never
/// changes without its messages and ledger records.
public protocol SessionStore: Sendable {
    /// The contact's stored session, `nil` for a contact never seen (or whose session was deleted). Its
    /// consent fields are the ledger's (see `ConsentLedgerStore`).
    func session(tenant: String, contact: String) async throws -> Session?

    /// The key of the tenant's conversation that `contact` names: the conversation it is an alias of (a phone
    /// number's `wa_id` for a contact first known by a business-scoped user id, once a message carried both),
    /// else `contact` itself. Another tenant's aliases are never followed.
    func conversationKey(tenant: String, contact: String) async throws -> String

    /// The tenant's conversations matching `filter`, newest start first.
    func conversations(tenant: String, filter: ConversationFilter) async throws -> [ConversationSummary]

    /// Sessions, across tenants, whose inactivity timer is due at `now` (deadline at or before it), earliest
    /// first: what a timer worker feeds `inactivityTimeout` to, also after a restart.
    func dueInactivityTimers(now: Int64, limit: Int) async throws -> [DueTimer]

    /// How many of the tenant's conversations each agent holds now (queued for them or with them), by agent:
    /// what start-up compares with the configuration, so that conversations of an agent who is gone are told.
    func handoffsByAgent(tenant: String) throws -> [String: Int]

    /// The tenant's conversations that started in `[from, before)` (either bound optional), as the conversation
    /// log tells them: start, end, last agent, handoff and the agent's first sent reply (`AgentReport`).
    func loggedConversations(tenant: String, startedFrom from: Int64?, startedBefore before: Int64?) async throws
        -> [LoggedConversation]
}

/// A session whose inactivity deadline has passed.
public struct DueTimer: Sendable, Hashable {
    /// The tenant the session belongs to.
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`).
    public var contact: String
    /// When the timer fired (Unix seconds): the `inactivityTimeout` event's time.
    public var deadline: Int64

    /// A due timer as the store reads it.
    public init(tenant: String, contact: String, deadline: Int64) {
        self.tenant = tenant
        self.contact = contact
        self.deadline = deadline
    }
}
