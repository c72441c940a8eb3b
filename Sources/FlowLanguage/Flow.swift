import FlowDiagnostics

/// The languages a flow can be written in; they choose the default texts (re-prompts, yes/no words).
public enum FlowLanguageCode: String, Sendable, Hashable, CaseIterable {
    case es, en, pt
}

/// A flow as the tenant wrote it, typed and located: the output of `FlowDecoder`, the input of the checks
/// and the compiler. Nothing here is validated beyond its shape; references are checked by the rules.
public struct Flow: Sendable {
    /// The flow's id (`flow:`), used in logs, consent evidence and the compiled machine.
    public var id: Located<String>
    public var language: Located<FlowLanguageCode>
    /// The step a new conversation starts at.
    public var start: Located<String>
    public var settings: Settings
    /// The data-protection policy the consent step presents; `nil` when the file lacks one (an error).
    public var policy: Policy?
    public var queues: [Queue]
    public var templates: [Template]
    /// Steps in the order written, which is also the order of state ids in the compiled machine.
    public var steps: [Step]
    /// The whole file's root node range, for diagnostics about the flow as a whole.
    public var range: SourceRange
    /// Ids under `steps` that could not be decoded (already reported), so that references to them do not
    /// cascade into "unknown step" errors.
    public var undecodedStepIds: Set<String> = []

    public init(
        id: Located<String>, language: Located<FlowLanguageCode>, start: Located<String>, settings: Settings,
        policy: Policy?, queues: [Queue], templates: [Template], steps: [Step], range: SourceRange
    ) {
        self.id = id
        self.language = language
        self.start = start
        self.settings = settings
        self.policy = policy
        self.queues = queues
        self.templates = templates
        self.steps = steps
        self.range = range
    }

    /// The step with this id, if any.
    public func step(_ id: String) -> Step? { steps.first { $0.id.value == id } }
}

/// Flow-wide settings: time, business hours, inactivity and the keywords that work at any waiting step.
public struct Settings: Sendable {
    /// IANA time zone of the business calendar and the monthly attachment allowance.
    public var timeZone: Located<String>
    public var businessHours: BusinessHours
    /// Close an idle conversation after this many seconds without a contact message (default 30 minutes).
    public var inactivityTimeout: Located<Int>
    /// What the bot says when it closes a conversation for inactivity.
    public var inactivityText: Located<String>?
    public var keywords: [Keyword]
    public var revocation: Revocation?

    public init(
        timeZone: Located<String>, businessHours: BusinessHours, inactivityTimeout: Located<Int>,
        inactivityText: Located<String>?, keywords: [Keyword], revocation: Revocation?
    ) {
        self.timeZone = timeZone
        self.businessHours = businessHours
        self.inactivityTimeout = inactivityTimeout
        self.inactivityText = inactivityText
        self.keywords = keywords
        self.revocation = revocation
    }
}

/// Days of the week, Monday first as in Colombia.
public enum Weekday: String, Sendable, Hashable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday
}

/// A span of the day in minutes since midnight, start inclusive, end exclusive ("08:00-12:00").
public struct TimeSpan: Sendable, Hashable {
    public var startMinute: Int
    public var endMinute: Int

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }
}

/// The business-hours calendar: open spans per weekday, and holidays (dates on which the business is closed,
/// listed or from a national calendar).
public struct BusinessHours: Sendable {
    public var week: [Weekday: [Located<TimeSpan>]]
    /// Holidays as `YYYY-MM-DD` in the flow's time zone.
    public var holidays: [Located<String>]
    /// National calendars whose every holiday is closed too, in the flow's time zone (`holidays: [colombia]`).
    public var nationalCalendars: [Located<NationalCalendar>]
    /// Where the calendar was written; `nil` when the default applies.
    public var range: SourceRange?

    public init(
        week: [Weekday: [Located<TimeSpan>]], holidays: [Located<String>],
        nationalCalendars: [Located<NationalCalendar>] = [], range: SourceRange?
    ) {
        self.week = week
        self.holidays = holidays
        self.nationalCalendars = nationalCalendars
        self.range = range
    }

    /// The default: Monday to Friday, 08:00–12:00 and 14:00–18:00.
    public static func standard(at range: SourceRange) -> BusinessHours {
        let day = [
            Located(TimeSpan(startMinute: 8 * 60, endMinute: 12 * 60), range: range),
            Located(TimeSpan(startMinute: 14 * 60, endMinute: 18 * 60), range: range),
        ]
        var week: [Weekday: [Located<TimeSpan>]] = [:]
        for weekday in [Weekday.monday, .tuesday, .wednesday, .thursday, .friday] { week[weekday] = day }
        return BusinessHours(week: week, holidays: [], range: nil)
    }
}

/// Words that jump to a step from any step that waits for the contact ("menu", "agente").
public struct Keyword: Sendable {
    public var words: [Located<String>]
    public var target: Located<String>
    public var range: SourceRange

    public init(words: [Located<String>], target: Located<String>, range: SourceRange) {
        self.words = words
        self.target = target
        self.range = range
    }
}

