import FlowRuntime
import Foundation
import TalkflowJSON
import Testing

@testable import Storage

// The stored JSON forms of messages and the effect mapping: what the log and the outbox keep.

private let outbound: [OutboundMessage] = [
    .text("Hola"),
    .buttons(body: "Elige", header: "H", footer: nil, buttons: [ReplyButton(id: "a", title: "A")]),
    .list(
        body: "Menu", header: nil, footer: "F", button: "Ver",
        rows: [ListRow(id: "r1", title: "Uno", description: "d"), ListRow(id: "r2", title: "Dos", description: nil)]),
    .attachment(url: "https://example.co/a.pdf", fileName: "a.pdf", caption: nil, fileExtension: "pdf"),
    .template(
        name: "recordatorio", language: "es", parameters: ["Ana"], headerType: "image", headerLink: "https://x/y.jpg"),
]

@Test(arguments: outbound)
func outboundMessagesRoundTrip(message: OutboundMessage) throws {
    let data = try JSONEncoder().encode(StoredOutboundMessage(message))
    #expect(try JSONDecoder().decode(StoredOutboundMessage.self, from: data).message == message)
}

/// The same messages with text that needs escaping.
private let awkward: [OutboundMessage] = [
    .text("línea\n\"comillas\"\t\\ \u{1} 日本 😀"),
    .buttons(body: "a\"b", header: nil, footer: "\u{1f}", buttons: [ReplyButton(id: "x\\y", title: "T\n")]),
    .template(name: "n", language: "es", parameters: [], headerType: nil, headerLink: nil),
]

@Test(arguments: outbound + awkward)
func theHandWrittenColumnIsTheCodableForm(message: OutboundMessage) throws {
    let stored = StoredOutboundMessage(message)
    let text = stored.columnText
    #expect(try JSONDecoder().decode(StoredOutboundMessage.self, from: Data(text.utf8)).message == message)
    let handWritten = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
    let codable = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stored)) as? NSDictionary
    #expect(handWritten == codable)
}

@Test func theHandWrittenContactColumnIsTheCodableForm() throws {
    for message in [
        RelayedMessage.text("hola \"tú\"\n"),
        .attachment(Event.Attachment(mimeType: "application/pdf", size: 1234, fileName: nil)),
        .attachment(Event.Attachment(mimeType: "image/png", size: 0, fileName: "a\\b.png")),
        .attachment(
            Event.Attachment(
                mimeType: "image/jpeg", size: 9, caption: "Mi cédula \"nueva\"", mediaID: "1003383421387256")),
    ] {
        let text = StoredContactMessage(message).columnText
        #expect(try JSONDecoder().decode(StoredContactMessage.self, from: Data(text.utf8)).message == message)
        let handWritten = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let codable =
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(StoredContactMessage(message))) as? NSDictionary
        #expect(handWritten == codable)
    }
}

@Test func contactMessagesRoundTrip() throws {
    for message in [
        RelayedMessage.text("hola"),
        .attachment(Event.Attachment(mimeType: "application/pdf", size: 1234, fileName: "cedula.pdf")),
    ] {
        let data = try JSONEncoder().encode(StoredContactMessage(message))
        #expect(try JSONDecoder().decode(StoredContactMessage.self, from: data).message == message)
    }
    let json = String(decoding: try JSONEncoder().encode(StoredOutboundMessage(.text("x"))), as: UTF8.self)
    #expect(json.contains("\"type\":\"text\""))
    #expect(throws: DecodingError.self) {
        try JSONDecoder().decode(StoredOutboundMessage.self, from: Data(#"{"type":"video"}"#.utf8))
    }
}

@Test func effectsMapToLogLinesOutboxAndLedger() throws {
    let evidence = Fixtures.consent()
    var changes = ConversationChanges()
    changes.record(
        [
            .conversationStarted, .stepEntered("consentimiento"), .send(.text("hola"), from: .bot),
            .scheduleInactivityTimer(at: 5), .recordConsent(evidence), .logContactMessage(.text("quiero")),
            .relayToAgent(agent: "ana", message: .text("quiero")), .windowClosed(.text("tarde"), from: .agent("ana")),
            .requestHandoff(queue: "ventas"), .closeConversation(.inactivity),
        ],
        evidence: EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: 7))
    #expect(changes.outbound == [QueuedMessage(.text("hola"))])
    #expect(changes.inboundContent == .text("quiero"))
    #expect(
        changes.events.map(\.kind) == [
            "started", "step", "consent", "window_closed", "handoff_requested", "closed",
        ])
    #expect(changes.events.map(\.detail) == [nil, "consentimiento", "accepted", "ana", "ventas", "inactivity"])
    #expect(
        changes.ledger == [
            LedgerEntry(.consent(evidence), channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: 7)
        ])
    // The message comes after the step in the log, as the effects had it.
    guard case .event = changes.lines[1], case .message = changes.lines[2] else {
        Issue.record("lines out of order: \(changes.lines)")
        return
    }
}

