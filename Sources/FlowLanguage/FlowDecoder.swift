import FlowDiagnostics
import FlowSyntax
import Foundation

/// What decoding gives: the typed flow (whenever the root is a mapping) and the schema diagnostics.
public struct DecodeResult: Sendable {
    public var flow: Flow?
    public var diagnostics: [Diagnostic]
}

/// Reads a syntax tree as a flow of the language, version 1 (Docs/language.md is its reference).
///
/// Decoding recovers past every problem: a missing field becomes an empty placeholder and a diagnostic, so
/// that one run reports everything that is wrong. Reference checks (unknown steps and so on) are rules of
/// the compiler, not of the decoder.
public enum FlowDecoder {
    /// The keys of the top level.
    public static let topLevelKeys = [
        "version", "flow", "language", "start", "settings", "policy", "queues", "templates", "steps",
    ]

    /// The keys each step type allows, `type` and `suppress` included.
    public static let stepKeys: [String: [String]] = [
        "consent": ["type", "text", "accept", "decline", "purposes", "opt_in", "sensitive", "data", "suppress"],
        "message": ["type", "text", "attachment", "next", "suppress"],
        "menu": [
            "type", "text", "header", "footer", "button", "display", "options", "invalid", "retries", "fallback",
            "suppress",
        ],
        "ask": [
            "type", "text", "save", "input", "personal_data", "sensitive", "validate", "retry", "attempts",
            "fallback", "next", "suppress",
        ],
        "branch": ["type", "cases", "default", "suppress"],
        "set": ["type", "values", "next", "suppress"],
        "handoff": ["type", "queue", "text", "closed", "next", "suppress"],
        "template": ["type", "template", "parameters", "next", "suppress"],
        "end": ["type", "text", "suppress"],
    ]

    public static let defaultInactivitySeconds = 30 * 60
    /// The offsets from UTC that places use, in seconds: from UTC−12 (Baker Island) to UTC+14 (Kiribati's Line
    /// Islands). `GMT+15` is a valid identifier to Foundation but names no time anyone keeps.
    static let existingOffsets = -12 * 3600...14 * 3600
    public static let defaultMenuRetries = 2
    public static let defaultAskAttempts = 3

    public static func decode(_ root: Node?, fileRange: SourceRange = .fileStart) -> DecodeResult {
        let sink = DiagnosticSink()
        // No document, or one that holds nothing (`---` alone, `~`).
        guard let root, !root.isNull else {
            sink.add(
                SchemaRules.emptyFile.diagnostic(
                    "the file is empty; a flow needs at least 'flow', 'start', 'policy' and 'steps'", at: fileRange))
            return DecodeResult(flow: nil, diagnostics: sink.diagnostics)
        }
        guard let top = MappingReader(root, what: "the flow file", sink: sink) else {
            return DecodeResult(flow: nil, diagnostics: sink.diagnostics)
        }
        let flow = Decoder(sink: sink).flow(top, root: root)
        return DecodeResult(flow: flow, diagnostics: sink.diagnostics)
    }
}

private struct Decoder {
    let sink: DiagnosticSink

    func placeholder(_ range: SourceRange) -> Located<String> { Located("", range: SourceRange(at: range.start)) }

