import FlowLanguage
import FlowRuntime
import Foundation

/// Whether an observed effect satisfies an expectation, and how both read in a failure message. The runner
/// asks; the rules are Docs/testing.md's "Expectations" section.
enum TranscriptMatching {
    /// Whether `observed` satisfies `expected`.
    static func matches(_ expected: TranscriptExpectation, _ observed: ObservedEffect) -> Bool {
        switch (expected, observed) {
        case (.bot(let m), .bot(let message)): return matches(m, message)
        case (.windowClosed(let m), .windowClosed(let message, _)): return matches(m, message)
        case (.consent(let choice, let purposes, let sensitive), .consent(let evidence)):
            guard choice == evidence.choice, sensitive == nil || sensitive == evidence.sensitive else { return false }
            guard let purposes else { return true }
            let actual = evidence.choice.hasSuffix("accepted") ? evidence.purposesAccepted : evidence.purposesDeclined
            return Set(purposes) == Set(actual) && purposes.count == actual.count
        case (.revoked, .revoked): return true
        case (.handoff(let queue, let agent), .handoff(let actualQueue, let actualAgent)):
            return (queue == nil || queue == actualQueue) && (agent == nil || agent == actualAgent)
        case (.handoffEnded, .handoffEnded): return true
        case (.closed(let reason), .closed(let actual)): return reason == actual.rawValue
        case (.refused(.agentMessage), .agentMessageRefused): return true
        case (.refused(.template(let name)), .templateRefused(let actual, _)): return name == nil || name == actual
        case (.relayed(let text), .relayed(let message)): return matches(text, relayedText(message))
        case (.step(let step), .step(let actual)): return step == actual
        case (.saved(let name), .saved(let actual)): return name == actual
        default: return false
        }
    }

    /// Whether the expectation and the effect are of the same kind (a bot message and a bot message), so
    /// that a failure is a difference of content and the run can go on.
    static func sameKind(_ expected: TranscriptExpectation, _ observed: ObservedEffect) -> Bool {
        switch (expected, observed) {
        case (.bot, .bot), (.windowClosed, .windowClosed), (.consent, .consent), (.revoked, .revoked),
            (.handoff, .handoff), (.handoffEnded, .handoffEnded), (.closed, .closed),
            (.refused(.agentMessage), .agentMessageRefused), (.refused(.template), .templateRefused),
            (.relayed, .relayed), (.step, .step), (.saved, .saved):
            return true
        default:
            return false
        }
    }

    static func matches(_ expected: TextExpectation, _ actual: String) -> Bool {
        switch expected {
        case .exact(let text): return text == actual
        // Every text contains the empty text.
        case .contains(let text): return text.isEmpty || actual.contains(text)
        case .pattern(let pattern): return search(pattern, in: actual)
        }
    }

