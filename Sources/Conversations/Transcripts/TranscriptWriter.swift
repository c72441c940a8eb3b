import FlowRuntime
import FlowSyntax

/// Writes transcripts as YAML text in the format of Docs/testing.md: `talkflow repl` saves a conversation with
/// it, and tests build transcripts with it.
///
/// Record each input with what it produced (or let `perform(_:on:)` do both), then call `yaml()`. The text
/// lists every effect an exhaustive transcript requires, with exact texts, plus the messages relayed to the
/// agent, so replaying it with `TranscriptRunner` passes. Texts longer than a line are written as folded
/// blocks (`>-`) wrapped at 120 columns; anything a folded block cannot carry exactly is double-quoted.
public struct TranscriptWriter: Sendable {
    /// One recorded input and what it produced; `input` is `nil` for the effects of starting at a fixture step.
    public struct Entry: Sendable, Hashable {
        public var input: TranscriptInput?
        public var outcome: TranscriptOutcome

        public init(input: TranscriptInput?, outcome: TranscriptOutcome) {
            self.input = input
            self.outcome = outcome
        }
    }

    /// The flow file, relative to where the transcript will be saved.
    public var flowPath: String
    /// Written as `name:` when set.
    public var name: String?
    public var fixtures: TranscriptFixtures
    public private(set) var entries: [Entry] = []

    public init(flowPath: String, name: String? = nil, fixtures: TranscriptFixtures = TranscriptFixtures()) {
        self.flowPath = flowPath
        self.name = name
        self.fixtures = fixtures
    }

    /// Records an input and what it produced. `assignedAgent` is the agent the rotation gave a handoff this
    /// input requested (the simulator's `session.agent` right after the input).
    public mutating func record(_ input: TranscriptInput?, effects: [Effect], assignedAgent: String? = nil) {
        entries.append(Entry(input: input, outcome: TranscriptOutcome(effects: effects, assignedAgent: assignedAgent)))
    }

    /// Records an input and its outcome as `TranscriptDriver` returned them.
    public mutating func record(_ input: TranscriptInput?, outcome: TranscriptOutcome) {
        entries.append(Entry(input: input, outcome: outcome))
    }

    /// Performs an input on a simulator with `TranscriptDriver` and records it when it succeeds.
    @discardableResult
    public mutating func perform(
        _ input: TranscriptInput, on simulator: Simulator
    ) -> Result<TranscriptOutcome, TranscriptDriver.Failure> {
        let result = TranscriptDriver.perform(input, on: simulator)
        if case .success(let outcome) = result { record(input, outcome: outcome) }
        return result
    }

    /// The recording as a transcript value: each input followed by the expectations of what it produced.
    public var transcript: Transcript {
        var steps: [TranscriptStep] = []
        for entry in entries {
            if let input = entry.input { steps.append(TranscriptStep(.input(input))) }
            for observed in ObservedEffect.observe(entry.outcome) {
                if case .relayed = observed {
                } else if !observed.isRequired {
                    continue
                }
                steps.append(TranscriptStep(.expect(observed.expectation)))
            }
        }
        return Transcript(name: name ?? "", flowPath: flowPath, fixtures: fixtures, steps: steps)
    }

    /// The recording as transcript YAML.
    public func yaml() -> String {
        var copy = transcript
        copy.name = name ?? ""
        return Self.yaml(copy)
    }

