import FlowDiagnostics

/// A transcript test as read from its file: which flow it drives, where the conversation starts, and the
/// ordered steps (what the contact, the agent and the clock do, and what must come out).
///
/// Docs/testing.md is the contract for the file format; `TranscriptParser` builds this value from a file and
/// `TranscriptWriter` writes one back as YAML text.
public struct Transcript: Sendable, Hashable {
    /// The test's name: the file's `name:`, or the file name without `.test.yaml`.
    public var name: String
    /// The flow file as written in the transcript (relative to the transcript file's folder).
    public var flowPath: String
    /// Where `flow:` is written, for failures about the flow file itself.
    public var flowRange: SourceRange
    public var fixtures: TranscriptFixtures
    /// Where `fixtures:` is written, for failures about the fixtures.
    public var fixturesRange: SourceRange = .fileStart
    /// Where `fixtures.time` is written, for a start time the clock cannot have.
    public var fixturesTimeRange: SourceRange = .fileStart
    /// When `true` (the default) every significant effect of every input must be listed.
    public var exhaustive: Bool
    public var steps: [TranscriptStep]

    public init(
        name: String, flowPath: String, flowRange: SourceRange = .fileStart,
        fixtures: TranscriptFixtures = TranscriptFixtures(), exhaustive: Bool = true, steps: [TranscriptStep] = []
    ) {
        self.name = name
        self.flowPath = flowPath
        self.flowRange = flowRange
        self.fixtures = fixtures
        self.exhaustive = exhaustive
        self.steps = steps
    }
}

/// The state a transcript starts from, instead of a new contact writing for the first time on the default
/// Monday morning.
public struct TranscriptFixtures: Sendable, Hashable {
    /// Start the conversation at this step (its prompt is the first output) instead of waiting for a message.
    public var step: String?
    /// Where `step`'s value is written, for a step the flow does not have (`nil`: not read from a file).
    public var stepRange: SourceRange?
    /// Variables set before the conversation starts (with `step`) or before the first message.
    public var variables: [TranscriptVariable]
    /// Consent the contact gave in an earlier conversation.
    public var consent: ConsentFixture?
    /// The contact's WhatsApp profile name and phone (`contact.name`, `contact.phone`).
    public var contactName: String?
    public var contactPhone: String?
    /// The clock's start, in the flow's time zone; `nil` is `TranscriptFixtures.defaultTime`.
    public var time: TranscriptDateTime?
    /// For each queue, the agent the rotation assigns next.
    public var rotation: [TranscriptRotation]

    /// Monday 2 March 2026, 10:00: inside the business hours of every shipped flow.
    public static let defaultTime = TranscriptDateTime(year: 2026, month: 3, day: 2, hour: 10, minute: 0, second: 0)
    /// The profile name a contact has when the fixtures do not give one.
    public static let defaultContactName = "Contacto"
    /// The phone a contact has when the fixtures do not give one.
    public static let defaultContactPhone = "573001112233"

    public init(
        step: String? = nil, variables: [TranscriptVariable] = [], consent: ConsentFixture? = nil,
        contactName: String? = nil, contactPhone: String? = nil, time: TranscriptDateTime? = nil,
        rotation: [TranscriptRotation] = []
    ) {
        self.step = step
        self.variables = variables
        self.consent = consent
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.time = time
        self.rotation = rotation
    }

    /// Whether nothing differs from a new contact on the default morning (the writer then omits `fixtures`).
    public var isEmpty: Bool {
        step == nil && variables.isEmpty && consent == nil && contactName == nil && contactPhone == nil
            && time == nil && rotation.isEmpty
    }
}

/// One preset variable (kept in file order, so written transcripts are stable).
public struct TranscriptVariable: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Where the name is written, for a variable the flow does not have (`nil`: not read from a file).
    public var range: SourceRange?

    public init(name: String, value: String, range: SourceRange? = nil) {
        self.name = name
        self.value = value
        self.range = range
    }
}

/// The next agent of one queue's rotation.
public struct TranscriptRotation: Sendable, Hashable {
    public var queue: String
    public var agent: String
    /// Where the queue and the agent are written, for one the flow does not have (`nil`: not read from a file).
    public var queueRange: SourceRange?
    public var agentRange: SourceRange?

    public init(queue: String, agent: String, queueRange: SourceRange? = nil, agentRange: SourceRange? = nil) {
        self.queue = queue
        self.agent = agent
        self.queueRange = queueRange
        self.agentRange = agentRange
    }
}

