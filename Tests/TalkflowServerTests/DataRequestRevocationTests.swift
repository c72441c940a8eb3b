import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// A revocation the Responsable received outside the chat, recorded under an open reclamo (the habeas audit found
/// only the contact's own revocation word in WhatsApp could revoke): over the agent API, by admins; the consent
/// and opt-in are cleared and recorded as revoked, and the contact is asked for consent again.
@Suite("A revocation recorded under a reclamo", .hangGuard)
struct DataRequestRevocationTests {
    private func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    @Test func anAdminRecordsTheRevocationOnceTheHandoffIsClosed() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim", "subject": "revoco la autorizacion"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)

            #expect(try await server.request(.POST, "data-requests/1/revoke", key: "key-ana").status == 403)
            let (open, refusal) = try await server.request(.POST, "data-requests/1/revoke", key: "key-jefa")
            #expect(open == 409 && code(refusal) == "conversation_open")
            #expect(
                try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana").status == 200)
            try await server.waitForEmptyOutbox()

            let (status, revoked) = try await server.request(.POST, "data-requests/1/revoke", key: "key-jefa")
            #expect(status == 200)
            #expect(revoked["revoked_version"] as? String == "2026-01")
            #expect(revoked["opt_in_withdrawn"] as? Bool == false)
            #expect((revoked["data_request"] as? [String: Any])?["status"] as? String == "open")

            let history = try await server.e2e.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            let last = try #require(history.records.last)
            #expect(last.kind == .revocation && last.channel == "data_request")
            #expect(history.current.acceptedVersion == nil)
            let session = try #require(try await server.e2e.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.consent.acceptedVersion == nil)

            let (twice, again) = try await server.request(.POST, "data-requests/1/revoke", key: "key-jefa")
            #expect(twice == 409 && code(again) == "nothing_to_revoke")

            // The contact's next message asks for consent again.
            let before = await server.e2e.fake.messageBodies.count
            #expect(try await server.e2e.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.again")) == 200)
            let sends = try await server.e2e.waitForSends(before + 1)
            #expect(sends.last?.contains(#""id":"consentimiento.accept""#) == true, "\(sends.last ?? "")")

            let access = #"{"contact": "\#(EndToEnd.ana)", "kind": "access"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: access).status == 201)
            let (consulta, notClaim) = try await server.request(.POST, "data-requests/2/revoke", key: "key-jefa")
            #expect(consulta == 409 && code(notClaim) == "not_a_claim")
            try await server.waitForEmptyOutbox()
        }
    }

    /// A contact at a bot step (the menu) when the revocation is recorded: that conversation closes.
    @Test func aConversationWaitingAtABotStepIsClosed() async throws {
        try await AgentServer.run { server in
            let e2e = server.e2e
            try await FlowChangeTests.acceptAndReachTheMenu(e2e, ids: "V")
            try await e2e.waitForEmptyOutbox()
            let request = try await e2e.store.openDataRequest(
                tenant: "tienda", contact: EndToEnd.ana, kind: .claim, receivedAt: e2e.clock.now,
                dueAt: e2e.clock.now + 86_400, flagDueAt: nil, subject: nil, recordedAt: e2e.clock.now)
            let revocation = try await DataRequestRevocation.record(request, in: e2e.store, at: e2e.clock.now)
            #expect(revocation.closedConversation)
            #expect(revocation.revokedVersion == "2026-01")
            let session = try #require(try await e2e.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.status == .closed)
            let thread = try await e2e.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            #expect(thread.contains { $0.content == .event(ConversationEvent("closed", detail: "revoked")) })
            await #expect(throws: DataRequestRevocation.Refusal.beforeReceipt(receivedAt: request.receivedAt)) {
                try await DataRequestRevocation.record(request, in: e2e.store, at: request.receivedAt - 1)
            }
        }
    }
}
