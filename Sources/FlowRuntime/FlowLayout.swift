import FlowCompiler

/// The names behind a compiled flow's indices: its step ids, variable names and queue names, each in machine
/// order. A session stores indices (small, fast to step); a layout is what turns them back into names when the
/// flow behind them changed, by a reload or a restart with an edited file, so that the session can be carried
/// over to the new flow by name (`Session.carryOver`).
public struct FlowLayout: Sendable, Hashable, Codable {
    /// Step ids by state index.
    public var steps: [String]
    /// Variable names by variable index (0 = contact.name, 1 = contact.phone).
    public var variables: [String]
    /// Queue names by queue index.
    public var queues: [String]

    /// A layout from its names (a store reads one back).
    public init(steps: [String], variables: [String], queues: [String]) {
        self.steps = steps
        self.variables = variables
        self.queues = queues
    }

    /// The layout of a compiled flow.
    public init(_ machine: StateMachine) {
        steps = machine.states.map { machine.strings[Int($0.name)] }
        variables = machine.variables
        queues = machine.queues.map { machine.strings[Int($0.name)] }
    }
}
