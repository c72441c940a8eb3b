import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import NIOCore
import Storage
import Synchronization
import Testing

@testable import TalkflowServer

/// Business-initiated templates through `POST /api/v1/tenants/{tenant}/templates/{template}/send` on a live
/// server: queued and sent only to a contact who agreed (opt-in for marketing, consent for utility), refused
/// clearly otherwise with nothing queued or sent.
@Suite("Business-initiated template messages", .hangGuard)
struct TemplateSendTests {
    /// Flows/default.yaml with an optional marketing purpose asked as an opt-in right after consent, a
    /// marketing template with its opt-out button and a utility template with a JPEG header.
    static func flow() throws -> String {
        var text = try shippedFlow("default.yaml")
        let purposes = "      description: comunicarte con un asesor humano\n      human_attention: true\n"
        let decline = "    decline: { title: No acepto, next: info_publica }\n"
        let queues = "queues:\n  ventas: [ana, bruno, carla]\n"
        try #require(text.contains(purposes) && text.contains(decline) && text.contains(queues))
        text = text.replacingOccurrences(
            of: purposes,
            with: purposes
                + "    - id: promociones\n      description: enviarte nuestras promociones\n"
                + "      optional: true\n      marketing: true\n")
        if let range = text.range(of: decline) {
            text.replaceSubrange(
                range,
                with: decline
                    + "    opt_in:\n      purpose: promociones\n"
                    + "      text: \"¿Quieres recibir nuestras promociones por WhatsApp?\"\n"
                    + "      accept: Sí, quiero\n      decline: No, gracias\n")
        }
        // The shipped flow's own templates give way to the two these tests send.
        text = text.replacing(/# Plantillas[^\n]*\ntemplates:\n(?:  [^\n]*\n)*\n/, with: "")
        return text.replacingOccurrences(
            of: queues,
            with: queues + """

                templates:
                  oferta:
                    name: oferta_mensual
                    language: es
                    category: marketing
                    body: "Hola {{1}}, esta semana tenemos descuentos."
                    opt_out: "No recibir más"
                  recordatorio:
                    name: recordatorio_cita
                    language: es
                    category: utility
                    body: "Hola, te recordamos tu cita del {{1}}."
                    header:
                      type: image
                      link: https://example.co/cita.jpg

                """)
    }

    /// hola, accept, then the opt-in question answered `optIn`.
    static func converse(_ server: LiveServer, contact: String, optIn: Bool) async throws {
        let choice = optIn ? ("consentimiento.opt_in.accept", "Sí, quiero") : ("consentimiento.opt_in.decline", "No")
        #expect(try await server.post(EndToEnd.text("hola", from: contact, id: "wamid.\(contact).1")) == 200)
        let accept = EndToEnd.buttonReply(
            "consentimiento.accept", title: "Acepto", from: contact, id: "wamid.\(contact).2", context: "wamid.X")
        #expect(try await server.post(accept) == 200)
        let answer = EndToEnd.buttonReply(
            choice.0, title: choice.1, from: contact, id: "wamid.\(contact).3", context: "wamid.Y")
        #expect(try await server.post(answer) == 200)
    }

    /// On a Sunday (Colombian time) a marketing template is refused with the next window of Ley 2300 and nothing
    /// is queued; a utility template goes at any hour.
    @Test func marketingWaitsForLey2300sHours() async throws {
        let sunday: Int64 = 1_795_971_600  // 2026-11-29T12:00-05:00
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { sunday }) { server in
            let contact = "573001110009"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 422)
            #expect(offer.1.contains("Ley 2300 de 2023"))
            #expect(offer.1.contains("the next window opens at 2026-11-30T07:00-05:00"))
            #expect(offer.1.contains(#""code":"outside_promotional_hours""#))
            #expect(try await server.store.outboxDepth() == 0)
            // Who may receive it is said first: the hours are no reason to retry for a contact who may not.
            let stranger = try await Self.send(
                server, template: "oferta", json: #"{"to":"573001110010","parameters":["Ana"]}"#)
            #expect(stranger.1.contains("has not accepted the policy version in force"))
            let reminder = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(contact)","parameters":["lunes"]}"#)
            #expect(reminder.0 == 202)
        }
    }

