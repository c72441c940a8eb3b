import FlowLanguage

/// Compiles a checked flow (no errors) into the `StateMachine` the interpreter runs.
///
/// State ids are step indices in file order; strings and texts are interned once; defaults (re-prompt
/// texts, list button label, accept words) are filled in from the flow's language, so the machine needs
/// nothing else at run time. Runs in time linear in the size of the flow.
public enum MachineCompiler {
    public static func compile(_ flow: Flow) -> StateMachine {
        var builder = MachineBuilder(flow: flow)
        return builder.build()
    }
}

private struct MachineBuilder {
    let flow: Flow
    let defaults: LanguageDefaults
    var strings: [String] = []
    var stringIndex: [String: Int32] = [:]
    var texts: [MachineText] = []
    var textIndex: [[MachineText.Piece]: Int32] = [:]
    var variables: [String] = ["contact.name", "contact.phone"]
    var variableIndex: [String: Int32] = ["contact.name": 0, "contact.phone": 1]
    var stepIndex: [String: Int32] = [:]
    /// The purposes of the consent step being compiled, for `{{policy.purposes}}`.
    var consentPurposes: [String] = []

    init(flow: Flow) {
        self.flow = flow
        self.defaults = LanguageDefaults.of(flow.language.value)
        // About one id, one text and a few strings per step: grown once instead of by doubling.
        stepIndex.reserveCapacity(flow.steps.count)
        stringIndex.reserveCapacity(flow.steps.count * 4)
        textIndex.reserveCapacity(flow.steps.count * 2)
        strings.reserveCapacity(flow.steps.count * 4)
        texts.reserveCapacity(flow.steps.count * 2)
        for (i, step) in flow.steps.enumerated() where stepIndex[step.id.value] == nil {
            stepIndex[step.id.value] = Int32(i)
        }
    }

    mutating func string(_ s: String) -> Int32 {
        if let i = stringIndex[s] { return i }
        let i = Int32(strings.count)
        strings.append(s)
        stringIndex[s] = i
        return i
    }

    mutating func variable(_ name: String) -> Int32 {
        if let i = variableIndex[name] { return i }
        let i = Int32(variables.count)
        variables.append(name)
        variableIndex[name] = i
        return i
    }

    mutating func text(_ s: String) -> Int32 {
        var pieces: [MachineText.Piece] = []
        var template = TextTemplate(parsing: s)
        // Policy placeholders are filled in and the text parsed again, as the interpreter would read it.
        if PolicyPlaceholders.isUsed(in: template) {
            template = TextTemplate(
                parsing: PolicyPlaceholders.expand(
                    s, policy: flow.policy, language: flow.language.value, purposes: consentPurposes))
        }
        for piece in template.pieces {
            switch piece {
            case .literal(let literal): pieces.append(.literal(string(literal)))
            case .variable(let name): pieces.append(.variable(variable(name)))
            }
        }
        if let i = textIndex[pieces] { return i }
        let i = Int32(texts.count)
        texts.append(MachineText(pieces: pieces))
        textIndex[pieces] = i
        return i
    }

    mutating func key(_ s: String) -> Int32 { string(TextMatching.normalize(s)) }

    func target(_ name: Located<String>?) -> Int32? { name.flatMap { stepIndex[$0.value] } }