/// How a contact withdraws consent at any waiting step (Ley 1581, art. 8(e); Decreto 1377, art. 9).
public struct Revocation: Sendable {
    public var words: [Located<String>]
    /// The confirmation the bot sends after recording the revocation.
    public var text: Located<String>
    /// Where the flow continues afterwards; `nil` means back to the start (which asks consent again).
    public var next: Located<String>?
    public var range: SourceRange

    public init(words: [Located<String>], text: Located<String>, next: Located<String>?, range: SourceRange) {
        self.words = words
        self.text = text
        self.next = next
        self.range = range
    }
}

/// The data-protection policy (Ley 1581 de 2012, art. 12; Decreto 1377 de 2013, art. 13).
public struct Policy: Sendable {
    /// Bumped whenever the consent text or the purposes change: a new version asks every contact again.
    public var version: Located<String>
    public var url: Located<String>
    public var responsible: Responsible
    public var purposes: [Purpose]
    /// Who processes the data and where (WhatsApp Cloud API / Meta Platforms, the hosting provider).
    public var processors: [Processor]
    public var range: SourceRange

    public init(
        version: Located<String>, url: Located<String>, responsible: Responsible, purposes: [Purpose],
        processors: [Processor], range: SourceRange
    ) {
        self.version = version
        self.url = url
        self.responsible = responsible
        self.purposes = purposes
        self.processors = processors
        self.range = range
    }
}

/// The Responsable del Tratamiento: the tenant business, identified as the law asks.
public struct Responsible: Sendable {
    public var name: Located<String>
    public var address: Located<String>?
    public var email: Located<String>?
    public var phone: Located<String>?
    public var range: SourceRange

    public init(
        name: Located<String>, address: Located<String>?, email: Located<String>?, phone: Located<String>?,
        range: SourceRange
    ) {
        self.name = name
        self.address = address
        self.email = email
        self.phone = phone
        self.range = range
    }
}

/// One purpose of processing, accepted or declined on its own (Decreto 1377, art. 5).
public struct Purpose: Sendable {
    public var id: Located<String>
    public var description: Located<String>
    /// Optional purposes (promotions) get their own opt-in and are never a condition of service.
    public var optional: Bool
    /// Promotional messages: marketing templates need a consent that accepted such a purpose.
    public var marketing: Bool
    /// Attention by a human agent: required when a handoff is reachable.
    public var humanAttention: Bool
    public var range: SourceRange

    public init(
        id: Located<String>, description: Located<String>, optional: Bool, marketing: Bool, humanAttention: Bool,
        range: SourceRange
    ) {
        self.id = id
        self.description = description
        self.optional = optional
        self.marketing = marketing
        self.humanAttention = humanAttention
        self.range = range
    }
}

/// A processor of the data and its country (Ley 1581, art. 26; Decreto 1377, arts. 24–25).
public struct Processor: Sendable {
    public var name: Located<String>
    public var country: Located<String>

    public init(name: Located<String>, country: Located<String>) {
        self.name = name
        self.country = country
    }
}

/// A named agent queue; handoffs take its agents in strict round-robin order.
public struct Queue: Sendable {
    public var name: Located<String>
    public var agents: [Located<String>]
    public var range: SourceRange
    /// Its agents were not written as a list (already reported as `wrong_type`): no further check of them.
    public var isMalformed = false

    public init(name: Located<String>, agents: [Located<String>], range: SourceRange) {
        self.name = name
        self.agents = agents
        self.range = range
    }
}

/// Meta's template categories.
public enum TemplateCategory: String, Sendable, Hashable, CaseIterable {
    case marketing, utility, authentication
}

/// Media types a template header may carry.
public enum TemplateMediaType: String, Sendable, Hashable, CaseIterable {
    case image, document
}

/// A Meta-approved template for business-initiated messages, with numbered tokens `{{1}}`, `{{2}}`.
public struct Template: Sendable {
    /// The key the flow refers to the template by.
    public var key: Located<String>
    /// The name approved by Meta: lowercase letters, digits and underscores.
    public var name: Located<String>
    public var language: Located<String>
    public var category: Located<TemplateCategory>
    public var body: Located<String>
    public var header: TemplateHeader?
    /// The label of the template's approved quick-reply button that stops promotions (Ley 2300 de 2023, art. 5:
    /// an easy way to cancel them): a tap on it, or the label typed, withdraws the contact's opt-in.
    public var optOut: Located<String>?
    public var range: SourceRange

    public init(
        key: Located<String>, name: Located<String>, language: Located<String>,
        category: Located<TemplateCategory>, body: Located<String>, header: TemplateHeader?,
        optOut: Located<String>? = nil, range: SourceRange
    ) {
        self.key = key
        self.name = name
        self.language = language
        self.category = category
        self.body = body
        self.header = header
        self.optOut = optOut
        self.range = range
    }
}

/// A template's header media: only JPEG images or PDF documents are allowed.
public struct TemplateHeader: Sendable {
    public var type: Located<TemplateMediaType>
    /// The media's https URL (`MediaLink`), sent to Meta as written; its extension decides the format.
    public var link: Located<String>
    public var range: SourceRange

    public init(type: Located<TemplateMediaType>, link: Located<String>, range: SourceRange) {
        self.type = type
        self.link = link
        self.range = range
    }
}
