import FlowDiagnostics

/// One step of a flow, keyed by its id. The kind carries what is particular to each step type.
///
/// A class with constant properties rather than a struct: some thirty rules walk every step, and copying a
/// step struct retains each of its texts; sharing one immutable object costs a single retain.
public final class Step: Sendable {
    public let id: Located<String>
    public let kind: StepKind
    /// Warning ids silenced for this step (`suppress: [unreachable_step]`).
    public let suppressed: [Located<String>]
    /// The step's whole mapping.
    public let range: SourceRange

    public init(id: Located<String>, kind: StepKind, suppressed: [Located<String>], range: SourceRange) {
        self.id = id
        self.kind = kind
        self.suppressed = suppressed
        self.range = range
    }

    /// Whether the step waits for the contact (and so is where global keywords and revocation work).
    public var waitsForContact: Bool {
        switch kind {
        case .consent, .menu, .ask, .handoff: return true
        case .message, .branch, .set, .template, .end: return false
        }
    }
}

/// The step types of the language, version 1.
public enum StepKind: Sendable {
    case consent(ConsentStep)
    case message(MessageStep)
    case menu(MenuStep)
    case ask(AskStep)
    case branch(BranchStep)
    case set(SetStep)
    case handoff(HandoffStep)
    case template(TemplateStep)
    case end(EndStep)

    /// The `type:` word of the kind.
    public var name: String {
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

    public static let names = ["consent", "message", "menu", "ask", "branch", "set", "handoff", "template", "end"]
}

/// A choice of the consent step: its button title and where it leads.
public struct ConsentChoice: Sendable {
    public var title: Located<String>
    public var next: Located<String>?
    public var range: SourceRange

    public init(title: Located<String>, next: Located<String>?, range: SourceRange) {
        self.title = title
        self.next = next
        self.range = range
    }
}

/// The separate opt-in for business-initiated (promotional) messages, asked right after acceptance.
public struct OptIn: Sendable {
    public var purpose: Located<String>
    public var text: Located<String>
    public var accept: Located<String>
    public var decline: Located<String>
    public var range: SourceRange

    public init(
        purpose: Located<String>, text: Located<String>, accept: Located<String>, decline: Located<String>,
        range: SourceRange
    ) {
        self.purpose = purpose
        self.text = text
        self.accept = accept
        self.decline = decline
        self.range = range
    }

    /// The purposes `{{policy.purposes}}` names in the opt-in's `text`: the opt-in's own, the one its question asks
    /// the contact to accept, never the general consent's (which the contact has just accepted).
    public var placeholderPurposes: [String] { [purpose.value] }
}

/// The habeas-data authorization (Ley 1581 de 2012). A general consent unlocks personal data and handoff;
/// a sensitive one (`sensitive: true`) unlocks only the sensitive steps after it, and its decline is a skip.
public struct ConsentStep: Sendable {
    public var text: Located<String>
    public var accept: ConsentChoice
    public var decline: ConsentChoice
    /// Purpose ids this consent covers; empty means every non-optional purpose of the policy.
    public var purposes: [Located<String>]
    public var optIn: OptIn?
    public var sensitive: Bool
    /// For a sensitive consent: which data are sensitive ("foto del documento").
    public var sensitiveData: [Located<String>]

    public init(
        text: Located<String>, accept: ConsentChoice, decline: ConsentChoice, purposes: [Located<String>],
        optIn: OptIn?, sensitive: Bool, sensitiveData: [Located<String>]
    ) {
        self.text = text
        self.accept = accept
        self.decline = decline
        self.purposes = purposes
        self.optIn = optIn
        self.sensitive = sensitive
        self.sensitiveData = sensitiveData
    }
}

/// A file the bot sends: pdf, jpg, jpeg or png.
public struct Attachment: Sendable {
    public var url: Located<String>
    public var filename: Located<String>?
    public var caption: Located<String>?
    public var range: SourceRange

    public init(url: Located<String>, filename: Located<String>?, caption: Located<String>?, range: SourceRange) {
        self.url = url
        self.filename = filename
        self.caption = caption
        self.range = range
    }

