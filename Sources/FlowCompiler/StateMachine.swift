import FlowLanguage

/// A compiled flow: what the interpreter runs. Dense integer state ids (a step's index), one flat
/// transition table, and every string interned once, so that a session is a few integers and a step of
/// the interpreter is a table look-up. `Schemas/machine.schema.json` describes its JSON form.
public struct StateMachine: Codable, Sendable, Hashable {
    /// Version of this format; bumped on any incompatible change.
    public var format: Int
    public var flow: String
    public var language: String
    public var start: Int32
    /// Interned strings; every `…String` field of the machine is an index into this table.
    public var strings: [String]
    /// Bot texts with their `{{…}}` placeholders resolved to variable indices.
    public var texts: [MachineText]
    /// Variable names; indices 0 and 1 are always `contact.name` and `contact.phone`.
    public var variables: [String]
    public var states: [MachineState]
    /// All transitions, grouped by state (`MachineState.transitions` is the state's slice).
    public var transitions: [Transition]
    public var keywords: [MachineKeyword]
    public var revocation: MachineRevocation?
    public var settings: MachineSettings
    public var policy: MachinePolicy?
    public var queues: [MachineQueue]
    public var templates: [MachineTemplate]

    /// The transitions leaving a state.
    public func transitions(of state: Int32) -> ArraySlice<Transition> {
        let s = states[Int(state)]
        return transitions[Int(s.firstTransition)..<Int(s.firstTransition + s.transitionCount)]
    }

    /// Where a state goes on a trigger, if it has such a transition.
    public func target(of state: Int32, on trigger: Trigger, index: Int32 = 0) -> Int32? {
        for t in transitions(of: state) where t.trigger == trigger && t.index == index { return t.target }
        return nil
    }

    /// Index of the variable `contact.name`.
    public static let contactName: Int32 = 0
    /// Index of the variable `contact.phone`.
    public static let contactPhone: Int32 = 1
}

/// Why a transition is taken.
public enum Trigger: String, Codable, Sendable, Hashable {
    /// Continue after a message, set, template, or an accepted answer of an ask.
    case next
    /// Menu option number `index` (0-based) chosen.
    case option
    case accept
    case decline
    /// Retry limit reached in a menu or ask.
    case fallback
    /// Branch case `index` (0-based) holds.
    case branchCase = "case"
    case branchDefault = "default"
    /// A handoff outside business hours.
    case closedHours = "closed"
    /// The agent closed a handoff.
    case afterAgent = "after_agent"
}

/// One entry of the transition table.
public struct Transition: Codable, Sendable, Hashable {
    public var trigger: Trigger
    /// The option or case number for `option` and `case`; 0 otherwise.
    public var index: Int32
    public var target: Int32

    public init(trigger: Trigger, index: Int32, target: Int32) {
        self.trigger = trigger
        self.index = index
        self.target = target
    }
}

/// A text with placeholders: literal pieces are string indices, placeholders variable indices.
public struct MachineText: Codable, Sendable, Hashable {
    public enum Piece: Codable, Sendable, Hashable {
        case literal(Int32)
        case variable(Int32)

        private enum CodingKeys: String, CodingKey { case literal, variable }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let s = try c.decodeIfPresent(Int32.self, forKey: .literal) {
                self = .literal(s)
            } else {
                self = .variable(try c.decode(Int32.self, forKey: .variable))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .literal(let s): try c.encode(s, forKey: .literal)
            case .variable(let v): try c.encode(v, forKey: .variable)
            }
        }
    }

    public var pieces: [Piece]
}

/// One state: a step of the flow.
public struct MachineState: Codable, Sendable, Hashable {
    /// The step id (string index).
    public var name: Int32
    public var firstTransition: Int32
    public var transitionCount: Int32
    /// Whether the state waits for the contact (keywords and revocation work here, consent steps excepted).
    public var waits: Bool
    public var payload: StatePayload

