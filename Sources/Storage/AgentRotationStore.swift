/// The round-robin position of each agent queue, kept in the store so that the rotation is strict across
/// every conversation, task and server process sharing the store.
public protocol AgentRotationStore: Sendable {
    /// The next agent of the tenant's `queue`, advancing the rotation atomically: concurrent callers (tasks,
    /// processes) each get a different turn, and turns are handed out in order with none skipped. `nil` for an
    /// empty `agents` list (the rotation does not move).
    func nextAgent(tenant: String, queue: String, agents: [String]) async throws -> AgentAssignment?
}
