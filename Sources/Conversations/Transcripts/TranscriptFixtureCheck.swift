import FlowCompiler
import FlowDiagnostics
import Foundation

/// One way a transcript's fixtures do not fit its flow: a step, variable, queue or agent the flow does not have,
/// or variables without a starting step.
public struct FixtureProblem: Sendable, Hashable {
    public var message: String
    /// Where the offending name is written; `nil` for fixtures not read from a file (the runner then points at
    /// `fixtures`).
    public var range: SourceRange?

    public init(message: String, range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// Fixtures that do not fit the flow, with every problem at once, so an author fixes them in one round.
public struct FixturesDoNotFit: Error, Sendable, Hashable {
    /// In file order.
    public var problems: [FixtureProblem]

    public init(problems: [FixtureProblem]) { self.problems = problems }
}

extension TranscriptDriver {
    /// Every problem of the fixtures against the flow, in file order (as lint and the parser report theirs,
    /// rather than one per run); empty when they fit.
    public static func fixtureProblems(machine: StateMachine, fixtures: TranscriptFixtures) -> [FixtureProblem] {
        var problems: [FixtureProblem] = []
        let steps = machine.states.map { machine.strings[Int($0.name)] }
        if let step = fixtures.step, !steps.contains(step) {
            problems.append(
                FixtureProblem(message: "unknown step '\(step)'" + suggestion(step, steps), range: fixtures.stepRange))
        }
        let variables = machine.variables.filter { !$0.hasPrefix("contact.") }
        for variable in fixtures.variables where !machine.variables.contains(variable.name) {
            problems.append(
                FixtureProblem(
                    message: "unknown variable '\(variable.name)'" + suggestion(variable.name, variables),
                    range: variable.range))
        }
        if fixtures.step == nil, let first = fixtures.variables.first {
            problems.append(
                FixtureProblem(message: "variable '\(first.name)' needs a starting step ('step:')", range: first.range))
        }
        let queues = machine.queues.map { machine.strings[Int($0.name)] }
        for entry in fixtures.rotation {
            guard let queue = machine.queues.first(where: { machine.strings[Int($0.name)] == entry.queue }) else {
                problems.append(
                    FixtureProblem(
                        message: "unknown queue '\(entry.queue)'" + suggestion(entry.queue, queues),
                        range: entry.queueRange))
                continue
            }
            let agents = queue.agents.map { machine.strings[Int($0)] }
            if !agents.contains(entry.agent) {
                problems.append(
                    FixtureProblem(
                        message: "queue '\(entry.queue)' has no agent '\(entry.agent)'"
                            + suggestion(entry.agent, agents),
                        range: entry.agentRange))
            }
        }
        // A stable sort by place; problems without one (fixtures built in code) come first, in the order above.
        return problems.enumerated().sorted { a, b in
            let left = a.element.range?.start ?? .start
            let right = b.element.range?.start ?? .start
            return left != right ? left < right : a.offset < b.offset
        }.map(\.element)
    }

    /// "; did you mean 'x'?" when a close name exists, else the empty string. Spaces around the name are no part
    /// of a name (an agent `" Eva "` of a flow is Eva), so they do not count as differences.
    static func suggestion(_ name: String, _ candidates: [String]) -> String {
        Suggestions.closest(to: name.trimmingCharacters(in: .whitespacesAndNewlines), in: candidates).map {
            "; did you mean '\($0)'?"
        } ?? ""
    }
}
