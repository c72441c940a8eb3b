import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization
import Testing

@testable import TalkflowServer

/// The agent API over real HTTP: a live server on 127.0.0.1 with a temporary SQLite file and the fake Graph
/// API, a contact driven to a handoff with signed webhooks, then the agents' requests.
@Suite("Agent API", .hangGuard)
struct AgentAPITests {
    @Test func theAssignedAgentListsTheConversationAndWrongKeysAreRefused() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let (status, json) = try await server.request(.GET, "conversations", key: "key-ana")
            #expect(status == 200)
            let list = try #require(json["conversations"] as? [[String: Any]])
            #expect(list.count == 1)
            #expect(list.first?["contact"] as? String == EndToEnd.ana)
            #expect(list.first?["status"] as? String == "with_agent")
            #expect(list.first?["agent"] as? String == "ana")
            #expect(list.first?["queue"] as? String == "ventas")
            #expect(list.first?["handoff_at"] is String)
            let conversationID = await server.processing.pseudonyms.id(tenant: "tienda", contact: EndToEnd.ana)
            #expect(list.first?["conversation_id"] as? String == conversationID)

            let (_, bruno) = try await server.request(.GET, "conversations", key: "key-bruno")
            #expect((bruno["conversations"] as? [Any])?.isEmpty == true)
            let (adminStatus, admin) = try await server.request(
                .GET, "conversations?status=with_agent,queued&agent=ana&from=2020-01-01", key: "key-jefa")
            #expect(adminStatus == 200)
            #expect((admin["conversations"] as? [Any])?.count == 1)

            let (wrong, error) = try await server.request(.GET, "conversations", key: "not-a-key")
            #expect(wrong == 401)
            #expect((error["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            #expect(try await server.request(.GET, "conversations", key: nil).status == 401)
            #expect(try await server.request(.GET, "conversations", key: "key-otra").status == 401)
            #expect(try await server.request(.GET, "conversations", key: "key-otra", tenant: "otra").status == 200)
            #expect(try await server.request(.GET, "conversations?status=nope", key: "key-ana").status == 400)

