/// The rotation's answer for one handoff: the agent, and the turn that chose them. Turns count every
/// assignment of the queue from 0, so `agent == agents[turn % agents.count]` and, across any number of
/// processes, every turn is handed out exactly once: a strict round robin that tests can check.
public struct AgentAssignment: Sendable, Hashable {
    public var agent: String
    public var turn: Int64

    public init(agent: String, turn: Int64) {
        self.agent = agent
        self.turn = turn
    }
}
