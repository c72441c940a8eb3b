import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import WhatsAppCloud

@testable import TalkflowServer

/// A server on the standard setup, its log recorder and folder.
struct TestServer {
    let folder: TestFolder
    let app: ServerApp
    let logs: LogRecorder

    init(config: String = standardConfig(), readiness: [ReadinessCheck]? = nil) throws {
        folder = try TestFolder()
        let loaded = try loadValid(try writeStandardSetup(in: folder, config: config))
        logs = LogRecorder()
        app = ServerApp(loaded: loaded, readiness: readiness, logger: logs.logger())
    }

    /// Runs `test` against the application through HummingbirdTesting (`.router` or `.live`), then removes the
    /// folder.
    func test<Value>(
        _ setup: TestingSetup = .router, _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        defer { folder.remove() }
        return try await app.application(reloadOnHangup: false).test(setup, test)
    }
}

private func bytes(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

extension TestServer {
    /// Posts `body` signed with the app secret (200 expected), then unsigned (401 expected).
    func expectAcknowledgedOnlyWhenSigned(_ body: [UInt8]) async throws {
        try await expectOnlyWhenSigned(.ok, body)
    }

    /// Posts `body` signed with the app secret (400 expected), then unsigned (401 expected).
    func expectRefusedAsMalformedOnlyWhenSigned(_ body: [UInt8]) async throws {
        try await expectOnlyWhenSigned(.badRequest, body)
    }

    /// Posts `body` signed with the app secret (`status` expected), then unsigned (401 expected).
    private func expectOnlyWhenSigned(_ status: HTTPResponse.Status, _ body: [UInt8]) async throws {
        try await test { client in
            let signed = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(body)],
                body: ByteBuffer(bytes: body))
            #expect(signed.status == status)
            let unsigned = try await client.execute(uri: "/webhook", method: .post, body: ByteBuffer(bytes: body))
            #expect(unsigned.status == .unauthorized)
        }
    }
}

@Suite("Webhook routes", .hangGuard)
struct WebhookRouteTests {
    // MARK: Handshake

    @Test func handshakeEchoesTheChallengeForAnyTenantsVerifyToken() async throws {
        let server = try TestServer()
        try await server.test { client in
            for token in ["acme-verify", "beta-verify", "gamma-verify"] {
                let response = try await client.execute(
                    uri: "/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=\(token)", method: .get)
                #expect(response.status == .ok)
                #expect(bytes(response.body) == "1158201444")
                #expect(response.headers[.contentType] == "text/plain")
            }
        }
        #expect(server.logs.all.contains { $0.message == "webhook verified" && $0.metadata["tenant"] == "beta" })
    }