            let (threadStatus, thread) = try await server.request(
                .GET, "conversations/\(EndToEnd.ana)/messages", key: "key-ana")
            #expect(threadStatus == 200)
            let messages = try #require(thread["messages"] as? [[String: Any]])
            #expect(thread["conversation_id"] as? String == conversationID)
            // The agent sees the contact's consent beside the thread.
            let consent = try #require(thread["consent"] as? [String: Any])
            #expect(consent["accepted_version"] as? String == "2026-01")
            #expect(consent["policy_version"] as? String == "2026-01")
            #expect(consent["in_force"] as? Bool == true)
            #expect(consent["opt_in"] as? Bool == false)
            #expect(messages.contains { $0["direction"] as? String == "inbound" && $0["text"] as? String == "agente" })
            #expect(messages.contains { $0["direction"] as? String == "outbound" && $0["status"] is String })
            let foreign = try await server.request(.GET, "conversations/\(EndToEnd.ana)/messages", key: "key-bruno")
            #expect(foreign.status == 403)
            try await server.waitForEmptyOutbox()
        }
    }

    /// After a reload with a new policy version, the thread still names the version the contact accepted, beside
    /// the one in force and whether it covers it: `in_force` false, as sending a template then refuses.
    @Test func theThreadSaysWhetherTheAcceptedVersionIsTheOneInForce() async throws {
        try await AgentServer.run(admin: true) { server in
            try await server.handOff(EndToEnd.ana)
            let flow = try String(contentsOfFile: server.e2e.flowFile, encoding: .utf8)
            try Data(
                flow.replacingOccurrences(of: "version: \"2026-01\"", with: "version: \"2026-02\"").utf8
            ).write(to: URL(fileURLWithPath: server.e2e.flowFile))
            #expect(try await server.e2e.reload() == 200)
            let (_, thread) = try await server.request(
                .GET, "conversations/\(EndToEnd.ana)/messages", key: "key-jefa")
            let consent = try #require(thread["consent"] as? [String: Any])
            #expect(consent["accepted_version"] as? String == "2026-01")
            #expect(consent["policy_version"] as? String == "2026-02")
            #expect(consent["in_force"] as? Bool == false)
            let (status, refusal) = try await server.request(
                .POST, "templates/recordatorio/send", key: "e2e-admin-key",
                body: #"{"to":"\#(EndToEnd.ana)","parameters":["lunes"]}"#)
            #expect(status == 422)
            #expect((refusal["error"] as? [String: Any])?["code"] as? String == "no_consent")
            try await server.e2e.waitForEmptyOutbox()
        }
    }

    /// A reload that removes the agent's handoff step and its queue ends the handoff: the agent's reply is then
    /// 403 `not_assigned`, not a 202 for a message stepped into nothing.
    @Test func aReplyToAHandoffAFlowChangeEndedIsRefused() async throws {
        try await AgentServer.run(admin: true) { server in
            try await server.handOff(EndToEnd.ana)
            try await server.replaceTheHandoffStep()
            let (status, refusal) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"Hola, sigo aquí"}"#)
            #expect(status == 403)
            #expect((refusal["error"] as? [String: Any])?["code"] as? String == "not_assigned")
            try await server.e2e.waitForEmptyOutbox()
        }
    }

    /// An agent opens a data subject's request received in a conversation; admins list, extend and answer it,
    /// each once. Another tenant's case is unknown.
    @Test func dataRequestsAreOpenedByAgentsAndKeptByAdmins() async throws {
        try await AgentServer.run { server in
            let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim", "subject": "borrar mis datos"}"#
            let (created, opened) = try await server.request(.POST, "data-requests", key: "key-ana", body: body)
            #expect(created == 201)
            #expect(opened["id"] as? Int == 1)
            #expect(opened["kind"] as? String == "claim")
            #expect(opened["status"] as? String == "open")
            #expect((opened["due_at"] as? String)?.hasSuffix("T23:59:59-05:00") == true)
            #expect(opened["flag_due_at"] is String)
            #expect(
                try await server.request(.POST, "data-requests", key: "key-ana", body: #"{"contact":"1","kind":"x"}"#)
                    .status == 400)

            #expect(try await server.request(.GET, "data-requests", key: "key-ana").status == 403)
            let (listed, list) = try await server.request(.GET, "data-requests?open=true", key: "key-jefa")
            #expect(listed == 200)
            #expect((list["data_requests"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1])
            #expect(try await server.request(.GET, "data-requests?open=maybe", key: "key-jefa").status == 400)
            // Given empty, like every other parameter, it counts as not given.
            let (emptyOpen, all) = try await server.request(.GET, "data-requests?open=", key: "key-jefa")
            #expect(emptyOpen == 200)
            #expect((all["data_requests"] as? [[String: Any]])?.count == 1)

            let (extended, moved) = try await server.request(.POST, "data-requests/1/extend", key: "key-jefa")
            #expect(extended == 200)
            #expect(moved["extended_at"] is String)
            #expect(moved["due_at"] as? String != opened["due_at"] as? String)
            #expect(try await server.request(.POST, "data-requests/1/extend", key: "key-jefa").status == 409)
            #expect(try await server.request(.POST, "data-requests/1/extend", key: "key-ana").status == 403)

            let (answeredStatus, answered) = try await server.request(
                .POST, "data-requests/1/answer", key: "key-jefa", body: #"{"answer": "datos suprimidos"}"#)
            #expect(answeredStatus == 200)
            #expect(answered["status"] as? String == "answered")
            #expect(answered["answer"] as? String == "datos suprimidos")
            #expect(
                try await server.request(.POST, "data-requests/1/answer", key: "key-jefa", body: "{}").status == 409)
            #expect(
                try await server.request(.POST, "data-requests/9/answer", key: "key-jefa", body: "{}").status == 404)
            #expect(try await server.request(.GET, "data-requests/1/answer", key: "key-jefa").status == 405)
            // A blank subject or answer is none, as on the command line.
            let (_, blank) = try await server.request(
                .POST, "data-requests", key: "key-ana",
                body: #"{"contact": "573001110000", "kind": "access", "subject": " \t\n "}"#)
            #expect(blank["subject"] == nil)
            let blankID = try #require(blank["id"] as? Int)
            let (_, blankAnswer) = try await server.request(
                .POST, "data-requests/\(blankID)/answer", key: "key-jefa", body: #"{"answer": "  "}"#)
            #expect(blankAnswer["status"] as? String == "answered")
            #expect(blankAnswer["answer"] == nil)
            // Past its deadline a case can no longer be extended (the contact is told before the term expires),
            // but it can still be answered, late.
            let (_, second) = try await server.request(
                .POST, "data-requests", key: "key-ana", body: #"{"contact": "573009998877", "kind": "access"}"#)
            server.e2e.clock.advance(by: 40 * 86_400)
            let (late, lateBody) = try await server.request(.POST, "data-requests/3/extend", key: "key-jefa")
            #expect(late == 409)
            let lateError = lateBody["error"] as? [String: Any]
            #expect(lateError?["code"] as? String == "deadline_passed")
            #expect(
                (lateError?["message"] as? String)?.contains(
                    "was due at \(second["due_at"] as? String ?? "?"); an extension must be told before the deadline")
                    == true)
            let (answeredLate, lateAnswer) = try await server.request(
                .POST, "data-requests/3/answer", key: "key-jefa", body: "{}")
            #expect(answeredLate == 200)
            #expect(lateAnswer["extended_at"] == nil)
            // The other tenant sees nothing of it.
            let (_, other) = try await server.request(.GET, "data-requests", key: "key-otra", tenant: "otra")
            #expect((other["data_requests"] as? [Any])?.isEmpty == true)
            #expect(
                try await server.request(.POST, "data-requests/1/extend", key: "key-otra", tenant: "otra").status
                    == 404)
        }
    }

    /// A file the contact sends to the agent shows in the thread with its caption, type and media id.
    @Test func aContactsFileShowsItsCaptionAndMediaIDInTheThread() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            await server.e2e.fake.addMedia(
                id: "1003383421387256",
                json: #"{"url":"https://lookaside.fbsbx.com/x","mime_type":"image/jpeg","sha256":"x","#
                    + #""file_size":"2048","id":"1003383421387256","messaging_product":"whatsapp"}"#)
            let image = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.img","timestamp":"1750000000","type":"image","#
                    + #""image":{"caption":"Mi c\u00e9dula","mime_type":"image\/jpeg","sha256":"x","#
                    + #""id":"1003383421387256"}}"#)
            #expect(try await server.e2e.post(image) == 200)
            let (_, thread) = try await server.request(.GET, "conversations/\(EndToEnd.ana)/messages", key: "key-ana")
            let messages = try #require(thread["messages"] as? [[String: Any]])
            let file = try #require(messages.last { $0["direction"] as? String == "inbound" })
            #expect(file["type"] as? String == "image")
            #expect(file["text"] as? String == "Mi cédula")
            #expect(file["mime_type"] as? String == "image/jpeg")
            #expect(file["media_id"] as? String == "1003383421387256")
            // When the contact wrote it by WhatsApp's clock, beside when talkflow received it (agentapi2 #5 (c)).
            #expect(file["whatsapp_at"] as? String == "2025-06-15T15:06:40Z")
            #expect(file["at"] as? String != file["whatsapp_at"] as? String)
            #expect(messages.allSatisfy { ($0["whatsapp_at"] != nil) == ($0["direction"] as? String == "inbound") })
            try await server.waitForEmptyOutbox()
        }
    }

    /// Log lines about a conversation name it by its pseudonymous id, the same in every line and in the agent
    /// API, and never by the contact's number or name.
    @Test func logLinesCarryTheTenantAndThePseudonymousConversationIDNeverThePhoneNumber() async throws {
        let logs = LogRecorder()
        let other = "573009998877"
        try await AgentServer.run(logs: logs) { server in
            try await server.handOff(EndToEnd.ana)
            try await server.handOff(other)
            let (status, reply) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
            #expect(status == 202)
            let ana = await server.processing.pseudonyms.id(tenant: "tienda", contact: EndToEnd.ana)
            let bea = await server.processing.pseudonyms.id(tenant: "tienda", contact: other)
            #expect(reply["conversation_id"] as? String == ana)
            #expect(ana != bea)
            #expect(ana.utf8.count == 16 && ana.utf8.allSatisfy { "0123456789abcdef".utf8.contains($0) })
            #expect(await server.processing.pseudonyms.id(tenant: "otra", contact: EndToEnd.ana) != ana)

            let processed = logs.all.filter { $0.message == "inbound message processed" }
            #expect(processed.count == 6)
            #expect(processed.filter { $0.metadata["conversation"] == ana }.count == 3)
            #expect(processed.filter { $0.metadata["conversation"] == bea }.count == 3)
            #expect(processed.allSatisfy { $0.metadata["tenant"] == "tienda" })
            let queued = try #require(logs.all.first { $0.message == "agent reply queued" })
            #expect(queued.metadata["conversation"] == ana)
            #expect(queued.metadata["tenant"] == "tienda")

            let visible = logs.all.filter { $0.level >= .info }
            let text = visible.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            for personal in [EndToEnd.ana, other, String(EndToEnd.ana.suffix(10)), "Ana Pérez", "Hola, soy Ana"] {
                #expect(!text.contains(personal), "\(personal) in the logs")
            }
            try await server.waitForEmptyOutbox()
        }
    }

    /// The consent history is `talkflow consent export`'s document, with the fields the OpenAPI file's
    /// `ConsentHistory` and `ConsentRecord` list, every one present, and times as Unix seconds.
    @Test func theConsentHistoryHasTheDocumentedFieldsAndUnixTimes() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let (status, history) = try await server.request(.GET, "contacts/\(EndToEnd.ana)/consent", key: "key-jefa")
            #expect(status == 200)
            // The number as people write it is her `wa_id`, as a data request's contact is (habeas3 #3: the
            // proof answered "no records").
            let written = try await server.request(.GET, "contacts/%2B57%20300%20111-2233/consent", key: "key-jefa")
            #expect(written.status == 200 && written.json["contact"] as? String == EndToEnd.ana)
            #expect((written.json["records"] as? [Any])?.count == (history["records"] as? [Any])?.count)
            #expect((history["records"] as? [Any])?.isEmpty == false)
            let none = try await server.request(.GET, "contacts/%2B/consent", key: "key-jefa")
            #expect(none.status == 400)
            #expect(Set(history.keys) == ["tenant", "contact", "current", "records", "claim_in_progress"])
            #expect(history["claim_in_progress"] as? Bool == false)
            let current = try #require(history["current"] as? [String: Any])
            #expect(Set(current.keys) == ["accepted_version", "opt_in", "versions", "last_sequence"])
            let record = try #require((history["records"] as? [[String: Any]])?.first)
            #expect(
                Set(record.keys) == [
                    "sequence", "tenant", "contact", "kind", "choice", "policy_version", "policy_url", "text_sha256",
                    "shown_texts", "texts_match_hash", "purposes_accepted", "purposes_declined", "sensitive",
                    "language", "flow", "step", "channel", "phone_number_id", "request_message_ids",
                    "request_messages", "reply_message_id", "words", "at", "received_at", "wa_timestamp",
                    "flow_version",
                ])
            #expect((record["flow_version"] as? String)?.count == 64)
            for time in ["at", "received_at", "wa_timestamp"] {
                #expect(record[time] is Int, "\(time)")
            }
            try await server.waitForEmptyOutbox()
        }
    }

    /// Malformed query values are 400 `invalid_request`, never read loosely: dates without an offset or with
    /// text after them, days the calendar does not have, a thread position that is not a number. Another
    /// agent's event stream is for admins (403 `admin_only`), an unknown agent's is 404, and a reply longer than
    /// WhatsApp's 4096 characters is 422 `text_too_long`.
    @Test func malformedQueryValuesStreamsAndOverlongRepliesAreRefused() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            for bad in [
                "2026-11-27T23:00:00", "2026-11-27garbage", "2026-11-27T05:40:38Zgarbage", "2026-02-29",
                "2026-11-27T05:40Z", "2026-11-27T05", "27/11/2026",
            ] {
                let (status, json) = try await server.request(.GET, "conversations?from=\(bad)", key: "key-jefa")
                #expect(status == 400, "\(bad)")
                #expect((json["error"] as? [String: Any])?["code"] as? String == "invalid_request", "\(bad)")
            }
            for good in [
                "2020-01-01", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5-05:00", "2020-01-01T00:00:00+0000",
            ] {
                let (status, json) = try await server.request(.GET, "conversations?from=\(good)", key: "key-jefa")
                #expect(status == 200, "\(good)")
                #expect((json["conversations"] as? [Any])?.count == 1, "\(good)")
            }
            #expect(
                try await server.request(.GET, "conversations?to=2020-01-01T00:00:00Z", key: "key-jefa").json[
                    "conversations"] as? [Any] != nil)
            for bad in ["abc", "1.5", "-1", "true"] {
                let status = try await server.request(
                    .GET, "conversations/\(EndToEnd.ana)/messages?after=\(bad)", key: "key-ana"
                ).status
                #expect(status == 400, "after=\(bad)")
            }
            #expect(
                try await server.request(.GET, "conversations/\(EndToEnd.ana)/messages?after=0", key: "key-ana").status
                    == 200)
            // Not admin-only endpoints: the message says what the agent may see instead.
            for (path, what) in [
                ("agents/bruno/events", "event stream"), ("conversations?agent=bruno", "conversations"),
            ] {
                let (status, json) = try await server.request(.GET, path, key: "key-ana")
                let error = json["error"] as? [String: Any]
                #expect(status == 403, "\(path)")
                #expect(error?["code"] as? String == "admin_only", "\(path)")
                #expect(
                    error?["message"] as? String == "an agent who is not an admin may see only their own \(what)",
                    "\(path)")
            }
            #expect(try await server.request(.GET, "agents/nadie/events", key: "key-jefa").status == 404)
            // A route the API does not have answers JSON too; the routes it has still answer.
            for (method, path, status, code) in [
                (HTTPMethod.GET, "nothing/here", UInt(404), "no_such_route"),
                (.DELETE, "conversations/\(EndToEnd.ana)", 404, "no_such_route"),
                (.POST, "conversations", 405, "method_not_allowed"),
                (.GET, "conversations/\(EndToEnd.ana)/close", 405, "method_not_allowed"),
                (.GET, "templates/recordatorio", 404, "no_such_route"),
                (.OPTIONS, "conversations", 405, "method_not_allowed"),
            ] {
                let (answered, json) = try await server.request(method, path, key: "key-jefa")
                #expect(answered == status, "\(method) \(path)")
                #expect((json["error"] as? [String: Any])?["code"] as? String == code, "\(method) \(path)")
            }
            let all = try await server.request(.GET, "conversations", key: "key-jefa")
            #expect(all.status == 200)
            // An empty parameter counts as not given (documented).
            let empty = try await server.request(.GET, "conversations?status=&limit=&from=&agent=", key: "key-jefa")
            #expect(empty.status == 200)
            #expect(
                (empty.json["conversations"] as? [Any])?.count == (all.json["conversations"] as? [Any])?.count
                    && (all.json["conversations"] as? [Any])?.isEmpty == false)
            let long = String(repeating: "a", count: 4097)
            let (tooLong, tooLongJSON) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"\#(long)"}"#)
            #expect(tooLong == 422)
            #expect((tooLongJSON["error"] as? [String: Any])?["code"] as? String == "text_too_long")
            let huge = String(repeating: "a", count: 70_000)
            // The limit is the request body's, whatever the endpoint.
            for (path, key) in [("messages", "key-ana"), ("reassign", "key-jefa")] {
                let (tooLarge, tooLargeJSON) = try await server.request(
                    .POST, "conversations/\(EndToEnd.ana)/\(path)", key: key, body: #"{"text":"\#(huge)"}"#)
                #expect(tooLarge == 413)
                let error = tooLargeJSON["error"] as? [String: Any]
                #expect(error?["code"] as? String == "body_too_large")
                #expect(error?["message"] as? String == "the body is larger than 64 KiB, the most the agent API reads")
            }
            try await server.waitForEmptyOutbox()
        }
    }

    /// Any method outside the route table (TRACE, PROPFIND, HEAD…) on any path of the API is 405 JSON with
    /// `Allow`, in the route's error shape (the template route has its own); any other path under `/api/v1`,
    /// `/api/v1` and `/api/v1/tenants` included, is the JSON 404 `no_such_route`.
    @Test func anyOtherMethodIs405AndAnyOtherPathUnderTheAPIIsTheJSON404() async throws {
        try await AgentServer.run { server in
            let tenant = "/api/v1/tenants/tienda/"
            let contact = EndToEnd.ana
            for (path, allow) in [
                ("conversations", "GET"), ("conversations/\(contact)/messages", "GET, POST"),
                ("conversations/\(contact)/close", "POST"), ("conversations/\(contact)/reassign", "POST"),
                ("contacts/\(contact)/consent", "GET"), ("agents/ana/events", "GET"), ("reports/agents", "GET"),
            ] {
                for method in ["TRACE", "PROPFIND", "LOCK", "PURGE", "M-SEARCH", "DELETE", "HEAD", "CONNECT"] {
                    let answer = try await server.raw(method, tenant + path)
                    #expect(answer.status == 405, "\(method) \(path)")
                    #expect(answer.headers["allow"] == allow, "\(method) \(path)")
                    #expect(answer.headers["content-type"] == "application/json", "\(method) \(path)")
                    // An answer to HEAD or CONNECT has no body (HTTP), so only the others carry the JSON.
                    let bodiless = method == "HEAD" || method == "CONNECT"
                    #expect(bodiless || answer.code == "method_not_allowed", "\(method) \(path)")
                }
            }
            // Without an admin key (this server has none) the template route is absent, whatever the method.
            for method in ["POST", "PROPFIND"] {
                let template = try await server.raw(method, tenant + "templates/recordatorio/send")
                #expect(template.status == 404 && template.code == "no_such_route", "\(method)")
            }
            for path in [
                "/api/v1", "/api/v1/", "/api/v1/tenants", "/api/v1/tenants/", "/api/v1/foo", "/api/v1/tenants/tienda",
                tenant, tenant + "conversations/\(contact)", tenant + "reports", tenant + "conversations/a/b/c/d",
            ] {
                for method in ["GET", "POST", "TRACE", "PROPFIND"] {
                    let answer = try await server.raw(method, path)
                    #expect(answer.status == 404, "\(method) \(path)")
                    #expect(answer.code == "no_such_route", "\(method) \(path)")
                }
            }
            // A method the HTTP parser does not know never reaches a route (documented): 400, no body.
            let unknown = try await server.raw("BREW", tenant + "conversations")
            #expect(unknown.status == 400 && unknown.body.isEmpty)
            // Outside the API the router's own answer stays.
            let outside = try await server.raw("GET", "/nothing")
            #expect(outside.status == 404 && outside.code == nil)
        }
    }

    /// Path parameters are percent-decoded (RFC 3986): an escaped contact, tenant or agent is the same as
    /// written plainly; an invalid escape, or bytes that are not UTF-8 once decoded, is 400 `invalid_request`.
    @Test func pathParametersArePercentDecodedAndInvalidEscapesAre400() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let escaped = EndToEnd.ana.dropLast() + "%" + String(EndToEnd.ana.utf8.last!, radix: 16)
            let thread = try await server.raw("GET", "/api/v1/tenants/tiend%61/conversations/\(escaped)/messages")
            #expect(thread.status == 200)
            #expect(thread.body.contains(#""contact":"\#(EndToEnd.ana)""#))
            #expect(try await server.raw("GET", "/api/v1/tenants/tienda/contacts/\(escaped)/consent").status == 200)
            // Her own stream for ana (not another agent's, which would be 403), an unknown agent's name decoded.
            let own = try await server.raw("GET", "/api/v1/tenants/tienda/agents/%61na/events", key: "key-ana")
            #expect(own.status == 200 && own.headers["content-type"] == "text/event-stream")
            let unknown = try await server.raw("GET", "/api/v1/tenants/tienda/agents/nad%69e/events")
            #expect(unknown.status == 404 && unknown.body.contains("'nadie'"))
            let (closed, _) = try await server.request(.POST, "conversations/\(escaped)/close", key: "key-ana")
            #expect(closed == 200)
            for path in [
                "tienda/conversations/%FF/messages", "tienda/conversations/%G1/messages",
                "tienda/conversations/1%/messages",
                "tienda/conversations/%C3/close", "tienda%/conversations", "tienda/agents/an%E1/events",
                "tienda/contacts/%ZZ/consent",
            ] {
                let answer = try await server.raw(path.hasSuffix("close") ? "POST" : "GET", "/api/v1/tenants/" + path)
                #expect(answer.status == 400, "\(path)")
                #expect(answer.code == "invalid_request", "\(path)")
            }
        }
    }

    /// A query parameter given more than once is 400 naming it, never one of its values read quietly (an empty
    /// one included); only `status`, a list, may repeat.
    @Test func aRepeatedQueryParameterIs400NamingIt() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let thread = "conversations/\(EndToEnd.ana)/messages"
            for (path, name) in [
                ("conversations?limit=3&limit=abc", "limit"), ("conversations?offset=0&offset=0", "offset"),
                ("conversations?agent=ana&agent=bruno", "agent"), ("conversations?from=2020-01-01&from=", "from"),
                ("conversations?to=2030-01-01&to=2031-01-01", "to"), ("\(thread)?after=0&after=1", "after"),
                ("\(thread)?limit=1&limit=2", "limit"), ("reports/agents?from=2020-01-01&from=2020-01-01", "from"),
                ("reports/agents?to=2030-01-01&to=2030-01-01&to=2030-01-01", "to"),
            ] {
                let (status, json) = try await server.request(.GET, path, key: "key-jefa")
                let error = json["error"] as? [String: Any]
                #expect(status == 400, "\(path)")
                #expect(error?["code"] as? String == "invalid_request", "\(path)")
                #expect((error?["message"] as? String)?.hasPrefix("'\(name)' is given ") == true, "\(path)")
            }
            let (listed, json) = try await server.request(
                .GET, "conversations?status=queued&status=with_agent", key: "key-jefa")
            #expect(listed == 200 && (json["conversations"] as? [Any])?.count == 1)
        }
    }

    /// The per-agent report counts every conversation from the log: ana's answered and closed, with its
    /// duration and the wait for her first reply; bruno's open and unanswered; the totals over every
    /// conversation, one that never reached an agent included (unanswered).
    @Test func theAgentReportCountsConversationsAnsweredClosedAndTheirTimes() async throws {
        try await AgentServer.run { server in
            let started = server.e2e.clock.now
            try await server.handOff(EndToEnd.ana)
            let other = "573009998877"
            try await server.handOff(other)
            // A conversation that never reaches an agent: in the totals only, unanswered.
            let botOnly = "573005554433"
            #expect(try await server.e2e.post(EndToEnd.text("hola", from: botOnly, id: "wamid.\(botOnly).1")) == 200)
            try await server.waitForEmptyOutbox()
            try await server.anaRepliesThenCloses(EndToEnd.ana, after: 40, closingAfter: 60)

            let (status, json) = try await server.request(.GET, "reports/agents", key: "key-jefa")
            #expect(status == 200)
            let agents = try #require(json["agents"] as? [[String: Any]])
            #expect(agents.map { $0["agent"] as? String } == ["ana", "bruno"])
            let ana = agents[0]
            #expect(ana["conversations"] as? Int == 1)
            #expect(ana["closed"] as? Int == 1 && ana["open"] as? Int == 0)
            #expect(ana["answered"] as? Int == 1 && ana["unanswered"] as? Int == 0)
            #expect(ana["average_seconds_to_attend"] as? Double == 40)
            // The same wait in business hours: all of it, or less when the test runs while the business is closed.
            let business = try #require(ana["average_business_seconds_to_attend"] as? Double)
            #expect((0...40).contains(business))
            #expect(ana["average_duration_seconds"] as? Double == 100)
            let bruno = agents[1]
            #expect(bruno["open"] as? Int == 1 && bruno["unanswered"] as? Int == 1)
            #expect(bruno["average_duration_seconds"] is NSNull)
            let totals = try #require(json["totals"] as? [String: Any])
            #expect(totals["conversations"] as? Int == 3)
            #expect(totals["answered"] as? Int == 1 && totals["unanswered"] as? Int == 2)
            #expect(totals["agent"] is NSNull)

            // The period bounds the start; only admins read reports.
            let later = AgentAPI.iso8601(started + 1)
            let (_, empty) = try await server.request(.GET, "reports/agents?from=\(later)", key: "key-jefa")
            #expect((empty["totals"] as? [String: Any])?["conversations"] as? Int == 0)
            #expect(try await server.request(.GET, "reports/agents", key: "key-ana").status == 403)
            #expect(try await server.request(.GET, "reports/agents?to=ayer", key: "key-jefa").status == 400)
        }
    }

    /// After a reassignment the figures are the new agent's: ana's reply, sent before, is neither carla's first
    /// reply nor her answer, and carla's wait runs from the reassignment (spec: answered means the last
    /// assigned agent's first reply was sent).
    @Test func aReassignmentStartsTheFirstReplyAndTheWaitAgainForTheNewAgent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            server.e2e.clock.advance(by: 40)
            let anaReply = server.e2e.clock.now
            let (anaStatus, _) = try await server.request(
                .POST, messages, key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
            #expect(anaStatus == 202)
            try await server.waitForEmptyOutbox()
            #expect(
                try await server.listed(EndToEnd.ana)["first_reply_at"] as? String == AgentAPI.iso8601(anaReply)
                    as String)

            server.e2e.clock.advance(by: 60)
            let reassignedAt = server.e2e.clock.now
            let reassign = "conversations/\(EndToEnd.ana)/reassign"
            #expect(
                try await server.request(.POST, reassign, key: "key-jefa", body: #"{"agent":"carla"}"#).status == 200)
            let listed = try await server.listed(EndToEnd.ana)
            #expect(listed["agent"] as? String == "carla")
            #expect(listed["first_reply_at"] == nil)
            let before = try await server.report()
            #expect(before.agents.map { $0["agent"] as? String } == ["carla"])
            #expect(before.agents.first?["answered"] as? Int == 0 && before.agents.first?["unanswered"] as? Int == 1)
            #expect(before.agents.first?["average_seconds_to_attend"] is NSNull)
            #expect(before.totals["answered"] as? Int == 0)

            server.e2e.clock.advance(by: 25)
            let (carlaStatus, _) = try await server.request(
                .POST, messages, key: "key-carla", body: #"{"text":"Hola, soy Carla"}"#)
            #expect(carlaStatus == 202)
            try await server.waitForEmptyOutbox()
            #expect(
                try await server.listed(EndToEnd.ana)["first_reply_at"] as? String
                    == AgentAPI.iso8601(reassignedAt + 25) as String)
            let after = try await server.report()
            #expect(after.agents.map { $0["agent"] as? String } == ["carla"])
            #expect(after.agents.first?["answered"] as? Int == 1 && after.agents.first?["unanswered"] as? Int == 0)
            #expect(after.agents.first?["average_seconds_to_attend"] as? Double == 25)
            #expect(after.totals["answered"] as? Int == 1 && after.totals["average_seconds_to_attend"] as? Double == 25)
        }
    }

    /// A reply ana wrote before the reassignment, that the Graph API accepts only after it, is not carla's
    /// first reply, in the list nor in the report.
    @Test func aReplyWrittenBeforeTheReassignmentAndSentAfterItDoesNotCountForTheNewAgent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            await server.e2e.fake.failNext(.slow(.milliseconds(1500)))
            let (replied, _) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"Hola"}"#)
            #expect(replied == 202)
            let (reassigned, _) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/reassign", key: "key-jefa", body: #"{"agent":"carla"}"#)
            #expect(reassigned == 200)
            try await server.waitForEmptyOutbox()
            let (_, thread) = try await server.request(.GET, "conversations/\(EndToEnd.ana)/messages", key: "key-jefa")
            let replies = (thread["messages"] as? [[String: Any]] ?? []).filter { $0["from"] as? String == "ana" }
            #expect(replies.map { $0["status"] as? String } == ["sent"])
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] == nil)
            let report = try await server.report()
            #expect(report.agents.map { $0["agent"] as? String } == ["carla"])
            #expect(report.agents.first?["answered"] as? Int == 0)
        }
    }

    /// Ana replies again 20 seconds later (30 after the handoff): that reply is the first reply, in the list and
    /// in the report.
    static func anaRepliesAgainAndItIsTheFirstReply(_ server: AgentServer) async throws {
        server.e2e.clock.advance(by: 20)
        let sentAt = server.e2e.clock.now
        let messages = "conversations/\(EndToEnd.ana)/messages"
        #expect(
            try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola otra vez"}"#).status == 202)
        try await server.waitForEmptyOutbox()
        #expect(
            try await server.listed(EndToEnd.ana)["first_reply_at"] as? String == AgentAPI.iso8601(sentAt) as String)
        let sent = try await server.report()
        #expect(sent.agents.first?["answered"] as? Int == 1)
        #expect(sent.agents.first?["average_seconds_to_attend"] as? Double == 30)
    }

    /// A reply the Graph API refused (error #100, status `failed`) was not sent: no `first_reply_at`, not
    /// answered; the next reply it accepts is the first reply, in the list and in the report alike.
    @Test func aReplyTheGraphAPIRefusedIsNotTheFirstReply() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            await server.e2e.fake.failNext(.invalidParameter)
            server.e2e.clock.advance(by: 10)
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola"}"#).status == 202)
            try await server.waitForEmptyOutbox()
            let (_, thread) = try await server.request(.GET, messages, key: "key-ana")
            let replies = (thread["messages"] as? [[String: Any]] ?? []).filter { $0["from"] as? String == "ana" }
            #expect(replies.map { $0["status"] as? String } == ["failed"])
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] == nil)
            let refused = try await server.report()
            #expect(refused.agents.first?["answered"] as? Int == 0 && refused.agents.first?["unanswered"] as? Int == 1)

            try await Self.anaRepliesAgainAndItIsTheFirstReply(server)
        }
    }

    /// A reply the Graph API accepted that Meta then reports `failed` (131026, undeliverable) never reached the
    /// contact: it stops being the first reply, in the list and in the report; the next reply is the first.
    @Test func aReplyMetaReportsFailedAfterAcceptingItIsNotTheFirstReply() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            server.e2e.clock.advance(by: 10)
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola"}"#).status == 202)
            try await server.waitForEmptyOutbox()
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] is String)
            let thread = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 99)
            let wamid = try #require(thread.last { $0.messageID != nil }?.messageID)
            let failed = EndToEnd.status(
                "failed", of: wamid, to: EndToEnd.ana, callbackData: "",
                errors: #"[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable"}]"#,
                at: server.e2e.clock.now)
            #expect(try await server.e2e.post(failed) == 200)
            #expect(try await server.listed(EndToEnd.ana)["first_reply_at"] == nil)
            let undelivered = try await server.report()
            #expect(undelivered.agents.first?["answered"] as? Int == 0)

            try await Self.anaRepliesAgainAndItIsTheFirstReply(server)
        }
    }

    /// The thread shows each stage of an agent's reply with its own time, `read` arriving before `delivered`
    /// included: the status stays `read`, its `status_at` is the read time, and `delivered_at` is still given.
    @Test func theThreadGivesEachStageItsTimeWhateverTheOrderOfTheStatuses() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            server.e2e.clock.advance(by: 10)
            let sentAt = server.e2e.clock.now
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola"}"#).status == 202)
            try await server.waitForEmptyOutbox()
            let stored = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 99)
            let wamid = try #require(stored.last { $0.messageID != nil }?.messageID)
            for (status, at) in [("read", sentAt + 70), ("delivered", sentAt + 40), ("delivered", sentAt + 50)] {
                let body = EndToEnd.status(status, of: wamid, to: EndToEnd.ana, callbackData: "", at: at)
                #expect(try await server.e2e.post(body) == 200)
            }
            let (_, thread) = try await server.request(.GET, messages, key: "key-ana")
            let line = try #require(
                (thread["messages"] as? [[String: Any]])?.first { $0["message_id"] as? String == wamid })
            #expect(line["status"] as? String == "read")
            #expect(line["status_at"] as? String == AgentAPI.iso8601(Int64(sentAt + 70)))
            #expect(line["sent_at"] as? String == AgentAPI.iso8601(Int64(sentAt)))
            #expect(line["delivered_at"] as? String == AgentAPI.iso8601(Int64(sentAt + 40)))
            #expect(line["read_at"] as? String == AgentAPI.iso8601(Int64(sentAt + 70)))
            // The contact's own message has no delivery times.
            let inbound = try #require(
                (thread["messages"] as? [[String: Any]])?.first { $0["direction"] as? String == "inbound" })
            #expect(inbound["sent_at"] == nil && inbound["read_at"] == nil)
        }
    }

    /// A `failed` status that comes after the agent closed the handoff finds the first reply again among the
    /// last assigned agent's replies, as before the close (the review found it erased once the session had no
    /// agent): a later reply failing leaves the first; the first failing too leaves none.
    @Test func aReplyFailedAfterTheHandoffEndedKeepsTheFirstReplyOfTheLastAgent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let messages = "conversations/\(EndToEnd.ana)/messages"
            server.e2e.clock.advance(by: 10)
            let firstAt = server.e2e.clock.now
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Hola"}"#).status == 202)
            server.e2e.clock.advance(by: 5)
            #expect(try await server.request(.POST, messages, key: "key-ana", body: #"{"text":"Chao"}"#).status == 202)
            try await server.waitForEmptyOutbox()
            #expect(
                try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana").status == 200)
            try await server.waitForEmptyOutbox()
            let replies = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 99
            ).filter {
                if case .outbound(_, from: .agent, _, _, _) = $0.content { true } else { false }
            }.compactMap(\.messageID)
            #expect(replies.count == 2)
            for (index, wamid) in replies.reversed().enumerated() {
                let failed = EndToEnd.status(
                    "failed", of: wamid, to: EndToEnd.ana, callbackData: "",
                    errors: #"[{"code":131026,"title":"Message undeliverable"}]"#, at: server.e2e.clock.now)
                #expect(try await server.e2e.post(failed) == 200)
                let first = try await server.listed(EndToEnd.ana)["first_reply_at"] as? String
                #expect(first == (index == 0 ? AgentAPI.iso8601(firstAt) as String : nil), "after \(wamid) failed")
            }
        }
    }

    @Test func aReplyReachesTheGraphAPIAndOnlyTheAssignedAgentMayReply() async throws {
        try await AgentServer.run { server in
            let sends = try await server.handOff(EndToEnd.ana)
            let path = "conversations/\(EndToEnd.ana)/messages"
            let (status, answer) = try await server.request(
                .POST, path, key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
            #expect(status == 202)
            #expect((answer["outbox_ids"] as? [Any])?.count == 1)
            let bodies = try await server.e2e.waitForSends(sends + 1)
            #expect(bodies.last?.contains(#""body":"Hola, soy Ana""#) == true)
            #expect(try await server.request(.POST, path, key: "key-bruno", body: #"{"text":"hola"}"#).status == 403)
            #expect(try await server.request(.POST, path, key: "key-ana", body: #"{"nope":1}"#).status == 400)
            try await server.waitForEmptyOutbox()
            let summary = try await server.e2e.store.conversations(tenant: "tienda", filter: ConversationFilter())
            #expect(summary.first?.agentFirstReplyAt != nil)
        }
    }

    @Test func anEmojiReplyIsRefusedWith422AndNothingIsQueued() async throws {
        try await AgentServer.run { server in
            let sends = try await server.handOff(EndToEnd.ana)
            try await server.waitForEmptyOutbox()
            let (status, answer) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"Hola 😀"}"#)
            #expect(status == 422)
            let error = try #require(answer["error"] as? [String: Any])
            #expect(error["code"] as? String == "emoji_not_allowed")
            #expect(error["message"] as? String == "emoji are not allowed in messages to contacts")
            #expect(try await server.e2e.store.outboxDepth() == 0)
            try await Task.sleep(for: .milliseconds(200))
            #expect(await server.e2e.fake.messageBodies.count == sends)
        }
    }

    @Test func aReplyAfterTheWindowClosedIsRefusedWith422() async throws {
        try await AgentServer.run { server in
            let sends = try await server.handOff(EndToEnd.ana)
            try await server.waitForEmptyOutbox()
            server.e2e.clock.advance(by: 25 * 3600)
            let (status, answer) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"Hola"}"#)
            #expect(status == 422)
            let error = try #require(answer["error"] as? [String: Any])
            #expect(error["code"] as? String == "window_closed")
            #expect(
                error["message"] as? String
                    == "more than 24 hours since the contact's last message; only an approved template can be sent")
            try await Task.sleep(for: .milliseconds(200))
            #expect(await server.e2e.fake.messageBodies.count == sends)
        }
    }

    /// An order (a message type the flow cannot read) is still the contact writing: Meta opens its window on it,
    /// so the agent may answer, and the thread shows it by its type.
    @Test func anOrderOpensTheWindowForTheAgent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            try await server.waitForEmptyOutbox()
            server.e2e.clock.advance(by: 25 * 3600)
            let order = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.ORDER","timestamp":"1750090000","type":"order","#
                    + #""order":{"catalog_id":"1","text":"","product_items":[{"product_retailer_id":"A1","#
                    + #""quantity":1,"item_price":9900,"currency":"COP"}]}}"#)
            #expect(try await server.e2e.post(order) == 200)
            let (status, _) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana",
                body: #"{"text":"Recibimos tu pedido"}"#)
            #expect(status == 202)
            let (_, thread) = try await server.request(.GET, "conversations/\(EndToEnd.ana)/messages", key: "key-ana")
            let messages = try #require(thread["messages"] as? [[String: Any]])
            #expect(messages.contains { $0["direction"] as? String == "inbound" && $0["text"] as? String == "[order]" })
            try await server.waitForEmptyOutbox()
        }
    }

    /// A contact's call renews the window as a message does (Meta: "When a WhatsApp user messages you or calls
    /// you, a 24-hour timer called a customer service window starts"), so the agent may answer in writing; a
    /// call the business started, or the end of a call, renews nothing.
    @Test func aContactsCallRenewsTheWindowForTheAgent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            try await server.waitForEmptyOutbox()
            server.e2e.clock.advance(by: 25 * 3600)
            func calls(_ event: String, _ direction: String) -> [UInt8] {
                let head: String =
                    #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                    + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                    + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"#
                let call: String =
                    #""calls":[{"id":"wacid.C1","to":"15550783881","from":"\#(EndToEnd.ana)","event":"\#(event)","#
                    + #""timestamp":"4102444800","direction":"\#(direction)"}]},"field":"calls"}]}]}"#
                return Array((head + call).utf8)
            }
            let reply = "conversations/\(EndToEnd.ana)/messages"
            #expect(try await server.e2e.post(calls("connect", "BUSINESS_INITIATED")) == 200)
            #expect(try await server.e2e.post(calls("terminate", "USER_INITIATED")) == 200)
            let refused = try await server.request(.POST, reply, key: "key-ana", body: #"{"text":"Hola"}"#)
            #expect(refused.status == 422)
            #expect(try await server.e2e.post(calls("connect", "USER_INITIATED")) == 200)
            let accepted = try await server.request(.POST, reply, key: "key-ana", body: #"{"text":"Hola"}"#)
            #expect(accepted.status == 202)
            // Nothing entered the thread: a call is no message.
            let (_, thread) = try await server.request(.GET, reply, key: "key-ana")
            let messages = try #require(thread["messages"] as? [[String: Any]])
            #expect(!messages.contains { ($0["text"] as? String)?.contains("wacid") == true })
            try await server.waitForEmptyOutbox()
        }
    }

    /// A call from someone who never wrote starts no conversation.
    @Test func aCallWithoutAConversationStartsNone() async throws {
        try await AgentServer.run { server in
            let body = Array(
                (#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"#
                    + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                    + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"calls":[{"id":"wacid.C2","#
                    + #""from":"573009990000","event":"connect","timestamp":"1750000000","#
                    + #""direction":"USER_INITIATED"}]},"field":"calls"}]}]}"#).utf8)
            #expect(try await server.e2e.post(body) == 200)
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: "573009990000") == nil)
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func closingEndsTheConversation() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let close = "conversations/\(EndToEnd.ana)/close"
            #expect(try await server.request(.POST, close, key: "key-bruno").status == 403)
            let (status, answer) = try await server.request(.POST, close, key: "key-ana")
            #expect(status == 200)
            #expect(answer["status"] as? String == "closed")
            let session = try await server.e2e.store.session(tenant: "tienda", contact: EndToEnd.ana)
            #expect(session?.status == .closed)
            #expect(session?.agent == nil)
            // No longer hers: 403 before the state (an agent learns nothing of others' conversations); an admin
            // hears it is not with an agent.
            #expect(try await server.request(.POST, close, key: "key-ana").status == 403)
            #expect(try await server.request(.POST, close, key: "key-jefa").status == 409)
            #expect(try await server.request(.POST, "conversations/570000/close", key: "key-jefa").status == 404)
            // Refused inside the transaction, which then stores nothing: no session for the unknown contact.
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: "570000") == nil)
            // The thread says who closed it (agentapi2 #5: only the server's log line did), once: the refused
            // closes wrote nothing.
            let thread = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let closings = thread.compactMap { entry -> String? in
                guard case .event(let event) = entry.content, event.kind == ConversationEvent.handoffClosed else {
                    return nil
                }
                return event.detail ?? "none"
            }
            #expect(closings == ["ana"])
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func anAdminReassignsAndExportsConsent() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let reassign = "conversations/\(EndToEnd.ana)/reassign"
            #expect(
                try await server.request(.POST, reassign, key: "key-ana", body: #"{"agent":"bruno"}"#).status == 403)
            #expect(
                try await server.request(.POST, reassign, key: "key-jefa", body: #"{"agent":"zoe"}"#).status == 422)
            let (status, answer) = try await server.request(
                .POST, reassign, key: "key-jefa", body: #"{"agent":"bruno"}"#)
            #expect(status == 200)
            #expect(answer["agent"] as? String == "bruno")
            let session = try await server.e2e.store.session(tenant: "tienda", contact: EndToEnd.ana)
            #expect(session?.agent == "bruno")
            #expect(session?.status == .withAgent)
            // A reassignment takes no turn of the rotation (ana, bruno, carla): the next handoff gets bruno.
            let other = "573009998877"
            try await server.handOff(other)
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: other)?.agent == "bruno")

            let consent = "contacts/\(EndToEnd.ana)/consent"
            #expect(try await server.request(.GET, consent, key: "key-ana").status == 403)
            let (consentStatus, history) = try await server.request(.GET, consent, key: "key-jefa")
            #expect(consentStatus == 200)
            #expect(history["contact"] as? String == EndToEnd.ana)
            #expect((history["records"] as? [Any])?.isEmpty == false)
            try await server.waitForEmptyOutbox()
        }
    }

    /// A contact first known by their business-scoped user id, who later wrote with their phone number too, is
    /// reached by either id on every route that names a contact in its path, and the answers name the
    /// conversation by its key (the user id), but for the consent history, which echoes the id asked for.
    /// Another tenant does not follow this tenant's aliases.
    @Test func everyContactRouteTakesEitherOfTheContactsIDs() async throws {
        try await AgentServer.run { server in
            let userID = "US.13491208655302741918"
            let phone = "16505551234"
            func body(_ message: String, phone: String? = nil) -> [UInt8] {
                EndToEnd.webhook(userID: userID, phone: phone, name: "Sam", message: message)
            }
            func text(_ text: String, _ wamid: String, from phone: String? = nil) -> String {
                let from = phone.map { #""from":"\#($0)","# } ?? ""
                return #"{\#(from)"from_user_id":"\#(userID)","id":"\#(wamid)","timestamp":"1750000000","#
                    + #""type":"text","text":{"body":"\#(text)"}}"#
            }
            let accept =
                #"{"from_user_id":"\#(userID)","id":"wamid.U2","timestamp":"1750000000","type":"interactive","#
                + #""interactive":{"type":"button_reply","button_reply":{"id":"consentimiento.accept","#
                + #""title":"Acepto"}}}"#
            #expect(try await server.e2e.post(body(text("hola", "wamid.U1"))) == 200)
            #expect(try await server.e2e.post(body(accept)) == 200)
            #expect(try await server.e2e.post(body(text("agente", "wamid.U3", from: phone), phone: phone)) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: userID)?.status == .withAgent)

            let (threadStatus, thread) = try await server.request(
                .GET, "conversations/\(phone)/messages", key: "key-ana")
            #expect(threadStatus == 200)
            #expect(thread["contact"] as? String == userID)
            #expect((thread["messages"] as? [Any])?.isEmpty == false)
            let (replyStatus, reply) = try await server.request(
                .POST, "conversations/\(phone)/messages", key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
            #expect(replyStatus == 202)
            #expect(reply["contact"] as? String == userID)
            let (consentStatus, consent) = try await server.request(
                .GET, "contacts/\(phone)/consent", key: "key-jefa")
            #expect(consentStatus == 200)
            // The history echoes the id asked for (as `talkflow consent` does), and holds the conversation's.
            #expect(consent["contact"] as? String == phone)
            #expect((consent["records"] as? [Any])?.isEmpty == false)
            let (reassignStatus, reassigned) = try await server.request(
                .POST, "conversations/\(phone)/reassign", key: "key-jefa", body: #"{"agent":"bruno"}"#)
            #expect(reassignStatus == 200)
            #expect(reassigned["contact"] as? String == userID)
            #expect(reassigned["agent"] as? String == "bruno")
            // The other tenant has a conversation with the same person under the user id alone: it never learned
            // the phone number as an alias (this tenant did), so the phone number names nothing there.
            let toOtra = String(decoding: body(text("hola", "wamid.O1")), as: UTF8.self)
                .replacingOccurrences(of: EndToEnd.phoneNumberID, with: AgentServer.phoneNumberOtra)
            #expect(try await server.e2e.post(Array(toOtra.utf8)) == 200)
            #expect(try await server.e2e.store.session(tenant: "otra", contact: userID) != nil)
            let (otherStatus, _) = try await server.request(
                .GET, "conversations/\(phone)/messages", key: "key-otra", tenant: "otra")
            #expect(otherStatus == 404)
            let (ownStatus, own) = try await server.request(
                .GET, "conversations/\(userID)/messages", key: "key-otra", tenant: "otra")
            #expect(ownStatus == 200)
            #expect(own["contact"] as? String == userID)
            let (closeStatus, closed) = try await server.request(
                .POST, "conversations/\(phone)/close", key: "key-bruno")
            #expect(closeStatus == 200)
            #expect(closed["contact"] as? String == userID)
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: userID)?.status == .closed)
            // The phone number alone never became a conversation of its own.
            #expect(try await server.e2e.store.session(tenant: "tienda", contact: phone) == nil)
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func theEventStreamSendsAssignmentAndMessageEvents() async throws {
        try await AgentServer.run { server in
            let events = try await server.readEvents(of: "ana")
            defer { events.cancel() }
            try await server.handOff(EndToEnd.ana)
            try await server.waitUntil { events.text.contains("event: assignment") }
            #expect(try await server.e2e.post(EndToEnd.text("gracias", from: EndToEnd.ana, id: "wamid.M1")) == 200)
            try await server.waitUntil { events.text.contains("event: message") }
            // A file of a refused type is not relayed: the contact is told, the agent's stream is not (agentapi3 #1).
            await server.e2e.fake.addMedia(
                id: "777",
                json: #"{"url":"https://lookaside.fbsbx.com/a","mime_type":"audio/ogg","sha256":"x","#
                    + #""file_size":"2048","id":"777","messaging_product":"whatsapp"}"#)
            let audio = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.A1","timestamp":"1750000000","type":"audio","#
                    + #""audio":{"mime_type":"audio\/ogg","sha256":"x","id":"777","voice":true}}"#)
            #expect(try await server.e2e.post(audio) == 200)
            #expect(try await server.e2e.post(EndToEnd.text("sigo", from: EndToEnd.ana, id: "wamid.M2")) == 200)
            try await server.waitUntil { events.text.contains(#""text":"sigo""#) }
            #expect(!events.text.contains(#""type":"audio""#))
            let stream = events.text
            #expect(stream.hasPrefix(": connected\n\n"))
            #expect(stream.contains("event: assignment\ndata: {\"at\":"))
            #expect(stream.contains(#""contact":"\#(EndToEnd.ana)","queue":"ventas","tenant":"tienda"}"#))
            #expect(stream.contains(#""text":"gracias","type":"text"}"#))
            let other = try await server.request(.GET, "agents/ana/events", key: "key-bruno")
            #expect(other.status == 403)
            events.cancel()
            try await server.waitForEmptyOutbox()
        }
    }

    /// An agent's close whose `next` hands the conversation off again assigns the rotation's next agent, who is
    /// told as for any assignment (the close published nothing before).
    @Test func aCloseThatHandsOffAgainSendsTheNewAgentAnAssignmentEvent() async throws {
        try await AgentServer.run(admin: true) { server in
            let flow = try String(contentsOfFile: server.e2e.flowFile, encoding: .utf8)
            let again = flow.replacingOccurrences(
                of: "el próximo día hábil.\n    next: despedida", with: "el próximo día hábil.\n    next: asesor")
            #expect(again != flow)
            try Data(again.utf8).write(to: URL(fileURLWithPath: server.e2e.flowFile))
            #expect(try await server.e2e.reload() == 200)
            let events = try await server.readEvents(of: "bruno")
            defer { events.cancel() }
            try await server.handOff(EndToEnd.ana)
            let (status, closed) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana")
            #expect(status == 200)
            #expect(closed["agent"] as? String == "bruno")
            try await server.waitUntil { events.text.contains("event: assignment") }
            #expect(events.text.contains(#""contact":"\#(EndToEnd.ana)","queue":"ventas","tenant":"tienda"}"#))
            events.cancel()
            try await server.waitForEmptyOutbox()
        }
    }
}

/// A live server whose `tienda` tenant has agents (ana, bruno, carla and the admin jefa), plus a second tenant
/// `otra`, for the agent API tests.
struct AgentServer {
    let e2e: EndToEnd
    let processing: ConversationProcessing

    static let phoneNumberOtra = "106540352242999"

    static func hash(_ key: String) -> String { SecretComparison.hex(SecretComparison.sha256(key)) }

    /// Starts the fake Graph API and the server, runs `body`, then shuts both down. With `admin`, the server has
    /// an admin key (`e2e-admin-key`): the reload and template routes.
    static func run(
        logs: LogRecorder? = nil, admin: Bool = false, _ body: @Sendable (AgentServer) async throws -> Void
    ) async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        try await FakeGraphAPI.run { fake in
            await fake.requireToken("e2e-access-token")
            try folder.write("flows/default.yaml", try shippedFlow("default.yaml"))
            func agent(_ name: String, admin: Bool = false) -> String {
                "      - id: \(name)\n        key_sha256: \"\(hash("key-\(name)"))\"\n"
                    + (admin ? "        admin: true\n" : "")
            }
            let config = try folder.write(
                "talkflow.yaml",
                """
                server:
                  port: 0
                  graph_api_url: \(await fake.baseURL)
                  store: sqlite:data/talkflow.sqlite
                  mark_read: false
                \(admin ? "  admin_key_env: E2E_ADMIN_KEY\n" : "")tenants:
                  - id: tienda
                    phone_number_id: "\(EndToEnd.phoneNumberID)"
                    app_secret_env: E2E_APP_SECRET
                    verify_token_env: E2E_VERIFY_TOKEN
                    access_token_env: E2E_ACCESS_TOKEN
                    flow: flows/default.yaml
                    agents:
                \(agent("ana"))\(agent("bruno"))\(agent("carla"))\(agent("jefa", admin: true)).
                  - id: otra
                    phone_number_id: "\(phoneNumberOtra)"
                    app_secret_env: E2E_APP_SECRET
                    verify_token_env: E2E_VERIFY_TOKEN
                    access_token_env: E2E_ACCESS_TOKEN
                    flow: flows/default.yaml
                    agents:
                \(agent("otra", admin: true)).
                    queues:
                      ventas: [otra]

                """.replacingOccurrences(of: "\n.\n", with: "\n"))
            try FileManager.default.createDirectory(atPath: folder.file("data"), withIntermediateDirectories: true)
            let loaded = try loadValid(config, environment: EndToEnd.environment)
            let clock = TestClock()
            try await withLiveServer(loaded, label: "agent-api", clock: { clock.now }, logs: logs) {
                port, store, processing in
                let e2e = EndToEnd(
                    base: "http://127.0.0.1:\(port)", fake: fake, store: store, clock: clock,
                    flowFile: folder.file("flows/default.yaml"))
                try await body(AgentServer(e2e: e2e, processing: processing))
            }
        }
    }

    /// The agent API URL of `path` under the tenant.
    func url(_ path: String, tenant: String = "tienda") -> String {
        "\(e2e.base)/api/v1/tenants/\(tenant)/\(path)"
    }

    /// Sends an agent API request with `key` (none when `nil`); returns the status and the JSON object.
    func request(
        _ method: HTTPMethod, _ path: String, key: String?, tenant: String = "tienda", body: String? = nil
    ) async throws -> (status: UInt, json: [String: Any]) {
        try await request(method, path, key: key, tenant: tenant, bytes: body.map { Array($0.utf8) })
    }

    /// `request` with a body of any bytes (not necessarily UTF-8).
    func request(
        _ method: HTTPMethod, _ path: String, key: String?, tenant: String = "tienda", bytes body: [UInt8]?
    ) async throws -> (status: UInt, json: [String: Any]) {
        var request = HTTPClientRequest(url: url(path, tenant: tenant))
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (response.status.code, json)
    }

    /// Drives `contact` through consent to the sales handoff; returns how many messages the fake has received.
    @discardableResult
    func handOff(_ contact: String) async throws -> Int {
        let before = await e2e.fake.messageBodies.count
        #expect(try await e2e.post(EndToEnd.text("hola", from: contact, id: "wamid.\(contact).1")) == 200)
        _ = try await e2e.waitForSends(before + 1)
        try await e2e.waitForEmptyOutbox()
        let wamid =
            try await e2e.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100)
            .compactMap(\.messageID).last ?? ""
        let accept = EndToEnd.buttonReply(
            "consentimiento.accept", title: "Acepto", from: contact, id: "wamid.\(contact).2", context: wamid)
        #expect(try await e2e.post(accept) == 200)
        #expect(try await e2e.post(EndToEnd.text("agente", from: contact, id: "wamid.\(contact).3")) == 200)
        try await e2e.waitForEmptyOutbox()
        let session = try await e2e.store.session(tenant: "tienda", contact: contact)
        #expect(session?.status == .withAgent)
        return await e2e.fake.messageBodies.count
    }

    func waitForEmptyOutbox() async throws { try await e2e.waitForEmptyOutbox() }

    /// ana, with `contact`'s conversation, replies `wait` seconds from now and closes it `duration` seconds later,
    /// each sent before the next step.
    func anaRepliesThenCloses(_ contact: String, after wait: Int64, closingAfter duration: Int64) async throws {
        e2e.clock.advance(by: wait)
        let (replied, _) = try await request(
            .POST, "conversations/\(contact)/messages", key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
        #expect(replied == 202)
        try await waitForEmptyOutbox()
        e2e.clock.advance(by: duration)
        #expect(try await request(.POST, "conversations/\(contact)/close", key: "key-ana").status == 200)
        try await waitForEmptyOutbox()
    }

    /// `rawRequest` to this server with `key` (the admin's unless told).
    func raw(_ method: String, _ path: String, key: String? = "key-jefa") async throws -> RawAnswer {
        try await rawRequest(e2e.base, method, path, headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    /// `contact`'s conversation as the admin's list shows it (empty when it is not listed).
    func listed(_ contact: String) async throws -> [String: Any] {
        let (_, json) = try await request(.GET, "conversations", key: "key-jefa")
        return (json["conversations"] as? [[String: Any]])?.first { $0["contact"] as? String == contact } ?? [:]
    }

    /// The admin's `GET …/reports/agents`: its rows and totals.
    func report() async throws -> (agents: [[String: Any]], totals: [String: Any]) {
        let (status, json) = try await request(.GET, "reports/agents", key: "key-jefa")
        #expect(status == 200)
        return (json["agents"] as? [[String: Any]] ?? [], json["totals"] as? [String: Any] ?? [:])
    }

    /// Opens `agent`'s event stream with their own key and reads it in the background, once the server has
    /// subscribed it (so no event published after this returns is missed).
    func readEvents(of agent: String) async throws -> EventStreamReader {
        var request = HTTPClientRequest(url: url("agents/\(agent)/events"))
        request.headers.add(name: "Authorization", value: "Bearer key-\(agent)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "content-type") == "text/event-stream")
        let reader = EventStreamReader(response.body)
        try await waitUntil { processing.agentEvents.subscriberCount(tenant: "tienda", agent: agent) > 0 }
        return reader
    }

    /// Polls `condition` until it holds, failing after five seconds.
    func waitUntil(_ condition: @Sendable () async throws -> Bool) async throws {
        if try await poll(within: .seconds(5), condition) { return }
        Issue.record("condition not met within five seconds")
    }
}

/// Query times: a fraction of a second rounds up (times are kept in whole seconds), so `from=…:04.5Z` leaves
/// out a conversation started at `…:04Z` and `to=…:04.5Z` keeps it; offsets move the time; a date is midnight UTC.
@Test func queryTimesParseWithOffsetsAndFractionsRoundUp() {
    let base = AgentAPI.unixTime(iso8601: "2026-11-27T10:00:04Z")
    #expect(base == 1_795_773_604)
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27T10:00:04.000Z") == base)
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27T10:00:04.5Z") == base.map { $0 + 1 })
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27T10:00:04.001Z") == base.map { $0 + 1 })
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27T05:00:04-05:00") == base)
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27") == 1_795_737_600)
    #expect(AgentAPI.unixTime(iso8601: "2026-11-27T10:00:04.Z") == nil)
    #expect(AgentAPI.unixTime(iso8601: "2026-02-30") == nil)
}

/// A refused query time says what is wrong with it, then the forms the server reads (the agentapi2 audit found one
/// message, "must be an ISO 8601 date or date-time", for values that are ISO 8601).
@Test(arguments: [
    ("2026-02-29", "names a day the calendar does not have"),
    ("2026-11-28T10:00", "has no seconds (HH:MM:SS)"), ("2026-11-28T10:00Z", "has no seconds (HH:MM:SS)"),
    ("2026-11-28T10:00:00", "has no time zone (Z, ±HH:MM or ±HHMM)"),
    (
        "2026-11-28T24:00:00Z",
        "names a time or a zone offset the clock does not have (hours 00 to 23, minutes and seconds 00 to 59)"
    ),
    (
        "2026-11-28T10:00:00+05:60",
        "names a time or a zone offset the clock does not have (hours 00 to 23, minutes and seconds 00 to 59)"
    ),
    ("28/11/2026", "is not a date or a date-time"),
    ("2026-11-28T10:00:00-05", "is not a date or a date-time of these forms"),
])
func aRefusedQueryTimeSaysWhatIsWrong(value: String, problem: String) {
    #expect(AgentAPI.unixTime(iso8601: value) == nil)
    #expect(AgentRoutes.timeProblem(value) == problem)
    #expect(throws: AgentAPIError.badRequest("'from' \(problem), found '\(value)'; \(AgentRoutes.timeForms)")) {
        try AgentRoutes.time(value, name: "from")
    }
}

/// The OpenAPI file's `QueryTime` pattern gives the forms the server reads: each form it parses matches, and
/// the malformed values it refuses do not (days the calendar lacks and out-of-range fields are the server's
/// alone, as the schema says).
@Test func theOpenAPIQueryTimePatternTakesTheFormsTheServerReads() throws {
    let text = try String(
        contentsOf: repositoryRoot.appendingPathComponent("Schemas/agent-api.openapi.yaml"), encoding: .utf8)
    let schema = try #require(text.components(separatedBy: "\n    QueryTime:\n").last)
    let line = try #require(schema.split(separator: "\n").first { $0.hasPrefix("      pattern: '") })
    let pattern = String(line.dropFirst("      pattern: '".count).dropLast())
    let regex = try NSRegularExpression(pattern: pattern)
    func matches(_ value: String) -> Bool {
        regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
    for good in [
        "2020-01-01", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5-05:00", "2020-01-01T00:00:00+0000",
        "2026-11-27T10:00:04.001Z",
    ] {
        #expect(AgentAPI.unixTime(iso8601: good) != nil, "\(good)")
        #expect(matches(good), "\(good)")
    }
    for bad in [
        "2026-11-27T23:00:00", "2026-11-27garbage", "2026-11-27T05:40:38Zgarbage", "2026-11-27T05:40Z",
        "2026-11-27T05", "27/11/2026", "2026-11-27T10:00:04.Z", "2026-11-27T10:00:04+05",
    ] {
        #expect(AgentAPI.unixTime(iso8601: bad) == nil, "\(bad)")
        #expect(!matches(bad), "\(bad)")
    }
}

/// An event stream read in the background: `text` is what has arrived so far.
final class EventStreamReader: Sendable {
    private let received = Mutex("")
    private let reader = Mutex<Task<Void, any Error>?>(nil)

    init(_ body: HTTPClientResponse.Body) {
        // Holds the reader until the stream ends or `cancel`.
        let task = Task { [self] in
            for try await chunk in body {
                let text = String(buffer: chunk)
                received.withLock { $0 += text }
            }
        }
        reader.withLock { $0 = task }
    }

    var text: String { received.withLock { $0 } }

    func cancel() { reader.withLock { $0?.cancel() } }
}
