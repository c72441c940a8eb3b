import Conversations
import FlowCompiler
import FlowRuntime

/// The `/state` table: where the conversation stands, in the words a tester needs to predict the next reply.
/// One fact per line, a label column 12 wide, variables one per line.
enum ReplStateReport {
    /// The report for the simulator's current session, ending with a newline.
    static func text(_ simulator: Simulator) -> String {
        let session = simulator.session
        let machine = simulator.machine
        var rows: [(String, [String])] = []
        let stepKind =
            machine.states.indices.contains(Int(session.state))
            ? machine.states[Int(session.state)].kind : "?"
        rows.append(("step", [session.status == .new ? "none yet" : "\(simulator.currentStep) (\(stepKind))"]))
        rows.append(("status", [status(session)]))
        rows.append(("consent", [consent(session, machine: machine)]))
        var variables: [String] = []
        for (index, name) in machine.variables.enumerated() {
            let value = index < session.variables.count ? session.variables[index] : nil
            variables.append("\(name) = " + (value.map { "\"\($0)\"" } ?? "(not set)"))
        }
        rows.append(("variables", variables))
        let month = simulator.interpreter.calendar.local(simulator.now).monthKey
        let used = session.attachmentMonth == month ? session.attachmentBytes : 0
        let allowance = TranscriptUnits.formatSize(Interpreter.monthlyAttachmentAllowance)
        rows.append(("attachments", ["\(TranscriptUnits.formatSize(used)) of \(allowance) this month"]))
        rows.append(("agent", [agent(session, machine: machine)]))
        rows.append(("clock", [String(ReplClock.status(of: simulator).dropFirst("clock ".count))]))
        var out = ""
        for (label, values) in rows {
            for (index, value) in values.enumerated() {
                let head = index == 0 ? label : ""
                out += head + String(repeating: " ", count: 12 - head.count) + value + "\n"
            }
        }
        return out
    }

    /// What the conversation is doing, in words.
    static func status(_ session: Session) -> String {
        switch session.status {
        case .new: return "new: the contact's first message starts the conversation"
        case .waiting: return "waiting for the contact"
        case .queued: return "handoff requested, no agent assigned"
        case .withAgent: return "with an agent: the bot is silent, messages go to the agent"
        case .closed: return "closed: the contact's next message starts a new conversation"
        }
    }

    /// The general consent in force, the promotional opt-in and, when given, the sensitive-data consent.
    static func consent(_ session: Session, machine: StateMachine) -> String {
        let current = machine.policy?.version ?? ""
        var text: String
        switch session.consent.acceptedVersion {
        case nil: text = "not given"
        case current?: text = "accepted (policy \(current))"
        case let other?: text = "accepted for policy \(other), not the current \(current): it will be asked again"
        }
        text += session.consent.optIn ? "; promotional messages: yes" : "; promotional messages: no"
        if session.consent.sensitive { text += "; sensitive data: accepted" }
        return text
    }

    /// The assigned agent and the queue.
    static func agent(_ session: Session, machine: StateMachine) -> String {
        let queue = session.queue.flatMap { index in
            machine.queues.indices.contains(Int(index)) ? machine.strings[Int(machine.queues[Int(index)].name)] : nil
        }
        switch (session.agent, queue) {
        case (let agent?, let queue?): return "\(agent) (queue \(queue))"
        case (let agent?, nil): return agent
        case (nil, let queue?): return "none yet (queue \(queue))"
        case (nil, nil): return "none"
        }
    }
}