    func flow(_ top: MappingReader, root: Node) -> Flow {
        top.finish(allowed: FlowDecoder.topLevelKeys)
        if let version = top.integer("version", in: 1...1000), version.value != 1 {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "language version \(version.value) is not supported; this talkflow reads version 1",
                    at: version.range))
        }
        let id = top.identifier("flow", required: true, hint: "the flow's id, e.g. 'flow: ventas'")
        let language =
            top.oneOf("language", FlowLanguageCode.self) ?? Located(.es, range: SourceRange(at: root.range.start))
        let start = top.identifier("start", required: true, hint: "the id of the first step")
        let settings = self.settings(top.mapping("settings", what: "settings"), root: root)
        let policy = top.mapping("policy", what: "policy").map(self.policy)
        let queues = self.queues(top)
        let templates = self.templates(top)
        let steps = self.steps(top)
        var flow = Flow(
            id: id ?? placeholder(root.range), language: language, start: start ?? placeholder(root.range),
            settings: settings, policy: policy, queues: queues, templates: templates, steps: steps,
            range: root.range)
        let decoded = Set(steps.map(\.id.value))
        flow.undecodedStepIds = Set(top.value("steps")?.mapping?.map(\.key) ?? []).subtracting(decoded)
        return flow
    }

    // MARK: Settings

    func settings(_ reader: MappingReader?, root: Node) -> Settings {
        let here = SourceRange(at: root.range.start)
        guard let reader else {
            return Settings(
                timeZone: Located("America/Bogota", range: here), businessHours: .standard(at: here),
                inactivityTimeout: Located(FlowDecoder.defaultInactivitySeconds, range: here), inactivityText: nil,
                keywords: [], revocation: nil)
        }
        reader.finish(allowed: ["time_zone", "business_hours", "inactivity", "keywords", "revocation"])
        var timeZone = Located("America/Bogota", range: reader.anchor)
        if let zone = reader.text("time_zone") {
            if TimeZone(identifier: zone.value) == nil {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "unknown time zone '\(zone.value)'; use an IANA name such as 'America/Bogota'",
                        at: zone.range,
                        suggestion: Self.zoneSuggestion(zone.value).map { "did you mean '\($0)'?" }))
            } else if let minutes = Self.offsetMinutes(zone.value), minutes >= 60 {
                // Foundation accepts `UTC+05:60`, which is no offset: minutes run from 00 to 59.
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "time zone '\(zone.value)' has \(minutes) minutes, and the minutes of an offset run from 00 "
                            + "to 59; use an IANA name such as 'America/Bogota'",
                        at: zone.range))
            } else if let offset = TimeZone(identifier: zone.value)?.secondsFromGMT(),
                !FlowDecoder.existingOffsets.contains(offset)
            {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "time zone '\(zone.value)' is \(Self.offsetText(offset)) from UTC, an offset no place uses "
                            + "(they run from -12:00 to +14:00); use an IANA name such as 'America/Bogota'",
                        at: zone.range))
            } else {
                timeZone = zone
            }
        }
        let hours = reader.mapping("business_hours").map(businessHours) ?? .standard(at: reader.anchor)
        var timeout = Located(FlowDecoder.defaultInactivitySeconds, range: reader.anchor)
        var inactivityText: Located<String>?
        if let inactivity = reader.mapping("inactivity") {
            inactivity.finish(allowed: ["after", "text"])
            if let after = inactivity.text("after") {
                if let seconds = Durations.seconds(after.value) {
                    timeout = Located(seconds, range: after.range)
                } else {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'after' of inactivity must be a duration such as '30m', '2h', '45s' or '1d' (a "
                                + "whole number from 1 to 1000000 and a unit), found '\(after.value)'",
                            at: after.range))
                }
            }
            inactivityText = inactivity.text("text")
        }
        var keywords: [Keyword] = []
        for item in reader.list("keywords") ?? [] {
            guard let keyword = MappingReader(item, what: "a keyword", sink: sink) else { continue }
            keyword.finish(allowed: ["words", "goto"])
            let words = keyword.textList("words", required: true)
            if let list = keyword.pair("words")?.value, list.sequence?.isEmpty == true {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'words' of a keyword is empty: no message would ever match it; list at least one word",
                        at: list.range))
            }
            refuseBlank(words, of: "a keyword")
            guard let target = keyword.identifier("goto", required: true, hint: "the step the words lead to") else {
                continue
            }
            keywords.append(Keyword(words: words, target: target, range: item.range))
        }
        var revocation: Revocation?
        if let reader = reader.mapping("revocation", what: "revocation") {
            reader.finish(allowed: ["words", "text", "next"])
            let words = reader.textList("words", required: true)
            refuseBlank(words, of: "revocation")
            let text = reader.text("text", required: true, hint: "the confirmation sent after revoking")
            revocation = Revocation(
                words: words, text: text ?? placeholder(reader.node.range), next: reader.identifier("next"),
                range: reader.node.range)
        }
        return Settings(
            timeZone: timeZone, businessHours: hours, inactivityTimeout: timeout, inactivityText: inactivityText,
            keywords: keywords, revocation: revocation)
    }

    /// A blank word of a keyword or of revocation is `invalid_value` where it is written: no message matches it.
    func refuseBlank(_ words: [Located<String>], of holder: String) {
        for word in words where word.value.allSatisfy(\.isWhitespace) {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "a word of \(holder) is blank: no message would ever match it; remove it", at: word.range))
        }
    }

    /// The IANA zone an unknown `time_zone` was probably meant to be: its city written as people write it
    /// (`New York`), else the closest name (`Europe/Madird`, case aside).
    static func zoneSuggestion(_ text: String) -> String? {
        zoneNamed(text) ?? Suggestions.closest(to: text, in: TimeZone.knownTimeZoneIdentifiers)
    }

    /// The minutes written in a fixed offset (`30` of `UTC+05:30` or `GMT+0530`); `nil` when there are none.
    static func offsetMinutes(_ text: String) -> Int? {
        let upper = text.uppercased()
        guard upper.hasPrefix("UTC") || upper.hasPrefix("GMT") else { return nil }
        let rest = upper.dropFirst(3)
        guard let sign = rest.first, sign == "+" || sign == "-" else { return nil }
        let parts = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        if parts.count == 2 { return Int(parts[1]) }
        guard parts.count == 1, (3...4).contains(parts[0].count) else { return nil }
        return Int(parts[0].suffix(2))
    }

    /// An offset in seconds as `+14:30` or `-12:00`.
    static func offsetText(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        let hh = minutes / 60 < 10 ? "0\(minutes / 60)" : "\(minutes / 60)"
        let mm = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
        return (seconds < 0 ? "-" : "+") + hh + ":" + mm
    }

    /// The IANA zone whose city is `text` written as people write it (`New York`, `bogota`, `Sao Paulo`):
    /// spaces as underscores, case and accents ignored.
    static func zoneNamed(_ text: String) -> String? {
        let wanted = TextMatching.normalize(text).replacingOccurrences(of: " ", with: "_")
        guard !wanted.isEmpty, wanted.count <= 64 else { return nil }
        return TimeZone.knownTimeZoneIdentifiers.first { identifier in
            guard let city = identifier.split(separator: "/").last else { return false }
            return TextMatching.normalize(String(city)) == wanted || TextMatching.normalize(identifier) == wanted
        }
    }

    /// Weekday keys and `holidays` as Spanish and Portuguese speakers write them (normalized), for the suggestion.
    static let weekdayTranslations: [String: String] = [
        "lunes": "monday", "martes": "tuesday", "miercoles": "wednesday", "jueves": "thursday",
        "viernes": "friday", "sabado": "saturday", "domingo": "sunday", "festivos": "holidays",
        "feriados": "holidays", "segunda": "monday", "segunda-feira": "monday", "terca": "tuesday",
        "terca-feira": "tuesday", "quarta": "wednesday", "quarta-feira": "wednesday", "quinta": "thursday",
        "quinta-feira": "thursday", "sexta": "friday", "sexta-feira": "friday",
    ]

    func businessHours(_ reader: MappingReader) -> BusinessHours {
        reader.finish(allowed: Weekday.allCases.map(\.rawValue) + ["holidays"], translations: Self.weekdayTranslations)
        var week: [Weekday: [Located<TimeSpan>]] = [:]
        for day in Weekday.allCases {
            guard let items = reader.list(day.rawValue) else { continue }
            var spans: [Located<TimeSpan>] = []
            for item in items {
                guard let text = MappingReader.text(item, what: "a span of \(day.rawValue)", sink: sink) else {
                    continue
                }
                if let span = Durations.timeSpan(text.value) {
                    spans.append(Located(span, range: text.range))
                } else if let problem = CalendarValueProblem.span(text.value, of: day) {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            problem.message, at: text.range, suggestion: problem.help))
                } else {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'\(text.value)' is not a span of the day; write it as 'HH:MM-HH:MM' with the start "
                                + "before the end, e.g. '08:00-12:00'", at: text.range))
                }
            }
            week[day] = spans
        }
        var holidays: [Located<String>] = []
        var calendars: [Located<NationalCalendar>] = []
        let calendarNames = NationalCalendar.allCases.map(\.rawValue)
        for text in reader.textList("holidays") {
            if Durations.isDate(text.value) {
                holidays.append(text)
            } else if let calendar = NationalCalendar(rawValue: text.value) {
                calendars.append(Located(calendar, range: text.range))
            } else if let problem = CalendarValueProblem.date(text.value) {
                sink.add(SchemaRules.invalidValue.diagnostic(problem.message, at: text.range, suggestion: problem.help))
            } else {
                // `Colombia` is refused like any other word (names are lower case, as durations' units are),
                // with the right spelling as the fix.
                let suggestion = Suggestions.closest(to: text.value, in: calendarNames)
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "holiday '\(text.value)' is neither a date nor a national calendar; write a date as "
                            + "'YYYY-MM-DD', e.g. '2026-12-25', or 'colombia' for every Colombian national holiday",
                        at: text.range, suggestion: suggestion.map { "did you mean '\($0)'?" }))
            }
        }
        return BusinessHours(week: week, holidays: holidays, nationalCalendars: calendars, range: reader.node.range)
    }

    // MARK: Policy, queues, templates

    func policy(_ reader: MappingReader) -> Policy {
        reader.finish(allowed: ["version", "url", "responsible", "purposes", "processors"])
        let version = reader.text("version", required: true, hint: "the policy version, e.g. \"2026-01\"")
        let url = reader.text("url", required: true, hint: "the link to the published data-processing policy")
        var responsible = Responsible(
            name: placeholder(reader.node.range), address: nil, email: nil, phone: nil, range: reader.anchor)
        if let r = reader.mapping("responsible", what: "the policy's responsible party", required: true) {
            r.finish(allowed: ["name", "address", "email", "phone"])
            responsible = Responsible(
                name: r.text("name", required: true) ?? placeholder(r.node.range), address: r.text("address"),
                email: r.text("email"), phone: r.text("phone"), range: r.node.range)
        }
        var purposes: [Purpose] = []
        for item in reader.list("purposes", required: true) ?? [] {
            guard let p = MappingReader(item, what: "a purpose", sink: sink) else { continue }
            p.finish(allowed: ["id", "description", "optional", "marketing", "human_attention"])
            guard let id = p.identifier("id", required: true) else { continue }
            purposes.append(
                Purpose(
                    id: id, description: p.text("description", required: true) ?? placeholder(item.range),
                    optional: p.bool("optional")?.value ?? false, marketing: p.bool("marketing")?.value ?? false,
                    humanAttention: p.bool("human_attention")?.value ?? false, range: item.range))
        }
        var processors: [Processor] = []
        for item in reader.list("processors") ?? [] {
            guard let p = MappingReader(item, what: "a processor", sink: sink) else { continue }
            p.finish(allowed: ["name", "country"])
            // Kept with a placeholder for a missing part (reported as missing_field), so that checks reading the
            // processors do not also report that the policy names none.
            let name = p.text("name", required: true) ?? placeholder(item.range)
            let country = p.text("country", required: true) ?? placeholder(item.range)
            processors.append(Processor(name: name, country: country))
        }
        return Policy(
            version: version ?? placeholder(reader.node.range), url: url ?? placeholder(reader.node.range),
            responsible: responsible, purposes: purposes, processors: processors, range: reader.node.range)
    }

    func queues(_ top: MappingReader) -> [Queue] {
        guard let node = top.value("queues") else { return [] }
        guard let pairs = node.mapping else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'queues' must map each queue name to its list of agents, found \(node.kindDescription)",
                    at: node.range))
            return []
        }
        var queues: [Queue] = []
        for pair in pairs {
            let name = Located(pair.key, range: pair.keyRange)
            guard MappingReader.checkIdentifier(name, what: "queue", sink: sink) else { continue }
            var agents: [Located<String>] = []
            var malformed = false
            if let items = pair.value.sequence {
                // Spaces around an agent's name are no part of it (lint's duplicate_agent already ignores them):
                // `" Eva "` is Eva in the rotation, in handoffs and in transcripts.
                agents = items.compactMap {
                    MappingReader.text($0, what: "an agent of queue '\(pair.key)'", sink: sink).map {
                        Located($0.value.trimmingCharacters(in: .whitespacesAndNewlines), range: $0.range)
                    }
                }
            } else if !pair.value.isNull {
                sink.add(
                    SchemaRules.wrongType.diagnostic(
                        "queue '\(pair.key)' must be a list of agents, e.g. [ana, bruno], found "
                            + pair.value.kindDescription, at: pair.value.range))
                malformed = true
            }
            var queue = Queue(name: name, agents: agents, range: pair.value.range)
            queue.isMalformed = malformed
            queues.append(queue)
        }
        return queues
    }

    func templates(_ top: MappingReader) -> [Template] {
        guard let node = top.value("templates") else { return [] }
        guard let pairs = node.mapping else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'templates' must map each template key to its definition, found \(node.kindDescription)",
                    at: node.range))
            return []
        }
        var templates: [Template] = []
        for pair in pairs {
            let key = Located(pair.key, range: pair.keyRange)
            guard MappingReader.checkIdentifier(key, what: "template", sink: sink),
                let t = MappingReader(
                    pair.value, what: "template '\(pair.key)'", anchor: pair.keyRange, sink: sink)
            else { continue }
            t.finish(allowed: ["name", "language", "category", "body", "header", "opt_out"])
            let name = t.text("name", required: true, hint: "the name approved by Meta")
            let language = t.text("language", required: true, hint: "the approved translation, e.g. 'es'")
            let category = t.oneOf("category", TemplateCategory.self, required: true)
            let body = t.text("body", required: true)
            let optOut = t.text("opt_out")
            var header: TemplateHeader?
            if let h = t.mapping("header") {
                h.finish(allowed: ["type", "link"])
                if let type = h.oneOf("type", TemplateMediaType.self, required: true),
                    let link = h.text("link", required: true, hint: "the media's https URL")
                {
                    MediaLink.check(link, named: "'link' of the header of template '\(pair.key)'", sink: sink)
                    header = TemplateHeader(type: type, link: link, range: h.node.range)
                }
            }
            templates.append(
                Template(
                    key: key, name: name ?? placeholder(pair.keyRange),
                    language: language ?? placeholder(pair.keyRange),
                    category: category ?? Located(.utility, range: pair.keyRange),
                    body: body ?? placeholder(pair.keyRange), header: header, optOut: optOut,
                    range: pair.value.range))
        }
        return templates
    }

    // MARK: Steps

    func steps(_ top: MappingReader) -> [Step] {
        guard let node = top.value("steps", required: true, hint: "the flow's steps, keyed by id") else { return [] }
        guard let pairs = node.mapping else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'steps' must map each step id to its definition, found \(node.kindDescription)", at: node.range))
            return []
        }
        return pairs.compactMap(step)
    }

    func step(_ pair: Pair) -> Step? {
        let id = Located(pair.key, range: pair.keyRange)
        guard MappingReader.checkIdentifier(id, what: "step", sink: sink),
            let s = MappingReader(pair.value, what: "step '\(pair.key)'", anchor: pair.keyRange, sink: sink)
        else { return nil }
        guard let type = s.text("type", required: true, hint: "one of \(StepKind.names.joined(separator: ", "))")
        else { return nil }
        guard let allowed = FlowDecoder.stepKeys[type.value] else {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "unknown step type '\(type.value)'; use one of \(StepKind.names.joined(separator: ", "))",
                    at: type.range,
                    suggestion: Suggestions.closest(to: type.value, in: StepKind.names).map { "did you mean '\($0)'?" }
                ))
            return nil
        }
        s.finish(allowed: allowed)
        let suppressed = s.textList("suppress")
        let here = placeholder(pair.keyRange)
        let kind: StepKind
        switch type.value {
        case "consent": kind = .consent(consent(s, here: here))
        case "message":
            var attachment: Attachment?
            if let a = s.mapping("attachment") {
                a.finish(allowed: ["url", "filename", "caption"])
                if let url = a.text("url", required: true, hint: "the file's https URL") {
                    MediaLink.check(url, named: "'url' of the attachment", sink: sink)
                    attachment = Attachment(
                        url: url, filename: a.text("filename"), caption: a.text("caption"), range: a.node.range)
                }
            }
            kind = .message(
                MessageStep(
                    text: s.text("text", required: true) ?? here, attachment: attachment, next: s.identifier("next")))
        case "menu": kind = .menu(menu(s, here: here))
        case "ask": kind = .ask(ask(s, here: here))
        case "branch":
            var cases: [BranchCase] = []
            var malformedTargets: [Located<String>] = []
            for item in s.list("cases", required: true) ?? [] {
                guard let c = MappingReader(item, what: "a case of step '\(pair.key)'", sink: sink) else { continue }
                c.finish(allowed: ["when", "next"])
                let condition = c.value("when", required: true, hint: "the condition").flatMap(condition)
                let next = c.identifier("next", required: true)
                guard let condition else {
                    if let next { malformedTargets.append(next) }
                    continue
                }
                cases.append(BranchCase(condition: condition, next: next, range: item.range))
            }
            var branch = BranchStep(cases: cases, otherwise: s.identifier("default"))
            branch.malformedCaseTargets = malformedTargets
            kind = .branch(branch)
        case "set":
            var assignments: [(variable: Located<String>, value: Located<String>)] = []
            var malformed: [Located<String>] = []
            if let values = s.mapping("values", required: true) {
                for pair in values.node.mapping ?? [] {
                    let name = Located(pair.key, range: pair.keyRange)
                    guard Identifiers.isVariable(pair.key) else {
                        sink.add(
                            SchemaRules.invalidIdentifier.diagnostic(
                                "'\(pair.key)' is not a valid variable name; use lowercase letters, digits and '_', "
                                    + "starting with a letter", at: pair.keyRange))
                        continue
                    }
                    // A null value is no value (language.md: it counts as absent), not the text "~" or "null".
                    if pair.value.isNull {
                        let written = pair.value.scalar ?? ""
                        sink.add(
                            SchemaRules.missingField.diagnostic(
                                "'values' of \(s.what) gives '\(pair.key)' no value (null)", at: pair.keyRange,
                                suggestion: "write its text; \(pair.key): \"\" empties the variable"
                                    + (written.isEmpty
                                        ? "" : ", and \(pair.key): \"\(written)\" sets the characters \(written)")))
                        malformed.append(name)
                        continue
                    }
                    if let value = MappingReader.text(pair.value, what: "the value of '\(pair.key)'", sink: sink) {
                        assignments.append((name, value))
                    } else {
                        malformed.append(name)
                    }
                }
                if values.node.mapping?.isEmpty == true {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'values' of \(s.what) sets nothing; give at least one variable and its value, "
                                + "e.g. { producto: comprar }", at: values.node.range))
                }
            }
            var set = SetStep(assignments: assignments, next: s.identifier("next"))
            set.malformedVariables = malformed
            kind = .set(set)
        case "handoff":
            var closedText: Located<String>?
            var closedNext: Located<String>?
            if let closed = s.mapping("closed") {
                closed.finish(allowed: ["text", "next"])
                closedText = closed.text("text")
                closedNext = closed.identifier("next")
            }
            kind = .handoff(
                HandoffStep(
                    queue: s.identifier("queue", required: true, hint: "the agent queue to hand the contact to")
                        ?? here,
                    text: s.text("text", required: true) ?? here, closedText: closedText, closedNext: closedNext,
                    next: s.identifier("next")))
        case "template":
            kind = .template(
                TemplateStep(
                    template: s.identifier("template", required: true) ?? here,
                    parameters: s.textList("parameters"), next: s.identifier("next")))
        default:
            kind = .end(EndStep(text: s.text("text")))
        }
        return Step(id: id, kind: kind, suppressed: suppressed, range: pair.value.range)
    }

    func choice(_ s: MappingReader, _ key: String, here: Located<String>) -> ConsentChoice {
        guard let c = s.mapping(key, required: true) else {
            return ConsentChoice(title: here, next: nil, range: here.range)
        }
        c.finish(allowed: ["title", "next"])
        return ConsentChoice(
            title: c.text("title", required: true, hint: "the button label, e.g. 'Acepto'") ?? here,
            next: c.identifier("next", required: true), range: c.node.range)
    }

    func consent(_ s: MappingReader, here: Located<String>) -> ConsentStep {
        var optIn: OptIn?
        if let o = s.mapping("opt_in") {
            o.finish(allowed: ["purpose", "text", "accept", "decline"])
            optIn = OptIn(
                purpose: o.identifier("purpose", required: true) ?? here, text: o.text("text", required: true) ?? here,
                accept: o.text("accept", required: true, hint: "the accept button label") ?? here,
                decline: o.text("decline", required: true, hint: "the decline button label") ?? here,
                range: o.node.range)
        }
        return ConsentStep(
            text: s.text("text", required: true, hint: "the authorization text shown to the contact") ?? here,
            accept: choice(s, "accept", here: here), decline: choice(s, "decline", here: here),
            purposes: s.textList("purposes"), optIn: optIn, sensitive: s.bool("sensitive")?.value ?? false,
            sensitiveData: s.textList("data"))
    }

    func menu(_ s: MappingReader, here: Located<String>) -> MenuStep {
        var options: [MenuOption] = []
        let listed = s.list("options", required: true)
        for item in listed ?? [] {
            guard let o = MappingReader(item, what: "an option of \(s.what)", sink: sink) else { continue }
            o.finish(allowed: ["id", "title", "description", "synonyms", "next"])
            guard let id = o.identifier("id", required: true, hint: "the reply id"),
                let title = o.text("title", required: true)
            else { continue }
            // WhatsApp refuses a reply button or a list row without a title.
            if title.value.allSatisfy(\.isWhitespace) {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "the 'title' of option '\(id.value)' of \(s.what) is empty; WhatsApp shows and needs a title",
                        at: title.range))
            }
            options.append(
                MenuOption(
                    id: id, title: title, description: o.text("description"), synonyms: o.textList("synonyms"),
                    next: o.identifier("next", required: true), range: item.range))
        }
        return MenuStep(
            text: s.text("text", required: true) ?? here, header: s.text("header"), footer: s.text("footer"),
            button: s.text("button"),
            display: s.oneOf("display", MenuDisplay.self) ?? Located(.auto, range: here.range),
            options: options, listedOptions: listed?.count, invalid: s.text("invalid"),
            retries: s.integer("retries", in: 0...20) ?? Located(FlowDecoder.defaultMenuRetries, range: here.range),
            fallback: s.identifier("fallback"))
    }

    /// A bound as written: `10` rather than `10.0`.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    func ask(_ s: MappingReader, here: Located<String>) -> AskStep {
        var validation = Validation.none
        if let v = s.mapping("validate") {
            v.finish(allowed: ["min_length", "max_length", "min", "max", "pattern"])
            // A pattern that does not compile would match nothing, and the runtime would let every answer pass.
            let pattern = v.text("pattern").flatMap { pattern -> Located<String>? in
                if let problem = PatternCheck.problem(pattern.value) {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'\(pattern.value)' is not a valid regular expression: \(problem)", at: pattern.range))
                    return nil
                }
                return pattern
            }
            validation = Validation(
                minLength: v.integer("min_length", in: 0...4096), maxLength: v.integer("max_length", in: 1...4096),
                min: v.number("min"), max: v.number("max"), pattern: pattern)
            for key in ["min_length", "max_length", "min", "max", "pattern"] {
                if let pair = v.pair(key) { validation.keyRanges[key] = pair.keyRange }
            }
            // Bounds no answer can meet would make the question unanswerable: every reply would be retried.
            if let low = validation.minLength, let high = validation.maxLength, low.value > high.value {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'min_length' \(low.value) is more than 'max_length' \(high.value): no answer can meet both",
                        at: low.range))
            }
            if let low = validation.min, let high = validation.max, low.value > high.value {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'min' \(Self.plain(low.value)) is more than 'max' \(Self.plain(high.value)): no answer can "
                            + "meet both", at: low.range))
            }
        }
        let input = s.oneOf("input", InputType.self)
        var ask = AskStep(
            text: s.text("text", required: true) ?? here,
            variable: s.variable("save", required: true) ?? here,
            input: input ?? Located(.text, range: here.range),
            personalData: s.bool("personal_data")?.value ?? false, sensitive: s.bool("sensitive")?.value ?? false,
            validation: validation, retry: s.text("retry"),
            attempts: s.integer("attempts", in: 1...20) ?? Located(FlowDecoder.defaultAskAttempts, range: here.range),
            fallback: s.identifier("fallback"), next: s.identifier("next"))
        ask.inputUnknown = input == nil && s.pair("input").map { !$0.value.isNull } == true
        return ask
    }

    // MARK: Conditions

    static let conditionForms = ["variable", "contact", "business_hours", "consent", "all", "any", "not"]

    /// What an operator takes, for the message when it is written without it.
    static func operandHint(_ op: String) -> String {
        switch op {
        case "equals", "not_equals": "the text to compare with"
        case "contains": "the text to look for"
        case "matches": "a regular expression"
        case "in": "a list of texts, e.g. [a, b]"
        case "is_set": "true or false"
        default: "a number"
        }
    }

    func condition(_ node: Node) -> Condition? {
        guard let c = MappingReader(node, what: "a condition", sink: sink) else { return nil }
        let forms = c.keys.filter { Self.conditionForms.contains($0) }
        guard forms.count == 1, let form = forms.first else {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    forms.isEmpty
                        ? "a condition needs one of \(Self.conditionForms.map { "'\($0)'" }.joined(separator: ", "))"
                        : "a condition takes exactly one of 'variable', 'contact', 'business_hours', 'consent', "
                            + "'all', 'any', 'not'; found \(forms.map { "'\($0)'" }.joined(separator: ", "))",
                    at: node.range))
            c.finish(allowed: Self.conditionForms + Comparison.keys)
            return nil
        }
        switch form {
        case "business_hours":
            c.finish(allowed: ["business_hours"])
            guard let value = c.text("business_hours", required: true, hint: "'open' or 'closed'") else {
                return nil
            }
            guard value.value == "open" || value.value == "closed" else {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'business_hours' must be 'open' or 'closed', found '\(value.value)'", at: value.range))
                return nil
            }
            return .businessHours(open: value.value == "open", node.range)
        case "consent":
            c.finish(allowed: ["consent"])
            guard let value = c.text("consent", required: true, hint: "'given' or 'not_given'") else { return nil }
            guard value.value == "given" || value.value == "not_given" else {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'consent' must be 'given' or 'not_given', found '\(value.value)'", at: value.range))
                return nil
            }
            return .consentGiven(value.value == "given", node.range)
        case "all", "any":
            c.finish(allowed: [form])
            let all = form == "all"
            let hint = all ? "a list of conditions that must all hold" : "a list of conditions of which one must hold"
            guard let listed = c.list(form, required: true, hint: hint) else { return nil }
            // An empty `all` would always hold and an empty `any` never: a case that decides nothing.
            if listed.isEmpty, let list = c.value(form) {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "'\(form)' of a condition lists no condition, so it would \(all ? "always" : "never") hold",
                        at: list.range, suggestion: "list at least one condition"))
                return nil
            }
            let items = listed.compactMap(condition)
            return all ? .all(items, node.range) : .any(items, node.range)
        case "not":
            c.finish(allowed: ["not"])
            guard let inner = c.value("not", required: true, hint: "the condition to negate").flatMap(condition)
            else { return nil }
            return .not(inner, node.range)
        default:
            c.finish(allowed: [form] + Comparison.keys)
            let subjectHint = form == "contact" ? "'name' or 'phone'" : "the name of the variable to compare"
            guard let name = c.text(form, required: true, hint: subjectHint) else { return nil }
            let subject: Subject
            if form == "contact" {
                guard ["name", "phone"].contains(name.value) else {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "contact attribute '\(name.value)' does not exist; use 'name' or 'phone'", at: name.range))
                    return nil
                }
                subject = .contact(name.value)
            } else {
                guard Identifiers.isVariable(name.value) else {
                    sink.add(
                        SchemaRules.invalidIdentifier.diagnostic(
                            "'\(name.value)' is not a valid variable name; use lowercase letters, digits and '_', "
                                + "starting with a letter", at: name.range))
                    return nil
                }
                subject = .variable(name.value)
            }
            let operators = c.keys.filter { Comparison.keys.contains($0) }
            guard operators.count == 1, let op = operators.first else {
                sink.add(
                    SchemaRules.invalidValue.diagnostic(
                        "a comparison takes exactly one operator: "
                            + Comparison.keys.map { "'\($0)'" }.joined(separator: ", "), at: node.range))
                return nil
            }
            // A null operand leaves the operator without a value: refused at it, not read as no condition.
            guard c.value(op, required: true, hint: Self.operandHint(op)) != nil else { return nil }
            let comparison: Comparison?
            switch op {
            case "equals": comparison = c.text(op).map { .equals($0.value) }
            case "not_equals": comparison = c.text(op).map { .notEquals($0.value) }
            case "in":
                // An empty list never holds: a case that decides nothing, as an empty `any`.
                if let list = c.value(op), case .sequence(let items) = list.value, items.isEmpty {
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'in' of a condition lists no text, so it would never hold", at: list.range,
                            suggestion: "list at least one text"))
                    return nil
                }
                comparison = .oneOf(c.textList(op).map(\.value))
            case "contains":
                // Every text contains the empty text: a blank operand (text comparisons ignore extra spaces) decides
                // nothing, and is refused as `in: []` is.
                let operand = c.text(op)
                if let operand, TextMatching.normalize(operand.value).isEmpty {
                    let what = operand.value.isEmpty ? "is empty" : "holds only spaces, which text comparisons ignore"
                    sink.add(
                        SchemaRules.invalidValue.diagnostic(
                            "'contains' of a condition \(what); every text contains the empty text, so the case "
                                + "would decide nothing", at: operand.range,
                            suggestion: "write the text to look for, or use 'is_set: true' for any value"))
                    return nil
                }
                comparison = operand.map { .contains($0.value) }
            case "matches":
                comparison = c.text(op).flatMap { pattern in
                    if let problem = PatternCheck.problem(pattern.value) {
                        sink.add(
                            SchemaRules.invalidValue.diagnostic(
                                "'\(pattern.value)' is not a valid regular expression: \(problem)",
                                at: pattern.range))
                        return nil
                    }
                    return .matches(pattern.value)
                }
            case "less_than": comparison = c.number(op).map { .lessThan($0.value) }
            case "greater_than": comparison = c.number(op).map { .greaterThan($0.value) }
            case "at_least": comparison = c.number(op).map { .atLeast($0.value) }
            case "at_most": comparison = c.number(op).map { .atMost($0.value) }
            default: comparison = c.bool(op).map { .isSet($0.value) }
            }
            guard let comparison else { return nil }
            return .compare(Located(subject, range: name.range), comparison, node.range)
        }
    }
}