    /// A tap on the marketing template's opt-out button, as Meta delivers it (a `button` message whose payload
    /// and text are the label, talkflow sending templates without payloads, with the template as `context`),
    /// withdraws the opt-in: `opt_in_withdrawn` in the ledger, the confirmation sent, the consent event in the
    /// thread, and a later marketing template refused with `no_opt_in`.
    @Test func aTapOnTheTemplatesOptOutButtonWithdrawsTheOptIn() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let contact = "573001110012"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            #expect(try await server.post(Self.optOutTap(from: contact)) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"])
            let withdrawn = try #require(history.records.last)
            // The shape of a withdrawal in WhatsApp's settings, told apart by the contact's message id.
            #expect(withdrawn.replyMessageID == "wamid.\(contact).4")
            #expect(withdrawn.step == nil)
            #expect(withdrawn.shownTexts.isEmpty)
            #expect(withdrawn.textSHA256 == nil)
            #expect(withdrawn.policyURL == nil)
            #expect(withdrawn.language == nil)
            #expect(withdrawn.purposesDeclined == ["promociones"])
            #expect(withdrawn.purposesAccepted.isEmpty)
            #expect(withdrawn.requestMessageIDs.isEmpty)
            #expect(withdrawn.policyVersion == history.records[1].policyVersion)
            #expect(withdrawn.whatsAppTimestamp == 1_750_000_120)
            // The general consent stands: only the opt-in went.
            let consent = ContactConsent(records: history.records)
            #expect(!consent.optIn)
            #expect(consent.acceptedVersion == history.records[0].policyVersion)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let confirmation = try #require(await server.fake.messageBodies.last)
            #expect(confirmation.contains("Listo, no te enviaremos m"))
            let thread = try await server.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100)
            #expect(
                thread.contains {
                    $0.content
                        == .event(ConversationEvent(ConversationEvent.consentRecorded, detail: "opt_in_withdrawn"))
                })
            let again = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(again.0 == 422)
            #expect(again.1.contains(#""code":"no_opt_in""#))
            let reminder = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(contact)","parameters":["lunes"]}"#)
            #expect(reminder.0 == 202)
        }
    }

    /// A promotion waiting in the outbox (Meta answered its first attempt with a rate limit) when the contact taps
    /// the opt-out button of an earlier one is not sent: the send checks again who may receive it, and it fails as
    /// `no_opt_in`. The audit saw it delivered after the withdrawal, just before the "no more promotions"
    /// confirmation. A utility template waiting beside it still goes.
    @Test func aPromotionWaitingWhenTheOptInEndsIsNotSent() async throws {
        let now = Mutex(Int64(1_795_446_000))
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { now.withLock { $0 } }) {
            server in
            let contact = "573001110021"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            await server.fake.failNext(.rateLimit)
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            let reminder = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(contact)","parameters":["lunes"]}"#)
            #expect(reminder.0 == 202)
            func errors() async throws -> [String] {
                try await server.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100).compactMap {
                    guard case .outbound(.template, _, _, _, let error) = $0.content else { return nil }
                    return error?.kind ?? "none"
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await errors() != ["rate_limited", "none"], ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let waiting = try await errors()
            #expect(waiting == ["rate_limited", "none"])
            #expect(try await server.post(Self.optOutTap(from: contact)) == 200)
            now.withLock { $0 += 120 }
            try await server.waitForEmptyOutbox(timeout: .seconds(10))
            let finished = try await errors()
            #expect(finished == ["no_opt_in", "none"])
            let bodies = await server.fake.requests.map(\.bodyText)
            #expect(bodies.filter { $0.contains("oferta_mensual") }.count == 1)
            #expect(bodies.contains { $0.contains("recordatorio_cita") })
        }
    }

    /// Meta's `user_preferences` webhook: a contact who stops marketing messages in WhatsApp's settings loses the
    /// opt-in (recorded as `opt_in_withdrawn`), so a marketing template is refused; the webhook delivered again
    /// records nothing more; resuming them in WhatsApp is not an opt-in.
    @Test func aContactWhoStopsMarketingInWhatsAppIsNoLongerOptedIn() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let contact = "573001110004"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            func preference(_ value: String, at timestamp: Int) -> [UInt8] {
                let json =
                    #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                    + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                    + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"contacts":[{"profile":{"name":"Jos\u00e9"},"#
                    + #""wa_id":"\#(contact)"}],"user_preferences":[{"wa_id":"\#(contact)","#
                    + #""detail":"User requested to stop marketing messages","category":"marketing_messages","#
                    + #""value":"\#(value)","timestamp":\#(timestamp)}]},"field":"user_preferences"}]}]}"#
                return Array(json.utf8)
            }
            #expect(try await server.post(preference("stop", at: 1_795_446_100)) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"])
            let withdrawn = try #require(history.records.last)
            #expect(withdrawn.purposesDeclined == ["promociones"])
            #expect(withdrawn.step == nil)
            // Nothing was shown: no hash (a hash of nothing proves nothing), no URL, no language; the version is
            // the one the opt-in was given under.
            #expect(withdrawn.shownTexts.isEmpty)
            #expect(withdrawn.textSHA256 == nil)
            #expect(withdrawn.textsMatchHash)
            #expect(withdrawn.policyURL == nil)
            #expect(withdrawn.language == nil)
            #expect(withdrawn.policyVersion == history.records[1].policyVersion)
            // Not a message of the contact's: nothing enters the thread.
            let thread = try await server.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100)
            #expect(
                !thread.contains {
                    if case .inbound(kind: "user_preferences", _, _) = $0.content { true } else { false }
                })
            // The contact opts in again; the same notice delivered again later does not undo it.
            let optIn = try #require(history.records.first { $0.choice == "opt_in_accepted" })
            /// Records an opt-in again, received at `at` (and tapped at `whatsAppTime`, by WhatsApp's clock).
            func optInAgain(at: Int64, whatsAppTime: Int64? = nil) async throws {
                try await server.store.appendConsent(
                    tenant: "tienda", contact: contact,
                    [
                        LedgerEntry(
                            .consent(
                                ConsentEvidence(
                                    flow: optIn.flow, step: optIn.step ?? "", policyVersion: "2025-12",
                                    policyURL: optIn.policyURL, choice: "opt_in_accepted",
                                    shownTexts: optIn.shownTexts, textSHA256: optIn.textSHA256,
                                    purposesAccepted: ["promociones"], purposesDeclined: [], sensitive: false,
                                    at: at, replyMessageID: nil, language: "es")),
                            channel: "whatsapp_cloud", phoneNumberID: EndToEnd.phoneNumberID, receivedAt: at,
                            requestMessageIDs: [], whatsAppTimestamp: whatsAppTime)
                    ])
            }
            try await optInAgain(at: 1_795_446_150)
            #expect(try await server.post(preference("stop", at: 1_795_446_100)) == 200)
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn)
            #expect(try await server.post(preference("stop", at: 1_795_446_160)) == 200)
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn == false)
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 422)
            #expect(offer.1.contains("has not opted in to promotional messages"))
            #expect(try await server.post(preference("resume", at: 1_795_446_200)) == 200)
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn == false)
            let after = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(after.records.map(\.choice).suffix(2) == ["opt_in_accepted", "opt_in_withdrawn"])
            #expect(after.records.count == 5)
            // Withdrawn under the version of the opt-in it withdraws, not the flow's current one.
            #expect(after.records.last?.policyVersion == "2025-12")

            // An opt-in tapped at WhatsApp time 1_795_446_240 whose webhook reached the server late (received at
            // 1_795_446_400): a stop chosen at 1_795_446_270, after the tap by WhatsApp's clock, withdraws it,
            // although the server received the opt-in later; a stop before the tap does not.
            try await optInAgain(at: 1_795_446_400, whatsAppTime: 1_795_446_240)
            #expect(try await server.post(preference("stop", at: 1_795_446_230)) == 200)
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn)
            #expect(try await server.post(preference("stop", at: 1_795_446_270)) == 200)
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn == false)
        }
    }

    /// A marketing template that fails with 131050 (the contact stopped the business's marketing messages in
    /// WhatsApp) withdraws the opt-in too: Meta would refuse every later one.
    @Test func aMarketingTemplateFailedWith131050WithdrawsTheOptIn() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let contact = "573001110005"
            try await Self.converse(server, contact: contact, optIn: true)
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let sent = try #require(
                try await server.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 100)
                    .last { entry in
                        if case .outbound = entry.content { return entry.messageID != nil } else { return false }
                    })
            let wamid = try #require(sent.messageID)
            let failed = EndToEnd.status(
                "failed", of: wamid, to: contact, callbackData: String(sent.sequence),
                errors: #"[{"code":131050,"title":"User has stopped marketing messages","#
                    + #""message":"Unable to deliver the message.","error_data":{"details":"stopped"}}]"#,
                at: 1_795_446_300)
            #expect(try await server.post(failed) == 200)
            let history = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"])
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn == false)
        }
    }

    /// Meta may refuse the send itself with 131050 (an HTTP 400 answer, no `failed` status to follow): the
    /// message fails and the opt-in is withdrawn just the same, or every later marketing template would be refused.
    @Test func aSendRefusedWith131050WithdrawsTheOptIn() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let contact = "573001110008"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            await server.fake.failNext(
                .custom(
                    status: 400,
                    body: #"{"error":{"message":"(#131050) Unable to deliver the message.","type":"OAuthException","#
                        + #""code":131050,"error_data":{"messaging_product":"whatsapp","#
                        + #""details":"User has stopped marketing messages"},"fbtrace_id":"AbC"}}"#))
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let history = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"])
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn == false)
        }
    }

    /// The 131050 status can outrun the sender's report of the message, and name the recipient by no id: the
    /// opt-in is then withdrawn when the status is applied to the message, whose conversation is known.
    @Test func an131050StatusThatOutranTheSendWithdrawsTheOptInWhenApplied() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let contact = "573001110006"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            // The next message ids the fake will give (it numbers every message it accepts).
            let sent = await server.fake.messageBodies.count
            for next in (sent + 1)...(sent + 3) {
                let json =
                    #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                    + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                    + #""phone_number_id":"\#(EndToEnd.phoneNumberID)"},"statuses":[{"id":"wamid.FAKE\#(next)","#
                    + #""status":"failed","timestamp":"1795446300","errors":[{"code":131050,"#
                    + #""title":"User has stopped marketing messages"}]}]},"field":"messages"}]}]}"#
                #expect(try await server.post(Array(json.utf8)) == 200)
            }
            #expect(try await server.store.consentState(tenant: "tienda", contact: contact).optIn)
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            for _ in 0..<100 {
                if try await !server.store.consentState(tenant: "tienda", contact: contact).optIn { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let history = try await server.store.consentHistory(tenant: "tienda", contact: contact)
            #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"])
        }
    }

    /// A contact first known by their business-scoped user id, who later wrote with their phone number too, gets a
    /// template sent to that number: it names the same conversation, with its consent.
    @Test func aTemplateToThePhoneOfAContactFirstKnownByUserIDIsSent() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let bsuid = "CO.1234567890123456"
            let phone = "573001110007"
            func body(_ message: String, phone: String? = nil) -> [UInt8] {
                EndToEnd.webhook(userID: bsuid, phone: phone, name: "Sheena", message: message)
            }
            func reply(_ id: String, _ title: String, _ wamid: String) -> String {
                #"{"from_user_id":"\#(bsuid)","id":"\#(wamid)","timestamp":"1795446000","type":"interactive","#
                    + #""interactive":{"type":"button_reply","button_reply":{"id":"\#(id)","title":"\#(title)"}}}"#
            }
            let hola =
                #"{"from_user_id":"\#(bsuid)","id":"wamid.B1","timestamp":"1795446000","type":"text","#
                + #""text":{"body":"hola"}}"#
            #expect(try await server.post(body(hola)) == 200)
            #expect(try await server.post(body(reply("consentimiento.accept", "Acepto", "wamid.B2"))) == 200)
            #expect(try await server.post(body(reply("consentimiento.opt_in.accept", "Sí, quiero", "wamid.B3"))) == 200)
            let both =
                #"{"from":"\#(phone)","from_user_id":"\#(bsuid)","id":"wamid.B4","timestamp":"1795446000","#
                + #""type":"text","text":{"body":"gracias"}}"#
            #expect(try await server.post(body(both, phone: phone)) == 200)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let reminder = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(phone)","parameters":["lunes"]}"#)
            #expect(reminder.0 == 202, "\(reminder.1)")
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(phone)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202, "\(offer.1)")
            // They go into the conversation the phone leads to, addressed as its replies are: by the user id it
            // is keyed by, as `recipient`, not `to` (Docs/operations.md).
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let templates = await server.fake.messageBodies.filter { $0.contains(#""type":"template""#) }
            #expect(templates.count == 2)
            #expect(templates.allSatisfy { $0.contains(#""recipient":"\#(bsuid)""#) && !$0.contains(#""to":"#) })
        }
    }

    /// The contact's tap on the `oferta` template's opt-out button (Meta's `button` message).
    static func optOutTap(from contact: String) -> [UInt8] {
        EndToEnd.webhook(
            from: contact,
            message: #"{"context":{"from":"15550783881","id":"wamid.OFERTA"},"from":"\#(contact)","#
                + #""id":"wamid.\#(contact).4","timestamp":"1750000120","type":"button","#
                + #""button":{"payload":"No recibir m\u00e1s","text":"No recibir m\u00e1s"}}"#)
    }

    /// Posts a send request; returns the status and the body.
    static func send(
        _ server: LiveServer, template: String, json: String, tenant: String = "tienda",
        key: String = LiveServer.adminKey
    ) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: server.base + "/api/v1/tenants/\(tenant)/templates/\(template)/send")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await server.client.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    /// An opt-in to a purpose that is not `marketing: true` (surveys) is no yes to promotions: a marketing template
    /// is refused with `no_opt_in` to a contact who gave it, and nothing is queued.
    @Test func anOptInToAnotherPurposeDoesNotLetMarketingThrough() async throws {
        let flow = try Self.flow().replacingOccurrences(
            of: "      description: enviarte nuestras promociones\n      optional: true\n      marketing: true\n",
            with: "      description: enviarte encuestas de satisfaccion\n      optional: true\n")
        try #require(!flow.contains("marketing: true"))
        try await LiveServer.run(sendRate: 1000, flow: flow, admin: true, clock: { 1_795_446_000 }) { server in
            let contact = "573001110011"
            try await Self.converse(server, contact: contact, optIn: true)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(contact)","parameters":["Ana"]}"#)
            #expect(offer.0 == 422)
            #expect(offer.1.contains(#""code":"no_opt_in""#))
            #expect(try await server.store.outboxDepth() == 0)
            let reminder = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(contact)","parameters":["lunes"]}"#)
            #expect(reminder.0 == 202)
        }
    }

    @Test func templatesGoOnlyToContactsWhoAgreedAndRefusalsQueueNothing() async throws {
        try await LiveServer.run(sendRate: 1000, flow: try Self.flow(), admin: true, clock: { 1_795_446_000 }) {
            server in
            let optedIn = "573001110001"
            let consentOnly = "573001110002"
            let stranger = "573001110003"
            try await Self.converse(server, contact: optedIn, optIn: true)
            try await Self.converse(server, contact: consentOnly, optIn: false)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let before = await server.fake.messageBodies.count

            // Refusals: nothing is queued, nothing is sent.
            let noOptIn = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(consentOnly)","parameters":["Ana"]}"#)
            #expect(noOptIn.0 == 422)
            #expect(noOptIn.1.contains("has not opted in to promotional messages"))
            #expect(noOptIn.1.contains(#""code":"no_opt_in""#))
            let noConsent = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(stranger)","parameters":["lunes"]}"#)
            #expect(noConsent.0 == 422)
            #expect(noConsent.1.contains("has not accepted the policy version in force"))
            // Consent to an earlier policy version (an opt-in given under it included) covers no template now.
            let stale = "573001110004"
            _ = try await server.store.update(tenant: "tienda", contact: stale, at: 1_795_446_000) { session, _ in
                session.consent.acceptedVersion = "1999-01"
                session.consent.optIn = true
                return ConversationChanges()
            }
            for template in ["oferta", "recordatorio"] {
                let old = try await Self.send(
                    server, template: template, json: #"{"to":"\#(stale)","parameters":["Ana"]}"#)
                #expect(old.0 == 422)
                #expect(old.1.contains("has not accepted the policy version in force"))
                #expect(old.1.contains(#""code":"no_consent""#))
            }
            let parameters = try await Self.send(server, template: "oferta", json: #"{"to":"\#(optedIn)"}"#)
            #expect(parameters.0 == 422)
            #expect(parameters.1.contains(#"{"error":{"code":"parameter_count","message":"the template takes 1 "#))
            let emoji = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(optedIn)","parameters":["Ana 😀"]}"#)
            #expect(emoji.0 == 422)
            #expect(emoji.1.contains(#""code":"emoji_not_allowed","message":"parameter 1 ({{1}}) contains an emoji"#))
            // A parameter Meta would refuse (error 132018, or no text) is refused here, named, before anything is
            // queued: `["",""]`-style blanks, a line break, a tab, more than 4 spaces in a row.
            for (parameter, found) in [
                (#""""#, "is empty"), (#""   ""#, "is empty"), (#""lunes\n8:00""#, "contains a line break"),
                (#""lunes\r\n8:00""#, "contains a line break"), (#""lunes\t8:00""#, "contains a tab"),
                (#""lunes     8:00""#, "contains more than 4 consecutive spaces"),
            ] {
                let invalid = try await Self.send(
                    server, template: "oferta", json: #"{"to":"\#(optedIn)","parameters":[\#(parameter)]}"#)
                #expect(invalid.0 == 422, "\(parameter)")
                #expect(
                    invalid.1.contains(
                        #"{"error":{"code":"invalid_parameter","message":"parameter 1 ({{1}}) \#(found); "#),
                    "\(invalid.1)")
            }
            let lineBreak = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(optedIn)","parameters":["lunes\n8:00"]}"#)
            #expect(
                lineBreak.1
                    == #"{"error":{"code":"invalid_parameter","message":"parameter 1 ({{1}}) contains a line break; "#
                    + #"Meta refuses a template parameter with a line break, a tab or more than 4 consecutive spaces "#
                    + #"(error 132018): write it on one line"}}"# + "\n")
            let unknownTemplate = try await Self.send(server, template: "nada", json: #"{"to":"\#(optedIn)"}"#)
            #expect(unknownTemplate.0 == 404 && unknownTemplate.1.contains(#""code":"not_found""#))
            let unknownTenant = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(optedIn)"}"#, tenant: "x")
            #expect(unknownTenant.0 == 404)
            let notJSON = try await Self.send(server, template: "oferta", json: "not json")
            #expect(notJSON.0 == 400 && notJSON.1.contains(#""code":"invalid_request""#))
            // JSONDecoder would read the first `to` and drop the second unseen.
            let twoRecipients = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(optedIn)","to":"573009998877"}"#)
            #expect(
                twoRecipients.0 == 400
                    && twoRecipients.1.contains(#"the body gives 'to' more than once; give each field once"#))
            let notAWaID = try await Self.send(server, template: "oferta", json: #"{"to":"+57 300"}"#)
            #expect(notAWaID.0 == 422 && notAWaID.1.contains(#""code":"invalid_contact""#))
            // Every error of the route has its shape: a body over 64 KiB, another method.
            let huge = try await Self.send(
                server, template: "oferta",
                json: #"{"to":"1","parameters":[""# + String(repeating: "a", count: 70_000) + #""]}"#)
            #expect(huge.0 == 413)
            #expect(huge.1 == #"{"error":{"code":"body_too_large","message":"the body is larger than 64 KiB"}}"# + "\n")
            var get = HTTPClientRequest(url: server.base + "/api/v1/tenants/tienda/templates/oferta/send")
            get.headers.add(name: "Authorization", value: "Bearer \(LiveServer.adminKey)")
            let got = try await server.client.execute(get, timeout: .seconds(5))
            #expect(got.status.code == 405)
            #expect(got.headers.first(name: "Allow") == "POST")
            #expect(
                String(buffer: try await got.body.collect(upTo: 1 << 16))
                    == #"{"error":{"code":"method_not_allowed","message":"this route takes POST"}}"# + "\n")
            let wrongKey = try await Self.send(server, template: "oferta", json: "{}", key: "wrong")
            #expect(wrongKey.0 == 401)
            #expect(wrongKey.1 == #"{"error":{"code":"unauthorized","message":"missing or wrong admin key"}}"# + "\n")
            #expect(try await server.store.outboxDepth() == 0)
            #expect(try await server.store.session(tenant: "tienda", contact: stranger) == nil)

            // Path parameters are percent-decoded; one that does not decode is 400.
            for template in ["%FF", "%G1", "oferta%"] {
                let undecodable = try await rawRequest(
                    server.base, "POST", "/api/v1/tenants/tienda/templates/\(template)/send",
                    headers: ["Authorization": "Bearer \(LiveServer.adminKey)"])
                #expect(undecodable.status == 400, "\(template)")
                #expect(undecodable.body.contains("invalid percent escape"), "\(template)")
            }

            // Accepted: the marketing template to the contact who opted in (by its key), the utility one with its
            // JPEG header to the contact who only consented (by its name at Meta, the path written with escapes).
            let offer = try await Self.send(
                server, template: "oferta", json: #"{"to":"\#(optedIn)","parameters":["Ana"]}"#)
            #expect(offer.0 == 202)
            #expect(offer.1.hasPrefix(#"{"outbox_id":"#))
            let reminder = try await Self.send(
                server, template: "recordatorio%5Fcit%61", json: #"{"to":"\#(consentOnly)","parameters":["lunes"]}"#,
                tenant: "tiend%61")
            #expect(reminder.0 == 202)
            let bodies = try await server.waitForSends(before + 2, timeout: .seconds(5))
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let sent = Array(bodies.dropFirst(before))
            #expect(sent.count == 2)
            let toOptedIn = sent.first { $0.contains(#""to":"+\#(optedIn)""#) } ?? ""
            #expect(toOptedIn.contains(#""type":"template""#))
            #expect(toOptedIn.contains("oferta_mensual"))
            #expect(toOptedIn.contains(#""text":"Ana""#))
            let toConsentOnly = sent.first { $0.contains(#""to":"+\#(consentOnly)""#) } ?? ""
            #expect(toConsentOnly.contains("recordatorio_cita"))
            #expect(toConsentOnly.contains("cita.jpg"))
        }
    }

    /// A key always picks its template, even one named like another template at Meta; a name at Meta only when
    /// one template has it. A body over 1024 characters once filled in (Meta's 132005) is refused. Nothing
    /// refused is queued.
    @Test func aKeyWinsAnAmbiguousNameAndAnOverlongBodyAreRefused() async throws {
        let flow = try Self.flow().replacingOccurrences(
            of: "\ntemplates:\n",
            with: """

                templates:
                  recordatorio_en:
                    name: recordatorio_cita
                    language: en
                    category: utility
                    body: "Hi, this is a reminder of your appointment on {{1}}."
                  oferta_mensual:
                    name: aviso_general
                    language: es
                    category: utility
                    body: "Aviso: {{1}}."

                """)
        try await LiveServer.run(sendRate: 1000, flow: flow, admin: true, clock: { 1_795_446_000 }) { server in
            let contact = "573001110005"
            try await Self.converse(server, contact: contact, optIn: false)
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            let before = await server.fake.messageBodies.count
            let ambiguous = try await Self.send(
                server, template: "recordatorio_cita", json: #"{"to":"\#(contact)","parameters":["lunes"]}"#)
            #expect(ambiguous.0 == 422)
            #expect(
                ambiguous.1
                    == #"{"error":{"code":"ambiguous_template","message":"2 templates have the name "#
                    + #"'recordatorio_cita' at Meta ('recordatorio_en', 'recordatorio'): name one by its key"}}"#
                    + "\n")
            let long = String(repeating: "x", count: 5000)
            let tooLong = try await Self.send(
                server, template: "recordatorio", json: #"{"to":"\#(contact)","parameters":["\#(long)"]}"#)
            #expect(tooLong.0 == 422)
            #expect(
                tooLong.1
                    == #"{"error":{"code":"text_too_long","message":"the template's body would have 5033 characters "#
                    + #"once its parameters are filled in; Meta accepts at most 1024 (error 132005): shorten the "#
                    + #"parameters (parameter 1, {{1}}, is the longest)"}}"# + "\n")
            #expect(try await server.store.outboxDepth() == 0)
            // `oferta_mensual` is a key here, and another template's name at Meta: the key's template goes.
            let byKey = try await Self.send(
                server, template: "oferta_mensual", json: #"{"to":"\#(contact)","parameters":["hoy"]}"#)
            #expect(byKey.0 == 202, "\(byKey.1)")
            let bodies = try await server.waitForSends(before + 1, timeout: .seconds(5))
            #expect(bodies.count == before + 1)
            #expect(bodies.last?.contains(#""name":"aviso_general""#) == true)
        }
    }

    @Test func onlyJPEGImagesAndPDFDocumentsAreAllowedAsHeaderMedia() {
        #expect(TemplateSender.isAllowedHeader(type: "image", link: "https://example.co/a.jpg"))
        #expect(TemplateSender.isAllowedHeader(type: "image", link: "https://example.co/a.JPEG?v=2"))
        #expect(TemplateSender.isAllowedHeader(type: "document", link: "https://example.co/factura.pdf"))
        #expect(!TemplateSender.isAllowedHeader(type: "image", link: "https://example.co/a.png"))
        #expect(!TemplateSender.isAllowedHeader(type: "document", link: "https://example.co/a.docx"))
        #expect(!TemplateSender.isAllowedHeader(type: "video", link: "https://example.co/a.mp4"))
        #expect(!TemplateSender.isAllowedHeader(type: "image", link: "https://example.co/a.pdf"))
    }
}
