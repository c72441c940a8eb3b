import AsyncHTTPClient
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// A reclamo through the agent API over real HTTP: the thread and the consent history show the flag while the
/// case is open; admins erase the contact's conversation data once the handoff is closed, once; consent stays.
@Suite("Data erasure over the agent API", .hangGuard)
struct DataErasureAPITests {
    private func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    @Test func aClaimIsFlaggedThenErasedByAnAdminAfterTheHandoffIsClosed() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let thread = "conversations/\(EndToEnd.ana)/messages"
            #expect(try await server.request(.GET, thread, key: "key-ana").json["claim_in_progress"] as? Bool == false)

            let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim", "subject": "borrar mis datos"}"#
            let (created, opened) = try await server.request(.POST, "data-requests", key: "key-ana", body: body)
            #expect(created == 201)
            #expect(opened["flagged_at"] is String && opened["flag_late"] as? Bool == false)
            #expect(try await server.request(.GET, thread, key: "key-ana").json["claim_in_progress"] as? Bool == true)
            let (_, history) = try await server.request(.GET, "contacts/\(EndToEnd.ana)/consent", key: "key-jefa")
            #expect(history["claim_in_progress"] as? Bool == true)
            let records = (history["records"] as? [Any])?.count

            #expect(try await server.request(.POST, "data-requests/1/erase", key: "key-ana").status == 403)
            let (open, refusal) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(open == 409 && code(refusal) == "conversation_open")
            #expect(
                try await server.request(.POST, "data-requests/1/erase", key: "key-otra", tenant: "otra").status == 404)

            #expect(
                try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana").status == 200)
            try await server.waitForEmptyOutbox()
            let lines = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 999)
            let (erasedStatus, erased) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(erasedStatus == 200)
            #expect((erased["deleted"] as? [String: Any])?["log_lines"] as? Int == lines.count)
            #expect((erased["kept"] as? [String])?.count == 4)
            let report = try #require(erased["data_request"] as? [String: Any])
            #expect(report["erased_at"] is String && report["status"] as? String == "open")

            let (_, after) = try await server.request(.GET, thread, key: "key-jefa")
            #expect((after["messages"] as? [Any])?.isEmpty == true)
            #expect(after["claim_in_progress"] as? Bool == true)
            #expect((after["consent"] as? [String: Any])?["accepted_version"] as? String == "2026-01")
            let (_, kept) = try await server.request(.GET, "contacts/\(EndToEnd.ana)/consent", key: "key-jefa")
            #expect((kept["records"] as? [Any])?.count == records)

            let (twice, again) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(twice == 409 && code(again) == "already_erased")
            let access = #"{"contact": "\#(EndToEnd.ana)", "kind": "access"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: access).status == 201)
            let (consulta, notClaim) = try await server.request(.POST, "data-requests/2/erase", key: "key-jefa")
            #expect(consulta == 409 && code(notClaim) == "not_a_claim")

            let note = #"{"answer": "suprimidos; el consentimiento se conserva (item 15)"}"#
            #expect(
                try await server.request(.POST, "data-requests/1/answer", key: "key-jefa", body: note).status == 200)
            #expect(try await server.request(.GET, thread, key: "key-jefa").json["claim_in_progress"] as? Bool == false)
            let (answered, closed) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(answered == 409 && code(closed) == "data_request_closed")
            #expect(try await server.request(.GET, "data-requests/1/erase", key: "key-jefa").status == 405)
        }
    }
}