    /// The lower-cased extension of the file name, or else of the name the URL gives the file
    /// (`URLFileName`), which is what the contact sees.
    public var fileExtension: String {
        Self.ext(Substring(filename?.value ?? URLFileName.of(url.value) ?? ""))
    }

    private static func ext(_ name: Substring) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}

/// Say something, optionally with a file, then continue.
public struct MessageStep: Sendable {
    public var text: Located<String>
    public var attachment: Attachment?
    public var next: Located<String>?

    public init(text: Located<String>, attachment: Attachment?, next: Located<String>?) {
        self.text = text
        self.attachment = attachment
        self.next = next
    }
}

/// How a menu is shown: WhatsApp reply buttons (up to 3) or a list (up to 10 rows).
public enum MenuDisplay: String, Sendable, Hashable, CaseIterable {
    /// Buttons for up to 3 options, otherwise a list.
    case auto
    case buttons
    case list
}

/// One option of a menu.
public struct MenuOption: Sendable {
    /// The reply id WhatsApp sends back when the option is tapped.
    public var id: Located<String>
    public var title: Located<String>
    public var description: Located<String>?
    /// Other words that choose this option when typed.
    public var synonyms: [Located<String>]
    public var next: Located<String>?
    public var range: SourceRange

    public init(
        id: Located<String>, title: Located<String>, description: Located<String>?, synonyms: [Located<String>],
        next: Located<String>?, range: SourceRange
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.synonyms = synonyms
        self.next = next
        self.range = range
    }
}

/// Offer options; the contact taps one or types its number, title, a synonym or its id.
public struct MenuStep: Sendable {
    public var text: Located<String>
    public var header: Located<String>?
    public var footer: Located<String>?
    /// The label of the button that opens a list.
    public var button: Located<String>?
    public var display: Located<MenuDisplay>
    public var options: [MenuOption]
    /// How many items the file's `options` list has, valid or not; `nil` when `options` is missing or not a
    /// list (the decoder reported that), so checks do not report the same mistake twice.
    public var listedOptions: Int?
    /// Said when the reply matches no option.
    public var invalid: Located<String>?
    /// How many invalid replies are re-prompted before the fallback.
    public var retries: Located<Int>
    public var fallback: Located<String>?

    public init(
        text: Located<String>, header: Located<String>?, footer: Located<String>?, button: Located<String>?,
        display: Located<MenuDisplay>, options: [MenuOption], listedOptions: Int?, invalid: Located<String>?,
        retries: Located<Int>, fallback: Located<String>?
    ) {
        self.text = text
        self.header = header
        self.footer = footer
        self.button = button
        self.display = display
        self.options = options
        self.listedOptions = listedOptions
        self.invalid = invalid
        self.retries = retries
        self.fallback = fallback
    }

    /// Whether the menu shows as reply buttons.
    public var showsButtons: Bool {
        switch display.value {
        case .buttons: return true
        case .list: return false
        case .auto: return options.count <= 3
        }
    }
}

/// What an `ask` step collects.
public enum InputType: String, Sendable, Hashable, CaseIterable {
    case text, number, email, phone, date
    case yesNo = "yes_no"
    case document, image

    /// Whether the answer is a file from the contact.
    public var isAttachment: Bool { self == .document || self == .image }

    /// Whether every answer is personal data whatever `personal_data` says: a phone number or an e-mail address
    /// identifies the contact (Ley 1581, art. 3(c)), and a file may show anything.
    public var isPersonalData: Bool { self == .phone || self == .email || isAttachment }
}

/// Validation of an answer beyond its type.
public struct Validation: Sendable {
    public var minLength: Located<Int>?
    public var maxLength: Located<Int>?
    public var min: Located<Double>?
    public var max: Located<Double>?
    public var pattern: Located<String>?
    /// Where each key is written (`"max_length"` → the key `max_length`), so that a check of the key itself,
    /// not of its value, points at it (`validation_not_applicable`).
    public var keyRanges: [String: SourceRange]

    public init(
        minLength: Located<Int>?, maxLength: Located<Int>?, min: Located<Double>?, max: Located<Double>?,
        pattern: Located<String>?, keyRanges: [String: SourceRange] = [:]
    ) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.min = min
        self.max = max
        self.pattern = pattern
        self.keyRanges = keyRanges
    }

