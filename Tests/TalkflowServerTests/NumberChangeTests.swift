import FlowRuntime
import Storage
import Testing

@testable import TalkflowServer

/// A contact who changes their number keeps their business-scoped user id: the new number's messages carry it.
/// They start the new number's own conversation, which asks for consent again; nothing is ever sent to the old
/// number for them, by the bot, an agent or a template (operations.md, "Who the contact is").
@Suite(.hangGuard) struct NumberChangeTests {
    static let oldNumber = "573001212121"
    static let newNumber = "573001212199"
    static let userID = "CO.2222222222"

    /// A text from `phone` (when given) and the user id, both in `from`/`from_user_id` and in the contact card.
    static func text(_ body: String, phone: String?, userID: String? = Self.userID, id: String) -> [UInt8] {
        let from = phone.map { #""from":"\#($0)","# } ?? ""
        let fromUserID = userID.map { #""from_user_id":"\#($0)","# } ?? ""
        let message =
            #"{\#(from)\#(fromUserID)"id":"\#(id)","timestamp":"1750000000","type":"text","#
            + #""text":{"body":"\#(body)"}}"#
        guard let userID else { return EndToEnd.webhook(from: phone ?? "", name: "Ana", message: message) }
        return EndToEnd.webhook(userID: userID, phone: phone, name: "Ana", message: message)
    }

    /// Meta's notice that the contact's number changed: acknowledged, not stored.
    static var changedNumberNotice: [UInt8] {
        EndToEnd.webhook(
            from: oldNumber, name: "Ana",
            message: #"{"from":"\#(oldNumber)","id":"wamid.NC-SYS","timestamp":"1750000000","type":"system","#
                + #""system":{"body":"User Ana changed from \#(oldNumber) to \#(newNumber)","#
                + #""wa_id":"\#(newNumber)","type":"user_changed_number"}}"#)
    }

    /// The old number accepts consent and writes once with both ids: the user id is linked to it.
    static func oldNumberAcceptsAndLinks(_ server: EndToEnd) async throws {
        #expect(try await server.post(text("hola", phone: oldNumber, userID: nil, id: "wamid.NC1")) == 200)
        try await server.waitForEmptyOutbox()
        let accept = EndToEnd.buttonReply(
            "consentimiento.accept", title: "Acepto", from: oldNumber, id: "wamid.NC2", context: "wamid.FAKE1")
        #expect(try await server.post(accept) == 200)
        try await server.waitForEmptyOutbox()
        #expect(try await server.post(text("hola", phone: oldNumber, id: "wamid.NC3")) == 200)
        try await server.waitForEmptyOutbox()
        #expect(try await server.store.conversationKey(tenant: "tienda", contact: userID) == oldNumber)
        #expect(try await step(server, oldNumber) == "menu_principal")
    }

    /// The step `contact`'s conversation is at, by name.
    static func step(_ server: EndToEnd, _ contact: String) async throws -> String? {
        try await server.store.conversations(tenant: "tienda", filter: ConversationFilter()).first {
            $0.contact == contact
        }?.state
    }

    /// What the fake received since `count` sends.
    static func sends(_ server: EndToEnd, after count: Int) async -> [String] {
        Array(await server.fake.messageBodies.dropFirst(count))
    }

    @Test func theNewNumberWithTheSameUserIDGetsItsOwnConversationAndEverySend() async throws {
        try await AgentServer.run(admin: true) { agents in
            let server = agents.e2e
            try await Self.oldNumberAcceptsAndLinks(server)
            let before = await server.fake.messageBodies.count
            #expect(try await server.post(Self.changedNumberNotice) == 200)
            // Not read as the answer to the old conversation's menu: the new number's conversation asks for consent.
            #expect(try await server.post(Self.text("Comprar", phone: Self.newNumber, id: "wamid.NC4")) == 200)
            try await server.waitForEmptyOutbox()
            let consent = await Self.sends(server, after: before)
            #expect(consent.count == 1)
            #expect(consent.allSatisfy { $0.contains(#""to":"+\#(Self.newNumber)""#) })
            #expect(consent.first?.contains("Antes de continuar") == true)
            let new = try #require(try await server.store.session(tenant: "tienda", contact: Self.newNumber))
            #expect(new.consent.acceptedVersion == nil)
            #expect(try await Self.step(server, Self.newNumber) == "consentimiento")
            #expect(try await Self.step(server, Self.oldNumber) == "menu_principal")
            // The user id moved to the new number; the old number names its own conversation.
            #expect(try await server.store.conversationKey(tenant: "tienda", contact: Self.userID) == Self.newNumber)
            #expect(try await server.store.conversationKey(tenant: "tienda", contact: Self.newNumber) == Self.newNumber)
            #expect(try await server.store.conversationKey(tenant: "tienda", contact: Self.oldNumber) == Self.oldNumber)

            // The new number accepts (a typed accept word) and, with the user id alone, asks for an agent.
            #expect(try await server.post(Self.text("acepto", phone: Self.newNumber, id: "wamid.NC5")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(Self.text("agente", phone: nil, id: "wamid.NC6")) == 200)
            try await server.waitForEmptyOutbox()
            let handedOff = try await server.store.session(tenant: "tienda", contact: Self.newNumber)
            #expect(handedOff?.consent.acceptedVersion == "2026-01")
            #expect(handedOff?.status == .withAgent)
            // The agent, naming the contact by the user id, writes to the new number.
            let reply = try await agents.request(
                .POST, "conversations/\(Self.userID)/messages", key: "key-ana", body: #"{"text":"Hola, soy Ana"}"#)
            #expect(reply.status == 202)
            #expect(reply.json["contact"] as? String == Self.newNumber)
            // A template to the new number goes to the new number.
            let template = try await agents.request(
                .POST, "templates/recordatorio/send", key: "e2e-admin-key",
                body: #"{"to":"\#(Self.newNumber)","parameters":["5 de diciembre"]}"#)
            #expect(template.status == 202)
            try await server.waitForEmptyOutbox()
            let sent = await Self.sends(server, after: before)
            #expect(sent.contains { $0.contains("Hola, soy Ana") })
            #expect(sent.contains { $0.contains(#""type":"template""#) })
            #expect(sent.allSatisfy { $0.contains(#""to":"+\#(Self.newNumber)""#) }, "\(sent)")

            // The old number, and a template to it, still reach the old conversation, at the old number.
            let beforeOld = await server.fake.messageBodies.count
            let toOld = try await agents.request(
                .POST, "templates/recordatorio/send", key: "e2e-admin-key",
                body: #"{"to":"\#(Self.oldNumber)","parameters":["6 de diciembre"]}"#)
            #expect(toOld.status == 202)
            let fromOld = Self.text("hola", phone: Self.oldNumber, userID: nil, id: "wamid.NC7")
            #expect(try await server.post(fromOld) == 200)
            try await server.waitForEmptyOutbox()
            let oldSends = await Self.sends(server, after: beforeOld)
            #expect(oldSends.count >= 2)
            #expect(oldSends.allSatisfy { $0.contains(#""to":"+\#(Self.oldNumber)""#) }, "\(oldSends)")
        }
    }

    /// The new number had written on its own (its conversation waits at consent) before its messages carried
    /// the user id linked to the old number: its acceptance is its own conversation's.
    @Test func theNewNumbersAcceptanceGoesToItsOwnWaitingConversation() async throws {
        try await EndToEnd.run { server in
            try await Self.oldNumberAcceptsAndLinks(server)
            let before = await server.fake.messageBodies.count
            let alone = Self.text("hola", phone: Self.newNumber, userID: nil, id: "wamid.NV1")
            #expect(try await server.post(alone) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(Self.text("acepto", phone: Self.newNumber, id: "wamid.NV2")) == 200)
            try await server.waitForEmptyOutbox()
            let sent = await Self.sends(server, after: before)
            #expect(sent.count == 2)
            #expect(sent.allSatisfy { $0.contains(#""to":"+\#(Self.newNumber)""#) }, "\(sent)")
            #expect(sent.last?.contains("¿En qué te podemos ayudar?") == true)
            let new = try await server.store.session(tenant: "tienda", contact: Self.newNumber)
            #expect(new?.consent.acceptedVersion == "2026-01")
            #expect(try await Self.step(server, Self.newNumber) == "menu_principal")
            #expect(try await Self.step(server, Self.oldNumber) == "menu_principal")
            let history = try await server.store.consentHistory(tenant: "tienda", contact: Self.newNumber)
            #expect(history.records.map(\.choice) == ["accepted"])
            let old = try await server.store.thread(tenant: "tienda", contact: Self.oldNumber, after: nil, limit: 100)
            #expect(!old.contains { $0.messageID == "wamid.NV2" })
        }
    }

    /// The same pair of ids, whichever came first, keeps one conversation, and replies go to its key.
    @Test func aContactKnownByNumberThenUserIDOrTheOtherWayKeepsOneConversation() async throws {
        try await EndToEnd.run { server in
            let (phone, userID) = ("573001414141", "CO.4444444444")
            #expect(try await server.post(Self.text("hola", phone: phone, userID: nil, id: "wamid.P1")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(Self.text("acepto", phone: phone, userID: userID, id: "wamid.P2")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(Self.text("hola", phone: nil, userID: userID, id: "wamid.P3")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.store.session(tenant: "tienda", contact: userID) == nil)
            let byPhone = try await server.store.thread(tenant: "tienda", contact: phone, after: nil, limit: 100)
            #expect(Set(byPhone.compactMap(\.messageID)).isSuperset(of: ["wamid.P1", "wamid.P2", "wamid.P3"]))
            let sent = await server.fake.messageBodies
            #expect(sent.count >= 3)
            #expect(sent.allSatisfy { $0.contains(#""to":"+\#(phone)""#) }, "\(sent)")

            let (otherPhone, otherUserID) = ("573001515151", "CO.5555555555")
            #expect(try await server.post(Self.text("hola", phone: nil, userID: otherUserID, id: "wamid.Q1")) == 200)
            try await server.waitForEmptyOutbox()
            let both = Self.text("acepto", phone: otherPhone, userID: otherUserID, id: "wamid.Q2")
            #expect(try await server.post(both) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(Self.text("hola", phone: otherPhone, userID: nil, id: "wamid.Q3")) == 200)
            try await server.waitForEmptyOutbox()
            #expect(try await server.store.session(tenant: "tienda", contact: otherPhone) == nil)
            let byUserID = try await server.store.thread(tenant: "tienda", contact: otherUserID, after: nil, limit: 100)
            #expect(Set(byUserID.compactMap(\.messageID)).isSuperset(of: ["wamid.Q1", "wamid.Q2", "wamid.Q3"]))
            let others = await Self.sends(server, after: sent.count)
            #expect(others.count >= 3)
            #expect(others.allSatisfy { $0.contains(#""recipient":"\#(otherUserID)""#) }, "\(others)")
        }
    }
}
