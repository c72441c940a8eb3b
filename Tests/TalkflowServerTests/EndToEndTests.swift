import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import Logging
import NIOCore
import Storage
import Synchronization
import Testing

@testable import TalkflowServer

/// `talkflow serve` end to end: a live server on 127.0.0.1 with a temporary SQLite file, the fake Graph API as
/// `graph_api_url`, and webhooks posted over real HTTP, signed, byte for byte as Meta sends them.
@Suite("End to end: webhook → transaction → outbox → Graph API", .hangGuard)
struct EndToEndTests {
    /// The consent request of Flows/default.yaml exactly as the Graph API must receive it: the row id as
    /// callback data, `+` and the contact's `wa_id` as `to`, the reply buttons with the flow's ids.
    static func consentRequest(callbackData: String, to contact: String = EndToEnd.ana) -> String {
        let text = [
            "Hola. Antes de continuar necesitamos tu autorización para tratar tus datos personales.",
            "Responsable: Empresa Ejemplo S.A.S., Calle 100 # 10-20, Bogotá; datos@example.co; +57 601 555 0100.",
            "Finalidades: atender tus consultas y tus pedidos, y comunicarte con un asesor humano. Tus datos se "
                + "procesan fuera de Colombia, en Estados Unidos, por Meta Platforms (WhatsApp) y por nuestro "
                + "proveedor de alojamiento.",
            "Tus derechos: conocer, actualizar, rectificar y suprimir tus datos; revocar esta autorización; "
                + "solicitar prueba de ella; ser informado del uso de tus datos; presentar quejas ante la "
                + "Superintendencia de Industria y Comercio (SIC), y acceder gratuitamente a tus datos.",
            "Política de tratamiento: https://www.example.co/politica-de-datos",
            "Al elegir Acepto confirmas que eres mayor de 18 años. Puedes revocar la autorización cuando quieras "
                + "escribiendo revocar.",
        ].joined(separator: "\\n")
        return #"{"biz_opaque_callback_data":"\#(callbackData)","interactive":{"action":{"buttons":["#
            + #"{"reply":{"id":"consentimiento.accept","title":"Acepto"},"type":"reply"},"#
            + #"{"reply":{"id":"consentimiento.decline","title":"No acepto"},"type":"reply"}]},"#
            + #""body":{"text":"\#(text)"},"type":"button"},"messaging_product":"whatsapp","#
            + #""recipient_type":"individual","to":"+\#(contact)","type":"interactive"}"#
    }