    public var kind: String { payload.kind }
}

/// What each kind of state does, with the data it needs.
public enum StatePayload: Codable, Sendable, Hashable {
    case consent(ConsentPayload)
    case message(MessagePayload)
    case menu(MenuPayload)
    case ask(AskPayload)
    case branch(BranchPayload)
    case set(SetPayload)
    case handoff(HandoffPayload)
    case template(TemplatePayload)
    case end(EndPayload)

    public var kind: String {
        switch self {
        case .consent: return "consent"
        case .message: return "message"
        case .menu: return "menu"
        case .ask: return "ask"
        case .branch: return "branch"
        case .set: return "set"
        case .handoff: return "handoff"
        case .template: return "template"
        case .end: return "end"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, consent, message, menu, ask, branch, set, handoff, template, end
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "consent": self = .consent(try c.decode(ConsentPayload.self, forKey: .consent))
        case "message": self = .message(try c.decode(MessagePayload.self, forKey: .message))
        case "menu": self = .menu(try c.decode(MenuPayload.self, forKey: .menu))
        case "ask": self = .ask(try c.decode(AskPayload.self, forKey: .ask))
        case "branch": self = .branch(try c.decode(BranchPayload.self, forKey: .branch))
        case "set": self = .set(try c.decode(SetPayload.self, forKey: .set))
        case "handoff": self = .handoff(try c.decode(HandoffPayload.self, forKey: .handoff))
        case "template": self = .template(try c.decode(TemplatePayload.self, forKey: .template))
        case "end": self = .end(try c.decode(EndPayload.self, forKey: .end))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "unknown state kind '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .consent(let p): try c.encode(p, forKey: .consent)
        case .message(let p): try c.encode(p, forKey: .message)
        case .menu(let p): try c.encode(p, forKey: .menu)
        case .ask(let p): try c.encode(p, forKey: .ask)
        case .branch(let p): try c.encode(p, forKey: .branch)
        case .set(let p): try c.encode(p, forKey: .set)
        case .handoff(let p): try c.encode(p, forKey: .handoff)
        case .template(let p): try c.encode(p, forKey: .template)
        case .end(let p): try c.encode(p, forKey: .end)
        }
    }
}

/// The consent step: the text, the two labels, the purposes it covers, and the optional opt-in.
public struct ConsentPayload: Codable, Sendable, Hashable {
    public var text: Int32
    public var acceptTitle: Int32
    public var declineTitle: Int32
    /// Normalized words that count as accepting when typed (the accept title and the language's accept words).
    public var acceptWords: [Int32]
    public var declineWords: [Int32]
    /// Purpose ids (string indices) accepted with this consent.
    public var purposes: [Int32]
    public var sensitive: Bool
    public var sensitiveData: [Int32]
    public var optIn: OptInPayload?
}

/// The separate opt-in for business-initiated messages.
public struct OptInPayload: Codable, Sendable, Hashable {
    public var purpose: Int32
    public var text: Int32
    public var acceptTitle: Int32
    public var declineTitle: Int32
}

/// A file the bot sends.
public struct MachineAttachment: Codable, Sendable, Hashable {
    public var url: Int32
    public var filename: Int32?
    public var caption: Int32?
    /// `pdf`, `jpg`, `jpeg` or `png`.
    public var fileExtension: Int32
}

public struct MessagePayload: Codable, Sendable, Hashable {
    public var text: Int32
    public var attachment: MachineAttachment?
}

/// A menu option with its precomputed match keys.
public struct MachineOption: Codable, Sendable, Hashable {
    /// The WhatsApp reply id.
    public var id: Int32
    public var title: Int32
    public var description: Int32?
    /// Normalized title, id and synonyms (`TextMatching.normalize`).
    public var keys: [Int32]
}

