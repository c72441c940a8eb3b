import Foundation
import NIOHTTP1
import Testing

@testable import TalkflowServer

/// What the agent API refuses and in which order (Docs/operations.md, "The agent API"): bad escapes on every
/// route, ownership before a conversation's state, numbers as ASCII digits, and the actions that change nothing.
@Suite("Agent API refusals", .hangGuard)
struct AgentAPIRefusalTests {
    /// A conversation that is not theirs is 403 `not_assigned` for an agent who is not an admin, whatever its
    /// state: a reply or a close does not tell them it is waiting (409) when reading it would not either.
    @Test func anAgentLearnsNothingOfTheStateOfAConversationNotTheirs() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let waiting = "573009998877"
            #expect(try await server.e2e.post(EndToEnd.text("hola", from: waiting, id: "wamid.\(waiting).1")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: waiting)?.status == .waiting)

            for (method, path, body) in [
                (HTTPMethod.GET, "conversations/\(waiting)/messages", nil),
                (.POST, "conversations/\(waiting)/messages", #"{"text":"hola"}"#),
                (.POST, "conversations/\(waiting)/close", nil),
                (.POST, "conversations/\(EndToEnd.ana)/messages", #"{"text":"hola"}"#),
                (.POST, "conversations/\(EndToEnd.ana)/close", nil),
            ] {
                let (status, json) = try await server.request(method, path, key: "key-bruno", body: body)
                #expect(status == 403, "\(method) \(path)")
                #expect((json["error"] as? [String: Any])?["code"] as? String == "not_assigned", "\(method) \(path)")
            }
            // Replying is for the agent in the handoff, admins included; closing is for admins too, who then
            // hear of the state.
            let reply = try await server.request(
                .POST, "conversations/\(waiting)/messages", key: "key-jefa", body: #"{"text":"hola"}"#)
            #expect(reply.status == 403)
            let close = try await server.request(.POST, "conversations/\(waiting)/close", key: "key-jefa")
            #expect(close.status == 409)
            #expect((close.json["error"] as? [String: Any])?["code"] as? String == "not_with_agent")
            // The 404 still comes first: there is nothing to own.
            #expect(try await server.request(.POST, "conversations/570000/close", key: "key-bruno").status == 404)
            try await server.waitForEmptyOutbox()
        }
    }

    /// Reassigning a conversation to the agent who has it changes nothing: 200 with it as it is, no second
    /// `agent_assigned` line, no `assignment` event, and the agent's first reply still counts.
    @Test func reassigningToTheAgentWhoHasItChangesNothing() async throws {
        try await AgentServer.run { server in
            let events = try await server.readEvents(of: "ana")
            defer { events.cancel() }
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            server.e2e.clock.advance(by: 30)
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola"}"#).status == 202)
            try await server.waitForEmptyOutbox()
            let firstReply = try #require(try await server.listed(EndToEnd.ana)["first_reply_at"] as? String)
            func assignedLines() async throws -> Int {
                let (_, thread) = try await server.request(.GET, messages, key: "key-jefa")
                let lines = thread["messages"] as? [[String: Any]] ?? []
                return lines.filter { $0["type"] as? String == "agent_assigned" }.count
            }
            #expect(try await assignedLines() == 1)

            server.e2e.clock.advance(by: 30)
            let (status, answer) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/reassign", key: "key-jefa", body: #"{"agent":"ana"}"#)
            #expect(status == 200)
            #expect(answer["agent"] as? String == "ana")
            #expect(answer["status"] as? String == "with_agent")
            #expect((answer["outbox_ids"] as? [Any])?.isEmpty == true)
            #expect(try await assignedLines() == 1)
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] as? String == firstReply)
            let report = try await server.report()
            #expect(report.agents.first?["answered"] as? Int == 1)
            #expect(report.agents.first?["average_seconds_to_attend"] as? Double == 30)
            // Events arrive in order: once the contact's message is in, a second assignment would be too.
            #expect(try await server.e2e.post(EndToEnd.text("gracias", from: EndToEnd.ana, id: "wamid.M1")) == 200)
            try await server.waitUntil { events.text.contains("event: message") }
            #expect(events.text.components(separatedBy: "event: assignment").count - 1 == 1)
            // A reassignment that changes the agent still is one: away to carla and back, ana hears of it.
            let reassign = "conversations/\(EndToEnd.ana)/reassign"
            #expect(
                try await server.request(.POST, reassign, key: "key-jefa", body: #"{"agent":"carla"}"#).status == 200)
            #expect(try await server.request(.POST, reassign, key: "key-jefa", body: #"{"agent":"ana"}"#).status == 200)
            try await server.waitUntil { events.text.components(separatedBy: "event: assignment").count - 1 == 2 }
            #expect(try await assignedLines() == 3)
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] == nil)
            try await server.waitForEmptyOutbox()
        }
    }

    /// Numbers in a query and a data request's `{id}` are ASCII digits, leading zeros allowed; a sign is not
    /// (400 in a query, no case in a path), and a `status` list with an empty item is 400.
    @Test func numbersAreASCIIDigitsAndStatusListsHaveNoEmptyItem() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let thread = "conversations/\(EndToEnd.ana)/messages"
            for path in [
                "conversations?limit=%2B1", "conversations?limit=-1", "conversations?limit=1.0",
                "conversations?limit=%201", "conversations?offset=%2B0", "conversations?limit=%D9%A1",
                "\(thread)?after=%2B1", "\(thread)?limit=%2B5", "conversations?status=with_agent,",
                "conversations?status=,", "conversations?status=queued,,with_agent",
            ] {
                let (status, json) = try await server.request(.GET, path, key: "key-jefa")
                #expect(status == 400, "\(path)")
                #expect((json["error"] as? [String: Any])?["code"] as? String == "invalid_request", "\(path)")
            }
            for path in [
                "conversations?limit=01", "conversations?offset=00", "\(thread)?after=00",
                "conversations?status=queued,with_agent", "conversations?status=&status=with_agent",
            ] {
                #expect(try await server.request(.GET, path, key: "key-jefa").status == 200, "\(path)")
            }
            let (_, listed) = try await server.request(.GET, "conversations?limit=01", key: "key-jefa")
            #expect((listed["conversations"] as? [Any])?.count == 1)

            for kind in ["claim", "access"] {
                let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "\#(kind)"}"#
                #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)
            }
            for id in ["%2B1", "-1", "1.0", "%201", "abc"] {
                let answer = try await server.raw("POST", "/api/v1/tenants/tienda/data-requests/\(id)/extend")
                #expect(answer.status == 404 && answer.code == "not_found", "\(id)")
            }
            let (extended, moved) = try await server.request(.POST, "data-requests/01/extend", key: "key-jefa")
            #expect(extended == 200 && moved["id"] as? Int == 1)
            // Percent-decoded first, like every path parameter: `%32` is 2.
            let (answered, done) = try await server.request(
                .POST, "data-requests/%32/answer", key: "key-jefa", body: "{}")
            #expect(answered == 200 && done["id"] as? Int == 2)
        }
    }

    /// A key given twice in a JSON body is 400 naming it: JSONDecoder would read one of the values and drop the
    /// other unseen (`{"text":"a","text":"b"}` was a 202 sending "a").
    @Test func aKeyGivenTwiceIsRefusedNamingIt() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            for (path, body, key) in [
                ("conversations/\(EndToEnd.ana)/messages", #"{"text":"a","text":"b"}"#, "text"),
                ("data-requests", #"{"contact":"573001112233","kind":"access","kind":"claim"}"#, "kind"),
            ] {
                let (status, json) = try await server.request(.POST, path, key: "key-ana", body: body)
                #expect(status == 400, "\(path)")
                let error = json["error"] as? [String: Any]
                #expect(error?["code"] as? String == "invalid_request")
                #expect(
                    error?["message"] as? String == "the body gives '\(key)' more than once; give each field once")
            }
            try await server.waitForEmptyOutbox()
            let (_, thread) = try await server.request(
                .GET, "conversations/\(EndToEnd.ana)/messages", key: "key-ana")
            let texts = (thread["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(!texts.contains("a") && !texts.contains("b"), "\(texts)")
        }
    }

    /// A data request's contact is an id a conversation could have: no control character, at most 256 bytes
    /// (the longest business-scoped user id a reply is addressed to).
    @Test func aDataRequestsContactIsAnIDAWebhookCouldGive() async throws {
        try await AgentServer.run { server in
            for contact in [#"a\u0000b"#, #"5730\t01"#, #"5730\u007f"#, String(repeating: "5", count: 60_000)] {
                let body = #"{"contact": "\#(contact)", "kind": "access"}"#
                let (status, json) = try await server.request(.POST, "data-requests", key: "key-ana", body: body)
                #expect(status == 400, "\(contact.prefix(20))")
                #expect((json["error"] as? [String: Any])?["code"] as? String == "invalid_request")
            }
            for contact in ["CO.13491208655302741918", "CO." + String(repeating: "1", count: 253)] {
                let body = #"{"contact": "\#(contact)", "kind": "access"}"#
                #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)
            }
            let tooLong = #"{"contact": "CO.\#(String(repeating: "1", count: 254))", "kind": "access"}"#
            let (status, json) = try await server.request(.POST, "data-requests", key: "key-ana", body: tooLong)
            #expect(status == 400)
            #expect(
                (json["error"] as? [String: Any])?["message"] as? String
                    == "'contact' is longer than 256 bytes; give the contact's WhatsApp id (wa_id) or business-scoped "
                    + "user id")
        }
    }

    /// `open=true` lists the cases not answered yet, `open=false` only the answered ones, no `open` all.
    @Test func openFalseListsOnlyTheAnsweredCases() async throws {
        try await AgentServer.run { server in
            for contact in ["573001112233", "573009998877"] {
                let body = #"{"contact": "\#(contact)", "kind": "access"}"#
                #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)
            }
            let answered = try await server.request(.POST, "data-requests/2/answer", key: "key-jefa", body: "{}")
            #expect(answered.status == 200)
            func ids(_ query: String) async throws -> [Int?] {
                let (status, json) = try await server.request(.GET, "data-requests\(query)", key: "key-jefa")
                #expect(status == 200, "\(query)")
                return (json["data_requests"] as? [[String: Any]] ?? []).map { $0["id"] as? Int }
            }
            #expect(try await ids("?open=true") == [1])
            #expect(try await ids("?open=false") == [2])
            #expect(try await ids("") == [1, 2])
            #expect(try await ids("?open=") == [1, 2])
        }
    }

    /// A reply of only white space is 400 "'text' must not be empty"; the 4096 characters of a reply are
    /// grapheme clusters (`e` and a combining accent is one), as the flow's limits count them.
    @Test func aBlankReplyIs400AndTheLengthLimitCountsGraphemeClusters() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            for blank in [#" \n\t "#, #"\u00a0\u3000"#] {
                let (status, json) = try await server.request(
                    .POST, messages, key: "key-ana", body: #"{"text":"\#(blank)"}"#)
                let error = json["error"] as? [String: Any]
                #expect(status == 400, "\(blank)")
                #expect(error?["code"] as? String == "invalid_request", "\(blank)")
                #expect(error?["message"] as? String == "'text' must not be empty", "\(blank)")
            }
            // Control characters (but line feeds and tabs) and texts of invisible characters only, as lint and the
            // template route refuse them: nothing is sent.
            for (text, message) in [
                (
                    #"\u001b[2J"#,
                    "'text' contains the control character \\u{1B} (ESC); the contact's phone would show "
                        + "it as a box or not at all: remove it"
                ),
                (
                    #"hola\u0000"#,
                    "'text' contains the control character \\u{0} (NUL); the contact's phone would show "
                        + "it as a box or not at all: remove it"
                ),
                (#"\u3164"#, "'text' holds nothing visible, only invisible characters: the contact would read nothing"),
                (
                    #"\u3164 \u00ad\u2060"#,
                    "'text' holds nothing visible, only invisible characters: the contact would read nothing"
                ),
            ] {
                let (status, json) = try await server.request(
                    .POST, messages, key: "key-ana", body: #"{"text":"\#(text)"}"#)
                let error = json["error"] as? [String: Any]
                #expect(status == 400, "\(text)")
                #expect(error?["code"] as? String == "invalid_request", "\(text)")
                #expect(error?["message"] as? String == message, "\(text)")
            }
            #expect(
                try await server.request(
                    .POST, messages, key: "key-ana", body: #"{"text":"l\u00ednea 1\n\tl\u00ednea 2"}"#
                ).status == 202)
            let accented = "e\u{301}"
            let over = try await server.request(
                .POST, messages, key: "key-ana", body: #"{"text":"\#(String(repeating: accented, count: 4097))"}"#)
            #expect(over.status == 422)
            let error = over.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "text_too_long")
            #expect((error?["message"] as? String)?.hasPrefix("'text' has 4097 characters") == true)
            // 8192 code points, 4096 characters as people see them: within the limit.
            let (fits, answer) = try await server.request(
                .POST, messages, key: "key-ana", body: #"{"text":"\#(String(repeating: accented, count: 4096))"}"#)
            #expect(fits == 202)
            #expect(answer["agent"] as? String == "ana")
            try await server.waitForEmptyOutbox()
            // A close that ends the conversation leaves it without an agent: the answer has none.
            let (closed, closing) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana")
            #expect(closed == 200)
            #expect(closing["status"] as? String == "closed")
            #expect(closing["agent"] == nil)
            #expect(closing["outbox_ids"] is [Any])
            try await server.waitForEmptyOutbox()
        }
    }

    /// A path parameter whose escape does not decode is 400 `invalid_request` on every route, `{tenant}`
    /// included, and the OpenAPI file lists 400 for every operation.
    @Test func aBadEscapeIs400OnEveryRouteAndEveryOperationListsIt() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            var paths: [(String, String)] = []
            for route in AgentRoutes.routes {
                let method = "\(route.method)"
                let segments = route.path.split(separator: "/").map { $0.hasPrefix(":") ? "%ZZ" : String($0) }
                if segments.contains("%ZZ") {
                    paths.append((method, "/api/v1/tenants/tienda/" + segments.joined(separator: "/")))
                }
                let plain = route.path.replacingOccurrences(of: ":id", with: "1")
                    .replacingOccurrences(of: ":contact", with: EndToEnd.ana)
                    .replacingOccurrences(of: ":agent", with: "ana")
                paths.append((method, "/api/v1/tenants/tiend%FF/" + plain))
            }
            #expect(paths.contains { $0.0 == "POST" && $0.1.hasSuffix("data-requests/%ZZ/extend") })
            for (method, path) in paths {
                let answer = try await server.raw(method, path)
                #expect(answer.status == 400, "\(method) \(path)")
                #expect(answer.code == "invalid_request", "\(method) \(path)")
            }
        }
        let text = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Schemas/agent-api.openapi.yaml"), encoding: .utf8)
        let paths = try #require(text.components(separatedBy: "\ncomponents:\n").first)
        let operations = paths.components(separatedBy: "      operationId: ").dropFirst()
        #expect(operations.count == 15)
        for operation in operations {
            let name = operation.prefix { $0 != "\n" }
            #expect(operation.contains("        '400':"), "\(name)")
        }
    }

    @Test func wholeNumbersAreASCIIDigitsOnly() {
        #expect(WholeNumber.parse("0", as: Int.self) == 0)
        #expect(WholeNumber.parse("007", as: Int.self) == 7)
        #expect(WholeNumber.parse("9223372036854775807", as: Int64.self) == Int64.max)
        for bad in ["", "+1", "-1", " 1", "1 ", "1.0", "1_000", "\u{661}", "9223372036854775808", "0x1"] {
            #expect(WholeNumber.parse(bad, as: Int64.self) == nil, "\(bad)")
        }
    }
}
