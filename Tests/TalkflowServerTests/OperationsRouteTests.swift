import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

@testable import TalkflowServer

@Suite("Health, readiness, metrics and admin routes", .hangGuard)
struct OperationsRouteTests {
    @Test func healthzAnswersWhileTheProcessIsUp() async throws {
        try await TestServer().test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok\n")
        }
    }

    @Test func readyzChecksTheConfigurationAndTheStore() async throws {
        let ready = try TestServer()
        try await ready.test { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ready\n")
        }
        let unreachable = try TestServer(
            config: standardConfig(server: "  port: 0\n  store: sqlite:missing-folder/talkflow.sqlite\n"))
        try await unreachable.test { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body) == "store: the database folder does not exist\n")
        }
    }

    /// A store file deleted or replaced after the check was made (at start-up) is not ready (hostile2 #4: writes
    /// went into the deleted file, and vanished at the stop, while `/readyz` said ready).
    @Test func aStoreFileDeletedOrReplacedWhileRunningIsNotReady() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = folder.file("talkflow.sqlite")
        try "x".write(toFile: path, atomically: false, encoding: .utf8)
        let check = ReadinessCheck.sqliteFile(path: path)
        #expect(await check.probe() == nil)
        let gone = "the database file was deleted or replaced while the server runs; restart the server"
        try "y".write(toFile: path + ".new", atomically: false, encoding: .utf8)
        #expect(rename(path + ".new", path) == 0)
        #expect(await check.probe() == gone)
        let again = ReadinessCheck.sqliteFile(path: path)
        #expect(await again.probe() == nil)
        try FileManager.default.removeItem(atPath: path)
        #expect(await again.probe() == gone)
    }

    /// HEAD answers as GET does, without the body (health checkers that send HEAD got 404).
    @Test func healthAndReadinessAnswerHead() async throws {
        try await TestServer().test { client in
            for uri in ["/healthz", "/readyz"] {
                let response = try await client.execute(uri: uri, method: .head)
                #expect(response.status == .ok, "\(uri)")
                #expect(response.body.readableBytes == 0, "\(uri)")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8", "\(uri)")
            }
        }
        let unreachable = try TestServer(
            config: standardConfig(server: "  port: 0\n  store: sqlite:missing-folder/talkflow.sqlite\n"))
        try await unreachable.test { client in
            let response = try await client.execute(uri: "/readyz", method: .head)
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func metricsExposeEveryCounterGaugeAndHistogram() async throws {
        let server = try TestServer()
        server.app.metrics.messageSent(tenant: "beta")
        server.app.metrics.outboxDepth.set(to: 3)
        server.app.metrics.stepDuration.record(.microseconds(120))
        try await server.test { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(text.contains("# TYPE talkflow_webhooks_received_total counter"))
            #expect(text.contains("# TYPE talkflow_messages_sent_total counter"))
            #expect(text.contains("# TYPE talkflow_failures_total counter"))
            #expect(text.contains("# TYPE talkflow_outbox_depth_messages gauge"))
            #expect(text.contains("# TYPE talkflow_step_duration_seconds histogram"))
            for tenant in ["acme", "beta", "gamma"] {
                #expect(sample(text, "talkflow_webhooks_received_total{tenant=\"\(tenant)\"}") == 0)
            }
            for kind in FailureKind.allCases {
                #expect(sample(text, "talkflow_failures_total{kind=\"\(kind.rawValue)\"}") == 0)
            }
            #expect(sample(text, #"talkflow_messages_sent_total{tenant="beta"}"#) == 1)
            #expect(sample(text, "talkflow_outbox_depth_messages") == 3)
            #expect(sample(text, #"talkflow_step_duration_seconds_bucket{le="0.00025"}"#) == 1)
            #expect(sample(text, #"talkflow_step_duration_seconds_bucket{le="0.0001"}"#) == 0)
            #expect(sample(text, "talkflow_step_duration_seconds_count") == 1)
        }
    }

    @Test func adminReloadNeedsTheAdminKey() async throws {
        let server = try TestServer(config: standardConfig())
        try await server.test { client in
            let missing = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            let wrong = try await client.execute(
                uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer admin-key-for-test"])
            #expect(wrong.status == .unauthorized)
            let basic = try await client.execute(
                uri: "/admin/reload", method: .post, headers: [.authorization: "Basic admin-key-for-tests"])
            #expect(basic.status == .unauthorized)
            let ok = try await client.execute(
                uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer admin-key-for-tests"])
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body) == #"{"refused":[],"reloaded":["acme","beta","gamma"]}"# + "\n")
        }
        let disabled = try TestServer(config: standardConfig(server: "  port: 0\n"))
        try await disabled.test { client in
            let response = try await client.execute(
                uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer admin-key-for-tests"])
            #expect(response.status == .notFound)
        }
    }

    @Test func adminReloadRefusesABrokenFlowAndTheOldOneKeepsAnswering() async throws {
        let server = try TestServer()
        let broken = try shippedFlow("faq.yaml").replacingOccurrences(of: "start: consentimiento", with: "start: nada")
        try server.folder.write("flows/acme.yaml", broken)
        let body = textWebhook(to: [Phone.acme])
        try await server.test { client in
            let response = try await client.execute(
                uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer admin-key-for-tests"])
            #expect(response.status == .unprocessableContent)
            let answer = try JSONDecoder().decode(AdminRoutes.ReloadAnswer.self, from: Data(buffer: response.body))
            #expect(answer.reloaded == ["beta", "gamma"])
            #expect(answer.refused.map(\.tenant) == ["acme"])
            let diagnostics = try #require(answer.refused.first?.diagnostics)
            #expect(diagnostics.contains(server.folder.file("flows/acme.yaml") + ":"))
            #expect(diagnostics.contains("[unknown_step]"))
            // As `talkflow lint` prints them: the flow's diagnostics and the summary, without the configuration's
            // line that only says the flow has errors.
            #expect(!diagnostics.contains("config_flow_invalid"))
            #expect(diagnostics.hasSuffix("1 error in 1 file\n"))
            let webhook = try await client.execute(
                uri: "/webhook", method: .post, headers: [WebhookRoutes.signatureHeader: signature(body)],
                body: ByteBuffer(bytes: body))
            #expect(webhook.status == .ok)
        }
        #expect(server.app.registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq")
    }

    /// SIGHUP reloads the flows, as the admin route does. The signal goes to this test process, so the test
    /// waits until the service traps it.
    @Test func sighupReloadsTheFlows() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        try folder.write(
            "flows/acme.yaml", try shippedFlow("faq.yaml").replacingOccurrences(of: "flow: faq", with: "flow: faq_hup"))
        let (listening, listeningContinuation) = AsyncStream<Void>.makeStream()
        let service = HangupReloadService(
            registry: registry, logger: LogRecorder().logger(), onListening: { listeningContinuation.yield() })
        let group = ServiceGroup(services: [service], logger: LogRecorder().logger())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = listening.makeAsyncIterator()
            await iterator.next()
            kill(getpid(), SIGHUP)
            _ = try await poll(within: .seconds(5)) {
                registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_hup"
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_hup")
    }
}