    /// Any transcript as YAML text that `TranscriptParser` reads back to the same value (ranges aside). An
    /// empty `name` is left out.
    public static func yaml(_ transcript: Transcript) -> String {
        var out = YAMLText()
        if !transcript.name.isEmpty { out.line(0, "name: " + YAMLText.scalar(transcript.name)) }
        out.line(0, "flow: " + YAMLText.scalar(transcript.flowPath))
        let f = transcript.fixtures
        if !f.isEmpty {
            out.line(0, "fixtures:")
            if let time = f.time { out.line(1, "time: " + YAMLText.scalar(time.description)) }
            if f.contactName != nil || f.contactPhone != nil {
                var parts: [String] = []
                if let name = f.contactName { parts.append("name: " + YAMLText.scalar(name)) }
                if let phone = f.contactPhone { parts.append("phone: " + YAMLText.scalar(phone)) }
                out.line(1, "contact: { " + parts.joined(separator: ", ") + " }")
            }
            if let consent = f.consent {
                if consent.version == nil && !consent.optIn {
                    out.line(1, "consent: accepted")
                } else {
                    var parts: [String] = []
                    if let version = consent.version { parts.append("version: " + YAMLText.scalar(version)) }
                    if consent.optIn { parts.append("opt_in: true") }
                    out.line(1, "consent: { " + parts.joined(separator: ", ") + " }")
                }
            }
            if !f.rotation.isEmpty {
                out.line(1, "rotation:")
                for r in f.rotation { out.line(2, YAMLText.scalar(r.queue) + ": " + YAMLText.scalar(r.agent)) }
            }
            if let step = f.step { out.line(1, "step: " + YAMLText.scalar(step)) }
            if !f.variables.isEmpty {
                out.line(1, "variables:")
                for v in f.variables { out.text(2, YAMLText.scalar(v.name) + ":", v.value) }
            }
        }
        if !transcript.exhaustive { out.line(0, "exhaustive: false") }
        out.line(0, transcript.steps.isEmpty ? "steps: []" : "steps:")
        for step in transcript.steps {
            switch step.kind {
            case .input(let input): writeInput(input, to: &out)
            case .expect(let expectation): writeExpectation(expectation, to: &out)
            }
        }
        return out.text
    }

    static func writeInput(_ input: TranscriptInput, to out: inout YAMLText) {
        switch input {
        case .contact(let text): out.text(1, "- contact:", text)
        case .forwarded(let text): out.text(1, "- forwarded:", text)
        case .unreadable(let type): out.line(1, "- unreadable: " + YAMLText.scalar(type))
        case .tap(let choice): out.line(1, "- tap: " + YAMLText.scalar(choice))
        case .attachment(let a):
            var parts = ["type: " + YAMLText.scalar(a.type), "size: " + TranscriptUnits.formatSize(a.size)]
            if let name = a.name { parts.append("name: " + YAMLText.scalar(name)) }
            out.line(1, "- attachment: { " + parts.joined(separator: ", ") + " }")
        case .agent(let text): out.text(1, "- agent:", text)
        case .agentClose: out.line(1, "- agent_close: true")
        case .wait(let seconds): out.line(1, "- wait: " + TranscriptUnits.formatDuration(seconds))
        case .at(let time): out.line(1, "- at: " + YAMLText.scalar(time.description))
        }
    }

    static func writeExpectation(_ expectation: TranscriptExpectation, to out: inout YAMLText) {
        switch expectation {
        case .bot(let message): writeMessage("- bot:", message, to: &out)
        case .windowClosed(let message): writeMessage("- window_closed:", message, to: &out)
        case .consent(let choice, let purposes, let sensitive):
            if purposes == nil && sensitive == nil {
                out.line(1, "- consent: " + YAMLText.scalar(choice))
            } else {
                var parts = ["choice: " + YAMLText.scalar(choice)]
                if let purposes {
                    parts.append("purposes: [" + purposes.map { YAMLText.scalar($0) }.joined(separator: ", ") + "]")
                }
                if let sensitive { parts.append("sensitive: \(sensitive)") }
                out.line(1, "- consent: { " + parts.joined(separator: ", ") + " }")
            }
        case .revoked: out.line(1, "- revoked: true")
        case .handoff(let queue, let agent):
            var parts: [String] = []
            if let queue { parts.append("queue: " + YAMLText.scalar(queue)) }
            if let agent { parts.append("agent: " + YAMLText.scalar(agent)) }
            out.line(1, parts.isEmpty ? "- handoff: {}" : "- handoff: { " + parts.joined(separator: ", ") + " }")
        case .handoffEnded: out.line(1, "- handoff_ended: true")
        case .closed(let reason): out.line(1, "- closed: " + YAMLText.scalar(reason))
        case .refused(.agentMessage): out.line(1, "- refused: agent_message")
        case .refused(.template(nil)): out.line(1, "- refused: template")
        case .refused(.template(let name?)): out.line(1, "- refused: { template: \(YAMLText.scalar(name)) }")
        case .relayed(let text): writeTextExpectation("- relayed:", text, to: &out)
        case .step(let step): out.line(1, "- step: " + YAMLText.scalar(step))
        case .saved(let name): out.line(1, "- saved: " + YAMLText.scalar(name))
        }
    }

