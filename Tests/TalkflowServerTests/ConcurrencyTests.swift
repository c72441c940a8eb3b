import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import Logging
import NIOCore
import Storage
import Testing

@testable import TalkflowServer

/// Many conversations at once against a live server (temporary SQLite file, the fake Graph API, signed webhooks
/// over loopback HTTP): each conversation stays in order, every reply is sent exactly once, and the handoff
/// rotation is strict across all of them.
@Suite("Concurrency: 300 contacts at once", .hangGuard)
struct ConcurrencyTests {
    static let contactCount = 300
    static let agents = ["ana", "bruno", "carla"]
    /// Monday 2026-11-23 15:00 UTC, 10:00 in Bogota: inside the default flow's business hours, so every
    /// handoff answers with the same text whatever the day the test runs.
    static let mondayMorning: Int64 = 1_795_446_000

    /// The replies each contact must receive, in this order: a fragment of each body.
    static func expectedReplies(name: String) -> [String] {
        [
            #""id":"consentimiento.accept""#, "¿En qué te podemos ayudar?", "¿Cómo te llamas?",
            "Gracias, \(name). Te comunicamos con un asesor de ventas.",
            "Un asesor de ventas te atenderá en un momento por este mismo chat.",
        ]
    }

    @Test func threeHundredContactsAreProcessedInOrderOnceAndRoundRobin() async throws {
        let started = ContinuousClock.now
        try await LiveServer.run(sendRate: 1000, clock: { Self.mondayMorning }) { server in
            let contacts = (0..<Self.contactCount).map { String(573_100_000_000 + $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, contact) in contacts.enumerated() {
                    group.addTask {
                        let messages = [
                            EndToEnd.text("hola", from: contact, id: "wamid.C\(index).1"),
                            EndToEnd.buttonReply(
                                "consentimiento.accept", title: "Acepto", from: contact, id: "wamid.C\(index).2",
                                context: "wamid.X"),
                            EndToEnd.buttonReply(
                                "comprar", title: "Comprar", from: contact, id: "wamid.C\(index).3",
                                context: "wamid.Y"),
                            EndToEnd.text("Cliente \(index)", from: contact, id: "wamid.C\(index).4"),
                        ]
                        for message in messages {
                            let status = try await server.post(message)
                            #expect(status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = Self.contactCount * 5
            let bodies = try await server.waitForSends(total, timeout: .seconds(15))
            try await server.waitForEmptyOutbox(timeout: .seconds(5))
            #expect(bodies.count == total)

            // Every reply exactly once: one send per outbox row, each row's id as callback data.
            let callbacks = bodies.compactMap(Self.callbackData)
            #expect(callbacks.count == total)
            #expect(Set(callbacks).count == total)

            // Each conversation's replies arrived at the fake in order.
            var byContact: [String: [String]] = [:]
            for body in bodies {
                guard let to = Self.recipient(body) else { continue }
                byContact[to, default: []].append(body)
            }
            var assignments: [(sequence: Int64, agent: String)] = []
            for (index, contact) in contacts.enumerated() {
                let replies = byContact["+" + contact] ?? []
                let expected = Self.expectedReplies(name: "Cliente \(index)")
                let inOrder =
                    replies.count == expected.count
                    && zip(replies, expected).allSatisfy { $0.contains($1) }
                #expect(inOrder, "contact \(index) got \(replies.count) replies, not in the expected order")
                let thread = try await server.store.thread(tenant: "tienda", contact: contact, after: nil, limit: 200)
                for entry in thread {
                    if case .event(let event) = entry.content, event.kind == ConversationEvent.agentAssigned {
                        assignments.append((entry.sequence, event.detail ?? ""))
                    }
                }
            }

            // A strict round robin: the rotation takes its turn in the step's transaction, so the order of the
            // assignment log lines is the order of the turns; 300 turns were handed out, none skipped.
            let rotation = assignments.sorted { $0.sequence < $1.sequence }.map(\.agent)
            #expect(rotation == (0..<Self.contactCount).map { Self.agents[$0 % Self.agents.count] })
            for agent in Self.agents {
                #expect(rotation.filter { $0 == agent }.count == Self.contactCount / Self.agents.count)
            }
            let next = try await server.store.nextAgent(tenant: "tienda", queue: "ventas", agents: Self.agents)
            #expect(next?.turn == Int64(Self.contactCount))
        }
        // A bound against a hang, not a speed measure (the benchmarks measure speed): generous for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(90))
    }

    /// The `biz_opaque_callback_data` of a send body.
    static func callbackData(_ body: String) -> String? {
        field("biz_opaque_callback_data", of: body)
    }

    /// The `to` of a send body.
    static func recipient(_ body: String) -> String? {
        field("to", of: body)
    }

    static func field(_ name: String, of body: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            return nil
        }
        return object[name] as? String
    }
}

/// A live server for the default flow on a temporary SQLite file, talking to the fake Graph API, with a given
/// send rate and clock; posts go through a client with enough connections for many concurrent contacts.
struct LiveServer {
    let base: String
    let fake: FakeGraphAPI
    let store: any ConversationStore
    let client: HTTPClient

    /// The admin key of a server run with `admin: true` (environment variable `E2E_ADMIN_KEY`).
    static let adminKey = "e2e-admin-key"

    /// Runs `body` against a server for `flow` (Flows/default.yaml's text by default); with `admin`, the admin
    /// routes are on (key `adminKey`).
    static func run(
        sendRate: Int, flow: String? = nil, admin: Bool = false, clock: @escaping @Sendable () -> Int64,
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            try await FakeGraphAPI.run { fake in
                try folder.write("flows/default.yaml", try flow ?? shippedFlow("default.yaml"))
                let config = try folder.write(
                    "talkflow.yaml",
                    """
                    server:
                      port: 0
                      graph_api_url: \(await fake.baseURL)
                      send_rate_per_number: \(sendRate)
                      mark_read: false
                    \(admin ? "  admin_key_env: E2E_ADMIN_KEY" : "")
                      store: sqlite:data/talkflow.sqlite
                    tenants:
                    \(EndToEnd.tenant())

                    """)
                try FileManager.default.createDirectory(
                    atPath: folder.file("data"), withIntermediateDirectories: true)
                let environment = EndToEnd.environment.merging(["E2E_ADMIN_KEY": adminKey]) { _, new in new }
                let loaded = try loadValid(config, environment: environment)
                try await withLiveServer(loaded, label: "concurrency", clock: clock) { port, store, _ in
                    try await body(
                        LiveServer(base: "http://127.0.0.1:\(port)", fake: fake, store: store, client: client))
                }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Posts a webhook body signed with the tenant's app secret; returns the status.
    func post(_ body: [UInt8]) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Hub-Signature-256", value: signature(body, appSecret: EndToEnd.appSecret))
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await client.execute(request, timeout: .seconds(10)).status.code
    }

    /// The message bodies the fake received, once there are at least `count` (failing after `timeout`).
    func waitForSends(_ count: Int, timeout: Duration) async throws -> [String] {
        let arrived = try await poll(within: timeout) { await fake.messageBodies.count >= count }
        let bodies = await fake.messageBodies
        if !arrived { Issue.record("expected \(count) sends, the fake received \(bodies.count)") }
        return bodies
    }

    /// Waits until the outbox is empty.
    func waitForEmptyOutbox(timeout: Duration) async throws {
        if try await poll(within: timeout, { try await store.outboxDepth() == 0 }) { return }
        Issue.record("the outbox still holds \(try await store.outboxDepth()) messages")
    }
}
