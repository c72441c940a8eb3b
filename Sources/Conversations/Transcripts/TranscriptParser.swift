import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation

/// Reads a transcript file into a `Transcript`, with located diagnostics for everything wrong in it.
///
/// The file goes through the flow loader (`YAMLLoader`), so every node has its range and the loader's own
/// checks (syntax, duplicate keys, anchors, tags, size) apply. The shape is then read against the format of
/// Docs/testing.md: unknown keys get the closest allowed key as a suggestion, values of the wrong kind say what
/// was expected. The parser never stops at the first problem and never traps.
public enum TranscriptParser {
    /// What parsing gave: the transcript when the file has no errors, every diagnostic, and the source.
    public struct Result: Sendable {
        public var transcript: Transcript?
        public var diagnostics: [Diagnostic]
        public var source: SourceText
        /// The `name` the file declares, when it could be read: a malformed transcript is reported under it too.
        public var declaredName: String? = nil
    }

    /// The keys of a transcript file's top level.
    public static let topKeys = ["name", "flow", "fixtures", "exhaustive", "steps"]
    /// The keys of `fixtures`.
    public static let fixtureKeys = ["step", "variables", "consent", "contact", "time", "rotation"]
    /// The keys that make a step an input.
    public static let inputKeys = [
        "contact", "forwarded", "unreadable", "tap", "attachment", "agent", "agent_close", "wait", "at",
    ]
    /// The keys that make a step an expectation.
    public static let expectationKeys = [
        "bot", "window_closed", "consent", "revoked", "handoff", "handoff_ended", "closed", "refused", "relayed",
        "step", "saved",
    ]
    /// The keys of a message expectation (`bot:` and `window_closed:` written as a mapping).
    public static let messageKeys = [
        "text", "contains", "pattern", "body", "header", "footer", "buttons", "list", "attachment", "template",
    ]
    /// Consent choices a `consent:` expectation may name.
    public static let consentChoices = [
        "accepted", "declined", "opt_in_accepted", "opt_in_declined", "opt_in_withdrawn",
    ]
    /// Close reasons a `closed:` expectation may name.
    public static let closeReasons = ["end", "inactivity", "agent_closed", "error", "policy_changed"]

    /// Parses a transcript file's bytes; `name` is the test name when the file gives none.
    public static func parse(bytes: [UInt8], defaultName: String) -> Result {
        let loaded = YAMLLoader.load(bytes: bytes)
        let reader = Reader(source: loaded.source)
        reader.diagnostics = loaded.diagnostics
        guard loaded.root != nil || !loaded.diagnostics.contains(where: { $0.severity == .error }) else {
            return Result(transcript: nil, diagnostics: reader.sorted, source: loaded.source)
        }
        guard let root = loaded.root, !root.isNull else {
            reader.add(
                SchemaRules.emptyFile.diagnostic(
                    "the file holds no transcript; it needs at least 'flow' and 'steps'", at: .fileStart))
            return Result(transcript: nil, diagnostics: reader.sorted, source: loaded.source)
        }
        let transcript = reader.transcript(root, defaultName: defaultName)
        let failed = reader.diagnostics.contains { $0.severity == .error }
        reader.diagnostics = loaded.withoutAliasEchoes(reader.diagnostics)
        return Result(
            transcript: failed ? nil : transcript, diagnostics: reader.sorted, source: loaded.source,
            declaredName: reader.declaredName)
    }

    /// Parses transcript text (tests, the REPL's round trip).
    public static func parse(_ text: String, defaultName: String = "transcript") -> Result {
        parse(bytes: Array(text.utf8), defaultName: defaultName)
    }
}

/// The reading pass: one per file, collecting diagnostics as it goes.
private final class Reader {
    /// The file, for the comments that cut a text.
    let source: SourceText
    var diagnostics: [Diagnostic] = []
    /// The file's `name`, once read.
    var declaredName: String?
    /// Where the flow ids of the step being read are written (`TranscriptStep.idRanges`).
    var idRanges: [TranscriptFlowID: SourceRange] = [:]