    static func writeTextExpectation(_ key: String, _ text: TextExpectation, to out: inout YAMLText) {
        switch text {
        case .exact(let value): out.text(1, key, value)
        case .contains(let value):
            out.line(1, key)
            out.text(3, "contains:", value)
        case .pattern(let value):
            out.line(1, key)
            out.text(3, "pattern:", value)
        }
    }

    static func writeMessage(_ key: String, _ m: MessageExpectation, to out: inout YAMLText) {
        if let text = m.text, m.contains == nil, m.pattern == nil, m.body == nil, m.header == nil, m.footer == nil,
            m.form == nil
        {
            out.text(1, key, text)
            return
        }
        if m == MessageExpectation() {
            out.line(1, key + " {}")
            return
        }
        out.line(1, key)
        // Items of the steps list sit at indent 1 ("  - "); their mapping values at indent 3 (6 spaces).
        if let text = m.text { out.text(3, "text:", text) }
        if let header = m.header { out.text(3, "header:", header) }
        if let body = m.body { out.text(3, "body:", body) }
        if let contains = m.contains { out.text(3, "contains:", contains) }
        if let pattern = m.pattern { out.text(3, "pattern:", pattern) }
        if let footer = m.footer { out.text(3, "footer:", footer) }
        switch m.form {
        case .buttons(let titles)?:
            out.line(3, "buttons: " + YAMLText.flowList(titles))
        case .list(let button, let rows)?:
            out.line(3, button == nil && rows == nil ? "list: {}" : "list:")
            if let button { out.line(5, "button: " + YAMLText.scalar(button)) }
            if let rows {
                out.line(5, rows.isEmpty ? "rows: []" : "rows:")
                for row in rows { out.line(6, "- " + YAMLText.scalar(row)) }
            }
        case .attachment(let url, let name, let caption)?:
            out.line(3, "attachment:")
            if let url { out.line(5, "url: " + YAMLText.scalar(url)) }
            if let name { out.line(5, "name: " + YAMLText.scalar(name)) }
            if let caption { out.text(5, "caption:", caption) }
            if url == nil && name == nil && caption == nil { out.replaceLastLine(3, "attachment: {}") }
        case .template(let name, let language, let parameters)?:
            out.line(3, "template:")
            if let name { out.line(5, "name: " + YAMLText.scalar(name)) }
            if let language { out.line(5, "language: " + YAMLText.scalar(language)) }
            if let parameters { out.line(5, "parameters: " + YAMLText.flowList(parameters)) }
            if name == nil && language == nil && parameters == nil { out.replaceLastLine(3, "template: {}") }
        case nil:
            break
        }
    }
}

/// YAML text being written: indentation in units of two spaces, and scalars quoted only when needed.
struct YAMLText {
    private(set) var text = ""
    static let width = 120

    mutating func line(_ indent: Int, _ content: String) {
        text += String(repeating: "  ", count: indent) + content + "\n"
    }

    mutating func replaceLastLine(_ indent: Int, _ content: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        lines.removeLast()
        text = lines.map { $0 + "\n" }.joined()
        line(indent, content)
    }