/// Consent given before the transcript starts.
public struct ConsentFixture: Sendable, Hashable {
    /// The accepted policy version; `nil` means the flow's current version.
    public var version: String?
    /// The contact opted in to promotional (marketing template) messages.
    public var optIn: Bool

    public init(version: String? = nil, optIn: Bool = false) {
        self.version = version
        self.optIn = optIn
    }
}

/// A local date and time, in the flow's time zone (`2026-12-01T09:00` or `2026-12-01T09:00:30`).
public struct TranscriptDateTime: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Parses `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space may replace the `T`); `nil` otherwise,
    /// including for impossible dates such as 2026-02-30.
    public init?(iso text: String) {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 16 || scalars.count == 19, scalars[10] == "T" || scalars[10] == " " else {
            return nil
        }
        func number(_ from: Int, _ length: Int) -> Int? {
            var value = 0
            for scalar in scalars[from..<from + length] {
                guard let digit = Int(String(scalar)), scalar.isASCII else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard scalars[4] == "-", scalars[7] == "-", scalars[13] == ":",
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2)
        else { return nil }
        var second = 0
        if scalars.count == 19 {
            guard scalars[16] == ":", let s = number(17, 2) else { return nil }
            second = s
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1970, (1...12).contains(month), day >= 1, day <= days[month - 1], hour < 24, minute < 60,
            second < 60
        else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// The ISO form, with seconds only when they are not zero.
    public var description: String {
        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let base = "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute))"
        return second == 0 ? base : base + ":\(pad(second))"
    }
}

/// A file the contact sends in a transcript.
public struct TranscriptAttachment: Sendable, Hashable {
    /// As written: a short type (`pdf`, `jpg`, `png`, `docx`…) or a MIME type (`video/mp4`).
    public var type: String
    /// Size in bytes.
    public var size: Int64
    public var name: String?

    public init(type: String, size: Int64, name: String? = nil) {
        self.type = type
        self.size = size
        self.name = name
    }

    /// Short types and the MIME type WhatsApp reports for them.
    public static let mimeTypes: [String: String] = [
        "pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
        "gif": "image/gif", "webp": "image/webp", "mp4": "video/mp4", "mp3": "audio/mpeg", "ogg": "audio/ogg",
        "txt": "text/plain", "zip": "application/zip", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]

    /// The MIME type sent to the flow: the short type's, or `type` itself when it contains a `/`.
    public var mimeType: String? {
        if type.contains("/") { return type.lowercased() }
        return Self.mimeTypes[type.lowercased()]
    }

    /// The short type of a MIME type, when there is one (`application/pdf` → `pdf`), else the MIME type.
    public static func shortType(of mimeType: String) -> String {
        let lower = mimeType.lowercased()
        if lower == "image/jpeg" || lower == "image/jpg" { return "jpg" }
        return mimeTypes.filter { $0.value == lower }.map(\.key).min() ?? lower
    }
}

/// Something a transcript makes happen: the contact, the agent or the clock acts.
public enum TranscriptInput: Sendable, Hashable {
    /// The contact types text.
    case contact(String)
    /// The contact forwards a message with this text from another chat: read as typed, except that it is never
    /// an answer to a consent or opt-in question.
    case forwarded(String)
    /// The contact sends a message the flow cannot read, of this WhatsApp type (`order`, `nfm_reply`): it is
    /// never an answer, and an agent gets it as `[type]`.
    case unreadable(String)
    /// The contact taps a reply button or list row of the last interactive message, by id or by title.
    case tap(String)
    /// The contact sends a file.
    case attachment(TranscriptAttachment)
    /// The assigned agent writes.
    case agent(String)
    /// The assigned agent closes the conversation.
    case agentClose
    /// The clock moves forward (an inactivity timer that comes due fires).
    case wait(seconds: Int64)
    /// The clock moves to a local date-time in the flow's time zone (never backwards).
    case at(TranscriptDateTime)
}

/// How an expected text is compared with the actual one.
public enum TextExpectation: Sendable, Hashable {
    /// Equal, character for character.
    case exact(String)
    /// Contains the substring.
    case contains(String)
    /// A regular expression (NSRegularExpression syntax) found anywhere; anchor with `^…$` for all of it.
    case pattern(String)
}

/// What a message the bot sent must look like. Every field that is set must hold; fields left `nil` are
/// not checked.
public struct MessageExpectation: Sendable, Hashable {
    /// The whole text of a plain text message (`bot: "…"`, or `text:`).
    public var text: String?
    /// A substring of the message's text: a text message's text, an interactive message's body, or a file's
    /// caption.
    public var contains: String?
    /// A regular expression found in the same text as `contains`.
    public var pattern: String?
    /// The whole body of a buttons or list message.
    public var body: String?
    public var header: String?
    public var footer: String?
    /// The message's form and its particulars.
    public var form: Form?

    /// The kinds of messages besides plain text, with what an expectation can say about each.
    public enum Form: Sendable, Hashable {
        /// Reply buttons, by title, in order.
        case buttons([String])
        /// A list message: its button label and row titles, in order (each optional).
        case list(button: String?, rows: [String]?)
        /// A file the bot sends.
        case attachment(url: String?, name: String?, caption: String?)
        /// An approved template.
        case template(name: String?, language: String?, parameters: [String]?)
    }

    public init(
        text: String? = nil, contains: String? = nil, pattern: String? = nil, body: String? = nil,
        header: String? = nil, footer: String? = nil, form: Form? = nil
    ) {
        self.text = text
        self.contains = contains
        self.pattern = pattern
        self.body = body
        self.header = header
        self.footer = footer
        self.form = form
    }
}

/// Which refusal a transcript expects.
public enum RefusalExpectation: Sendable, Hashable {
    /// An agent's message was refused (emoji).
    case agentMessage
    /// A template was refused (no promotional opt-in); `nil` matches any template.
    case template(String?)
}

/// Something a transcript expects to come out of the flow, in order.
public enum TranscriptExpectation: Sendable, Hashable {
    /// The bot sent a message.
    case bot(MessageExpectation)
    /// A free-form message (the bot's or an agent's) was not sent: the 24-hour window had closed.
    case windowClosed(MessageExpectation)
    /// Consent evidence was recorded: `accepted`, `declined`, `opt_in_accepted`, `opt_in_declined` or
    /// `opt_in_withdrawn`, with the purposes accepted (for an acceptance) or declined (for a refusal or a
    /// withdrawal) when given, and whether it was a sensitive-data consent when given (`nil` matches either kind,
    /// so transcripts written before need no edit).
    case consent(choice: String, purposes: [String]?, sensitive: Bool? = nil)
    /// A revocation was recorded.
    case revoked
    /// A handoff was requested; the rotation assigned `agent` (each part optional).
    case handoff(queue: String?, agent: String?)
    /// A handoff ended before the agent closed it (the contact revoked consent).
    case handoffEnded
    /// The conversation closed for this reason (`end`, `inactivity`, `agent_closed`, `error`, `policy_changed`).
    case closed(String)
    /// Something was refused.
    case refused(RefusalExpectation)
    /// A contact message was relayed to the agent or the queue (optional even in exhaustive transcripts).
    case relayed(TextExpectation)
    /// The flow entered this step (optional even in exhaustive transcripts).
    case step(String)
    /// A variable was saved from an answer (optional even in exhaustive transcripts).
    case saved(String)
}

/// One item of a transcript's `steps:` list, with where it is written.
public struct TranscriptStep: Sendable, Hashable {
    /// An action or an expectation.
    public enum Kind: Sendable, Hashable {
        case input(TranscriptInput)
        case expect(TranscriptExpectation)
    }

    public var kind: Kind
    /// The item's range (its key), where failures about it point.
    public var range: SourceRange
    /// Where each flow id of an expectation is written (`TranscriptExpectation.flowIDs`), for one the flow does
    /// not have; an id missing here (a step not read from a file) is reported at `range`.
    public var idRanges: [TranscriptFlowID: SourceRange]

    public init(_ kind: Kind, range: SourceRange = .fileStart, idRanges: [TranscriptFlowID: SourceRange] = [:]) {
        self.kind = kind
        self.range = range
        self.idRanges = idRanges
    }
}

/// A name an expectation takes from the flow (a step, a variable, a queue, an agent, a template, a purpose),
/// checked against the compiled flow before a transcript runs: a name the flow does not have could never match.
public struct TranscriptFlowID: Sendable, Hashable {
    /// What the name names, which says where in the flow it must be found.
    public enum Kind: Sendable, Hashable {
        /// A step id (`step:`).
        case step
        /// A variable an `ask` step saves (`saved:`).
        case savedVariable
        /// A handoff queue (`handoff: { queue }`).
        case queue
        /// An agent of the queue given beside it, or of any queue when none is (`handoff: { agent }`).
        case agent(queue: String?)
        /// A template's Meta name (`refused: { template }`, `bot: { template: { name } }`).
        case template
        /// A purpose of the policy (`consent: { purposes }`).
        case purpose
    }

    public var kind: Kind
    public var name: String

    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }
}