public struct MenuPayload: Codable, Sendable, Hashable {
    public var text: Int32
    public var header: Int32?
    public var footer: Int32?
    /// Label of the button that opens a list.
    public var button: Int32
    /// Reply buttons (true) or a list (false).
    public var buttons: Bool
    public var options: [MachineOption]
    public var invalid: Int32
    public var retries: Int32
}

/// Validation of an answer beyond its type.
public struct MachineValidation: Codable, Sendable, Hashable {
    public var minLength: Int32?
    public var maxLength: Int32?
    public var min: Double?
    public var max: Double?
    public var pattern: Int32?
}

public struct AskPayload: Codable, Sendable, Hashable {
    public var text: Int32
    public var variable: Int32
    /// `text`, `number`, `email`, `phone`, `date`, `yes_no`, `document` or `image`.
    public var input: String
    public var personalData: Bool
    public var sensitive: Bool
    public var validation: MachineValidation
    public var retry: Int32
    public var attempts: Int32
}

/// A compiled branch condition.
public indirect enum MachineCondition: Codable, Sendable, Hashable {
    case compare(variable: Int32, op: String, text: Int32?, texts: [Int32]?, number: Double?, flag: Bool?)
    case businessHours(open: Bool)
    case consentGiven(given: Bool)
    case all(conditions: [MachineCondition])
    case any(conditions: [MachineCondition])
    case not(condition: MachineCondition)
}

public struct BranchPayload: Codable, Sendable, Hashable {
    public var cases: [MachineCondition]
}

public struct MachineAssignment: Codable, Sendable, Hashable {
    public var variable: Int32
    public var value: Int32
}

public struct SetPayload: Codable, Sendable, Hashable {
    public var assignments: [MachineAssignment]
}

public struct HandoffPayload: Codable, Sendable, Hashable {
    /// Index into `queues`.
    public var queue: Int32
    public var text: Int32
    public var closedText: Int32?
}

public struct TemplatePayload: Codable, Sendable, Hashable {
    /// Index into `templates`.
    public var template: Int32
    public var parameters: [Int32]
}

public struct EndPayload: Codable, Sendable, Hashable {
    public var text: Int32?
}

/// A global keyword: a normalized word and the state it jumps to.
public struct MachineKeyword: Codable, Sendable, Hashable {
    public var word: Int32
    public var target: Int32
}

public struct MachineRevocation: Codable, Sendable, Hashable {
    /// Normalized revocation words.
    public var words: [Int32]
    public var text: Int32
    public var target: Int32
}

/// A span of business hours on one weekday (1 = Monday … 7 = Sunday), in minutes since midnight.
public struct MachineHours: Codable, Sendable, Hashable {
    public var weekday: Int32
    public var startMinute: Int32
    public var endMinute: Int32
}

public struct MachineSettings: Codable, Sendable, Hashable {
    public var timeZone: String
    public var hours: [MachineHours]
    /// `YYYY-MM-DD` dates on which the business is closed.
    public var holidays: [String]
    /// National calendars whose every holiday is closed too (`colombia`), sorted, each once.
    public var nationalCalendars: [NationalCalendar]
    public var inactivitySeconds: Int32
    public var inactivityText: Int32?
}

public struct MachinePurpose: Codable, Sendable, Hashable {
    public var id: Int32
    public var description: Int32
    public var optional: Bool
    public var marketing: Bool
    public var humanAttention: Bool
}

public struct MachinePolicy: Codable, Sendable, Hashable {
    public var version: String
    public var url: String
    public var responsible: String
    public var purposes: [MachinePurpose]
}

public struct MachineQueue: Codable, Sendable, Hashable {
    public var name: Int32
    public var agents: [Int32]
}

public struct MachineTemplate: Codable, Sendable, Hashable {
    public var key: Int32
    public var name: Int32
    public var language: Int32
    public var category: String
    public var body: Int32
    public var parameterCount: Int32
    public var headerType: String?
    public var headerLink: Int32?
    /// The label of the quick-reply button that stops promotions (`opt_out`), as written; `nil` without one.
    public var optOut: Int32?
}