    /// `key value` on one line when it fits and is plain or short, else `key >-` and the folded text on the
    /// lines below, indented one level more than the key.
    mutating func text(_ indent: Int, _ key: String, _ value: String) {
        let prefix = String(repeating: "  ", count: indent)
        let single = prefix + key + " " + Self.scalar(value)
        if single.unicodeScalars.count <= Self.width && !value.contains("\n") {
            text += single + "\n"
            return
        }
        let contentIndent = prefix + (key.hasPrefix("- ") ? "    " : "  ")
        if let lines = Self.folded(value, width: Self.width - contentIndent.unicodeScalars.count) {
            text += prefix + key + " >-\n"
            for line in lines { text += line.isEmpty ? "\n" : contentIndent + line + "\n" }
        } else {
            text += single + "\n"
        }
    }

    /// A scalar plain when YAML reads it back as the same text (and a JSON Schema validator as a string),
    /// double-quoted otherwise. Plain scalars are safe in flow collections too.
    static func scalar(_ value: String) -> String {
        isPlainSafe(value) ? value : doubleQuoted(value)
    }

    /// `[a, b, "c, d"]`.
    static func flowList(_ items: [String]) -> String {
        "[" + items.map(scalar).joined(separator: ", ") + "]"
    }

    static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last else { return false }
        guard first.properties.isAlphabetic || first == "¿" || first == "¡" || first == "." || first == "/" else {
            return false
        }
        if first == "." && value.hasPrefix("...") { return false }
        guard !last.properties.isWhitespace else { return false }
        let forbidden: Set<Unicode.Scalar> = [
            ":", "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\\",
        ]
        for scalar in value.unicodeScalars {
            if forbidden.contains(scalar) { return false }
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) { return false }
            if scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{FEFF}" { return false }
        }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        return !reserved.contains(value.lowercased())
    }

    static func doubleQuoted(_ value: String) -> String { YAMLQuoting.doubleQuoted(value) }

    /// The lines of a folded block scalar (`>-`) that reads back as exactly `value` (empty strings are blank
    /// lines), wrapped at single spaces to `width`; `nil` when a folded block cannot carry it (leading or
    /// trailing line breaks or spaces, control characters, lines that start with a space).
    static func folded(_ value: String, width: Int) -> [String]? {
        guard !value.isEmpty, !value.hasPrefix("\n"), !value.hasSuffix("\n") else { return nil }
        for scalar in value.unicodeScalars where scalar != "\n" {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{FEFF}"
            {
                return nil
            }
        }
        let paragraphs = value.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines: [String] = []
        var blanks = 0
        for paragraph in paragraphs {
            if paragraph.isEmpty {
                blanks += 1
                continue
            }
            guard let first = paragraph.unicodeScalars.first, let last = paragraph.unicodeScalars.last,
                first != " ", first != "\t", last != " ", last != "\t"
            else { return nil }
            if !lines.isEmpty { lines += Array(repeating: "", count: blanks + 1) }
            blanks = 0
            lines += wrap(paragraph, width: width)
        }
        return lines
    }

    /// Breaks a paragraph at single spaces (never next to another space, so that no line starts or ends with
    /// one) into lines of at most `width` scalars where possible.
    static func wrap(_ paragraph: String, width: Int) -> [String] {
        let scalars = Array(paragraph.unicodeScalars)
        var lines: [String] = []
        var start = 0
        var lastBreak: Int?
        var i = 0
        while i < scalars.count {
            if scalars[i] == " ", i > start, i + 1 < scalars.count, scalars[i - 1] != " ", scalars[i + 1] != " " {
                if i - start > width, let breakAt = lastBreak {
                    lines.append(String(String.UnicodeScalarView(scalars[start..<breakAt])))
                    start = breakAt + 1
                    lastBreak = nil
                    continue
                }
                lastBreak = i
            }
            i += 1
        }
        if scalars.count - start > width, let breakAt = lastBreak {
            lines.append(String(String.UnicodeScalarView(scalars[start..<breakAt])))
            start = breakAt + 1
        }
        lines.append(String(String.UnicodeScalarView(scalars[start...])))
        return lines
    }
}