    mutating func build() -> StateMachine {
        var states: [MachineState] = []
        var transitions: [Transition] = []
        let queueIndex = Dictionary(
            flow.queues.enumerated().map { ($1.name.value, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        let templateIndex = Dictionary(
            flow.templates.enumerated().map { ($1.key.value, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        for step in flow.steps {
            let first = Int32(transitions.count)
            func add(_ trigger: Trigger, _ index: Int, _ next: Located<String>?) {
                if let t = target(next) {
                    transitions.append(Transition(trigger: trigger, index: Int32(index), target: t))
                }
            }
            let payload: StatePayload
            switch step.kind {
            case .consent(let c):
                consentPurposes = c.purposes.map(\.value)
                defer { consentPurposes = [] }
                add(.accept, 0, c.accept.next)
                add(.decline, 0, c.decline.next)
                let purposes =
                    c.purposes.isEmpty
                    ? (flow.policy?.purposes.filter { !$0.optional }.map(\.id.value) ?? [])
                    : c.purposes.map(\.value)
                let consentText = text(c.text.value)
                var optIn: OptInPayload?
                if let o = c.optIn {
                    consentPurposes = o.placeholderPurposes
                    optIn = OptInPayload(
                        purpose: string(o.purpose.value), text: text(o.text.value), acceptTitle: string(o.accept.value),
                        declineTitle: string(o.decline.value))
                }
                payload = .consent(
                    ConsentPayload(
                        text: consentText, acceptTitle: string(c.accept.title.value),
                        declineTitle: string(c.decline.title.value),
                        acceptWords: uniqueKeys([c.accept.title.value] + defaults.acceptWords),
                        declineWords: uniqueKeys([c.decline.title.value] + defaults.declineWords),
                        purposes: purposes.map { string($0) }, sensitive: c.sensitive,
                        sensitiveData: c.sensitiveData.map { string($0.value) }, optIn: optIn))
            case .message(let m):
                add(.next, 0, m.next)
                payload = .message(
                    MessagePayload(
                        text: text(m.text.value),
                        attachment: m.attachment.map {
                            MachineAttachment(
                                url: string($0.url.value), filename: $0.filename.map { string($0.value) },
                                caption: $0.caption.map { text($0.value) }, fileExtension: string($0.fileExtension))
                        }))
            case .menu(let m):
                for (k, option) in m.options.enumerated() { add(.option, k, option.next) }
                add(.fallback, 0, m.fallback)
                let options = m.options.map { option in
                    MachineOption(
                        id: string(option.id.value), title: string(option.title.value),
                        description: option.description.map { string($0.value) },
                        keys: uniqueKeys([option.title.value, option.id.value] + option.synonyms.map(\.value)))
                }
                payload = .menu(
                    MenuPayload(
                        text: text(m.text.value), header: m.header.map { text($0.value) },
                        footer: m.footer.map { text($0.value) }, button: string(m.button?.value ?? defaults.listButton),
                        buttons: m.showsButtons, options: options,
                        invalid: text(m.invalid?.value ?? defaults.invalidChoice),
                        retries: Int32(m.retries.value)))
            case .ask(let a):
                add(.next, 0, a.next)
                add(.fallback, 0, a.fallback)
                let v = a.validation
                payload = .ask(
                    AskPayload(
                        text: text(a.text.value), variable: variable(a.variable.value), input: a.input.value.rawValue,
                        personalData: a.personalData, sensitive: a.sensitive,
                        validation: MachineValidation(
                            minLength: v.minLength.map { Int32($0.value) },
                            maxLength: v.maxLength.map { Int32($0.value) },
                            min: v.min?.value, max: v.max?.value, pattern: v.pattern.map { string($0.value) }),
                        retry: text(a.retry?.value ?? defaults.invalidAnswer), attempts: Int32(a.attempts.value)))
            case .branch(let b):
                for (k, branchCase) in b.cases.enumerated() { add(.branchCase, k, branchCase.next) }
                add(.branchDefault, 0, b.otherwise)
                payload = .branch(BranchPayload(cases: b.cases.map { condition($0.condition) }))
            case .set(let s):
                add(.next, 0, s.next)
                payload = .set(
                    SetPayload(
                        assignments: s.assignments.map {
                            MachineAssignment(variable: variable($0.variable.value), value: text($0.value.value))
                        }))
            case .handoff(let h):
                add(.closedHours, 0, h.closedNext)
                add(.afterAgent, 0, h.next)
                payload = .handoff(
                    HandoffPayload(
                        queue: queueIndex[h.queue.value] ?? 0, text: text(h.text.value),
                        closedText: h.closedText.map { text($0.value) }))
            case .template(let t):
                add(.next, 0, t.next)
                payload = .template(
                    TemplatePayload(
                        template: templateIndex[t.template.value] ?? 0, parameters: t.parameters.map { text($0.value) })
                )
            case .end(let e):
                payload = .end(EndPayload(text: e.text.map { text($0.value) }))
            }
            states.append(
                MachineState(
                    name: string(step.id.value), firstTransition: first,
                    transitionCount: Int32(transitions.count) - first, waits: step.waitsForContact, payload: payload))
        }
        var keywords: [MachineKeyword] = []
        for keyword in flow.settings.keywords {
            guard let t = target(keyword.target) else { continue }
            for word in keyword.words { keywords.append(MachineKeyword(word: key(word.value), target: t)) }
        }
        let revocation = flow.settings.revocation.flatMap { r -> MachineRevocation? in
            guard let t = target(r.next ?? flow.start) else { return nil }
            return MachineRevocation(words: uniqueKeys(r.words.map(\.value)), text: text(r.text.value), target: t)
        }
        let weekdayNumber = Dictionary(uniqueKeysWithValues: Weekday.allCases.enumerated().map { ($1, Int32($0 + 1)) })
        var hours: [MachineHours] = []
        for day in Weekday.allCases {
            for span in flow.settings.businessHours.week[day] ?? [] {
                hours.append(
                    MachineHours(
                        weekday: weekdayNumber[day] ?? 1, startMinute: Int32(span.value.startMinute),
                        endMinute: Int32(span.value.endMinute)))
            }
        }
        let settings = MachineSettings(
            timeZone: flow.settings.timeZone.value, hours: hours,
            holidays: flow.settings.businessHours.holidays.map(\.value).sorted(),
            nationalCalendars: Set(flow.settings.businessHours.nationalCalendars.map(\.value)).sorted {
                $0.rawValue < $1.rawValue
            },
            inactivitySeconds: Int32(clamping: flow.settings.inactivityTimeout.value),
            inactivityText: flow.settings.inactivityText.map { text($0.value) })
        let policy = flow.policy.map { p in
            MachinePolicy(
                version: p.version.value, url: p.url.value, responsible: p.responsible.name.value,
                purposes: p.purposes.map {
                    MachinePurpose(
                        id: string($0.id.value), description: string($0.description.value), optional: $0.optional,
                        marketing: $0.marketing, humanAttention: $0.humanAttention)
                })
        }
        let queues = flow.queues.map {
            MachineQueue(name: string($0.name.value), agents: $0.agents.map { string($0.value) })
        }
        let templates = flow.templates.map { t in
            MachineTemplate(
                key: string(t.key.value), name: string(t.name.value), language: string(t.language.value),
                category: t.category.value.rawValue, body: string(t.body.value),
                parameterCount: Int32(Set(TextTemplate(parsing: t.body.value).variables).count),
                headerType: t.header?.type.value.rawValue, headerLink: t.header.map { string($0.link.value) },
                optOut: t.optOut.map { string($0.value) })
        }
        return StateMachine(
            format: 2, flow: flow.id.value, language: flow.language.value.rawValue,
            start: stepIndex[flow.start.value] ?? 0, strings: strings, texts: texts, variables: variables,
            states: states, transitions: transitions, keywords: keywords, revocation: revocation, settings: settings,
            policy: policy, queues: queues, templates: templates)
    }

    mutating func uniqueKeys(_ words: [String]) -> [Int32] {
        var seen = Set<Int32>()
        var out: [Int32] = []
        for word in words {
            let k = key(word)
            if seen.insert(k).inserted { out.append(k) }
        }
        return out
    }

    mutating func condition(_ c: Condition) -> MachineCondition {
        switch c {
        case .businessHours(let open, _): return .businessHours(open: open)
        case .consentGiven(let given, _): return .consentGiven(given: given)
        case .all(let items, _): return .all(conditions: items.map { condition($0) })
        case .any(let items, _): return .any(conditions: items.map { condition($0) })
        case .not(let inner, _): return .not(condition: condition(inner))
        case .compare(let subject, let comparison, _):
            let v = variable(subject.value.reference)
            switch comparison {
            case .equals(let s): return compare(v, "equals", text: s)
            case .notEquals(let s): return compare(v, "not_equals", text: s)
            case .contains(let s): return compare(v, "contains", text: s)
            case .matches(let s):
                return .compare(variable: v, op: "matches", text: string(s), texts: nil, number: nil, flag: nil)
            case .oneOf(let items):
                return .compare(
                    variable: v, op: "in", text: nil, texts: items.map { key($0) }, number: nil, flag: nil)
            case .lessThan(let n):
                return .compare(variable: v, op: "less_than", text: nil, texts: nil, number: n, flag: nil)
            case .greaterThan(let n):
                return .compare(variable: v, op: "greater_than", text: nil, texts: nil, number: n, flag: nil)
            case .atLeast(let n):
                return .compare(variable: v, op: "at_least", text: nil, texts: nil, number: n, flag: nil)
            case .atMost(let n):
                return .compare(variable: v, op: "at_most", text: nil, texts: nil, number: n, flag: nil)
            case .isSet(let flag):
                return .compare(variable: v, op: "is_set", text: nil, texts: nil, number: nil, flag: flag)
            }
        }
    }

    /// Text comparisons store the normalized operand: they compare case- and accent-insensitively.
    mutating func compare(_ v: Int32, _ op: String, text s: String) -> MachineCondition {
        .compare(variable: v, op: op, text: key(s), texts: nil, number: nil, flag: nil)
    }
}