/// Every effect that writes an event line, with the `detail` Docs/storage.md lists for its kind: never anything
/// the contact wrote.
@Test func everyEventKindCarriesTheDetailTheDocsList() throws {
    var changes = ConversationChanges()
    changes.record(
        [
            .conversationStarted, .stepEntered("menu"), .closeConversation(.policyChanged),
            .requestHandoff(queue: "ventas"), .endHandoff(agent: "ana"), .endHandoff(agent: nil),
            .windowClosed(.text("tarde"), from: .bot), .windowClosed(.text("tarde"), from: .agent("ana")),
            .templateRefused(name: "oferta_mensual", reason: "the contact did not opt in to promotional messages"),
            .agentMessageRefused(reason: "emoji are not allowed in messages to contacts"),
            .variableSaved(name: "nombre"), .recordConsent(Fixtures.consent(choice: "opt_in_withdrawn")),
            .recordRevocation(Fixtures.revocation()),
        ],
        evidence: EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: 7))
    let expected: [(String, String?)] = [
        ("started", nil), ("step", "menu"), ("closed", "policy_changed"), ("handoff_requested", "ventas"),
        ("handoff_ended", "ana"), ("handoff_ended", nil), ("window_closed", "bot"), ("window_closed", "ana"),
        ("template_refused", "oferta_mensual"),
        ("agent_message_refused", "emoji are not allowed in messages to contacts"), ("variable_saved", "nombre"),
        ("consent", "opt_in_withdrawn"), ("revocation", nil),
    ]
    #expect(changes.events == expected.map { ConversationEvent($0.0, detail: $0.1) })
}

/// A tree as Foundation objects, to write it as JSON text for `JSONDecoder`.
private func foundationObject(_ node: JSONNode) -> Any {
    switch node {
    case .null: return NSNull()
    case .bool(let value): return value
    case .int(let value): return value
    case .double(let value): return value
    case .string(let value): return value
    case .array(let elements): return elements.map(foundationObject)
    case .object(let members): return members.mapValues(foundationObject)
    }
}

/// Copies of an object tree with one member (of it, or of an object in one of its arrays) removed or replaced.
private func mutations(of node: JSONNode) -> [JSONNode] {
    guard case .object(let members) = node else { return [] }
    let replacements: [JSONNode?] = [nil, .null, .int(1), .string("x"), .bool(true), .array([]), .object([:])]
    var copies: [JSONNode] = []
    for (key, member) in members {
        for replacement in replacements {
            var changed = members
            changed[key] = replacement
            copies.append(.object(changed))
        }
        if case .array(let elements) = member {
            for (index, element) in elements.enumerated() {
                for inner in mutations(of: element) {
                    var array = elements
                    array[index] = inner
                    var changed = members
                    changed[key] = .array(array)
                    copies.append(.object(changed))
                }
            }
        }
    }
    return copies
}

@Test(arguments: outbound + awkward)
func theTreeReaderReadsWhatJSONDecoderReadsAndGivesUpOnTheRest(message: OutboundMessage) throws {
    let text = StoredOutboundMessage(message).columnText
    let tree = try #require(JSONNode.parse(Array(text.utf8)))
    #expect(try StoredOutboundMessage(tree: tree).message == message)
    #expect(try StoredOutboundMessage.read(text, coder: ColumnCoder()).message == message)
    var taken = 0
    for mutated in mutations(of: tree) {
        let data = try JSONSerialization.data(withJSONObject: foundationObject(mutated))
        let decoded = try? JSONDecoder().decode(StoredOutboundMessage.self, from: data)
        guard let fast = try? StoredOutboundMessage(tree: mutated) else { continue }
        taken += 1
        #expect(fast == decoded, "\(String(decoding: data, as: UTF8.self))")
    }
    // Removing or nulling an optional member, or changing an unread one, is still read by the tree reader.
    if case .text = message {} else { #expect(taken > 0) }
}
