import AsyncHTTPClient
import Foundation
import Testing

@testable import TalkflowServer

/// The contact of a data request as people write it (finding 1 of the agent API audit): a phone number with `+`,
/// spaces and dashes is the `wa_id` conversations are kept under, so that the claim flags and erases them; a case
/// whose contact the tenant has nothing of is not recorded as erased.
@Suite("Data request contacts", .hangGuard)
struct DataRequestContactTests {
    private func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }
    private func message(_ json: [String: Any]) -> String? {
        (json["error"] as? [String: Any])?["message"] as? String
    }

    @Test(arguments: [
        ("573001112233", "573001112233"), ("+573001112233", "573001112233"), ("+57 300 111 2233", "573001112233"),
        (" 573001112233 ", "573001112233"), ("(57) 300-111.2233", "573001112233"),
        ("+57\u{A0}300 1112233", "573001112233"),
        ("CO.13491208655302741918", "CO.13491208655302741918"), (" US.1349 ", "US.1349"),
    ])
    func aPhoneNumberIsKeptAsItsDigits(written: String, kept: String) throws {
        #expect(try DataRequestContact.normalized(written, name: "'contact'") == kept)
    }

    @Test(arguments: [
        (
            "+57 330",
            "'contact' '+57 330' has 5 digits; a phone number's WhatsApp id (wa_id) has 6 to 20, the country code included, e.g. 573001112233"
        ),
        ("   ", "'contact' is empty; give the contact's WhatsApp id (wa_id), e.g. 573001112233"),
        (
            "+",
            "'contact' '+' holds no digit or letter; give the contact's WhatsApp id (wa_id), e.g. 573001112233, or business-scoped user id"
        ),
        (
            " () ",
            "'contact' '()' holds no digit or letter; give the contact's WhatsApp id (wa_id), e.g. 573001112233, or business-scoped user id"
        ),
        (
            "5730\n01",
            "'contact' holds a control character; give the contact's WhatsApp id (wa_id) or business-scoped user id"
        ),
    ])
    func aContactThatIsNoneIsRefused(written: String, message: String) {
        #expect(throws: DataRequestContact.Refusal(message: message)) {
            try DataRequestContact.normalized(written, name: "'contact'")
        }
    }

    @Test func aClaimOnTheNumberAsWrittenFlagsTheConversationAndErasingANumberWithoutDataIsRefused() async throws {
        try await AgentServer.run { server in
            try await server.handOff(EndToEnd.ana)
            let thread = "conversations/\(EndToEnd.ana)/messages"
            let body = #"{"contact": "+57 300 111 2233", "kind": "claim", "subject": "borrar mis datos"}"#
            let (created, opened) = try await server.request(.POST, "data-requests", key: "key-ana", body: body)
            #expect(created == 201)
            #expect(opened["contact"] as? String == EndToEnd.ana)
            #expect(try await server.request(.GET, thread, key: "key-ana").json["claim_in_progress"] as? Bool == true)
            // The case reaches the conversation: still with ana, so the erasure waits.
            let (open, refusal) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(open == 409 && code(refusal) == "conversation_open")

            let (short, tooShort) = try await server.request(
                .POST, "data-requests", key: "key-ana", body: #"{"contact": "+57 330", "kind": "claim"}"#)
            #expect(short == 400 && code(tooShort) == "invalid_request")
            #expect(message(tooShort)?.hasPrefix("'contact' '+57 330' has 5 digits") == true)

            // A number the tenant has nothing of: the case opens, but erasing under it erases nothing and is refused.
            let stranger = #"{"contact": " 573009999999 ", "kind": "claim"}"#
            let (_, other) = try await server.request(.POST, "data-requests", key: "key-ana", body: stranger)
            #expect(other["contact"] as? String == "573009999999")
            let (unknown, nothing) = try await server.request(.POST, "data-requests/2/erase", key: "key-jefa")
            #expect(unknown == 409 && code(nothing) == "unknown_contact")
            #expect(message(nothing)?.hasPrefix("the tenant has no conversation, log line or id link") == true)
            let (_, list) = try await server.request(.GET, "data-requests", key: "key-jefa")
            let cases = try #require(list["data_requests"] as? [[String: Any]])
            #expect(cases.count == 2 && cases.allSatisfy { $0["erased_at"] == nil })
            // Another tenant's contact is as unknown.
            #expect(
                try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana").status == 200)
            try await server.waitForEmptyOutbox()
            let otra = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim"}"#
            #expect(
                try await server.request(.POST, "data-requests", key: "key-otra", tenant: "otra", body: otra).status
                    == 201)
            let (elsewhere, none) = try await server.request(
                .POST, "data-requests/3/erase", key: "key-otra", tenant: "otra")
            #expect(elsewhere == 409 && code(none) == "unknown_contact")
            // Closed now: the case opened with the number as written erases the conversation.
            let (erased, erasure) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(erased == 200)
            #expect(((erasure["deleted"] as? [String: Any])?["log_lines"] as? Int ?? 0) > 0)
        }
    }
}