    static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        // A pattern still searching after the budget counts as not found (the failure says what was expected).
        return regex.boundedSearch(in: text) == true
    }

    static func matches(_ m: MessageExpectation, _ message: OutboundMessage) -> Bool {
        if let text = m.text {
            guard case .text(let actual) = message, actual == text else { return false }
        }
        if m.contains != nil || m.pattern != nil {
            guard let main = mainText(message) else { return false }
            if let contains = m.contains, !contains.isEmpty, !main.contains(contains) { return false }
            if let pattern = m.pattern, !search(pattern, in: main) { return false }
        }
        if m.body != nil || m.header != nil || m.footer != nil {
            let parts: (body: String, header: String?, footer: String?)
            switch message {
            case .buttons(let body, let header, let footer, _): parts = (body, header, footer)
            case .list(let body, let header, let footer, _, _): parts = (body, header, footer)
            default: return false
            }
            if let body = m.body, body != parts.body { return false }
            if let header = m.header, header != parts.header { return false }
            if let footer = m.footer, footer != parts.footer { return false }
        }
        switch (m.form, message) {
        case (nil, _): return true
        case (.buttons(let titles), .buttons(_, _, _, let buttons)): return titles == buttons.map(\.title)
        case (.list(let button, let rows), .list(_, _, _, let actualButton, let actualRows)):
            return (button == nil || button == actualButton) && (rows == nil || rows == actualRows.map(\.title))
        case (
            .attachment(let url, let name, let caption),
            .attachment(let actualURL, let actualName, let actualCaption, _)
        ):
            // Without a `filename`, the name shown is the one the URL gives, as WhatsApp and the REPL show it.
            let shownName = actualName ?? WhatsAppRenderer.fileName(fromURL: actualURL)
            return (url == nil || url == actualURL) && (name == nil || name == shownName)
                && (caption == nil || caption == actualCaption)
        case (
            .template(let name, let language, let parameters),
            .template(let actualName, let actualLanguage, let actualParameters, _, _)
        ):
            return (name == nil || name == actualName) && (language == nil || language == actualLanguage)
                && (parameters == nil || parameters == actualParameters)
        default: return false
        }
    }

    /// The text `contains` and `pattern` look at: a text message's text, an interactive message's body, a
    /// file's caption; a template has none.
    static func mainText(_ message: OutboundMessage) -> String? {
        switch message {
        case .text(let text): return text
        case .buttons(let body, _, _, _), .list(let body, _, _, _, _): return body
        case .attachment(_, _, let caption, _): return caption ?? ""
        case .template: return nil
        }
    }

    /// A relayed message as text: the text, or a file's name (its short type when it has none).
    static func relayedText(_ message: RelayedMessage) -> String {
        switch message {
        case .text(let text): return text
        case .attachment(let a): return a.fileName ?? TranscriptAttachment.shortType(of: a.mimeType)
        }
    }

    // MARK: Descriptions

    static func quote(_ text: String) -> String { YAMLText.doubleQuoted(text) }

    /// Items as a YAML flow list, quoted where needed, so `[Sí, quiero]` and `["Sí, quiero"]` read differently.
    static func list(_ items: [String]) -> String { YAMLText.flowList(items) }

    /// An expectation as a failure message says it: `bot text "Hola"`, `handoff to agent 'ana'`.
    static func describe(_ expected: TranscriptExpectation) -> String {
        switch expected {
        case .bot(let m): return "bot " + describe(m)
        case .windowClosed(let m): return "window_closed " + describe(m)
        case .consent(let choice, let purposes, let sensitive):
            // Without `sensitive` either kind matches, and the words say no more than the line does.
            let kind = sensitive.map { $0 ? "sensitive-data consent" : "general consent" } ?? "consent"
            return "\(kind) \(choice)" + (purposes.map { " with purposes \(list($0))" } ?? "")
        case .revoked: return "revoked"
        case .handoff(let queue, let agent):
            var parts: [String] = []
            if let queue { parts.append("queue '\(queue)'") }
            if let agent { parts.append("agent '\(agent)'") }
            return parts.isEmpty ? "handoff" : "handoff to " + parts.joined(separator: ", ")
        case .handoffEnded: return "handoff_ended"
        case .closed(let reason): return "closed: \(reason)"
        case .refused(.agentMessage): return "refused agent_message"
        case .refused(.template(let name)): return "refused template" + (name.map { " '\($0)'" } ?? "")
        case .relayed(let text): return "relayed " + describe(text)
        case .step(let step): return "step '\(step)'"
        case .saved(let name): return "saved '\(name)'"
        }
    }

    static func describe(_ text: TextExpectation) -> String {
        switch text {
        case .exact(let value): return quote(value)
        case .contains(let value): return "containing \(quote(value))"
        case .pattern(let value): return "matching /\(value)/"
        }
    }

    static func describe(_ m: MessageExpectation) -> String {
        var parts: [String] = []
        switch m.form {
        case .buttons(let titles)?: parts.append("buttons \(list(titles))")
        case .list(let button, let rows)?:
            parts.append("list" + (button.map { " '\($0)'" } ?? "") + (rows.map { " " + list($0) } ?? ""))
        case .attachment(let url, let name, let caption)?:
            var a = "attachment"
            if let name { a += " '\(name)'" }
            if let url { a += " (\(url))" }
            if let caption { a += " with caption \(quote(caption))" }
            parts.append(a)
        case .template(let name, let language, let parameters)?:
            var t = "template"
            if let name { t += " '\(name)'" }
            if let language { t += " (\(language))" }
            if let parameters { t += " with parameters \(list(parameters))" }
            parts.append(t)
        case nil:
            if let text = m.text {
                parts.append("text \(quote(text))")
            } else if m.header != nil || m.body != nil || m.footer != nil {
                // An interactive message of any form: "message with header "…" with body "…"".
                parts.append("message")
            }
        }
        if let header = m.header { parts.append("header \(quote(header))") }
        if let body = m.body { parts.append("body \(quote(body))") }
        if let footer = m.footer { parts.append("footer \(quote(footer))") }
        // `contains` and `pattern` qualify the message as a whole: "buttons [A, B] containing "x"".
        var qualifiers: [String] = []
        if let contains = m.contains { qualifiers.append("containing \(quote(contains))") }
        if let pattern = m.pattern { qualifiers.append("matching /\(pattern)/") }
        if parts.isEmpty && qualifiers.isEmpty { return "any message" }
        return ([parts.isEmpty ? "message" : parts.joined(separator: " with ")] + qualifiers).joined(separator: " ")
    }

    /// An observed effect as a failure message says it, in the same words as `describe(_:)` of expectations,
    /// so that expected and actual line up.
    static func describe(_ observed: ObservedEffect) -> String {
        switch observed {
        case .bot(let message): return "bot " + describe(message)
        case .windowClosed(let message, let sender):
            if case .agent(let agent) = sender { return "window_closed (agent '\(agent)') " + describe(message) }
            return "window_closed " + describe(message)
        case .consent(let evidence):
            let purposes = evidence.choice.hasSuffix("accepted") ? evidence.purposesAccepted : evidence.purposesDeclined
            // As the REPL says it: a sensitive-data consent is named so, a general one is just "consent".
            let kind = evidence.sensitive ? "sensitive-data consent" : "consent"
            return "\(kind) \(evidence.choice) with purposes \(list(purposes))"
        case .revoked: return "revoked"
        case .handoff(let queue, let agent):
            return "handoff to queue '\(queue)'" + (agent.map { ", agent '\($0)'" } ?? " (no agent assigned)")
        case .handoffEnded: return "handoff_ended"
        case .closed(let reason): return "closed: \(reason.rawValue)"
        case .agentMessageRefused(let reason): return "refused agent_message (\(reason))"
        case .templateRefused(let name, let reason): return "refused template '\(name)' (\(reason))"
        case .relayed(let message): return "relayed \(quote(relayedText(message)))"
        case .step(let step): return "step '\(step)'"
        case .saved(let name): return "saved '\(name)'"
        }
    }

    static func describe(_ message: OutboundMessage) -> String {
        switch message {
        case .text(let text): return "text \(quote(text))"
        case .buttons(let body, let header, let footer, let buttons):
            return "buttons \(list(buttons.map(\.title)))" + extras(header: header, body: body, footer: footer)
        case .list(let body, let header, let footer, let button, let rows):
            return "list '\(button)' \(list(rows.map(\.title)))" + extras(header: header, body: body, footer: footer)
        case .attachment(let url, let name, let caption, _):
            // The name the contact sees, as `name:` compares it: the step's, else the URL's last segment.
            return "attachment" + ((name ?? URLFileName.of(url)).map { " '\($0)'" } ?? "") + " (\(url))"
                + (caption.map { " with caption \(quote($0))" } ?? "")
        case .template(let name, let language, let parameters, _, _):
            return "template '\(name)' (\(language)) with parameters \(list(parameters))"
        }
    }

    static func extras(header: String?, body: String, footer: String?) -> String {
        var out = ""
        if let header { out += " with header \(quote(header))" }
        out += " with body \(quote(body))"
        if let footer { out += " with footer \(quote(footer))" }
        return out
    }

    /// Whether an expectation looks for a part of a text (`contains`, `pattern`) rather than the whole of it: its
    /// failure has no first difference to show, and the part looked for may be anywhere in the text.
    static func looksForAPart(_ expected: TranscriptExpectation) -> Bool {
        func partial(_ m: MessageExpectation) -> Bool { m.contains != nil || m.pattern != nil }
        switch expected {
        case .bot(let m), .windowClosed(let m): return partial(m)
        case .relayed(.contains), .relayed(.pattern): return true
        default: return false
        }
    }

    /// The longest output a failed `contains` or `pattern` shows whole; a longer one shows its start and its end.
    static let partLimit = 1_000

    /// The failure message of an expectation that met an output of its kind (or, out of step, of another) it does
    /// not match. A long interactive message checked by its parts (`body:`, `header:`, `footer:`, its buttons or
    /// rows) is shown at the first part the expectation checks that differs, so that the window and the
    /// character position are within that part and not in the words that describe the two messages.
    static func mismatch(_ expected: TranscriptExpectation, _ observed: ObservedEffect, limit: Int = 160) -> String {
        let e = describe(expected)
        let a = describe(observed)
        let part = looksForAPart(expected)
        if !part, e.count > limit || a.count > limit, let message = partMismatch(expected, observed, limit: limit) {
            return message
        }
        return expectedGot(e, a, part: part, limit: limit)
    }

    /// `expected bot message with body "…", got bot buttons with body "…" (first difference at character N of
    /// the body)` for the first part an expectation of a buttons or list message checks that differs; `nil` when
    /// the expectation is not of such parts or the output is of another kind.
    static func partMismatch(_ expected: TranscriptExpectation, _ observed: ObservedEffect, limit: Int) -> String? {
        let prefix: String
        var actualPrefix: String?
        let m: MessageExpectation
        let message: OutboundMessage
        switch (expected, observed) {
        case (.bot(let expectation), .bot(let output)): (prefix, m, message) = ("bot", expectation, output)
        case (.windowClosed(let expectation), .windowClosed(let output, let sender)):
            (prefix, m, message) = ("window_closed", expectation, output)
            if case .agent(let agent) = sender { actualPrefix = "window_closed (agent '\(agent)')" }
        default: return nil
        }
        guard m.text == nil else { return nil }
        // The parts checked, in the order a description names them, each as a description shows it (`nil`
        // actual: the message has no such part), with the texts themselves for a text's position.
        var parts: [(name: String, expected: String, actual: String?, raw: (String, String)?, form: Bool)] = []
        let expectedKind: String
        let actualKind: String
        let header: String?
        let body: String
        let footer: String?
        switch (m.form, message) {
        case (nil, .buttons(let b, let h, let f, _)):
            (expectedKind, actualKind, header, body, footer) = ("message", "buttons", h, b, f)
        case (nil, .list(let b, let h, let f, _, _)):
            (expectedKind, actualKind, header, body, footer) = ("message", "list", h, b, f)
        case (.buttons(let titles), .buttons(let b, let h, let f, let buttons)):
            (expectedKind, actualKind, header, body, footer) = ("buttons", "buttons", h, b, f)
            parts.append(("buttons", list(titles), list(buttons.map(\.title)), nil, true))
        case (.list(let button, let rows), .list(let b, let h, let f, let actualButton, let actualRows)):
            (expectedKind, actualKind, header, body, footer) = ("list", "list", h, b, f)
            if let button { parts.append(("button", "'\(button)'", "'\(actualButton)'", (button, actualButton), true)) }
            if let rows { parts.append(("rows", list(rows), list(actualRows.map(\.title)), nil, true)) }
        default: return nil
        }
        for (name, wanted, actual) in [
            ("header", m.header, header), ("body", m.body, body), ("footer", m.footer, footer),
        ] {
            guard let wanted else { continue }
            parts.append((name, quote(wanted), actual.map(quote), actual.map { (wanted, $0) }, false))
        }
        guard let differing = parts.first(where: { $0.expected != $0.actual }) else { return nil }
        // A form's part is named by the form's own words (`bot list [rows]`), a text part by its name.
        let named = differing.form ? "" : " with \(differing.name)"
        let actualWords = "\(actualPrefix ?? prefix) \(actualKind)"
        guard let actual = differing.actual else {
            return "expected \(prefix) \(expectedKind)\(named) \(differing.expected), got \(actualWords) without a "
                + differing.name
        }
        let shownE = Array(differing.expected)
        let shownA = Array(actual)
        let (cutE, cutA) = window(shownE, shownA, first: firstDifference(shownE, shownA), limit: limit)
        // The position counts the part's own characters (a text's, not its quoted form's), from 1.
        let position =
            differing.raw.map { firstDifference(Array($0.0), Array($0.1)) } ?? firstDifference(shownE, shownA)
        return "expected \(prefix) \(expectedKind)\(named) \(cutE), got \(actualWords)\(named) \(cutA) "
            + "(first difference at character \(position + 1) of the \(differing.name))"
    }

    /// The index of the first character where two texts differ (the shorter one's length when one begins the
    /// other).
    static func firstDifference(_ e: [Character], _ a: [Character]) -> Int {
        var first = 0
        while first < e.count, first < a.count, e[first] == a[first] { first += 1 }
        return first
    }

    /// Both texts cut to the same window of `limit` characters around `first`, marked `…`; a text no longer than
    /// `limit` when both are is shown whole.
    static func window(_ e: [Character], _ a: [Character], first: Int, limit: Int) -> (String, String) {
        guard e.count > limit || a.count > limit else { return (String(e), String(a)) }
        let start = max(0, first - limit / 2)
        func cut(_ chars: [Character]) -> String {
            let end = min(chars.count, start + limit)
            guard start < end else { return "…" }
            return (start > 0 ? "…" : "") + String(chars[start..<end]) + (end < chars.count ? "…" : "")
        }
        return (cut(e), cut(a))
    }

    /// `expected A, got B`, with long descriptions cut to a window around their first difference, so that a
    /// one-letter change in a 900-character consent text is visible at a glance. For an expectation that looks
    /// for a part of a text there is no such difference: the output is shown whole (its first and last 500
    /// characters when it is longer than 1,000), so the end a pattern is about is not cut off; nor for an output of
    /// another kind than the one expected.
    static func expectedGot(_ expected: String, _ actual: String, part: Bool = false, limit: Int = 160) -> String {
        let e = Array(expected)
        let a = Array(actual)
        guard e.count > limit || a.count > limit else { return "expected \(expected), got \(actual)" }
        if part {
            let shownExpected = e.count > limit ? String(e[..<limit]) + "…" : expected
            let half = partLimit / 2
            let shownActual =
                a.count > partLimit ? String(a[..<half]) + " … " + String(a[(a.count - half)...]) : actual
            return "expected \(shownExpected), got \(shownActual)"
        }
        let first = firstDifference(e, a)
        // Outputs of another kind (`bot text …` for `bot buttons …`) differ in their first words: no window
        // around that difference says anything, so the output is shown as for a part (whole, or its two ends).
        // An expectation of parts without a form (`bot message with body …`) of a buttons or list message is
        // shown at its part (`mismatch`); reaching here, the output is of another kind (`bot text …`).
        let quote: (Character) -> Bool = { "\"['(".contains($0) }
        if first < min(e.firstIndex(where: quote) ?? e.count, a.firstIndex(where: quote) ?? a.count) {
            return expectedGot(expected, actual, part: true, limit: limit)
        }
        let (cutE, cutA) = window(e, a, first: first, limit: limit)
        return "expected \(cutE), got \(cutA) (first difference at character \(first + 1))"
    }
}