    var sorted: [Diagnostic] { Diagnostic.sortedByPosition(diagnostics) }

    init(source: SourceText) {
        self.source = source
    }

    func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    // MARK: Generic shapes

    /// The pairs of a mapping by key, reporting keys outside `allowed` (with a suggestion) and a node that is
    /// not a mapping.
    func mapping(_ node: Node, _ what: String, allowed: [String]) -> [String: Pair]? {
        guard let pairs = node.mapping else {
            add(
                SchemaRules.wrongType.diagnostic(
                    "\(what) must be a mapping, found \(node.kindDescription)", at: node.range))
            return nil
        }
        var fields: [String: Pair] = [:]
        for (index, pair) in pairs.enumerated() {
            if allowed.contains(pair.key) {
                fields[pair.key] = pair
            } else {
                unknownKey(pair, in: what, allowed: allowed, after: index > 0 ? pairs[index - 1] : nil)
            }
        }
        return fields
    }

    /// Reports an unknown key; `previous` is the pair before it, for a text a `,` cut inside `{ … }`.
    func unknownKey(_ pair: Pair, in what: String, allowed: [String], after previous: Pair? = nil) {
        let suggestion =
            previous.flatMap { CommaInFlowMapping.help($0, pair) }
            ?? Suggestions.closest(to: pair.key, in: allowed).map { "did you mean '\($0)'?" }
        add(
            SchemaRules.unknownKey.diagnostic(
                "unknown key '\(pair.key)' in \(what); allowed: \(allowed.joined(separator: ", "))",
                at: pair.keyRange, suggestion: suggestion))
    }

    /// A text value (any scalar but a plain null).
    func text(_ node: Node, _ what: String) -> String? {
        guard let text = node.scalar, !node.isNull else {
            add(SchemaRules.wrongType.diagnostic("\(what) must be text, found \(node.kindDescription)", at: node.range))
            return nil
        }
        return text
    }

    func text(_ fields: [String: Pair], _ key: String, _ what: String) -> String? {
        fields[key].flatMap { text($0.value, "'\(key)' of \(what)") }
    }

    /// The text of an input or of an expected message, with `text_cut_by_comment` (a warning, as in flows) when
    /// a ` #` after it, written without quotes, starts a YAML comment: `contact: Calle 100 # 10-20` sends only
    /// `Calle 100`. `outcome` says who gets the cut text ("the flow receives", "the transcript expects").
    func messageText(_ node: Node, _ what: String, outcome: String) -> String? {
        guard let value = text(node, what) else { return nil }
        if let cut = CommentCut.find(in: Located(value, range: node.range), source: source) {
            add(cut.diagnostic(what: what, outcome: outcome))
        }
        return value
    }

    /// An expected message's text field, as `messageText`.
    func expectedText(_ fields: [String: Pair], _ key: String, _ what: String) -> String? {
        fields[key].flatMap { messageText($0.value, "'\(key)' of \(what)", outcome: "the transcript expects") }
    }

    /// A list of texts.
    func texts(_ node: Node, _ what: String) -> [String]? {
        guard let items = node.sequence else {
            add(
                SchemaRules.wrongType.diagnostic(
                    "\(what) must be a list of texts, found \(node.kindDescription)", at: node.range))
            return nil
        }
        // Each item is read, so every one that is not text is reported, not only the first.
        let out = items.map { text($0, "an item of \(what)") }
        return out.contains(nil) ? nil : out.compactMap { $0 }
    }

    /// `true` or `false`, written plain.
    func bool(_ node: Node, _ what: String) -> Bool? {
        if case .scalar(let text, .plain) = node.value, text == "true" || text == "false" { return text == "true" }
        add(
            SchemaRules.wrongType.diagnostic(
                "\(what) must be true or false, found \(describeAsBoolean(node))", at: node.range,
                suggestion: unquotingHelp(node, for: ["true", "false"])))
        return nil
    }