    public static let none = Validation(minLength: nil, maxLength: nil, min: nil, max: nil, pattern: nil)
}

/// Collect a value from the contact into a variable.
public struct AskStep: Sendable {
    public var text: Located<String>
    public var variable: Located<String>
    public var input: Located<InputType>
    /// Personal data need an accepted consent before the question is asked.
    public var personalData: Bool
    /// Sensitive data (health, biometrics, ID photos…) need their own sensitive consent.
    public var sensitive: Bool
    public var validation: Validation
    public var retry: Located<String>?
    public var attempts: Located<Int>
    public var fallback: Located<String>?
    public var next: Located<String>?
    /// `input` is written with a value that is no kind of answer (`fone`), which the decoder reported: `input`
    /// then holds the default, `text`, though the author meant another kind.
    public var inputUnknown = false

    public init(
        text: Located<String>, variable: Located<String>, input: Located<InputType>, personalData: Bool,
        sensitive: Bool, validation: Validation, retry: Located<String>?, attempts: Located<Int>,
        fallback: Located<String>?, next: Located<String>?
    ) {
        self.text = text
        self.variable = variable
        self.input = input
        self.personalData = personalData
        self.sensitive = sensitive
        self.validation = validation
        self.retry = retry
        self.attempts = attempts
        self.fallback = fallback
        self.next = next
    }
}

/// Go to the first case whose condition holds, else to `default`.
public struct BranchStep: Sendable {
    public var cases: [BranchCase]
    public var otherwise: Located<String>?
    /// The `next` of each case whose condition the decoder reported as malformed. The case is dropped, but
    /// reachability still follows it, so that the one mistake does not also make its target look unreachable.
    public var malformedCaseTargets: [Located<String>] = []

    public init(cases: [BranchCase], otherwise: Located<String>?) {
        self.cases = cases
        self.otherwise = otherwise
    }
}

/// One case of a branch.
public struct BranchCase: Sendable {
    public var condition: Condition
    public var next: Located<String>?
    public var range: SourceRange

    public init(condition: Condition, next: Located<String>?, range: SourceRange) {
        self.condition = condition
        self.next = next
        self.range = range
    }
}

/// Assign variables (values interpolate `{{...}}`), then continue.
public struct SetStep: Sendable {
    public var assignments: [(variable: Located<String>, value: Located<String>)]
    public var next: Located<String>?
    /// Variables `values` names with a value the decoder reported (null, or not a text). They assign nothing,
    /// but the variable checks count them as assigned, so that the one mistake is not also reported where the
    /// variable is read.
    public var malformedVariables: [Located<String>] = []

    public init(assignments: [(variable: Located<String>, value: Located<String>)], next: Located<String>?) {
        self.assignments = assignments
        self.next = next
    }
}

/// Hand the conversation to the next agent of a queue, in strict round-robin order.
public struct HandoffStep: Sendable {
    public var queue: Located<String>
    /// Said when an agent is requested inside business hours.
    public var text: Located<String>
    /// Said outside business hours (holidays included).
    public var closedText: Located<String>?
    /// Where to go outside business hours; without it the conversation still waits in the queue.
    public var closedNext: Located<String>?
    /// Where the bot resumes after the agent closes; without it the conversation ends.
    public var next: Located<String>?

    public init(
        queue: Located<String>, text: Located<String>, closedText: Located<String>?, closedNext: Located<String>?,
        next: Located<String>?
    ) {
        self.queue = queue
        self.text = text
        self.closedText = closedText
        self.closedNext = closedNext
        self.next = next
    }
}

/// Send a declared, approved template with its parameters (for when the 24-hour window is closed).
public struct TemplateStep: Sendable {
    public var template: Located<String>
    public var parameters: [Located<String>]
    public var next: Located<String>?

    public init(template: Located<String>, parameters: [Located<String>], next: Located<String>?) {
        self.template = template
        self.parameters = parameters
        self.next = next
    }
}

/// Close the conversation, with a goodbye.
public struct EndStep: Sendable {
    public var text: Located<String>?

    public init(text: Located<String>?) {
        self.text = text
    }
}
