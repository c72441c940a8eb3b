import Foundation
import Testing

@testable import TalkflowServer

/// A malformed body over real HTTP: every fault is 400 `invalid_request` with a message that names the field and
/// what is wrong with it (findings 3 and 6 of the agent API audit), `null` included where a field is a string, an
/// array or absent.
@Suite("Agent API body faults", .hangGuard)
struct AgentAPIBodyFaultTests {
    /// POSTs `bytes` as they are (not necessarily UTF-8) with `key`; the status and the error's code and message.
    private func post(_ server: AgentServer, _ path: String, key: String, _ bytes: [UInt8]) async throws
        -> (status: UInt, code: String?, message: String?)
    {
        let (status, json) = try await server.request(.POST, path, key: key, bytes: bytes)
        let error = json["error"] as? [String: Any]
        return (status, error?["code"] as? String, error?["message"] as? String)
    }

    private func post(_ server: AgentServer, _ path: String, key: String, _ text: String) async throws
        -> (status: UInt, code: String?, message: String?)
    {
        try await post(server, path, key: key, Array(text.utf8))
    }

    @Test func eachFaultIsNamedWithTheFieldAndWhatIsWrong() async throws {
        try await AgentServer.run(admin: true) { server in
            let reply = "conversations/\(EndToEnd.ana)/messages"
            let text = #"; send e.g. {"text": "..."}"#
            let cases: [(String, [UInt8], String)] = [
                (reply, Array("{}".utf8), "'text' is missing" + text),
                (reply, Array(#"{"text":5}"#.utf8), "'text' must be a string, found a number" + text),
                (reply, Array(#"{"text":null}"#.utf8), "'text' must be a string, found null" + text),
                (reply, Array(#"{"text":["a"]}"#.utf8), "'text' must be a string, found an array" + text),
                (
                    reply, Array(#"{"text":"hola "#.utf8) + [0xFF] + Array(#""}"#.utf8),
                    #"the body is not UTF-8 (byte 0xFF at offset 14); send JSON in UTF-8, e.g. {"text": "..."}"#
                ),
                (
                    reply, Array(#"{"text":"\ud83d"}"#.utf8),
                    #"the body has at byte offset 9 a \u escape of half a surrogate pair (such as \ud83d without "#
                        + #"its \ude00), which is no character; escape both halves or write the character in UTF-8"#
                ),
                (
                    reply, Array(#"[{"text":"hola"}]"#.utf8),
                    #"the body must be a JSON object, e.g. {"text": "..."}; found an array"#
                ),
                (reply, Array("hola".utf8), "the body is not JSON (it stops being JSON at byte offset 0)" + text),
                (reply, [], "the body is empty" + text),
                (
                    "conversations/\(EndToEnd.ana)/reassign", Array(#"{"agente":"bruno"}"#.utf8),
                    #"'agent' is missing; send e.g. {"agent": "AGENT"}"#
                ),
                (
                    "data-requests", Array(#"{"contact":"571","kind":"other"}"#.utf8),
                    "'kind' must be access or claim, not 'other'"
                ),
                (
                    "data-requests", Array(#"{"kind":"claim"}"#.utf8),
                    #"'contact' is missing; send e.g. {"contact": "573001112233", "kind": "claim", "subject": "..."}"#
                ),
                (
                    "data-requests", Array(#"{"contact":"573001112233","kind":"access","subject":null}"#.utf8),
                    "'subject' must be a string or absent, found null; send e.g. "
                        + #"{"contact": "573001112233", "kind": "claim", "subject": "..."}"#
                ),
                (
                    "templates/recordatorio/send", Array(#"{"to":"573001112233","parameters":null}"#.utf8),
                    "'parameters' must be an array of strings or absent, found null; send e.g. "
                        + #"{"to": "573001112233", "parameters": ["..."]}"#
                ),
                (
                    "templates/recordatorio/send", Array(#"{"to":"573001112233","parameters":["a",1]}"#.utf8),
                    "'parameters[1]' must be a string, found a number; send e.g. "
                        + #"{"to": "573001112233", "parameters": ["..."]}"#
                ),
                (
                    "templates/recordatorio/send", Array(#"{"parameters":[]}"#.utf8),
                    #"'to' is missing; send e.g. {"to": "573001112233", "parameters": ["..."]}"#
                ),
            ]
            for (path, body, message) in cases {
                let key = path.hasPrefix("templates") ? "e2e-admin-key" : "key-jefa"
                let answer = try await post(server, path, key: key, body)
                #expect(answer.status == 400, "\(path) \(String(decoding: body, as: UTF8.self))")
                #expect(answer.code == "invalid_request")
                #expect(answer.message == message)
            }
            // No case was opened and no template queued by any of them.
            let (_, list) = try await server.request(.GET, "data-requests", key: "key-jefa")
            #expect((list["data_requests"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aNullAnswerDoesNotCloseTheCase() async throws {
        try await AgentServer.run { server in
            let open = #"{"contact": "573001112233", "kind": "access"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: open).status == 201)
            for (body, found) in [(#"{"answer":null}"#, "null"), (#"{"answer":5}"#, "a number")] {
                let answer = try await post(server, "data-requests/1/answer", key: "key-jefa", body)
                #expect(answer.status == 400)
                #expect(
                    answer.message
                        == "'answer' must be a string or absent, found \(found); send e.g. {\"answer\": \"...\"}")
            }
            let (_, list) = try await server.request(.GET, "data-requests", key: "key-jefa")
            let cases = try #require(list["data_requests"] as? [[String: Any]])
            #expect(cases.first?["status"] as? String == "open")
            // Absent is still none, and a string the answer.
            #expect(
                try await server.request(.POST, "data-requests/1/answer", key: "key-jefa", body: "{}").status == 200)
        }
    }
}
