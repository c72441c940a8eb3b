import Foundation
import GraphAPITestSupport
import Logging
import Testing

@testable import TalkflowServer

/// What a live server writes in its log lines about Meta's errors and about one conversation, over real HTTP
/// with the fake Graph API.
@Suite("Log lines", .hangGuard) struct LogLineTests {
    static let quotedPhone = "+573005550030"
    static let quotedEmail = "ana.perez@example.com"

    /// A send Meta refuses quoting the contact's number and address, a media lookup refused the same way and
    /// errors Meta reports in a webhook (`value.errors[]`): the lines keep Meta's code, kind, subcode, type,
    /// `fbtrace_id` and wording, with the number and address replaced, and nothing personal remains.
    @Test func metasErrorTextIsLoggedWithoutPhoneNumbersOrEmailAddresses() async throws {
        let logs = LogRecorder()
        try await EndToEnd.run(logs: logs) { server in
            let refusal =
                #"{"error":{"message":"(#100) Invalid parameter to \#(Self.quotedPhone)","type":"OAuthException","#
                + #""code":100,"error_subcode":2494010,"error_data":{"messaging_product":"whatsapp","#
                + #""details":"Invalid parameter to \#(Self.quotedPhone) (\#(Self.quotedEmail))"},"#
                + #""fbtrace_id":"AbCdEf123"}}"#
            await server.fake.failNext(.custom(status: 400, body: refusal))
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.LOG1")) == 200)
            try await server.waitForEmptyOutbox()
            let failed = try #require(logs.all.first { $0.message == "send failed; given up" })
            #expect(
                failed.metadata["error"]
                    == "graph error 100 (invalid_parameter, HTTP 400, subcode 2494010, OAuthException, fbtrace_id "
                    + "AbCdEf123): (#100) Invalid parameter to <number> — Invalid parameter to <number> (<email>)")
            #expect(failed.metadata["conversation"]?.count == 16)

            // A media lookup refused with the number in Meta's words: the file counts as 0 bytes, logged redacted.
            await server.fake.failNext(
                .custom(
                    status: 400,
                    body:
                        #"{"error":{"message":"Media of \#(Self.quotedPhone) not found","type":"GraphMethodException","#
                        + #""code":100,"fbtrace_id":"AMedia1"}}"#))
            let image = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.LOG2","timestamp":"1750000010","type":"image","#
                    + #""image":{"id":"1003383421387256","mime_type":"image/jpeg","sha256":"x"}}"#)
            #expect(try await server.post(image) == 200)
            let media = try #require(logs.all.first { $0.message.hasPrefix("media size unavailable") })
            #expect(
                media.metadata["error"]
                    == "graph error 100 (invalid_parameter, HTTP 400, GraphMethodException, fbtrace_id AMedia1): "
                    + "Media of <number> not found")

            // Errors outside any message: whatsapp-cloud-api.md §8's, and one quoting a number and an address.
            let errors =
                #"[{"code":130429,"title":"Rate limit hit","message":"Rate limit hit","error_data":{"details":"#
                + #""Message failed to send because there were too many messages sent from this phone number in a "#
                + #"short period of time"},"href":"https://developers.facebook.com/docs/whatsapp"},"#
                + #"{"code":131026,"title":"Message undeliverable to \#(Self.quotedPhone)","#
                + #""message":"Message undeliverable","error_data":{"details":"Contact \#(Self.quotedEmail)"}}]"#
            let json =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"errors":\#(errors)},"field":"messages"}]}]}"#
            #expect(try await server.post(Array(json.utf8)) == 200)
            let reported = logs.all.filter { $0.message == "the Graph API reported an error in a webhook" }
            #expect(
                reported.map { $0.metadata["error"] ?? "" } == [
                    "webhook error 130429 (rate_limited): Rate limit hit — Message failed to send because there were "
                        + "too many messages sent from this phone number in a short period of time",
                    "webhook error 131026 (blocked undeliverable): Message undeliverable to <number> — Message "
                        + "undeliverable — Contact <email>",
                ])
            #expect(reported.map { $0.metadata["code"] } == ["130429", "131026"])
            try await server.waitForEmptyOutbox()
        }
        for personal in [Self.quotedPhone, "3005550030", Self.quotedEmail, "example.com", EndToEnd.ana] {
            #expect(!logs.text.contains(personal), "\(personal) in the logs")
        }
    }

    /// At debug level the lines about one conversation that the server can name without reading the store carry
    /// its pseudonymous id: a reply sent, an inbound message marked as read, the same id as the message's own
    /// line; a message the flow does not see is acknowledged before the store is read, and names the tenant only.
    @Test func debugLinesAboutAConversationCarryItsID() async throws {
        let logs = LogRecorder()
        try await EndToEnd.run(markRead: true, logs: logs, logLevel: .debug) { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.DBG1")) == 200)
            _ = try await server.waitForReadReceipts(1)
            try await server.waitForEmptyOutbox()
            let reaction = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.DBG2","timestamp":"1750000020","type":"reaction","#
                    + #""reaction":{"message_id":"wamid.DBG1","emoji":"x"}}"#)
            #expect(try await server.post(reaction) == 200)
            let processed = try #require(logs.all.first { $0.message == "inbound message processed" })
            let conversation = try #require(processed.metadata["conversation"])
            try await waitFor { logs.all.contains { $0.message == "message marked as read" } }
            for message in ["message sent", "message marked as read"] {
                let line = try #require(logs.all.first { $0.message == message }, "\(message)")
                #expect(line.metadata["conversation"] == conversation, "\(message)")
                #expect(line.metadata["tenant"] == "tienda", "\(message)")
            }
            let sent = try #require(logs.all.first { $0.message == "message sent" })
            #expect(sent.metadata["outbox_id"] != nil && sent.metadata["wamid"] != nil)
            let unseen = try #require(
                logs.all.first { $0.message == "inbound message the flow does not see; acknowledged" })
            #expect(unseen.metadata["tenant"] == "tienda" && unseen.metadata["conversation"] == nil)
            #expect(unseen.metadata["type"] == "reaction" && unseen.metadata["subtype"] == nil)
            // Meta's `unsupported` wrapper of an edit names what it stands for.
            let edit = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"wamid.DBG3","timestamp":"1750000030","type":"unsupported","#
                    + #""unsupported":{"type":"edit"}}"#)
            #expect(try await server.post(edit) == 200)
            let wrapped = try #require(
                logs.all.last { $0.message == "inbound message the flow does not see; acknowledged" })
            #expect(wrapped.metadata["type"] == "unsupported" && wrapped.metadata["subtype"] == "edit")
        }
    }

    /// Polls `condition` until it holds, failing after five seconds.
    func waitFor(_ condition: () -> Bool) async throws {
        if try await poll(within: .seconds(5), { condition() }) { return }
        Issue.record("condition not met within five seconds")
    }
}
