/// The rotation's answer for one handoff: the agent, and the turn that chose them. Turns count every
/// assignment of the queue from 0, so `agent == agents[turn % agents.count]` and, across any number of
/// processes, every turn is handed out exactly once: a strict round robin that tests can check.
public struct AgentAssignment: Sendable, Hashable {
    /// The agent who takes the conversation.
    public var agent: String
    /// The queue's turn that chose them, counted from 0.
    public var turn: Int64

    /// An assignment as the rotation hands it out.
    public init(agent: String, turn: Int64) {
        self.agent = agent
        self.turn = turn
    }
}
