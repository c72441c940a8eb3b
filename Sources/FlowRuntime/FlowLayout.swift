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
    /// By step id, for each consent step: a fingerprint of what its request and opt-in question show (their
    /// texts and buttons, the purposes and data they name, and the policy). `nil` in layouts recorded before it
    /// existed. A contact's answer to a request that another version of the flow showed differently is not
    /// taken as a decision on the current one (`Session.awaitsOutdatedConsentAnswer`).
    public var consentPrompts: [String: String]?

    /// A layout from its names (a store reads one back).
    public init(steps: [String], variables: [String], queues: [String], consentPrompts: [String: String]? = nil) {
        self.steps = steps
        self.variables = variables
        self.queues = queues
        self.consentPrompts = consentPrompts
    }

    /// The layout of a compiled flow.
    public init(_ machine: StateMachine) {
        steps = machine.states.map { machine.strings[Int($0.name)] }
        variables = machine.variables
        queues = machine.queues.map { machine.strings[Int($0.name)] }
        var prompts: [String: String] = [:]
        for (index, state) in machine.states.enumerated() {
            guard case .consent(let consent) = state.payload else { continue }
            prompts[steps[index]] = Self.fingerprint(consent, machine)
        }
        consentPrompts = prompts
    }

    /// What a consent step shows, hashed: each part with its length, so that no two ways of splitting the same
    /// characters give one fingerprint.
    static func fingerprint(_ consent: ConsentPayload, _ machine: StateMachine) -> String {
        func text(_ index: Int32) -> String { machine.strings[Int(index)] }
        // A step's text is a template (`machine.texts`), written back with its placeholders.
        func template(_ index: Int32) -> String {
            machine.texts[Int(index)].pieces.map { piece in
                switch piece {
                case .literal(let literal): machine.strings[Int(literal)]
                case .variable(let variable): "{{\(machine.variables[Int(variable)])}}"
                }
            }.joined()
        }
        var parts = [template(consent.text), text(consent.acceptTitle), text(consent.declineTitle)]
        parts += consent.purposes.map(text) + ["sensitive: \(consent.sensitive)"] + consent.sensitiveData.map(text)
        if let optIn = consent.optIn {
            parts += [
                "opt_in", text(optIn.purpose), template(optIn.text), text(optIn.acceptTitle), text(optIn.declineTitle),
            ]
        }
        if let policy = machine.policy {
            parts += [policy.version, policy.url, policy.responsible]
            parts += policy.purposes.map {
                "\(text($0.id)) \($0.optional) \($0.marketing) \($0.humanAttention): \(text($0.description))"
            }
        }
        return ConsentLock.hash(parts.map { "\($0.utf8.count):\($0)" })
    }
}

extension Session {
    /// Whether this session, just carried over from a flow laid out as `old` to one laid out as `new`, waits for
    /// the answer to a consent request (or its opt-in question) that `old` showed otherwise than `new` does: a
    /// reload changed the policy or the step's texts between the request and the answer. Such an answer is no
    /// decision on what the contact would now be recorded as shown, so the current request is shown instead.
    /// A layout recorded before fingerprints existed is taken to differ.
    public func awaitsOutdatedConsentAnswer(from old: FlowLayout, to new: FlowLayout) -> Bool {
        guard status == .waiting, new.steps.indices.contains(Int(state)) else { return false }
        let step = new.steps[Int(state)]
        guard let current = new.consentPrompts?[step] else { return false }
        return old.consentPrompts?[step] != current
    }
}
