import Foundation
import TalkflowJSON
import Testing

@testable import WhatsAppCloud

// The webhook parser's fast path (a `JSONNode` tree) against its reference (`JSONDecoder` and the `Decodable`
// conformances): the fast path must take every body Meta sends, and whatever it takes it must read exactly as the
// reference does. Its bodies are the fixtures and thousands of copies of them with one member removed, nulled or
// given another type.

/// Every shape of the fixtures: each message type, statuses with their extras, value errors, a batch.
private let corpus: [[UInt8]] = {
    let message = { (type: String, part: String, extra: String) in Fixture.single(type: type, part: part, extra: extra)
    }
    var bodies = [
        Fixture.textBody,
        message("interactive", Fixture.buttonReply, Fixture.buttonReplyContext),
        message("interactive", Fixture.listReply, ""),
        // A message written in a WhatsApp group.
        message(
            "text", #""text":{"body":"hola a todos"}"#,
            #""group_id":"Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD","#),
        message("button", Fixture.templateButton, #""context":{"from":"1","id":"wamid.T","forwarded":true},"#),
        message("image", Fixture.image, ""), message("document", Fixture.document, ""),
        message("audio", Fixture.voice, ""), message("video", Fixture.video, ""),
        message("sticker", Fixture.sticker, ""), message("location", Fixture.currentLocation, ""),
        message("location", Fixture.chosenLocation, ""), message("contacts", Fixture.contacts, ""),
        message("reaction", Fixture.reaction, ""), message("unsupported", Fixture.unsupported, ""),
        message("system", Fixture.system, ""),
    ]
    let statuses = [
        #"{"id":"wamid.S1","status":"sent","timestamp":"1750030073","recipient_id":"16505551234","#
            + #""biz_opaque_callback_data":"outbox-42","conversation":{"id":"72b14d6b","#
            + #""expiration_timestamp":"1750116480","origin":{"type":"marketing"}},"pricing":{"billable":true,"#
            + #""pricing_model":"PMP","type":"regular","category":"marketing"}}"#,
        #"{"id":"wamid.F","status":"failed","timestamp":"1751142888","recipient_user_id":"CO.1","errors":[{"#
            + #""code":131047,"title":"Re-engagement message","message":"Re-engagement message","#
            + #""error_data":{"details":"More than 24 hours"},"href":"https:\/\/developers.facebook.com"}]}"#,
    ]
    bodies.append(Fixture.body(value: Fixture.statusesValue(statuses)))
    bodies.append(
        Fixture.body(
            value: #"{"messaging_product":"whatsapp","metadata":\#(Fixture.metadata),"errors":[{"code":130429,"#
                + #""title":"Rate limit hit","error_data":{"details":"too many"}}]}"#))
    bodies.append(
        Fixture.body(entries: [
            Fixture.entry(changes: [
                Fixture.change(value: #"{"event":"APPROVED"}"#, field: "message_template_status_update"),
                Fixture.change(
                    value: #"{"messaging_product":"whatsapp","metadata":\#(Fixture.metadata),"user_preferences":[{"#
                        + #""wa_id":"1","category":"marketing_messages","value":"stop"},{"#
                        + #""wa_id":"573001112233","detail":"d","category":"marketing_messages","value":"stop","#
                        + #""timestamp":"1731705721"}]}"#, field: "user_preferences"),
                Fixture.change(
                    value: Fixture.messagesValue(
                        [
                            Fixture.message(id: "wamid.A", type: "text", part: #""text":{"body":"a"}"#),
                            Fixture.message(
                                id: "wamid.B", type: "text", part: #""text":{"body":"b"}"#, from: "573009990000"),
                        ],
                        contacts: [
                            Fixture.contact, #"{"profile":{"name":"Otro"},"wa_id":"573009990000","user_id":"CO.9"}"#,
                        ])),
            ])
        ]))
    return bodies
}()

/// What a member or element is replaced by in the mutated copies; `nil` removes it.
private let replacements: [JSONNode?] = [
    nil, .null, .string("x"), .string("17"), .int(7), .double(1.5), .bool(true), .object([:]), .array([]),
]

/// Every copy of `node` with one member or element (at any depth) removed or replaced.
private func mutations(of node: JSONNode) -> [JSONNode] {
    var copies: [JSONNode] = []
    switch node {
    case .object(let members):
        for (key, member) in members {
            for replacement in replacements {
                var changed = members
                changed[key] = replacement
                copies.append(.object(changed))
            }
            for inner in mutations(of: member) {
                var changed = members
                changed[key] = inner
                copies.append(.object(changed))
            }
        }
    case .array(let elements):
        for (index, element) in elements.enumerated() {
            for replacement in replacements {
                var changed = elements
                if let replacement { changed[index] = replacement } else { changed.remove(at: index) }
                copies.append(.array(changed))
            }
            for inner in mutations(of: element) {
                var changed = elements
                changed[index] = inner
                copies.append(.array(changed))
            }
        }
    default:
        break
    }
    return copies
}

/// JSON text of a tree (members in key order).
private func text(_ node: JSONNode) -> String {
    switch node {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .int(let value): return String(value)
    case .double(let value): return "\(value)"
    case .string(let value):
        let data = try? JSONEncoder().encode(value)
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    case .array(let elements): return "[" + elements.map(text).joined(separator: ",") + "]"
    case .object(let members):
        return "{" + members.keys.sorted().map { text(.string($0)) + ":" + text(members[$0]!) }.joined(separator: ",")
            + "}"
    }
}

/// The updates of an envelope, or the error that names why there are none.
private func outcome(_ envelope: WireEnvelope) -> Result<[WebhookUpdate], WebhookParseError> {
    Result { () throws(WebhookParseError) in try WebhookParser.updates(of: envelope) }
}

@Test func theFastPathTakesEveryBodyShapedLikeMetas() throws {
    for body in corpus {
        let fast = try #require(WebhookParser.treeEnvelope(body), "\(String(decoding: body, as: UTF8.self))")
        let reference = try WebhookParser.decodedEnvelope(Data(body))
        #expect(outcome(fast) == outcome(reference))
        #expect(try WebhookParser.parse(body) == WebhookParser.updates(of: reference))
    }
}

@Test func whatTheFastPathTakesItReadsExactlyAsJSONDecoderDoes() throws {
    var taken = 0
    var total = 0
    for body in corpus {
        let tree = try #require(JSONNode.parse(body))
        for mutated in mutations(of: tree) {
            let bytes = Array(text(mutated).utf8)
            total += 1
            guard let fast = WebhookParser.treeEnvelope(bytes) else {
                // Left to JSONDecoder: `parse` answers exactly what the reference answers.
                let reference = Result { () throws(WebhookParseError) in try WebhookParser.parse(bytes) }
                let decoded = Result { () throws(WebhookParseError) in
                    try WebhookParser.updates(of: WebhookParser.decodedEnvelope(Data(bytes)))
                }
                #expect(reference == decoded)
                continue
            }
            taken += 1
            let reference = Result { () throws(WebhookParseError) in try WebhookParser.decodedEnvelope(Data(bytes)) }
            guard case .success(let decoded) = reference else {
                Issue.record("the fast path took a body JSONDecoder refuses: \(text(mutated))")
                continue
            }
            #expect(outcome(fast) == outcome(decoded), "\(text(mutated))")
        }
    }
    // The comparison is not vacuous: about a third of the copies (a removed optional member, a null one, an
    // unread member of any type) are still read by the fast path, the rest are left to JSONDecoder.
    #expect(total > 4_000)
    #expect(taken * 4 > total, "\(taken) of \(total)")
}

/// A small deterministic generator (SplitMix64), so that a failure names a body that can be made again.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Whether the bytes hold an escaped UTF-16 surrogate (`\\uD800` to `\\uDFFF`).
private func hasSurrogateEscape(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self).lowercased()
    return ["\\ud8", "\\ud9", "\\uda", "\\udb", "\\udc", "\\udd", "\\ude", "\\udf"].contains { text.contains($0) }
}

@Test func bytesChangedAtRandomAreReadByTheFastPathOnlyWhenJSONDecoderReadsThemTheSame() throws {
    // Bytes that matter to JSON's grammar, plus a few that do not belong in it.
    let alphabet = Array(#"{}[]":,\ 0123456789-+.eEtrufalsn/"#.utf8) + [0x00, 0x09, 0x0A, 0x7F, 0xC3, 0xFF]
    var generator = SeededGenerator(state: 5)
    var taken = 0
    for body in corpus {
        for _ in 0..<400 {
            var bytes = body
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = alphabet.randomElement(using: &generator)!
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                default: bytes.remove(at: at)
                }
            }
            let decoded = Result { () throws(WebhookParseError) in
                try WebhookParser.updates(of: WebhookParser.decodedEnvelope(Data(bytes)))
            }
            let parsed = Result { () throws(WebhookParseError) in try WebhookParser.parse(bytes) }
            guard let fast = WebhookParser.treeEnvelope(bytes) else {
                // The other deliberate difference: a key given twice in one object is refused where the tree
                // reader meets it, whatever JSONDecoder makes of the body (it keeps one of the values).
                if case .failure(let error) = parsed, error.reason == "the key is given twice in one object" {
                    continue
                }
                #expect(parsed == decoded)
                continue
            }
            taken += 1
            // The one deliberate difference: a surrogate escape without its pair reads as U+FFFD, where
            // JSONDecoder refuses the body.
            if case .failure = decoded, case .success = outcome(fast), hasSurrogateEscape(bytes) { continue }
            #expect(outcome(fast) == decoded, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
    #expect(taken > 100, "\(taken)")
}

/// A contact's text with a surrogate escape without its pair (valid JSON) is read, the unpaired half as U+FFFD:
/// refusing the POST would hold back every other update in it through Meta's retries.
@Test func aTextWithALoneSurrogateEscapeIsRead() throws {
    let body = Fixture.single(type: "text", part: #""text":{"body":"corte \ud83d"}"#, extra: "")
    let updates = try WebhookParser.parse(body)
    guard case .message(let message)? = updates.first else {
        Issue.record("no message in \(updates)")
        return
    }
    #expect(message.content == .text("corte \u{FFFD}"))
}
