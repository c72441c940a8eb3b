import FlowCompiler

/// A transition of a flow as coverage counts it: from one step to another. Several machine transitions
/// between the same two steps (two menu options leading to the same step) are one edge.
public struct FlowEdge: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public static func < (a: FlowEdge, b: FlowEdge) -> Bool { (a.from, a.to) < (b.from, b.to) }

    /// `from -> to`.
    public var description: String { "\(from) -> \(to)" }
}

/// What transcripts exercised of one flow: which steps were entered and which transitions taken, against
/// every step and every transition of its state machine.
///
/// A step counts when the flow entered it; a transition counts when the flow went from its first step to
/// its second (as `Simulator.transitions` records). Moves that are not transitions of the machine (a keyword,
/// a revocation, the start of a conversation) are not counted and never lower the percentages.
public struct FlowCoverage: Sendable, Hashable {
    /// The flow file, as the runner resolved it (the transcript's folder joined with its `flow:`), standardized.
    public var flowPath: String
    /// The flow's id (`flow:` of the flow file).
    public var flow: String
    /// Every step, in the flow's order.
    public var steps: [String]
    /// Every transition, sorted.
    public var transitions: [FlowEdge]
    public var exercisedSteps: Set<String> = []
    public var exercisedTransitions: Set<FlowEdge> = []

    /// Nothing exercised yet of this machine.
    public init(machine: StateMachine, flowPath: String) {
        self.flowPath = flowPath
        flow = machine.flow
        steps = machine.states.map { machine.strings[Int($0.name)] }
        var edges: Set<FlowEdge> = []
        for index in machine.states.indices {
            for transition in machine.transitions(of: Int32(index)) where Int(transition.target) < steps.count {
                edges.insert(FlowEdge(from: steps[index], to: steps[Int(transition.target)]))
            }
        }
        transitions = edges.sorted()
    }

    /// Adds the moves a simulator recorded.
    public mutating func record(_ moves: [(from: String?, to: String)]) {
        let known = Set(steps)
        let edges = Set(transitions)
        for move in moves {
            if known.contains(move.to) { exercisedSteps.insert(move.to) }
            if let from = move.from {
                let edge = FlowEdge(from: from, to: move.to)
                if edges.contains(edge) { exercisedTransitions.insert(edge) }
            }
        }
    }

    /// Adds what another run exercised of the same flow.
    public mutating func merge(_ other: FlowCoverage) {
        exercisedSteps.formUnion(other.exercisedSteps.intersection(steps))
        exercisedTransitions.formUnion(other.exercisedTransitions.intersection(transitions))
    }

    /// Steps never entered, in the flow's order.
    public var missedSteps: [String] { steps.filter { !exercisedSteps.contains($0) } }
    /// Transitions never taken, sorted.
    public var missedTransitions: [FlowEdge] { transitions.filter { !exercisedTransitions.contains($0) } }

    /// Percentage of steps entered (100 for a flow without steps).
    public var stepPercent: Double { Self.percent(exercisedSteps.count, steps.count) }
    /// Percentage of transitions taken (100 for a flow without transitions).
    public var transitionPercent: Double { Self.percent(exercisedTransitions.count, transitions.count) }
    /// The figure `--min-coverage` checks: steps and transitions together, each counting one.
    public var totalPercent: Double {
        Self.percent(exercisedSteps.count + exercisedTransitions.count, steps.count + transitions.count)
    }

    static func percent(_ part: Int, _ whole: Int) -> Double {
        whole == 0 ? 100 : Double(part) * 100 / Double(whole)
    }

    /// The coverage of each flow the results exercised, merged across transcripts, sorted by flow path.
    public static func merged(_ results: [TranscriptResult]) -> [FlowCoverage] {
        var byPath: [String: FlowCoverage] = [:]
        for coverage in results.compactMap(\.coverage) {
            if byPath[coverage.flowPath] == nil {
                byPath[coverage.flowPath] = coverage
            } else {
                byPath[coverage.flowPath]!.merge(coverage)
            }
        }
        return byPath.values.sorted { $0.flowPath < $1.flowPath }
    }

    /// A percentage with at most one decimal (`100`, `93.8`), rounded down so that 99.96 never shows as 100.
    public static func format(_ percent: Double) -> String {
        let tenths = (percent * 10).rounded(.down) / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }

    /// The report `talkflow test --coverage` prints for this flow: a header with the three figures, then every
    /// step and transition marked `+` (exercised) or `-` (not exercised).
    public var report: String {
        var out = "coverage of \(flowPath) (flow '\(flow)'): "
        out += "steps \(exercisedSteps.count)/\(steps.count) (\(Self.format(stepPercent))%), "
        out += "transitions \(exercisedTransitions.count)/\(transitions.count) (\(Self.format(transitionPercent))%), "
        out += "total \(Self.format(totalPercent))%\n"
        out += "  steps:\n"
        for step in steps { out += "    \(exercisedSteps.contains(step) ? "+" : "-") \(step)\n" }
        out += "  transitions:\n"
        for edge in transitions { out += "    \(exercisedTransitions.contains(edge) ? "+" : "-") \(edge)\n" }
        return out
    }
}