    /// Exactly `true`: the value of keys such as `agent_close` and `revoked`. `false` is a boolean these keys
    /// cannot have (`invalid_value`); anything else (`yes`, `"true"`) is no boolean at all (`wrong_type`), as
    /// for `exhaustive`.
    func isTrue(_ node: Node, _ what: String) -> Bool {
        if case .scalar("true", .plain) = node.value { return true }
        let rule: RuleDescriptor
        if case .scalar("false", .plain) = node.value {
            rule = SchemaRules.invalidValue
        } else {
            rule = SchemaRules.wrongType
        }
        add(
            rule.diagnostic(
                "\(what) must be true, found \(describeAsBoolean(node))", at: node.range,
                suggestion: unquotingHelp(node, for: ["true"])))
        return false
    }

    /// A value where a boolean belongs, a quoted one as the text it is: `'true'` alone would read as the
    /// boolean that was asked for.
    func describeAsBoolean(_ node: Node) -> String {
        if case .scalar(let text, let style) = node.value, style != .plain { return "the text \"\(text)\"" }
        return describe(node)
    }

    /// "write true without quotes" for a quoted text that is one of `booleans` written plain, `nil` otherwise.
    func unquotingHelp(_ node: Node, for booleans: [String]) -> String? {
        guard case .scalar(let text, let style) = node.value, style != .plain, booleans.contains(text) else {
            return nil
        }
        return "write \(text) without quotes"
    }