    @Test func holaSendsTheConsentButtonsThenAcceptRecordsConsentAndSendsTheMenu() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            let first = try await server.waitForSends(1)
            let thread = try await server.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let outbound = thread.filter {
                if case .outbound = $0.content { return true }
                return false
            }
            let row = try #require(outbound.first)
            #expect(first == [Self.consentRequest(callbackData: String(row.sequence))])
            let request = try #require(await server.fake.requests.first)
            #expect(request.path == "/v23.0/\(EndToEnd.phoneNumberID)/messages")
            #expect(request.headers["authorization"] == "Bearer e2e-access-token")
            // Before consent the profile name is not stored (each webhook brings it again).
            let session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.variables.first == .some(nil))

            try await server.waitForEmptyOutbox()
            let sentRow = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                .first { $0.sequence == row.sequence }
            #expect(sentRow?.messageID == "wamid.FAKE1")

            let accept = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.IN2",
                context: "wamid.FAKE1")
            #expect(try await server.post(accept) == 200)
            let consent = try await server.store.consentState(tenant: "tienda", contact: EndToEnd.ana)
            #expect(consent.acceptedVersion == "2026-01")
            // Once consent is given, the name is kept.
            let named = try await server.store.session(tenant: "tienda", contact: EndToEnd.ana)
            #expect(named?.variables.first == "Ana Pérez")
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(!history.records.isEmpty)
            // The record keeps WhatsApp's own time of the answer beside the server's, and the version of the
            // flow that asked: the SHA-256 of the flow file, as `sha256sum` prints it.
            #expect(history.records.first?.whatsAppTimestamp == 1_750_000_060)
            let version = try sha256sum(repositoryRoot.appending(path: "Flows/default.yaml").path)
            #expect(version.count == 64)
            #expect(history.records.map(\.flowVersion) == history.records.map { _ in version })

            let bodies = try await server.waitForSends(2)
            #expect(bodies.count == 2)
            let menu = try #require(bodies.last)
            #expect(menu.contains(#""to":"+573001112233""#))
            #expect(menu.contains(#""text":"¿En qué te podemos ayudar?""#))
            #expect(menu.contains(#""id":"comprar","title":"Comprar""#))
            #expect(menu.contains(#""id":"asesor","title":"Hablar con un asesor""#))
        }
    }

    /// Meta retries a webhook it could not deliver: the contact tapped Acepto, then typed "revocar", and the
    /// revocation arrived first, when there was nothing to revoke. The audit found the late acceptance put consent
    /// in force with no trace of the revocation. The acceptance is recorded, then the held revocation, dated by
    /// WhatsApp's time of the word; its confirmation is sent and consent is asked again.
    @Test func anAcceptanceDeliveredAfterALaterRevocationWordIsRevoked() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            let revocar = EndToEnd.text("revocar", from: EndToEnd.ana, id: "wamid.IN3", at: 1_750_000_090)
            #expect(try await server.post(revocar) == 200)
            let shown = try await server.waitForSends(2)
            #expect(shown.last?.contains(#""id":"consentimiento.accept""#) == true)
            #expect(try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana).records.isEmpty)
            try await server.waitForEmptyOutbox()

            let late = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.IN2",
                context: "wamid.FAKE1", at: 1_750_000_060)
            #expect(try await server.post(late) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.kind) == [.consent, .revocation])
            #expect(history.records.map(\.whatsAppTimestamp) == [1_750_000_060, 1_750_000_090])
            #expect(history.records.last?.words == "revocar")
            #expect(history.current.acceptedVersion == nil)
            let sends = try await server.waitForSends(4)
            // The revocation's confirmation, then the consent request again; no menu.
            #expect(sends[2].contains("revoca"))
            #expect(sends[3].contains(#""id":"consentimiento.accept""#))
            let session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.consent.acceptedVersion == nil && session.heldRevocation?.sentAt == 1_750_000_090)
            try await server.waitForEmptyOutbox()
        }
    }

    /// A message dated more than a day after it arrived (a wrong clock, a hand-made body) is dated when it
    /// arrived: the audit's "revocar" dated in the year 5138 was held against every later acceptance, each then
    /// recorded and revoked at once, so the contact could never consent again.
    @Test func aMessageDatedFarAheadIsDatedWhenItArrived() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            let accept = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.IN2", context: "wamid.FAKE1",
                at: server.clock.now)
            #expect(try await server.post(accept) == 200)
            let farAhead = EndToEnd.text("revocar", from: EndToEnd.ana, id: "wamid.IN3", at: 99_999_999_999)
            #expect(try await server.post(farAhead) == 200)
            let arrived = server.clock.now
            try await server.waitForEmptyOutbox()
            server.clock.advance(by: 60)
            let again = EndToEnd.text("acepto", from: EndToEnd.ana, id: "wamid.IN4", at: server.clock.now)
            #expect(try await server.post(again) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.kind) == [.consent, .revocation, .consent])
            #expect(history.records[1].whatsAppTimestamp == arrived)
            #expect(history.current.acceptedVersion != nil)
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 99)
            let word = thread.first { $0.messageID == "wamid.IN3" }
            #expect(word?.content == .inbound(kind: "text", message: .text("revocar"), whatsAppTimestamp: arrived))
            try await server.waitForEmptyOutbox()
        }
    }

    /// Meta refused the consent request (a permanent error), so the contact never received it: a typed "acepto"
    /// (they may be reading an older request) is no decision on it. The audit saw it recorded as acceptance of a
    /// text and purposes never delivered. The request is sent again; an answer once it is delivered decides.
    @Test func anAnswerToAConsentRequestMetaRefusedIsNoDecision() async throws {
        try await EndToEnd.run { server in
            await server.fake.failNext(.invalidParameter)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            try await server.waitForStatuses(EndToEnd.ana, [.failed])
            #expect(try await server.post(EndToEnd.text("acepto", from: EndToEnd.ana, id: "wamid.IN2")) == 200)
            #expect(try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana).records.isEmpty)
            try await server.waitForStatuses(EndToEnd.ana, [.failed, .sent])
            let sends = try await server.waitForSends(1)
            #expect(sends.last?.contains(#""id":"consentimiento.accept""#) == true)

            #expect(try await server.post(EndToEnd.text("acepto", from: EndToEnd.ana, id: "wamid.IN3")) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.choice) == ["accepted"])
            try await server.waitForEmptyOutbox()
        }
    }

    /// A WhatsApp marketing stop arriving between a reload that changed the consent request and the contact's
    /// answer does not spend the mark that makes that answer no decision (review2 #4: the stop carried the session
    /// over, and the typed "acepto" then counted as acceptance of a text the contact was never sent).
    @Test func aMarketingStopKeepsTheAnswerToAChangedRequestNoDecision() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            // The contact has the opt-in in force (from an earlier conversation), in the ledger and the session.
            let optIn = ConsentEvidence(
                flow: "tienda", step: "consentimiento", policyVersion: "2026-01", policyURL: nil,
                choice: "opt_in_accepted", shownTexts: ["¿Promociones?"], textSHA256: nil, purposesAccepted: ["promos"],
                purposesDeclined: [], sensitive: false, at: 1_750_000_000, replyMessageID: "wamid.OLD", language: "es")
            _ = try await server.store.appendConsent(
                tenant: "tienda", contact: EndToEnd.ana,
                [LedgerEntry(.consent(optIn), channel: "whatsapp_cloud", phoneNumberID: "1", receivedAt: 1_750_000_000)]
            )
            _ = try await server.store.update(tenant: "tienda", contact: EndToEnd.ana, at: 1_750_000_001) { s, _ in
                s.consent.optIn = true
                return ConversationChanges()
            }
            _ = try await server.reload(editing: [("Tus derechos:", "Tus derechos como titular:")])
            let stop =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"contacts":[{"profile":{"name":"Ana"},"#
                + #""wa_id":"\#(EndToEnd.ana)"}],"user_preferences":[{"wa_id":"\#(EndToEnd.ana)","#
                + #""detail":"User requested to stop marketing messages","category":"marketing_messages","#
                + #""value":"stop","timestamp":1750000100}]},"field":"user_preferences"}]}]}"#
            #expect(try await server.post(Array(stop.utf8)) == 200)
            let withdrawn = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(withdrawn.records.map(\.choice) == ["opt_in_accepted", "opt_in_withdrawn"])

            #expect(try await server.post(EndToEnd.text("acepto", from: EndToEnd.ana, id: "wamid.IN2")) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.choice) == ["opt_in_accepted", "opt_in_withdrawn"])
            let sends = try await server.waitForSends(2)
            #expect(sends.last?.contains("Tus derechos como titular:") == true)
            try await server.waitForEmptyOutbox()
        }
    }

    /// "Acepto" forwarded from another chat (Meta's `context.forwarded`) is not the contact's consent: the
    /// request is sent again and nothing is recorded; typed, it accepts.
    @Test func aForwardedAcceptIsNotConsent() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            _ = try await server.waitForSends(1)
            let forwarded = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"context":{"forwarded":true},"from":"\#(EndToEnd.ana)","id":"wamid.IN2","#
                    + #""timestamp":"1750000060","text":{"body":"Acepto"},"type":"text"}"#)
            #expect(try await server.post(forwarded) == 200)
            let again = try await server.waitForSends(2)
            #expect(again.count == 2)
            #expect(again.last?.contains(#""id":"consentimiento.accept""#) == true)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.isEmpty)
            #expect(try await server.post(EndToEnd.text("Acepto", from: EndToEnd.ana, id: "wamid.IN3")) == 200)
            let accepted = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(accepted.records.map(\.choice) == ["accepted"])
            try await server.waitForEmptyOutbox()
        }
    }

    /// A message written in a WhatsApp group (Meta's `group_id`) is acknowledged and not stepped: no session,
    /// no reply to the member; a one-to-one message after it starts the conversation as usual.
    @Test func aGroupMessageIsAcknowledgedAndNotStepped() async throws {
        try await EndToEnd.run { server in
            let group = EndToEnd.webhook(
                from: EndToEnd.ana,
                message:
                    #"{"from":"\#(EndToEnd.ana)","group_id":"Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD","#
                    + #""id":"wamid.G1","timestamp":"1750000000","text":{"body":"hola a todos"},"type":"text"}"#)
            #expect(try await server.post(group) == 200)
            #expect(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana) == nil)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.IN1")) == 200)
            let sends = try await server.waitForSends(1)
            #expect(sends.count == 1)
            #expect(await server.fake.messageBodies.count == 1)
            try await server.waitForEmptyOutbox()
        }
    }

    /// Meta's `unsupported` standing for a change to the chat (an edit, a reaction, a pin) is no message to the
    /// bot: from a new contact it starts no conversation, and at a menu it asks nothing again and leaves no line
    /// in the thread. A poll (`poll_creation`) is unreadable: it starts the conversation. Shared contact cards
    /// reach the thread one line per card, the bracket on the first, and are no answer to the menu.
    @Test func anUnsupportedEditReactionOrPinIsNotSteppedWhileAPollIs() async throws {
        try await EndToEnd.run { server in
            let unsupported = { (id: String, type: String) in
                EndToEnd.webhook(
                    from: EndToEnd.ana,
                    message: #"{"from":"\#(EndToEnd.ana)","id":"\#(id)","timestamp":"1750000000","errors":[{"#
                        + #""code":131051,"title":"Message type unknown"}],"type":"unsupported","#
                        + #""unsupported":{"type":"\#(type)"}}"#)
            }
            #expect(try await server.post(unsupported("wamid.U1", "edit")) == 200)
            #expect(try await server.post(unsupported("wamid.U2", "reaction")) == 200)
            #expect(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana) == nil)

            #expect(try await server.post(unsupported("wamid.U3", "poll_creation")) == 200)
            _ = try await server.waitForSends(1)
            let accept = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.U4", context: "wamid.FAKE1")
            #expect(try await server.post(accept) == 200)
            func thread() async throws -> [LogEntry] {
                try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            }
            _ = try await server.waitForSends(2)
            try await server.waitForEmptyOutbox()
            let atMenu = try await thread()
            for (id, type) in [("wamid.U5", "reaction"), ("wamid.U6", "pin"), ("wamid.U7", "edit")] {
                #expect(try await server.post(unsupported(id, type)) == 200)
            }
            // The webhook is answered after its transaction: anything stepped would be in the thread by now.
            #expect(try await thread() == atMenu)

            let cards =
                #"{"from":"\#(EndToEnd.ana)","id":"wamid.U8","timestamp":"1750000000","type":"contacts","#
                + #""contacts":[{"name":{"formatted_name":"Ana G\u00f3mez"},"phones":[{"phone":"+57 300 111 2233"},"#
                + #"{"wa_id":"573009998877"}]},{"name":{"first_name":"Luis","last_name":"Rojas"}}]}"#
            #expect(try await server.post(EndToEnd.webhook(from: EndToEnd.ana, message: cards)) == 200)
            let after = try await thread().dropFirst(atMenu.count)
            let relayed = after.compactMap { entry -> String? in
                guard case .inbound(_, .text(let text)?, _) = entry.content else { return nil }
                return text
            }
            #expect(relayed == ["[contacts] Ana Gómez +57 300 111 2233 +573009998877\nLuis Rojas"])
            // No answer to the menu: it asks again.
            #expect(after.contains { if case .outbound = $0.content { true } else { false } })
            try await server.waitForEmptyOutbox()
        }
    }

    /// A message of a type the flow does not read that names no sender (a notice of a changed user id, without
    /// contact cards) is acknowledged, logged with its type for the tenant whose number it names, and counted
    /// as that tenant's webhook; nothing is stored or sent.
    @Test func aSenderlessNoticeIsAcknowledgedAndCountedForItsTenant() async throws {
        let logs = LogRecorder()
        try await EndToEnd.run(logs: logs, logLevel: .debug) { server in
            let json =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"messages":[{"id":"wamid.SYS","#
                + #""timestamp":"1750000000","type":"system","system":{"body":"changed","#
                + #""type":"user_changed_user_id"}}]},"field":"messages"}]}]}"#
            #expect(try await server.post(Array(json.utf8)) == 200)
            #expect(try await server.metric(#"talkflow_webhooks_received_total{tenant="tienda"}"#) == 1)
            let line = try #require(
                logs.all.first {
                    $0.message == "message without a sender acknowledged; there is no conversation to put it in"
                })
            #expect(line.metadata["type"] == "system" && line.metadata["tenant"] == "tienda")
            #expect(!logs.all.contains { $0.message == "webhook changes for fields talkflow does not handle" })
            #expect(try await server.store.outboxDepth() == 0)
        }
    }

    @Test func theSameWebhookPostedTwiceIsProcessedOnce() async throws {
        try await EndToEnd.run { server in
            let body = EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.TWICE")
            #expect(try await server.post(body) == 200)
            #expect(try await server.post(body) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            try await Task.sleep(for: .milliseconds(250))
            #expect(await server.fake.messageBodies.count == 1)
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let inbound = thread.filter {
                if case .inbound = $0.content { return true }
                return false
            }
            #expect(inbound.count == 1)
        }
    }

    @Test func aProcessedMessageIsMarkedReadOnceAndADuplicateIsNot() async throws {
        try await EndToEnd.run(markRead: true) { server in
            let body = EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.READ1")
            #expect(try await server.post(body) == 200)
            _ = try await server.waitForReadReceipts(1)
            _ = try await server.waitForSends(2)
            try await server.waitForEmptyOutbox()
            #expect(try await server.post(body) == 200)
            try await Task.sleep(for: .milliseconds(300))
            let receipts = try await server.waitForReadReceipts(1)
            #expect(receipts.count == 1)
            let receipt = try #require(receipts.first)
            #expect(receipt.path == "/v23.0/\(EndToEnd.phoneNumberID)/messages")
            #expect(receipt.headers["authorization"] == "Bearer e2e-access-token")
            #expect(receipt.bodyText == #"{"message_id":"wamid.READ1","messaging_product":"whatsapp","status":"read"}"#)
            // The reply is sent once as well: the duplicate changed nothing.
            #expect(await server.fake.messageBodies.filter { !$0.contains(#""status":"read""#) }.count == 1)
        }
    }

    @Test func onePostWithSeveralContactsMessagesHandlesEachConversation() async throws {
        try await EndToEnd.run { server in
            let bruno = "573004445566"
            let json =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"contacts":["#
                + #"{"profile":{"name":"Ana"},"wa_id":"\#(EndToEnd.ana)"},{"profile":{"name":"Bruno"},"wa_id":"\#(bruno)"}],"#
                + #""messages":[{"from":"\#(EndToEnd.ana)","id":"wamid.M1","timestamp":"1750000000","#
                + #""text":{"body":"hola"},"type":"text"},{"from":"\#(bruno)","id":"wamid.M2","#
                + #""timestamp":"1750000001","text":{"body":"hola"},"type":"text"},"#
                + #"{"from":"\#(EndToEnd.ana)","id":"wamid.M3","timestamp":"1750000002","text":{"body":"hola"},"#
                + #""type":"text"}]},"field":"messages"}]}]}"#
            #expect(try await server.post(Array(json.utf8)) == 200)
            try await server.waitForEmptyOutbox()
            for id in ["wamid.M1", "wamid.M2", "wamid.M3"] {
                #expect(try await server.store.wasProcessed(tenant: "tienda", messageID: id))
            }
            // Each contact got its own conversation, named from its own contact card; Ana's two messages in order.
            let ana = try await server.store.session(tenant: "tienda", contact: EndToEnd.ana)
            let brunoSession = try await server.store.session(tenant: "tienda", contact: bruno)
            // Neither has accepted consent yet: their profile names are not stored.
            #expect(ana?.variables.first == .some(nil))
            #expect(brunoSession?.variables.first == .some(nil))
            let inbound = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                .compactMap(\.messageID).filter { $0.hasPrefix("wamid.M") }
            #expect(inbound == ["wamid.M1", "wamid.M3"])
            #expect(try await server.outboundStatuses(bruno) == [.sent])
        }
    }

    @Test func aBadSignatureIsRefusedAndNothingIsStoredOrSent() async throws {
        try await EndToEnd.run { server in
            let body = EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.FORGED")
            #expect(try await server.post(body, secret: "not-the-app-secret") == 401)
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await server.store.wasProcessed(tenant: "tienda", messageID: "wamid.FORGED") == false)
            #expect(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana) == nil)
            #expect(try await server.store.outboxDepth() == 0)
            #expect(await server.fake.requests.isEmpty)
        }
    }

    @Test func aRateLimitedSendIsRetriedAndSentOnce() async throws {
        try await EndToEnd.run { server in
            await server.fake.failNext(.rateLimit)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.RL")) == 200)
            _ = try await server.waitForSends(1)
            // The first retry of a 130429 waits at least one second (GraphError.retryAfter) from when the refusal
            // is recorded: the clock moves only once it is, however slowly a loaded machine records it. Times are
            // whole seconds, and the refusal came somewhere in the clock's second: the retry is due at the second
            // after next, not a fraction of a second later.
            try await server.waitForRecordedError(EndToEnd.ana)
            server.clock.advance(by: 1)
            // The worker looks at least every second: long enough for it to have looked.
            try await Task.sleep(for: .milliseconds(1200))
            #expect(await server.fake.messageBodies.count == 1)
            server.clock.advance(by: 1)
            let bodies = try await server.waitForSends(2)
            try await server.waitForEmptyOutbox()
            #expect(bodies.count == 2)
            #expect(bodies.first == bodies.last)
            #expect(try await server.outboundStatuses(EndToEnd.ana) == [.sent])
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            // The wamid is the one of the accepted attempt: the fake numbers only the sends it accepted.
            #expect(thread.contains { $0.messageID == "wamid.FAKE1" })
        }
    }

    @Test func aRefusedAccessTokenPausesTheTenantsSendsUntilTheTokenWorks() async throws {
        try await EndToEnd.run { server in
            // Meta now wants another token: the tenant's was revoked.
            await server.fake.requireToken("renewed-access-token")
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.TOK1")) == 200)
            _ = try await server.waitForSends(1)
            // A second message queues a reply behind the first; neither is tried while the tenant is paused.
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.TOK2")) == 200)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await server.fake.messageBodies.count == 1)
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let pending = thread.compactMap { entry -> (DeliveryStatus, String?)? in
                if case .outbound(_, _, let status, _, let error) = entry.content { return (status, error?.kind) }
                return nil
            }
            #expect(pending.map(\.0) == [.pending, .pending])
            #expect(pending.first?.1 == "authentication")
            #expect(try await server.metric(#"talkflow_sending_paused{tenant="tienda"}"#) == 1)

            // The operator renews the token; the next try comes when the 5-minute pause ends, not before.
            await server.fake.requireToken("e2e-access-token")
            server.clock.advance(by: 299)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await server.fake.messageBodies.count == 1)
            server.clock.advance(by: 1)
            let bodies = try await server.waitForSends(3)
            try await server.waitForEmptyOutbox()
            // The refused attempt, then both replies in order, each once.
            #expect(bodies.count == 3)
            #expect(bodies[0] == bodies[1])
            #expect(try await server.outboundStatuses(EndToEnd.ana) == [.sent, .sent])
            #expect(try await server.metric(#"talkflow_sending_paused{tenant="tienda"}"#) == 0)
        }
    }

    /// A send already on its way when Meta starts refusing the token comes back accepted once the token works
    /// again: the pause ends, and the messages it held go at once, not when its 5 minutes would have ended
    /// (contacts who wrote during the hiccup are not answered after those who wrote later).
    @Test func theMessagesAPauseHeldGoAtOnceWhenASendGoesThrough() async throws {
        try await EndToEnd.run { server in
            let bea = "573001110002"
            await server.fake.failNext(.held)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.HELD1")) == 200)
            // Ana's reply is at the fake, its answer held back; then Meta refuses the token for Bea's.
            _ = try await server.waitForSends(1)
            await server.fake.requireToken("renewed-access-token")
            #expect(try await server.post(EndToEnd.text("hola", from: bea, id: "wamid.HELD2")) == 200)
            _ = try await server.waitForSends(2)
            try await server.waitForStatuses(bea, [.pending])
            #expect(try await server.outboundStatuses(EndToEnd.ana) == [.sending])
            // The token works again; Ana's send comes back accepted, and Bea's reply goes without the clock
            // moving toward the pause's end.
            await server.fake.requireToken("e2e-access-token")
            await server.fake.releaseHeld()
            let bodies = try await server.waitForSends(3)
            try await server.waitForEmptyOutbox()
            #expect(bodies[1] == bodies[2])
            #expect(try await server.outboundStatuses(EndToEnd.ana) == [.sent])
            #expect(try await server.outboundStatuses(bea) == [.sent])
            #expect(try await server.metric(#"talkflow_sending_paused{tenant="tienda"}"#) == 0)
        }
    }

    @Test func handoffsGoRoundRobinAcrossContacts() async throws {
        try await EndToEnd.run { server in
            let contacts = ["573001110001", "573001110002", "573001110003"]
            var sends = 0
            for (index, contact) in contacts.enumerated() {
                #expect(try await server.post(EndToEnd.text("hola", from: contact, id: "wamid.H\(index)")) == 200)
                sends += 1
                _ = try await server.waitForSends(sends)
                let accept = EndToEnd.buttonReply(
                    "consentimiento.accept", title: "Acepto", from: contact, id: "wamid.A\(index)",
                    context: "wamid.FAKE\(sends)")
                #expect(try await server.post(accept) == 200)
                #expect(try await server.post(EndToEnd.text("agente", from: contact, id: "wamid.G\(index)")) == 200)
            }
            var agents: [String?] = []
            for contact in contacts {
                agents.append(try await server.store.session(tenant: "tienda", contact: contact)?.agent)
            }
            #expect(agents == ["ana", "bruno", "carla"])
            let assigned = try await server.store.conversations(
                tenant: "tienda", filter: ConversationFilter(agent: "bruno"))
            #expect(assigned.map(\.contact) == [contacts[1]])
            try await server.waitForEmptyOutbox()
        }
    }

    /// A contact at the menu when a reload brings a new policy version asks for an agent: the server asks for
    /// the new policy first, and only the acceptance hands the conversation to an agent of the rotation.
    @Test func aHandoffAfterAReloadWithANewPolicyVersionAsksForItFirst() async throws {
        try await EndToEnd.run { server in
            let asked = try await Self.askForAnAgentAfterANewPolicyVersion(server, ids: "P").asked
            #expect(asked.last?.contains(#""id":"consentimiento.accept""#) == true, "\(asked.last ?? "")")
            var session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.status == .waiting)
            #expect(session.agent == nil)

            let again = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.P4", context: "wamid.FAKE3")
            #expect(try await server.post(again) == 200)
            session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.status == .withAgent)
            #expect(session.agent == "ana")
            let consent = try await server.store.consentState(tenant: "tienda", contact: EndToEnd.ana)
            #expect(consent.acceptedVersion == "2026-02")
            try await server.waitForEmptyOutbox()
        }
    }

    /// Ana accepts the policy, a reload brings version 2026-02, and she asks for an agent at the menu (message ids
    /// `wamid.<ids>1` to `3`): the server sends the new policy. Returns the flow as reloaded and the sends so far.
    static func askForAnAgentAfterANewPolicyVersion(_ server: EndToEnd, ids: String) async throws
        -> (flow: String, asked: [String])
    {
        try await FlowChangeTests.acceptAndReachTheMenu(server, ids: ids)
        let flow = try await server.reload(editing: [("version: \"2026-01\"", "version: \"2026-02\"")])
        let asesor = EndToEnd.buttonReply(
            "asesor", title: "Hablar con un asesor", from: EndToEnd.ana, id: "wamid.\(ids)3", context: "wamid.FAKE2")
        #expect(try await server.post(asesor) == 200)
        return (flow, try await server.waitForSends(3))
    }

    /// A second reload between the re-asked policy and its acceptance renumbers the steps (an `end` step now has
    /// the handoff's old index): the acceptance still hands off, to the handoff asked for, found by its id.
    @Test func aReloadBetweenTheReaskedPolicyAndItsAcceptanceKeepsTheHandoff() async throws {
        try await EndToEnd.run { server in
            let flow = try await Self.askForAnAgentAfterANewPolicyVersion(server, ids: "R").flow
            let renumbered = flow.replacingOccurrences(
                of: "\n  asesor:\n", with: "\n  cerrado:\n    type: end\n    text: Cerrado.\n\n  asesor:\n")
            #expect(renumbered != flow)
            try Data(renumbered.utf8).write(to: URL(fileURLWithPath: server.flowFile))
            #expect(try await server.reload() == 200)
            let again = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.R4", context: "wamid.FAKE3")
            #expect(try await server.post(again) == 200)
            let session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.status == .withAgent)
            #expect(session.agent == "ana")
            #expect(session.pendingStep == nil)
            try await server.waitForEmptyOutbox()
        }
    }

    /// A reload changes the consent request (a new policy version and text) after Ana was sent the old one: her
    /// tap on the old request is no acceptance of the new; the new request is sent, and her tap on it is recorded
    /// with the text it showed. (The audits found the old tap recorded as acceptance of the new text.)
    @Test func aTapOnAConsentRequestAReloadChangedSendsTheCurrentOne() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.C1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.reload(editing: [
                ("version: \"2026-01\"", "version: \"2026-02\""),
                ("Hola. Antes de continuar", "Hola. NUEVA POLITICA. Antes de continuar"),
            ])
            let old = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.C2", context: "wamid.FAKE1")
            #expect(try await server.post(old) == 200)
            let sends = try await server.waitForSends(2)
            #expect(sends.last?.contains("NUEVA POLITICA") == true, "\(sends.last ?? "")")
            #expect(try await server.store.consentState(tenant: "tienda", contact: EndToEnd.ana).acceptedVersion == nil)
            // A second tap on the old request (its buttons stay tappable) is no decision either: the current
            // request is sent again.
            let oldAgain = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.C2b", context: "wamid.FAKE1")
            #expect(try await server.post(oldAgain) == 200)
            let again = try await server.waitForSends(3)
            #expect(again.last?.contains("NUEVA POLITICA") == true, "\(again.last ?? "")")
            #expect(try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana).records.isEmpty)
            let current = EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.C3", context: "wamid.FAKE3")
            #expect(try await server.post(current) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.choice) == ["accepted"])
            #expect(history.records.first?.shownTexts.first?.hasPrefix("Hola. NUEVA POLITICA.") == true)
            #expect(history.current.acceptedVersion == "2026-02")
            try await server.waitForEmptyOutbox()
        }
    }

    /// A tap on a template's quick-reply button whose payload is a consent button's id (another tool's template
    /// on the same number) is never consent: the request is shown again.
    @Test func aTemplateButtonWithAConsentIDAsPayloadIsNoConsent() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.B1")) == 200)
            _ = try await server.waitForSends(1)
            let tap = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"context":{"from":"15550783881","id":"wamid.OTHER"},"from":"\#(EndToEnd.ana)","#
                    + #""id":"wamid.B2","timestamp":"1750000060","type":"button","#
                    + #""button":{"payload":"consentimiento.accept","text":"Confirmar cita"}}"#)
            #expect(try await server.post(tap) == 200)
            let sends = try await server.waitForSends(2)
            #expect(sends.last?.contains(#""id":"consentimiento.accept""#) == true, "\(sends.last ?? "")")
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.isEmpty)
            try await server.waitForEmptyOutbox()
        }
    }

    /// A template's quick-reply tap at a question is read as typed: "No autorizo" revokes (the audit found it a
    /// wrong answer, three of them handing the contact to an agent with consent in force), and another label is
    /// the answer.
    @Test func aTemplateTapAtAQuestionIsReadAsTyped() async throws {
        try await EndToEnd.run { server in
            func atTheNameQuestion(_ contact: String) async throws {
                let now = server.clock.now
                #expect(
                    try await server.post(EndToEnd.text("hola", from: contact, id: "wamid.\(contact).1", at: now))
                        == 200)
                try await server.waitForEmptyOutbox()
                #expect(
                    try await server.post(EndToEnd.text("acepto", from: contact, id: "wamid.\(contact).2", at: now))
                        == 200)
                #expect(
                    try await server.post(EndToEnd.text("comprar", from: contact, id: "wamid.\(contact).3", at: now))
                        == 200)
                try await server.waitForEmptyOutbox()
            }
            try await atTheNameQuestion(EndToEnd.ana)
            let revoke = EndToEnd.templateTap("No autorizo", from: EndToEnd.ana, id: "wamid.T1", at: server.clock.now)
            #expect(try await server.post(revoke) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: EndToEnd.ana)
            #expect(history.records.map(\.kind) == [.consent, .revocation])
            #expect(history.records.last?.words == "No autorizo")

            let bruno = "573009998877"
            try await atTheNameQuestion(bruno)
            let name = EndToEnd.templateTap("Bruno Díaz", from: bruno, id: "wamid.T2", at: server.clock.now)
            #expect(try await server.post(name) == 200)
            let session = try #require(try await server.store.session(tenant: "tienda", contact: bruno))
            #expect(session.status == .queued || session.status == .withAgent)
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func statusWebhooksMoveForwardAndAClosedWindowIsNoted() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.S1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            func outbound() async throws -> LogEntry? {
                try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                    .first { if case .outbound = $0.content { return true } else { return false } }
            }
            let row = try #require(try await outbound())
            let callback = String(row.sequence)
            let read = EndToEnd.status("read", of: "wamid.FAKE1", to: EndToEnd.ana, callbackData: callback)
            let delivered = EndToEnd.status("delivered", of: "wamid.FAKE1", to: EndToEnd.ana, callbackData: callback)
            #expect(try await server.post(read) == 200)
            #expect(try await server.post(delivered) == 200)
            guard case .outbound(_, _, let status, _, _) = try #require(try await outbound()).content else {
                Issue.record("no outbound line")
                return
            }
            #expect(status == .read)

            // A later message fails with 131047 after Meta accepted it: the failure is kept and noted.
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.S2")) == 200)
            let bodies = try await server.waitForSends(2)
            try await server.waitForEmptyOutbox()
            let second = try await server.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: row.sequence, limit: 100
            )
            .first { $0.messageID == "wamid.FAKE2" }
            let failed = EndToEnd.status(
                "failed", of: "wamid.FAKE2", to: EndToEnd.ana, callbackData: String(second?.sequence ?? 0),
                errors: #"[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","#
                    + #""error_data":{"details":"Message failed to send because more than 24 hours have passed "#
                    + #"since the customer last replied to this number."},"#
                    + #""href":"https:\/\/developers.facebook.com\/docs\/whatsapp\/cloud-api\/support\/error-codes\/"}]"#
            )
            #expect(bodies.count == 2)
            #expect(try await server.post(failed) == 200)
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let failedLine = thread.first { $0.messageID == "wamid.FAKE2" }
            if case .outbound(_, _, let status, _, let error) = failedLine?.content {
                #expect(status == .failed)
                #expect(error == OutboxError(kind: "outside_window", detail: "131047"))
            } else {
                Issue.record("no failed line")
            }
            #expect(thread.contains { $0.content == .event(ConversationEvent("window_closed", detail: "graph_api")) })
        }
    }

    /// A status dated more than a day after it arrived is dated when it arrived (2^63 - 1 seconds showed as the
    /// year 506713); one dated less than a day ahead keeps its own time, as WhatsApp's clock may run ahead.
    @Test func aStatusDatedMoreThanADayAheadIsDatedWhenItArrived() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.F1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            func statusAt() async throws -> Int64? {
                let thread = try await server.store.thread(
                    tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                guard
                    case .outbound(_, _, _, let times, _) = thread.first(where: { $0.messageID == "wamid.FAKE1" })?
                        .content
                else { return nil }
                return times.latest
            }
            let now = server.clock.now
            let soon = EndToEnd.status(
                "delivered", of: "wamid.FAKE1", to: EndToEnd.ana, callbackData: "", at: now + 3_600)
            #expect(try await server.post(soon) == 200)
            #expect(try await statusAt() == now + 3_600)
            let far = EndToEnd.status("read", of: "wamid.FAKE1", to: EndToEnd.ana, callbackData: "", at: .max)
            #expect(try await server.post(far) == 200)
            #expect(try await statusAt() == now)
        }
    }

    /// A `failed` status without `errors` (absent or `[]`) fails the message with no error kept, so the thread
    /// shows none; one whose code talkflow does not know keeps it as an invalid request, `invalid_parameter`.
    @Test func aFailedStatusWithoutAnErrorOrWithAnUnknownCodeIsKeptAsOperationsSays() async throws {
        try await EndToEnd.run { server in
            let cases: [(errors: String?, kept: OutboxError?)] = [
                (nil, nil), ("[]", nil),
                (
                    #"[{"code":999999,"title":"Something new"}]"#,
                    OutboxError(kind: "invalid_parameter", detail: "999999")
                ),
            ]
            for (index, example) in cases.enumerated() {
                let wamid = "wamid.FAKE\(index + 1)"
                #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.U\(index)")) == 200)
                _ = try await server.waitForSends(index + 1)
                try await server.waitForEmptyOutbox()
                let failed = EndToEnd.status(
                    "failed", of: wamid, to: EndToEnd.ana, callbackData: "", errors: example.errors)
                #expect(try await server.post(failed) == 200)
                let thread = try await server.store.thread(
                    tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                let line = thread.first { $0.messageID == wamid }
                guard case .outbound(_, _, let status, _, let error) = line?.content else {
                    Issue.record("no outbound line for \(wamid)")
                    continue
                }
                #expect(status == .failed)
                #expect(error == example.kept)
            }
        }
    }

    /// A `failed` 131047 status is noted on the failed message's own conversation, whatever id it names the
    /// recipient by (another of the contact's ids, as for a conversation keyed by its user id): no other
    /// conversation is opened for that id.
    @Test func aClosedWindowIsNotedOnTheFailedMessagesOwnConversation() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.R1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            let otherID = "15550001111"
            let failed = EndToEnd.status(
                "failed", of: "wamid.FAKE1", to: otherID, callbackData: "",
                errors: #"[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message"}]"#)
            #expect(try await server.post(failed) == 200)
            let thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            #expect(thread.contains { $0.content == .event(ConversationEvent("window_closed", detail: "graph_api")) })
            #expect(try await server.store.session(tenant: "tienda", contact: otherID) == nil)
            #expect(try await server.metric(#"talkflow_failures_total{kind="window_closed"}"#) == 1)
        }
    }

    /// A `failed` 131047 status that outruns the sender's report is kept, and once the message is recorded sent
    /// it has every effect it has when it arrives after: the failed row, the `window_closed` line, the metric.
    @Test func aClosedWindowReportedBeforeTheSendWasRecordedIsNotedWhenItIs() async throws {
        try await EndToEnd.run { server in
            let failed = EndToEnd.status(
                "failed", of: "wamid.FAKE1", to: EndToEnd.ana, callbackData: "",
                errors: #"[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message"}]"#)
            #expect(try await server.post(failed) == 200)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.E1")) == 200)
            _ = try await server.waitForSends(1)
            try await server.waitForEmptyOutbox()
            var thread: [LogEntry] = []
            _ = try await poll(within: .seconds(5)) {
                thread = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
                return thread.contains { $0.content == .event(ConversationEvent("window_closed", detail: "graph_api")) }
            }
            let sent = thread.first { $0.messageID == "wamid.FAKE1" }
            if case .outbound(_, _, let status, _, let error) = sent?.content {
                #expect(status == .failed)
                #expect(error == OutboxError(kind: "outside_window", detail: "131047"))
            } else {
                Issue.record("no outbound line for wamid.FAKE1")
            }
            #expect(thread.contains { $0.content == .event(ConversationEvent("window_closed", detail: "graph_api")) })
            #expect(try await server.metric(#"talkflow_failures_total{kind="window_closed"}"#) == 1)
        }
    }

    /// A contact with a username first writes without a phone number (only `from_user_id`, as Meta sends for
    /// such users), then with both ids: one conversation, consent asked once, the reply to the same person.
    @Test func aContactKnownFirstByTheBusinessScopedIDKeepsOneConversationWhenThePhoneNumberAppears() async throws {
        try await EndToEnd.run { server in
            let bsuid = "US.13491208655302741918"
            func body(contacts: String, message: String) -> [UInt8] {
                Array(
                    (#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                        + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                        + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"contacts":[\#(contacts)],"#
                        + #""messages":[\#(message)]},"field":"messages"}]}]}"#).utf8)
            }
            let first = body(
                contacts: #"{"profile":{"name":"Sheena"},"user_id":"\#(bsuid)"}"#,
                message: #"{"from_user_id":"\#(bsuid)","id":"wamid.U1","timestamp":"1750000000","type":"text","#
                    + #""text":{"body":"hola"}}"#)
            #expect(try await server.post(first) == 200)
            let consent = try await server.waitForSends(1)
            #expect(consent.first?.contains(#""recipient":"\#(bsuid)""#) == true)
            try await server.waitForEmptyOutbox()
            let accept = body(
                contacts: #"{"profile":{"name":"Sheena"},"wa_id":"16505551234","user_id":"\#(bsuid)"}"#,
                message: #"{"context":{"from":"15550783881","id":"wamid.FAKE1"},"from":"16505551234","#
                    + #""from_user_id":"\#(bsuid)","id":"wamid.U2","timestamp":"1750000060","type":"interactive","#
                    + #""interactive":{"type":"button_reply","button_reply":{"id":"consentimiento.accept","#
                    + #""title":"Acepto"}}}"#)
            #expect(try await server.post(accept) == 200)
            let sends = try await server.waitForSends(2)
            #expect(sends.count == 2)
            #expect(sends.last?.contains("¿En qué te podemos ayudar?") == true)
            #expect(try await server.store.session(tenant: "tienda", contact: "16505551234") == nil)
            let session = try #require(try await server.store.session(tenant: "tienda", contact: bsuid))
            #expect(session.consent.acceptedVersion == "2026-01")
            // The proof of consent is found by the phone number too (the Titular asks by it).
            #expect(try await server.store.consentTenants(contact: "16505551234") == ["tienda"])
            let byPhone = try await server.store.consentHistory(tenant: "tienda", contact: "16505551234")
            #expect(byPhone.records.map(\.choice) == ["accepted"])
            try await server.waitForEmptyOutbox()
        }
    }

    /// Meta's body for a user with a username whose number it withholds: `"from": ""` and `"wa_id": ""` beside
    /// the user id (in the `user.…` form of Meta's examples). Acknowledged and answered, addressed by the user id,
    /// with the other contact's message in the same POST processed too.
    @Test func aUsernameUsersBodyWithEmptyFromIsAnsweredByTheUserID() async throws {
        try await EndToEnd.run { server in
            let userID = "user.9373795779eb4ad6a1d2f3"
            let head: String =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"#
            let contacts: String =
                #""contacts":[{"profile":{"name":"Sheena","username":"@sheena"},"wa_id":"","user_id":"\#(userID)"},"#
                + #"{"profile":{"name":"Ana"},"wa_id":"\#(EndToEnd.ana)"}],"#
            let messages: String =
                #""messages":[{"from":"","from_user_id":"\#(userID)","id":"wamid.UE1","timestamp":"1750000000","#
                + #""type":"text","text":{"body":"hola"}},{"from":"\#(EndToEnd.ana)","id":"wamid.UE2","#
                + #""timestamp":"1750000000","type":"text","text":{"body":"hola"}}]},"field":"messages"}]}]}"#
            let body = Array((head + contacts + messages).utf8)
            #expect(try await server.post(body) == 200)
            let sends = try await server.waitForSends(2)
            #expect(sends.contains { $0.contains(#""recipient":"\#(userID)""#) })
            #expect(sends.contains { $0.contains(#""to":"+\#(EndToEnd.ana)""#) })
            #expect(try await server.store.session(tenant: "tienda", contact: userID) != nil)
            #expect(try await server.store.session(tenant: "tienda", contact: "") == nil)
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func aDueInactivityTimerClosesTheConversationWithItsGoodbye() async throws {
        try await EndToEnd.run { server in
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.T1")) == 200)
            _ = try await server.waitForSends(1)
            // The reply recorded as sent before the clock jumps 31 minutes (a claim left open would expire).
            try await server.waitForEmptyOutbox()
            let waiting = try await server.store.session(tenant: "tienda", contact: EndToEnd.ana)
            #expect(waiting?.status == .waiting)
            #expect(waiting?.inactivityDeadline != nil)
            server.clock.advance(by: 31 * 60)
            let bodies = try await server.waitForSends(2)
            #expect(bodies.last?.contains("Cerramos esta conversación por inactividad.") == true)
            let closed = try await server.store.session(tenant: "tienda", contact: EndToEnd.ana)
            #expect(closed?.status == .closed)
            try await server.waitForEmptyOutbox()
        }
    }
}

/// A running server and its fake Graph API, for one test.
struct EndToEnd {
    static let phoneNumberID = "106540352242922"
    static let appSecret = "e2e-app-secret"
    static let ana = "573001112233"
    static let environment = [
        "E2E_APP_SECRET": appSecret, "E2E_VERIFY_TOKEN": "e2e-verify", "E2E_ACCESS_TOKEN": "e2e-access-token",
        "E2E_ADMIN_KEY": "e2e-admin-key",
    ]

    let base: String
    let fake: FakeGraphAPI
    let store: any ConversationStore
    /// The server's clock (Unix seconds), which tests move forward to make timers come due.
    let clock: TestClock
    /// The tenant's flow file, which a test may change and then `reload`.
    let flowFile: String

    /// Starts the fake and a server for the default flow, runs `body`, then shuts both down gracefully. Read
    /// receipts are off unless `markRead`, so that the other tests count only replies. With `logs`, the server
    /// logs there at `logLevel`.
    static func run(
        markRead: Bool = false, logs: LogRecorder? = nil, logLevel: Logger.Level = .info,
        _ body: @Sendable (EndToEnd) async throws -> Void,
        afterARestart: (@Sendable (EndToEnd) async throws -> Void)? = nil
    ) async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        try await FakeGraphAPI.run { fake in
            await fake.requireToken("e2e-access-token")
            try folder.write("flows/default.yaml", try shippedFlow("default.yaml"))
            let config = try folder.write(
                "talkflow.yaml",
                """
                server:
                  port: 0
                  graph_api_url: \(await fake.baseURL)
                  store: sqlite:data/talkflow.sqlite
                  mark_read: \(markRead)
                  admin_key_env: E2E_ADMIN_KEY
                tenants:
                \(EndToEnd.tenant())

                """)
            try FileManager.default.createDirectory(
                atPath: folder.file("data"), withIntermediateDirectories: true)
            let clock = TestClock()
            // With `afterARestart`, a second server on the same store and configuration, its flow read again.
            for restarted in afterARestart == nil ? [false] : [false, true] {
                let loaded = try loadValid(config, environment: environment)
                try await withLiveServer(loaded, label: "e2e", clock: { clock.now }, logs: logs, logLevel: logLevel) {
                    port, store, _ in
                    let server = EndToEnd(
                        base: "http://127.0.0.1:\(port)", fake: fake, store: store, clock: clock,
                        flowFile: folder.file("flows/default.yaml"))
                    if restarted { try await afterARestart?(server) } else { try await body(server) }
                }
            }
        }
    }

    /// Posts a webhook body signed with `secret` (the tenant's app secret by default); returns the status.
    func post(_ body: [UInt8], secret: String = EndToEnd.appSecret) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Hub-Signature-256", value: signature(body, appSecret: secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code
    }

    /// Reloads the flows through the admin route, as an operator would after changing one; returns the status.
    func reload() async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/admin/reload")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer e2e-admin-key")
        return try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code
    }

    /// Replaces each text of `edits` in the tenant's flow file (every occurrence), reloads, and expects the reload
    /// to be answered 200; returns the flow as written.
    @discardableResult
    func reload(editing edits: [(String, String)]) async throws -> String {
        var flow = try String(contentsOfFile: flowFile, encoding: .utf8)
        for (old, new) in edits { flow = flow.replacingOccurrences(of: old, with: new) }
        try Data(flow.utf8).write(to: URL(fileURLWithPath: flowFile))
        #expect(try await reload() == 200)
        return flow
    }

    /// The delivery status of each outbound message to `contact`, in order.
    func outboundStatuses(_ contact: String) async throws -> [DeliveryStatus] {
        try await store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100).compactMap { entry in
            if case .outbound(_, _, let status, _, _) = entry.content { return status }
            return nil
        }
    }

    /// Waits until the outbound messages to `contact` have `statuses` (failing after `timeout`, naming what they had).
    func waitForStatuses(_ contact: String, _ statuses: [DeliveryStatus], timeout: Duration = .seconds(15))
        async throws
    {
        if try await poll(within: timeout, { try await outboundStatuses(contact) == statuses }) { return }
        let found = try await outboundStatuses(contact)
        Issue.record("expected \(statuses) for \(contact), found \(found)")
    }

    /// Waits until an outbound message to `contact` has a send error recorded (failing after `timeout`).
    func waitForRecordedError(_ contact: String, timeout: Duration = .seconds(15)) async throws {
        let recorded = try await poll(within: timeout) {
            try await store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100).contains { entry in
                if case .outbound(_, _, _, _, let error?) = entry.content { return error.kind == "rate_limited" }
                return false
            }
        }
        if recorded { return }
        Issue.record("no send error was recorded for \(contact)")
    }

    /// One sample of the server's `/metrics`, such as `talkflow_sending_paused{tenant="tienda"}`.
    func metric(_ series: String) async throws -> Double? {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return sample(text, series)
    }

    /// The message bodies the fake received, once there are at least `count` (failing after `timeout`).
    func waitForSends(_ count: Int, timeout: Duration = .seconds(15)) async throws -> [String] {
        let arrived = try await poll(within: timeout) { await fake.messageBodies.count >= count }
        let bodies = await fake.messageBodies
        if !arrived { Issue.record("expected \(count) sends, the fake received \(bodies.count)") }
        return bodies
    }

    /// The mark-as-read requests the fake received, once there are at least `count` (failing after `timeout`).
    func waitForReadReceipts(_ count: Int, timeout: Duration = .seconds(15)) async throws
        -> [FakeGraphAPI.RecordedRequest]
    {
        func receipts() async -> [FakeGraphAPI.RecordedRequest] {
            await fake.requests.filter { $0.method == "POST" && $0.bodyText.contains(#""status":"read""#) }
        }
        let arrived = try await poll(within: timeout) { await receipts().count >= count }
        let found = await receipts()
        if !arrived { Issue.record("expected \(count) read receipts, the fake received \(found.count)") }
        return found
    }

    /// Waits until the outbox is empty (everything sent or given up).
    func waitForEmptyOutbox(timeout: Duration = .seconds(15)) async throws {
        if try await poll(within: timeout, { try await store.outboxDepth() == 0 }) { return }
        Issue.record("the outbox still holds \(try await store.outboxDepth()) messages")
    }

    /// A webhook with one message from `contact` (Meta's envelope, compact, `/` and non-ASCII escaped as Meta
    /// does); `message` is the message object's fields after `from`, `id`, `timestamp`.
    static func webhook(from contact: String, name: String = "Ana P\\u00e9rez", message: String) -> [UInt8] {
        webhook(card: #""profile":{"name":"\#(name)"},"wa_id":"\#(contact)""#, message: message)
    }

    /// A webhook whose contact card names the sender by business-scoped user id, and by phone number too when
    /// `phone` is given (a user with a username, before and after WhatsApp shows the number).
    static func webhook(userID: String, phone: String? = nil, name: String, message: String) -> [UInt8] {
        let number = phone.map { #","wa_id":"\#($0)""# } ?? ""
        return webhook(card: #""profile":{"name":"\#(name)"},"user_id":"\#(userID)"\#(number)"#, message: message)
    }

    /// A `messages` change for the tenant with one contact card (`card`: its fields' JSON) and `message`.
    private static func webhook(card: String, message: String) -> [UInt8] {
        let json =
            #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
            + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
            + #""phone_number_id":"\#(phoneNumberID)"},"contacts":[{\#(card)}],"messages":[\#(message)]},"#
            + #""field":"messages"}]}]}"#
        return Array(json.utf8)
    }

    /// A text message webhook, written at `timestamp` by WhatsApp's clock.
    static func text(
        _ text: String, from contact: String, id: String, name: String = "Ana P\\u00e9rez",
        at timestamp: Int64 = 1_750_000_000
    ) -> [UInt8] {
        webhook(
            from: contact, name: name,
            message: #"{"from":"\#(contact)","id":"\#(id)","timestamp":"\#(timestamp)","text":{"body":"\#(text)"},"#
                + #""type":"text"}"#)
    }

    /// A status webhook for the message `wamid`; `errors` is the JSON of its `errors` array, if any.
    static func status(
        _ status: String, of wamid: String, to contact: String, callbackData: String, errors: String? = nil,
        at timestamp: Int64 = 1_750_030_073
    ) -> [UInt8] {
        let errorsField = errors.map { #","errors":\#($0)"# } ?? ""
        let json =
            #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
            + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
            + #""phone_number_id":"\#(phoneNumberID)"},"statuses":[{"id":"\#(wamid)","status":"\#(status)","#
            + #""timestamp":"\#(timestamp)","recipient_id":"\#(contact)","#
            + #""biz_opaque_callback_data":"\#(callbackData)"\#(errorsField)}]},"field":"messages"}]}]}"#
        return Array(json.utf8)
    }

    /// The test tenant `tienda` as an entry of a configuration's `tenants:` list (the end-to-end secrets'
    /// variables, the shipped default flow at `flows/default.yaml`), ending with a line break.
    static func tenant() -> String {
        """
          - id: tienda
            phone_number_id: "\(phoneNumberID)"
            app_secret_env: E2E_APP_SECRET
            verify_token_env: E2E_VERIFY_TOKEN
            access_token_env: E2E_ACCESS_TOKEN
            flow: flows/default.yaml

        """
    }

    /// A tap on a template's quick-reply button labelled `label` (Meta's `button` message; talkflow sends templates
    /// without payloads, so the payload is the label).
    static func templateTap(_ label: String, from contact: String, id: String, at timestamp: Int64) -> [UInt8] {
        webhook(
            from: contact,
            message: #"{"context":{"from":"15550783881","id":"wamid.TEMPLATE"},"from":"\#(contact)","id":"\#(id)","#
                + #""timestamp":"\#(timestamp)","type":"button","#
                + #""button":{"payload":"\#(label)","text":"\#(label)"}}"#)
    }

    /// A tapped reply button, answering the message `context`.
    static func buttonReply(
        _ buttonID: String, title: String, from contact: String, id: String, context: String,
        at timestamp: Int64 = 1_750_000_060
    ) -> [UInt8] {
        webhook(
            from: contact,
            message: #"{"context":{"from":"15550783881","id":"\#(context)"},"from":"\#(contact)","id":"\#(id)","#
                + #""timestamp":"\#(timestamp)","type":"interactive","interactive":{"type":"button_reply","#
                + #""button_reply":{"id":"\#(buttonID)","title":"\#(title)"}}}"#)
    }
}

/// A clock the test moves: Unix seconds, starting at the real time.
final class TestClock: Sendable {
    private let seconds = Mutex(Int64(Date().timeIntervalSince1970))

    var now: Int64 { seconds.withLock { $0 } }

    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }
}
