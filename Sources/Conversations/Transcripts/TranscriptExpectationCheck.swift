import FlowCompiler
import FlowDiagnostics

extension TranscriptExpectation {
    /// The names this expectation takes from the flow, in the order written. Exhaustive, so that a new kind of
    /// expectation must say whether it names any.
    public var flowIDs: [TranscriptFlowID] {
        switch self {
        case .bot(let message), .windowClosed(let message):
            guard case .template(let name?, _, _)? = message.form else { return [] }
            return [TranscriptFlowID(.template, name)]
        case .consent(_, let purposes, _):
            return (purposes ?? []).map { TranscriptFlowID(.purpose, $0) }
        case .handoff(let queue, let agent):
            let queueID = queue.map { TranscriptFlowID(.queue, $0) }
            return [queueID, agent.map { TranscriptFlowID(.agent(queue: queue), $0) }].compactMap { $0 }
        case .refused(.template(let name?)):
            return [TranscriptFlowID(.template, name)]
        case .step(let step):
            return [TranscriptFlowID(.step, step)]
        case .saved(let variable):
            return [TranscriptFlowID(.savedVariable, variable)]
        case .revoked, .handoffEnded, .closed, .refused(.agentMessage), .refused(.template(nil)), .relayed:
            return []
        }
    }
}

extension TranscriptDriver {
    /// Every name the expectations take from the flow that the flow does not have (a step, a variable an `ask`
    /// saves, a queue, an agent, a template, a purpose), each at the place it is written (`transcript_flow`).
    /// Such an expectation could never match whatever the flow does, so it is reported before the run, as the
    /// fixtures' names are, rather than as a difference from an unrelated output.
    public static func expectationProblems(machine: StateMachine, steps: [TranscriptStep]) -> [Diagnostic] {
        let names = FlowNames(machine)
        var problems: [Diagnostic] = []
        for step in steps {
            guard case .expect(let expectation) = step.kind else { continue }
            var seen: Set<TranscriptFlowID> = []
            for id in expectation.flowIDs where seen.insert(id).inserted {
                if let message = names.problem(id) {
                    problems.append(TranscriptRules.flow.diagnostic(message, at: step.idRanges[id] ?? step.range))
                }
            }
        }
        return problems
    }
}

/// The names a compiled flow has, by what they name.
private struct FlowNames {
    var steps: [String]
    /// The variables `ask` steps save, and those `set` steps set.
    var saved: [String]
    var setOnly: Set<String>
    /// Each queue's agents, in the flow's order.
    var queues: [(name: String, agents: [String])]
    /// Each template's key and Meta name.
    var templates: [(key: String, name: String)]
    var purposes: [String]

    init(_ machine: StateMachine) {
        func string(_ index: Int32) -> String { machine.strings[Int(index)] }
        steps = machine.states.map { string($0.name) }
        var saved: [String] = []
        var set: [String] = []
        var purposes = machine.policy?.purposes.map { string($0.id) } ?? []
        for state in machine.states {
            switch state.payload {
            case .ask(let ask): saved.append(machine.variables[Int(ask.variable)])
            case .set(let assignments): set += assignments.assignments.map { machine.variables[Int($0.variable)] }
            case .consent(let consent):
                purposes += consent.purposes.map(string) + (consent.optIn.map { [string($0.purpose)] } ?? [])
            case .message, .menu, .branch, .handoff, .template, .end: break
            }
        }
        self.saved = saved
        setOnly = Set(set).subtracting(saved)
        queues = machine.queues.map { (string($0.name), $0.agents.map(string)) }
        templates = machine.templates.map { (string($0.key), string($0.name)) }
        self.purposes = purposes
    }

    /// What is wrong with one name, or `nil` when the flow has it.
    func problem(_ id: TranscriptFlowID) -> String? {
        let name = id.name
        switch id.kind {
        case .step:
            guard !steps.contains(name) else { return nil }
            return "the flow has no step '\(name)'" + TranscriptDriver.suggestion(name, steps)
        case .savedVariable:
            guard !saved.contains(name) else { return nil }
            if setOnly.contains(name) {
                return "no 'ask' step of the flow saves '\(name)': 'saved' expects an answer saved by an 'ask' "
                    + "step, and '\(name)' is only set by a 'set' step"
            }
            return "no 'ask' step of the flow saves '\(name)'" + TranscriptDriver.suggestion(name, saved)
        case .queue:
            guard !queues.contains(where: { $0.name == name }) else { return nil }
            return "the flow has no queue '\(name)'" + TranscriptDriver.suggestion(name, queues.map(\.name))
        case .agent(let queue):
            if let queue, let agents = queues.first(where: { $0.name == queue })?.agents {
                guard !agents.contains(name) else { return nil }
                return "queue '\(queue)' has no agent '\(name)'" + TranscriptDriver.suggestion(name, agents)
            }
            let agents = queues.flatMap(\.agents)
            guard !agents.contains(name) else { return nil }
            return "no queue of the flow has an agent '\(name)'" + TranscriptDriver.suggestion(name, agents)
        case .template:
            guard !templates.contains(where: { $0.name == name }) else { return nil }
            // A template's key in place of its Meta name: the name a transcript sees is Meta's.
            if let template = templates.first(where: { $0.key == name }) {
                return "the flow has no template named '\(name)'; did you mean '\(template.name)'? (the Meta name "
                    + "of template '\(name)': transcripts name templates as Meta does)"
            }
            return "the flow has no template named '\(name)'"
                + TranscriptDriver.suggestion(name, templates.map(\.name))
        case .purpose:
            guard !purposes.contains(name) else { return nil }
            return "the flow has no purpose '\(name)'" + TranscriptDriver.suggestion(name, purposes)
        }
    }
}