    /// One of a few words.
    func word(_ node: Node, _ what: String, _ allowed: [String]) -> String? {
        guard let value = text(node, what) else { return nil }
        guard allowed.contains(value) else {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "\(what) must be one of \(allowed.joined(separator: ", ")), found '\(value)'", at: node.range,
                    suggestion: Suggestions.closest(to: value, in: allowed).map { "did you mean '\($0)'?" }))
            return nil
        }
        return value
    }

    /// Records where a flow id read from `node` is written; the first place of an id written twice.
    func note(_ name: String?, _ kind: TranscriptFlowID.Kind, at node: Node?) {
        guard let name, let node else { return }
        let id = TranscriptFlowID(kind, name)
        if idRanges[id] == nil { idRanges[id] = node.range }
    }

    func describe(_ node: Node) -> String {
        if let text = node.scalar, !node.isNull { return "'\(text)'" }
        return node.kindDescription
    }

    func dateTime(_ node: Node, _ what: String) -> TranscriptDateTime? {
        guard let value = text(node, what) else { return nil }
        guard let time = TranscriptDateTime(iso: value) else {
            let problem = TimeValueProblem.dateTime(value)?.message(what, found: value)
            add(
                SchemaRules.invalidValue.diagnostic(
                    problem ?? "\(what) must be a local date-time such as \"2026-03-02T10:00\", found '\(value)'",
                    at: node.range))
            return nil
        }
        return time
    }

    func regex(_ node: Node, _ what: String) -> String? {
        guard let value = text(node, what) else { return nil }
        if let problem = PatternCheck.problem(value) {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "\(what) is not a valid regular expression: '\(value)': \(problem)", at: node.range))
            return nil
        }
        return value
    }

    // MARK: The file

    func transcript(_ root: Node, defaultName: String) -> Transcript? {
        guard let fields = mapping(root, "the transcript", allowed: TranscriptParser.topKeys) else { return nil }
        var result = Transcript(name: defaultName, flowPath: "")
        if let name = text(fields, "name", "the transcript") {
            result.name = name
            declaredName = name
        }
        if let flow = fields["flow"] {
            if let path = text(flow.value, "'flow'") {
                result.flowPath = path
                result.flowRange = flow.value.range
                // An empty path would name the transcript's own folder, and the system cuts a path at a NUL
                // (the flow would be read as its own consent lock): neither is a file the author meant.
                if path.isEmpty || path.contains("\u{0}") {
                    add(
                        SchemaRules.invalidValue.diagnostic(
                            "'flow' must name a flow file"
                                + (path.isEmpty ? "" : "; it contains a NUL character, which no file name can"),
                            at: flow.value.range))
                }
            }
        } else {
            add(
                SchemaRules.missingField.diagnostic(
                    "the transcript needs 'flow': the path of the flow file, relative to this file",
                    at: SourceRange(at: root.range.start)))
        }
        if let fixtures = fields["fixtures"] {
            result.fixtures = self.fixtures(fixtures.value)
            result.fixturesRange = fixtures.keyRange
            if let time = fixtures.value.mapping?.first(where: { $0.key == "time" }) {
                result.fixturesTimeRange = time.value.range
            }
        }
        if let exhaustive = fields["exhaustive"], let value = bool(exhaustive.value, "'exhaustive'") {
            result.exhaustive = value
        }
        if let steps = fields["steps"] {
            if let items = steps.value.sequence {
                result.steps = items.compactMap(step)
            } else {
                add(
                    SchemaRules.wrongType.diagnostic(
                        "'steps' must be a list, found \(steps.value.kindDescription)", at: steps.value.range))
            }
        } else {
            add(
                SchemaRules.missingField.diagnostic(
                    "the transcript needs 'steps': the list of inputs and expectations",
                    at: SourceRange(at: root.range.start)))
        }
        return result
    }

    func fixtures(_ node: Node) -> TranscriptFixtures {
        var f = TranscriptFixtures()
        guard let fields = mapping(node, "'fixtures'", allowed: TranscriptParser.fixtureKeys) else { return f }
        f.step = text(fields, "step", "'fixtures'")
        f.stepRange = fields["step"]?.value.range
        if let pair = fields["variables"] {
            if let items = pair.value.mapping {
                for item in items {
                    if let value = text(item.value, "variable '\(item.key)'") {
                        f.variables.append(TranscriptVariable(name: item.key, value: value, range: item.keyRange))
                    }
                }
            } else {
                add(
                    SchemaRules.wrongType.diagnostic(
                        "'variables' must map each variable to its value, found \(pair.value.kindDescription)",
                        at: pair.value.range))
            }
        }
        if let pair = fields["consent"] {
            // Both forms are named whichever was meant: `maybe` may be a mistyped word or a mapping not written.
            let forms = "'consent' of 'fixtures' must be accepted or a mapping of 'version' and 'opt_in'"
            if let value = pair.value.scalar, !pair.value.isNull {
                if value == "accepted" {
                    f.consent = ConsentFixture()
                } else {
                    add(
                        SchemaRules.invalidValue.diagnostic(
                            "\(forms), found '\(value)'", at: pair.value.range,
                            suggestion: Suggestions.closest(to: value, in: ["accepted"]).map { "did you mean '\($0)'?" }
                                ?? "write consent: accepted, or consent: { version: \"2\", opt_in: true }"))
                }
            } else if pair.value.mapping == nil {
                add(
                    SchemaRules.wrongType.diagnostic(
                        "\(forms), found \(pair.value.kindDescription)", at: pair.value.range,
                        suggestion: "write consent: accepted, or consent: { version: \"2\", opt_in: true }"))
            } else if let given = mapping(pair.value, "'consent' of 'fixtures'", allowed: ["version", "opt_in"]) {
                var consent = ConsentFixture()
                consent.version = text(given, "version", "'consent'")
                if let optIn = given["opt_in"], let value = bool(optIn.value, "'opt_in'") { consent.optIn = value }
                f.consent = consent
            }
        }
        if let pair = fields["contact"], let contact = mapping(pair.value, "'contact'", allowed: ["name", "phone"]) {
            f.contactName = text(contact, "name", "'contact'")
            f.contactPhone = text(contact, "phone", "'contact'")
        }
        if let pair = fields["time"] { f.time = dateTime(pair.value, "'time'") }
        if let pair = fields["rotation"] {
            if let items = pair.value.mapping {
                for item in items {
                    if let agent = text(item.value, "the next agent of queue '\(item.key)'") {
                        f.rotation.append(
                            TranscriptRotation(
                                queue: item.key, agent: agent, queueRange: item.keyRange, agentRange: item.value.range))
                    }
                }
            } else {
                add(
                    SchemaRules.wrongType.diagnostic(
                        "'rotation' must map each queue to its next agent, found \(pair.value.kindDescription)",
                        at: pair.value.range))
            }
        }
        return f
    }

    // MARK: Steps

    func step(_ node: Node) -> TranscriptStep? {
        idRanges = [:]
        let allowed = TranscriptParser.inputKeys + TranscriptParser.expectationKeys
        guard let pairs = node.mapping, let pair = pairs.first else {
            add(
                SchemaRules.wrongType.diagnostic(
                    "a step must be a mapping with one key, such as 'contact: hola' or 'bot: ...', found "
                        + node.kindDescription, at: node.range))
            return nil
        }
        if pairs.count > 1 {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "a step has exactly one key; '\(pairs[1].key)' belongs in a step of its own (start it with '- ')",
                    at: pairs[1].keyRange))
            return nil
        }
        guard allowed.contains(pair.key) else {
            unknownKey(pair, in: "a step", allowed: allowed)
            return nil
        }
        let value = pair.value
        let range = pair.keyRange
        func make(_ kind: TranscriptStep.Kind?) -> TranscriptStep? {
            kind.map { TranscriptStep($0, range: range, idRanges: idRanges) }
        }
        switch pair.key {
        case "contact":
            return make(messageText(value, "'contact'", outcome: "the flow receives").map { .input(.contact($0)) })
        case "forwarded":
            return make(messageText(value, "'forwarded'", outcome: "the flow receives").map { .input(.forwarded($0)) })
        case "unreadable": return make(unreadableType(value).map { .input(.unreadable($0)) })
        case "tap": return make(text(value, "'tap'").map { .input(.tap($0)) })
        case "agent":
            return make(messageText(value, "'agent'", outcome: "the flow receives").map { .input(.agent($0)) })
        case "agent_close": return isTrue(value, "'agent_close'") ? make(.input(.agentClose)) : nil
        case "attachment": return make(attachment(value).map { .input(.attachment($0)) })
        case "wait":
            guard let text = text(value, "'wait'") else { return nil }
            guard let seconds = TranscriptUnits.parseDuration(text) else {
                let problem = TimeValueProblem.duration(text)?.message("'wait'", found: text)
                add(
                    SchemaRules.invalidValue.diagnostic(
                        problem ?? "'wait' must be a duration such as 30s, 31m, 25h, 2d or 1h30m, found '\(text)'",
                        at: value.range))
                return nil
            }
            return make(.input(.wait(seconds: seconds)))
        case "at": return make(dateTime(value, "'at'").map { .input(.at($0)) })
        case "bot": return make(message(value, "'bot'").map { .expect(.bot($0)) })
        case "window_closed": return make(message(value, "'window_closed'").map { .expect(.windowClosed($0)) })
        case "consent": return make(consent(value).map { .expect($0) })
        case "revoked": return isTrue(value, "'revoked'") ? make(.expect(.revoked)) : nil
        case "handoff_ended": return isTrue(value, "'handoff_ended'") ? make(.expect(.handoffEnded)) : nil
        case "handoff":
            guard let fields = mapping(value, "'handoff'", allowed: ["queue", "agent"]) else { return nil }
            let queue = text(fields, "queue", "'handoff'")
            let agent = text(fields, "agent", "'handoff'")
            note(queue, .queue, at: fields["queue"]?.value)
            note(agent, .agent(queue: queue), at: fields["agent"]?.value)
            return make(.expect(.handoff(queue: queue, agent: agent)))
        case "closed":
            return make(word(value, "'closed'", TranscriptParser.closeReasons).map { .expect(.closed($0)) })
        case "refused": return make(refused(value).map { .expect(.refused($0)) })
        case "relayed": return make(textExpectation(value, "'relayed'").map { .expect(.relayed($0)) })
        case "step":
            let step = text(value, "'step'")
            note(step, .step, at: value)
            return make(step.map { .expect(.step($0)) })
        case "saved":
            let variable = text(value, "'saved'")
            note(variable, .savedVariable, at: value)
            return make(variable.map { .expect(.saved($0)) })
        default: return nil
        }
    }

    /// The WhatsApp type of an `unreadable:` input: one word as Meta writes it.
    func unreadableType(_ node: Node) -> String? {
        guard let type = text(node, "'unreadable'") else { return nil }
        if let problem = UnreadableMessageType.problem(type, what: "'unreadable'") {
            add(
                SchemaRules.invalidValue.diagnostic(
                    problem, at: node.range,
                    suggestion: UnreadableMessageType.suggestion(for: type).map { "did you mean '\($0)'?" }))
            return nil
        }
        return type
    }

    /// An `attachment:` input. Its type, size and name are each read, so one run reports every problem of it.
    func attachment(_ node: Node) -> TranscriptAttachment? {
        guard let fields = mapping(node, "'attachment'", allowed: ["type", "size", "name"]) else { return nil }
        if fields["type"] == nil || fields["size"] == nil {
            add(
                SchemaRules.missingField.diagnostic(
                    "'attachment' needs 'type' and 'size', such as { type: pdf, size: 2MB }", at: node.range))
        }
        let type = fields["type"].flatMap { attachmentType($0.value) }
        let size = fields["size"].flatMap { attachmentSize($0.value) }
        let name = fields["name"].map { text($0.value, "'name' of 'attachment'") }
        guard let type, let size, name != .some(nil) else { return nil }
        return TranscriptAttachment(type: type, size: size, name: name ?? nil)
    }

    /// A file's type: a short type WhatsApp reports (`pdf`) or a MIME type (`video/mp4`).
    func attachmentType(_ node: Node) -> String? {
        guard let type = text(node, "'type'") else { return nil }
        guard TranscriptAttachment(type: type, size: 0).mimeType == nil else { return type }
        let known = TranscriptAttachment.mimeTypes.keys.sorted()
        add(
            SchemaRules.invalidValue.diagnostic(
                "unknown attachment type '\(type)'; use one of \(known.joined(separator: ", ")) or a MIME type "
                    + "such as video/mp4", at: node.range,
                suggestion: Suggestions.closest(to: type, in: known).map { "did you mean '\($0)'?" }))
        return nil
    }

    /// A file's size in bytes (`2MB`, `512KB`, `1024`).
    func attachmentSize(_ node: Node) -> Int64? {
        guard let sizeText = text(node, "'size'") else { return nil }
        switch TranscriptUnits.readSize(sizeText) {
        case .bytes(let size):
            return size
        case .tooLarge:
            add(
                SchemaRules.invalidValue.diagnostic(
                    "'size' must be at most \(TranscriptUnits.largestSize) bytes, found '\(sizeText)'", at: node.range))
        case .unreadable:
            add(
                SchemaRules.invalidValue.diagnostic(
                    "'size' must be a size such as 2MB, 512KB or 1024B, found '\(sizeText)'", at: node.range))
        }
        return nil
    }

    func message(_ node: Node, _ what: String) -> MessageExpectation? {
        if node.scalar != nil {
            return messageText(node, what, outcome: "the transcript expects").map { MessageExpectation(text: $0) }
        }
        guard let fields = mapping(node, what, allowed: TranscriptParser.messageKeys) else { return nil }
        var m = MessageExpectation()
        m.text = expectedText(fields, "text", what)
        m.contains = expectedText(fields, "contains", what)
        m.pattern = fields["pattern"].flatMap { regex($0.value, "'pattern' of \(what)") }
        m.body = expectedText(fields, "body", what)
        m.header = expectedText(fields, "header", what)
        m.footer = expectedText(fields, "footer", what)
        let forms = ["buttons", "list", "attachment", "template"].compactMap { fields[$0] }
        if forms.count > 1 {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "a message is either buttons, a list, an attachment or a template; '\(forms[1].key)' and "
                        + "'\(forms[0].key)' cannot both be expected", at: forms[1].keyRange))
            return nil
        }
        if let pair = forms.first {
            switch pair.key {
            case "buttons":
                guard let titles = texts(pair.value, "'buttons'") else { return nil }
                m.form = .buttons(titles)
            case "list":
                guard let list = mapping(pair.value, "'list'", allowed: ["button", "rows"]) else { return nil }
                m.form = .list(
                    button: text(list, "button", "'list'"), rows: list["rows"].flatMap { texts($0.value, "'rows'") })
            case "attachment":
                guard let a = mapping(pair.value, "'attachment' of \(what)", allowed: ["url", "name", "caption"])
                else { return nil }
                m.form = .attachment(
                    url: text(a, "url", "'attachment'"), name: text(a, "name", "'attachment'"),
                    caption: text(a, "caption", "'attachment'"))
            default:
                guard let t = mapping(pair.value, "'template'", allowed: ["name", "language", "parameters"]) else {
                    return nil
                }
                let name = text(t, "name", "'template'")
                note(name, .template, at: t["name"]?.value)
                m.form = .template(
                    name: name, language: text(t, "language", "'template'"),
                    parameters: t["parameters"].flatMap { texts($0.value, "'parameters'") })
            }
        }
        // A plain text message has no header or footer: with either, the expectation could never match.
        if let textPair = fields["text"], m.form != nil || m.body != nil || m.header != nil || m.footer != nil {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "'text' is the whole text of a plain text message, which has no header or footer; for buttons "
                        + "and lists use 'body'",
                    at: textPair.keyRange))
            return nil
        }
        return m
    }

    func consent(_ node: Node) -> TranscriptExpectation? {
        if node.scalar != nil {
            return word(node, "'consent'", TranscriptParser.consentChoices).map { .consent(choice: $0, purposes: nil) }
        }
        guard let fields = mapping(node, "'consent'", allowed: ["choice", "purposes", "sensitive"]) else {
            return nil
        }
        // Every key is read before giving up, so one run reports each problem of the mapping.
        let choice = fields["choice"].flatMap { word($0.value, "'choice'", TranscriptParser.consentChoices) }
        let purposes = fields["purposes"].map { texts($0.value, "'purposes'") }
        if let items = fields["purposes"]?.value.sequence, let read = purposes ?? nil {
            for (purpose, item) in zip(read, items) { note(purpose, .purpose, at: item) }
        }
        let sensitive = fields["sensitive"].map { bool($0.value, "'sensitive'") }
        if fields["choice"] == nil {
            add(
                SchemaRules.missingField.diagnostic(
                    "'consent' needs 'choice': accepted, declined, opt_in_accepted, opt_in_declined or "
                        + "opt_in_withdrawn",
                    at: node.range))
        }
        guard let choice, purposes != .some(nil), sensitive != .some(nil) else { return nil }
        return .consent(choice: choice, purposes: purposes ?? nil, sensitive: sensitive ?? nil)
    }

    func refused(_ node: Node) -> RefusalExpectation? {
        if node.scalar != nil {
            guard let word = word(node, "'refused'", ["agent_message", "template"]) else { return nil }
            return word == "agent_message" ? .agentMessage : .template(nil)
        }
        guard let fields = mapping(node, "'refused'", allowed: ["template"]), let pair = fields["template"] else {
            if node.mapping != nil {
                add(
                    SchemaRules.missingField.diagnostic(
                        "'refused' needs 'template': the template's name", at: node.range))
            }
            return nil
        }
        let name = text(pair.value, "'template'")
        note(name, .template, at: pair.value)
        return name.map { .template($0) }
    }

    func textExpectation(_ node: Node, _ what: String) -> TextExpectation? {
        if node.scalar != nil { return messageText(node, what, outcome: "the transcript expects").map { .exact($0) } }
        guard let fields = mapping(node, what, allowed: ["text", "contains", "pattern"]) else { return nil }
        guard fields.count == 1, let pair = fields.values.first else {
            add(
                SchemaRules.invalidValue.diagnostic(
                    "\(what) takes exactly one of 'text', 'contains' or 'pattern'", at: node.range))
            return nil
        }
        switch pair.key {
        case "text":
            return messageText(pair.value, "'text' of \(what)", outcome: "the transcript expects").map { .exact($0) }
        case "contains":
            return messageText(pair.value, "'contains' of \(what)", outcome: "the transcript expects").map {
                .contains($0)
            }
        default: return regex(pair.value, "'pattern'").map { .pattern($0) }
        }
    }
}