    @Test func handshakeRefusesAWrongTokenModeOrChallenge() async throws {
        let server = try TestServer()
        try await server.test { client in
            let refused = [
                "/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=wrong",
                "/webhook?hub.mode=unsubscribe&hub.challenge=42&hub.verify_token=acme-verify",
                "/webhook?hub.mode=subscribe&hub.verify_token=acme-verify",
                "/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=shared-app-secret",
                "/webhook",
            ]
            for uri in refused {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .forbidden, "\(uri)")
                #expect(!bytes(response.body).contains("42"))
            }
        }
    }

    // MARK: Deliveries

    @Test func aSignedDeliveryIsAcknowledgedAndCountedForItsTenant() async throws {
        let server = try TestServer()
        let body = textWebhook(to: [Phone.acme], text: "mi cedula es 123")
        try await server.test { client in
            let response = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(body)],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
        }
        let metrics = server.app.metrics.exposition()
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="acme"}"#) == 1)
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="beta"}"#) == 0)
        let received = try #require(server.logs.all.first { $0.message.hasPrefix("webhook updates received") })
        #expect(received.metadata["tenant"] == "acme")
        #expect(received.metadata["messages"] == "1")
        // Logs carry no message body and no contact's name or number.
        #expect(!server.logs.text.contains("cedula"))
        #expect(!server.logs.text.contains("573001112233"))
        #expect(!server.logs.text.contains("P\\u00e9rez") && !server.logs.text.contains("Pérez"))
    }

    @Test func aMissingOrWrongSignatureGets401AndNothingIsProcessed() async throws {
        let server = try TestServer()
        let body = textWebhook(to: [Phone.acme])
        try await server.test { client in
            let attempts: [HTTPFields] = [
                [:],
                [WebhookRoutes.signatureHeader: "sha256=" + String(repeating: "0", count: 64)],
                [WebhookRoutes.signatureHeader: signature(body, appSecret: "not-the-secret")],
                [WebhookRoutes.signatureHeader: signature(Array("other".utf8))],
                // Signed by another tenant's app: a tenant's number can only be reached with its own secret.
                [WebhookRoutes.signatureHeader: signature(body, appSecret: "gamma-app-secret")],
            ]
            for headers in attempts {
                let response = try await client.execute(
                    uri: "/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(response.status == .unauthorized)
            }
        }
        let metrics = server.app.metrics.exposition()
        #expect(sample(metrics, #"talkflow_failures_total{kind="signature"}"#) == 5)
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="acme"}"#) == 0)
        #expect(!server.logs.all.contains { $0.message.hasPrefix("webhook updates received") })
    }

    /// The signature header's forms, over real HTTP: the name in any case, spaces around the value and hex digits
    /// in either case are read; the `sha256=` prefix only in lower case (as Meta writes it), two headers (even
    /// both right) and Meta's legacy SHA-1 `X-Hub-Signature` alone are not a signature.
    @Test func theSignatureHeaderIsReadInTheFormsOperationsDocuments() async throws {
        let server = try TestServer()
        let body = textWebhook(to: [Phone.acme])
        let good = signature(body)
        let hex = String(good.dropFirst("sha256=".count))
        func fields(_ pairs: [(String, String)]) -> HTTPFields {
            var fields = HTTPFields()
            for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
            return fields
        }
        let accepted: [HTTPFields] = [
            fields([("x-hub-signature-256", good)]), fields([("X-HUB-SIGNATURE-256", good)]),
            fields([("X-Hub-Signature-256", "sha256=" + hex.uppercased())]),
            fields([("X-Hub-Signature-256", "\t " + good + " \t")]),
        ]
        let refused: [HTTPFields] = [
            fields([("X-Hub-Signature-256", "SHA256=" + hex)]), fields([("X-Hub-Signature-256", "Sha256=" + hex)]),
            fields([("X-Hub-Signature-256", good), ("X-Hub-Signature-256", good)]),
            fields([("X-Hub-Signature", "sha1=" + String(repeating: "0", count: 40))]),
        ]
        try await server.test(.live) { client in
            for headers in accepted {
                let response = try await client.execute(
                    uri: "/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(response.status == .ok, "\(headers)")
            }
            for headers in refused {
                let response = try await client.execute(
                    uri: "/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(response.status == .unauthorized, "\(headers)")
            }
        }
    }

    /// A body that begins with a UTF-8 byte order mark, signed as sent, is read as the JSON after it.
    @Test func aBodyWithAByteOrderMarkIsReadAsJSON() async throws {
        let server = try TestServer()
        let body: [UInt8] = [0xEF, 0xBB, 0xBF] + textWebhook(to: [Phone.acme])
        try await server.test { client in
            let response = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(body)],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
        }
        #expect(sample(server.app.metrics.exposition(), #"talkflow_webhooks_received_total{tenant="acme"}"#) == 1)
    }

    @Test func aBodyNamingTwoAppsTenantsMustBeSignedByBoth() async throws {
        let server = try TestServer()
        let shared = textWebhook(to: [Phone.acme, Phone.beta])
        let mixed = textWebhook(to: [Phone.acme, Phone.gamma])
        try await server.test { client in
            let ok = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(shared)],
                body: ByteBuffer(bytes: shared))
            #expect(ok.status == .ok)
            for secret in ["shared-app-secret", "gamma-app-secret"] {
                let refused = try await client.execute(
                    uri: "/webhook", method: .post,
                    headers: [WebhookRoutes.signatureHeader: signature(mixed, appSecret: secret)],
                    body: ByteBuffer(bytes: mixed))
                #expect(refused.status == .unauthorized)
            }
        }
        let metrics = server.app.metrics.exposition()
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="acme"}"#) == 1)
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="beta"}"#) == 1)
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="gamma"}"#) == 0)
    }

    /// Decided: an update for a number no tenant has is acknowledged (200), logged and counted, and nothing is
    /// done, provided one of the configured apps signed it; Meta would otherwise retry it for 7 days.
    @Test func anUnknownPhoneNumberIsAcknowledgedOnlyWhenSignedByAConfiguredApp() async throws {
        let server = try TestServer()
        let body = textWebhook(to: [Phone.unknown])
        try await server.expectAcknowledgedOnlyWhenSigned(body)
        let metrics = server.app.metrics.exposition()
        #expect(sample(metrics, #"talkflow_failures_total{kind="unknown_tenant"}"#) == 1)
        #expect(sample(metrics, #"talkflow_failures_total{kind="signature"}"#) == 1)
        let warning = try #require(
            server.logs.all.first { $0.level == .warning && $0.message.contains("no configured") })
        #expect(warning.metadata["phone_number_ids"]?.contains(Phone.unknown) == true)
        #expect(!server.logs.all.contains { $0.message.hasPrefix("webhook updates received") })
    }

    /// Changes of fields other than `messages` name no phone number: acknowledged when signed, not counted as an
    /// unknown tenant.
    @Test func aChangeOfAnotherFieldIsAcknowledgedWhenSigned() async throws {
        let server = try TestServer()
        let body = Array(
            (#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":["#
                + #"{"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}]}"#).utf8)
        try await server.expectAcknowledgedOnlyWhenSigned(body)
        #expect(sample(server.app.metrics.exposition(), #"talkflow_failures_total{kind="unknown_tenant"}"#) == 0)
    }

    /// An app subscribed to Instagram or a Page too may post their webhooks to the same URL: acknowledged when
    /// signed (a 400 would have Meta retry it for days), logged as a warning, nothing done; unsigned, 401.
    @Test func anotherMetaProductsWebhookIsAcknowledgedWhenSigned() async throws {
        let server = try TestServer()
        let body = Array(
            (#"{"object":"instagram","entry":[{"id":"17841400000000000","time":1749416383,"messaging":["#
                + #"{"sender":{"id":"1"},"recipient":{"id":"2"},"message":{"mid":"m1","text":"hola"}}]}]}"#).utf8)
        try await server.expectAcknowledgedOnlyWhenSigned(body)
        let warning = server.logs.all.first { $0.message.hasPrefix("webhook of another Meta product") }
        #expect(warning?.level == .warning)
        #expect(warning?.metadata["object"] == "instagram")
        #expect(!server.logs.all.contains { $0.message.hasPrefix("webhook updates received") })
        #expect(sample(server.app.metrics.exposition(), #"talkflow_failures_total{kind="malformed"}"#) == 0)
        // An `object` that is no product name is not logged as it is: it could hold anything.
        #expect(VerifyingWebhookHandler.productName("Calle 100 #10-20 apto 301") == "(not a product name)")
        #expect(VerifyingWebhookHandler.productName("page") == "page")
    }

    /// When a tenant's processing fails the answer is 500, so that Meta delivers the webhook again.
    @Test func aProcessingFailureGets500SoThatMetaRetries() async throws {
        struct StoreUnavailable: Error {}
        struct UnavailableStoreProcessor: TenantUpdateProcessor {
            func process(_ updates: [WebhookUpdate], for tenant: Tenant, logger: Logger) async throws {
                throw StoreUnavailable()
            }
        }
        let folder = try TestFolder()
        defer { folder.remove() }
        let loaded = try loadValid(try writeStandardSetup(in: folder))
        let registry = TenantRegistry(loaded, logger: LogRecorder().logger())
        let app = ServerApp(
            loaded: loaded, registry: registry,
            handler: VerifyingWebhookHandler(registry: registry, processor: UnavailableStoreProcessor()),
            logger: LogRecorder().logger())
        let body = textWebhook(to: [Phone.acme])
        try await app.application(reloadOnHangup: false).test(.router) { client in
            let response = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(body)],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .internalServerError)
        }
        let metrics = app.metrics.exposition()
        #expect(sample(metrics, #"talkflow_failures_total{kind="processing"}"#) == 1)
        #expect(sample(metrics, #"talkflow_webhooks_received_total{tenant="acme"}"#) == 0)
    }

    @Test func aBodyThatIsNotMetasJSONGets400WhenSignedAnd401Otherwise() async throws {
        let server = try TestServer()
        try await server.expectRefusedAsMalformedOnlyWhenSigned(
            Array(#"{"object":"whatsapp_business_account","entry":[{"changes":"#.utf8))
        #expect(sample(server.app.metrics.exposition(), #"talkflow_failures_total{kind="malformed"}"#) == 1)
    }

    /// A key twice in one object is 400 when signed, logged with where, and counted malformed: one value would
    /// otherwise be dropped unseen (a second `messages` array, the product, the sender).
    @Test(arguments: [
        (
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"#
                + #""metadata":{"phone_number_id":"1"},"messages":[{"from":"573001112233","id":"wamid.M1","#
                + #""timestamp":"1","type":"text","text":{"body":"uno"}}],"messages":[{"from":"573001112233","#
                + #""id":"wamid.M2","timestamp":"1","type":"text","text":{"body":"dos"}}]}}]}]}"#,
            "entry[0].changes[0].value.messages"
        ),
        (#"{"object":"instagram","object":"whatsapp_business_account","entry":[]}"#, "object"),
        (
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"#
                + #""metadata":{"phone_number_id":"1"},"messages":[{"from":"A","from":"B","id":"wamid.M1","#
                + #""timestamp":"1","type":"text","text":{"body":"uno"}}]}}]}]}"#,
            "entry[0].changes[0].value.messages[0].from"
        ),
    ])
    func aKeyGivenTwiceGets400WhenSigned(body: String, path: String) async throws {
        let server = try TestServer()
        try await server.expectRefusedAsMalformedOnlyWhenSigned(Array(body.utf8))
        #expect(sample(server.app.metrics.exposition(), #"talkflow_failures_total{kind="malformed"}"#) == 1)
        let line = server.logs.all.first { $0.message == "signed webhook body could not be parsed" }
        #expect(line?.metadata["reason"] == "\(path): the key is given twice in one object")
    }

    /// `/webhook` takes GET (the handshake) and POST (deliveries); any other method is 404 with no body.
    @Test(arguments: [HTTPRequest.Method.put, .delete, .patch, .options])
    func anotherMethodOnTheWebhookIs404WithAnEmptyBody(method: HTTPRequest.Method) async throws {
        let server = try TestServer()
        try await server.test { client in
            let response = try await client.execute(uri: "/webhook", method: method)
            #expect(response.status == .notFound)
            #expect(response.body.readableBytes == 0)
        }
    }

    /// A chunked body whose framing is broken cannot be read, so its signature cannot be checked: 400 "the body
    /// could not be read", signed or not.
    @Test(arguments: ["zz\r\n", "-5\r\nabc\r\n0\r\n\r\n", "2\r\nabcdef\r\n0\r\n\r\n"])
    func aBadlyChunkedBodyIs400BeforeTheSignatureIsChecked(chunks: String) async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let request =
                "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
            let transcript = try await ExpectContinueTests.converse(
                port: try ExpectContinueTests.port(server),
                [ExpectContinueTests.Step(send: Array(request.utf8), until: ExpectContinueTests.theEnd)])
            let reply = transcript.replies[0]
            #expect(reply.hasPrefix("HTTP/1.1 400 "), "\(reply)")
            #expect(reply.contains("\r\n\r\nthe body could not be read\n"), "\(reply)")
        }
    }

    @Test func aBodyOverTheLimitGets413() async throws {
        let server = try TestServer(config: standardConfig(server: "  port: 0\n  webhook_body_limit: 2048\n"))
        let big = textWebhook(to: [Phone.acme], text: String(repeating: "a", count: 3000))
        let small = textWebhook(to: [Phone.acme], text: String(repeating: "a", count: 1000))
        try await server.test(.live) { client in
            let response = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(big)],
                body: ByteBuffer(bytes: big))
            #expect(response.status == .contentTooLarge)
            let fits = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(small)],
                body: ByteBuffer(bytes: small))
            #expect(fits.status == .ok)
        }
        #expect(sample(server.app.metrics.exposition(), #"talkflow_failures_total{kind="body_too_large"}"#) == 1)
    }

    /// Meta's payloads reach 3 MB (up to 1,000 updates in one POST): the default limit takes them, and refuses
    /// what is over 4 MiB.
    @Test func theDefaultLimitTakesMetasLargestPayloads() async throws {
        let server = try TestServer(config: standardConfig(server: "  port: 0\n"))
        let large = textWebhook(to: [Phone.acme], text: String(repeating: "c", count: 3_000_000))
        let over = textWebhook(to: [Phone.acme], text: String(repeating: "d", count: 4 * 1024 * 1024))
        try await server.test(.router) { client in
            let taken = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(large)],
                body: ByteBuffer(bytes: large))
            #expect(taken.status == .ok)
            let refused = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(over)],
                body: ByteBuffer(bytes: over))
            #expect(refused.status == .contentTooLarge)
        }
    }

    @Test func aBodyOverTheLimitWithoutContentLengthGets413() async throws {
        let server = try TestServer(config: standardConfig(server: "  port: 0\n  webhook_body_limit: 2048\n"))
        let big = textWebhook(to: [Phone.acme], text: String(repeating: "b", count: 5000))
        try await server.test(.router) { client in
            let response = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(big)],
                body: ByteBuffer(bytes: big))
            #expect(response.status == .contentTooLarge)
        }
    }
}
