import Foundation
import GraphAPITestSupport
import Storage
import Testing

@testable import TalkflowServer

/// The consent record names the request it answered even when the answer was processed before the request's
/// send was recorded: the record keeps the request's outbox id, and the agent API's consent history (the
/// document `talkflow consent export` prints) shows the request's `wamid` once the send is reported.
@Suite("Consent evidence: the request's wamid when the answer outran its send", .hangGuard)
struct ConsentRequestEvidenceTests {
    /// The only record of `contact`'s consent history, as the agent API answers it.
    static func record(_ server: AgentServer, _ contact: String = EndToEnd.ana) async throws -> [String: Any] {
        let (status, history) = try await server.request(.GET, "contacts/\(contact)/consent", key: "key-jefa")
        #expect(status == 200)
        let records = try #require(history["records"] as? [[String: Any]])
        #expect(records.count == 1)
        return try #require(records.first)
    }

    /// The outbox id of the first message to `contact`: the consent request.
    static func consentRequestID(_ server: AgentServer) async throws -> Int64 {
        let thread = try await server.e2e.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
        let request = thread.first {
            if case .outbound = $0.content { return true }
            return false
        }
        return try #require(request?.sequence)
    }

    /// Meta's answer to the consent request is slow: the contact has the message and taps Acepto (quoting the
    /// `wamid` the answer will carry) before talkflow learns that `wamid`.
    @Test func aTapWhileMetasAnswerToTheRequestIsSlowGetsTheRequestsWamid() async throws {
        try await AgentServer.run { server in
            let e2e = server.e2e
            await e2e.fake.failNext(.slow(.seconds(4)))
            #expect(try await e2e.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.EV1")) == 200)
            _ = try await e2e.waitForSends(1)  // the Graph API has the request; its answer is held
            let request = try await Self.consentRequestID(server)
            let accept = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.EV2", context: "wamid.FAKE1")
            #expect(try await e2e.post(accept) == 200)
            let recorded = try await Self.record(server)
            #expect(recorded["choice"] as? String == "accepted")
            #expect(recorded["request_message_ids"] as? [String] == [])
            let pending = try #require((recorded["request_messages"] as? [[String: Any]])?.first)
            #expect(pending["outbox_id"] as? Int == Int(request))
            #expect(pending["state"] as? String == "pending")
            #expect(pending["message_id"] is NSNull && pending["sent_at"] is NSNull)

            try await e2e.waitForEmptyOutbox()
            let linked = try await Self.record(server)
            #expect(linked["request_message_ids"] as? [String] == ["wamid.FAKE1"])
            let sent = try #require((linked["request_messages"] as? [[String: Any]])?.first)
            #expect(sent["outbox_id"] as? Int == Int(request))
            #expect(sent["message_id"] as? String == "wamid.FAKE1")
            #expect(sent["state"] as? String == "sent_after_decision")
            #expect(sent["sent_at"] is Int)
            // The record itself is unchanged: the store's export agrees with the API.
            let history = try await e2e.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.first?.requestMessageIDs == ["wamid.FAKE1"])
        }
    }

    /// The contact types `acepto` right after `hola`, while the consent request is still in the outbox (here held
    /// back by a rate limit, so that the order is certain): the decision names the request by its outbox id, and
    /// its `wamid` once the retry is sent.
    @Test func anAcceptTypedBeforeTheRequestIsSentGetsItsWamidOnceSent() async throws {
        try await AgentServer.run { server in
            let e2e = server.e2e
            await e2e.fake.failNext(.rateLimit)
            #expect(try await e2e.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.EV1")) == 200)
            try await e2e.waitForRecordedError(EndToEnd.ana)
            let request = try await Self.consentRequestID(server)
            #expect(try await e2e.post(EndToEnd.text("acepto", from: EndToEnd.ana, id: "wamid.EV2")) == 200)
            let recorded = try await Self.record(server)
            #expect(recorded["request_message_ids"] as? [String] == [])
            let pending = try #require((recorded["request_messages"] as? [[String: Any]])?.first)
            #expect(pending["outbox_id"] as? Int == Int(request) && pending["state"] as? String == "pending")

            // The retry comes due (see `aRateLimitedSendIsRetriedAndSentOnce`), then the menu follows.
            e2e.clock.advance(by: 2)
            _ = try await e2e.waitForSends(3)
            try await e2e.waitForEmptyOutbox()
            let linked = try await Self.record(server)
            #expect(linked["request_message_ids"] as? [String] == ["wamid.FAKE1"])
            let sent = try #require((linked["request_messages"] as? [[String: Any]])?.first)
            #expect(sent["state"] as? String == "sent_after_decision")
            // Sent after the decision was received: what the export lets anyone see.
            let sentAt = try #require(sent["sent_at"] as? Int)
            let receivedAt = try #require(linked["received_at"] as? Int)
            #expect(sentAt >= receivedAt)
        }
    }

    /// An answer processed after the request's send was recorded keeps the `wamid` in the record itself.
    @Test func anAcceptAfterTheRequestWasSentKeepsItsWamidInTheRecord() async throws {
        try await AgentServer.run { server in
            let e2e = server.e2e
            #expect(try await e2e.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.EV1")) == 200)
            _ = try await e2e.waitForSends(1)
            try await e2e.waitForEmptyOutbox()
            let request = try await Self.consentRequestID(server)
            let accept = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.EV2", context: "wamid.FAKE1")
            #expect(try await e2e.post(accept) == 200)
            try await e2e.waitForEmptyOutbox()
            let record = try await Self.record(server)
            #expect(record["request_message_ids"] as? [String] == ["wamid.FAKE1"])
            let sent = try #require((record["request_messages"] as? [[String: Any]])?.first)
            #expect(sent["outbox_id"] as? Int == Int(request))
            #expect(sent["state"] as? String == "sent_before_decision" && sent["sent_at"] is NSNull)
        }
    }
}
