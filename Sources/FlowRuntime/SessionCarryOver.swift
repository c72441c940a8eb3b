import FlowCompiler

extension Session {
    /// Whether every index the session holds is one of `machine`'s: its state, its queue and its variables.
    /// A session that does not fit was stepped with another flow; stepping it as it is could read past the
    /// machine's tables.
    public func fits(_ machine: StateMachine) -> Bool {
        machine.states.indices.contains(Int(state)) && variables.count <= machine.variables.count
            && (queue.map { machine.queues.indices.contains(Int($0)) } ?? true)
    }

    /// Moves a session stepped with the flow laid out as `old` onto `new`, by name: the same step id, each
    /// variable by its name (a variable the new flow does not have is dropped) and the queue by its name.
    /// Returns whether the step still exists. When it does not, the conversation starts over
    /// (`startOverKeepingConsent`) unless it is in a handoff whose queue `new` still has: the agent (or the
    /// wait for one) goes on at the first handoff step to that queue (whose `after_agent` applies when the
    /// agent closes it), or at the start when no step hands off to it.
    public mutating func carryOver(from old: FlowLayout, to new: StateMachine) -> Bool {
        let values = Dictionary(
            zip(old.variables, variables).compactMap { name, value in value.map { (name, $0) } },
            uniquingKeysWith: { first, _ in first })
        variables = new.variables.map { values[$0] }
        let newLayout = FlowLayout(new)
        if let index = queue {
            let name = old.queues.indices.contains(Int(index)) ? old.queues[Int(index)] : nil
            queue = name.flatMap { newLayout.queues.firstIndex(of: $0) }.map(Int32.init)
        }
        let step = old.steps.indices.contains(Int(state)) ? old.steps[Int(state)] : nil
        if let step, let index = newLayout.steps.firstIndex(of: step) {
            state = Int32(index)
            // A handoff whose step stays but whose queue is gone goes on in the queue that step now hands off to.
            if status == .queued || status == .withAgent, queue == nil,
                case .handoff(let handoff) = new.states[index].payload
            {
                queue = handoff.queue
            }
            return true
        }
        if status == .queued || status == .withAgent, let queue {
            let handoff = new.states.firstIndex { state in
                if case .handoff(let payload) = state.payload { return payload.queue == queue }
                return false
            }
            state = handoff.map(Int32.init) ?? new.start
            attempts = 0
            return false
        }
        startOverKeepingConsent()
        return false
    }

    /// Makes this a session for a contact who has not written in the current conversation: the next message
    /// starts one at the flow's start. Kept: the contact's name and phone, their consent, and what outlives a
    /// conversation (the 24-hour window, the month's attachment bytes and a held revocation).
    public mutating func startOverKeepingConsent() {
        var fresh = Session(
            contactName: variables.first ?? nil, phone: variables.count > 1 ? variables[1] : nil, consent: consent)
        fresh.lastContactMessageAt = lastContactMessageAt
        fresh.attachmentMonth = attachmentMonth
        fresh.attachmentBytes = attachmentBytes
        fresh.flowVersion = flowVersion
        fresh.heldRevocation = heldRevocation
        self = fresh
    }
}