/// Parsing of the language's small formats: durations, spans of the day, dates.
public enum Durations {
    /// The largest number of a duration, in its unit.
    public static let maximum = 1_000_000

    /// `30s`, `30m`, `2h`, `1d` in seconds: a whole number from 1 to `maximum`, written without leading
    /// zeros, and a unit; `nil` for anything else (as the JSON Schema's `duration` pattern says).
    public static func seconds(_ text: String) -> Int? {
        let digits = text.dropLast()
        guard let unit = text.last, !digits.isEmpty, digits.count <= 7, digits.allSatisfy(\.isASCIIDigit),
            digits.first != "0", let number = Int(digits), (1...maximum).contains(number)
        else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        default: return nil
        }
    }

    /// `HH:MM-HH:MM`, start before end, `24:00` allowed as an end; spaces (U+0020 only, as language.md and the
    /// schema's `span` say) may surround the `-`.
    public static func timeSpan(_ text: String) -> TimeSpan? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let spaces = CharacterSet(charactersIn: " ")
        guard parts.count == 2, let start = minute(parts[0].trimmingCharacters(in: spaces)),
            let end = minute(parts[1].trimmingCharacters(in: spaces)), start < end
        else { return nil }
        return TimeSpan(startMinute: start, endMinute: end)
    }

    static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            text.allSatisfy({ $0 == ":" || $0.isASCIIDigit }),
            let h = Int(parts[0]), let m = Int(parts[1]),
            (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0
        else { return nil }
        return h * 60 + m
    }

    /// `YYYY-MM-DD` naming a real day of the Gregorian calendar.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            text.allSatisfy({ $0 == "-" || $0.isASCIIDigit }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return false }
        return d <= days(inMonth: m, of: y)
    }

    /// The days of month `month` (1 to 12) of `year` in the Gregorian calendar.
    static func days(inMonth month: Int, of year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}

extension Character {
    /// `0`…`9` only: durations, times and dates never take signs or other digits.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
