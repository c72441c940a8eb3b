import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import TalkflowServer

/// The server as `talkflow serve` runs it: bound to 127.0.0.1 on a port the system picks, driven over real HTTP
/// by AsyncHTTPClient, and shut down gracefully.
@Suite("Live server over loopback", .hangGuard)
struct LiveServerTests {
    @Test func servesTheHandshakeWebhooksAndProbesOverRealHTTP() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let loaded = try loadValid(try writeStandardSetup(in: folder))
        #expect(loaded.config.server.host == "127.0.0.1")
        #expect(loaded.config.server.port == 0)
        let logs = LogRecorder()
        let app = ServerApp(loaded: loaded, logger: logs.logger())
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = app.application(reloadOnHangup: false) { port in portContinuation.yield(port) }
        let group = ServiceGroup(services: [application], logger: logs.logger())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient.shared

            let health = try await client.execute(HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(5))
            #expect(health.status == .ok)

            let handshake = try await client.execute(
                HTTPClientRequest(
                    url: base + "/webhook?hub.mode=subscribe&hub.challenge=987654&hub.verify_token=gamma-verify"),
                timeout: .seconds(5))
            #expect(handshake.status == .ok)
            #expect(String(buffer: try await handshake.body.collect(upTo: 1024)) == "987654")

            let body = textWebhook(to: [Phone.gamma])
            var post = HTTPClientRequest(url: base + "/webhook")
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/json")
            post.headers.add(name: "X-Hub-Signature-256", value: signature(body, appSecret: "gamma-app-secret"))
            post.body = .bytes(ByteBuffer(bytes: body))
            let delivered = try await client.execute(post, timeout: .seconds(5))
            #expect(delivered.status == .ok)

            var unsigned = HTTPClientRequest(url: base + "/webhook")
            unsigned.method = .POST
            unsigned.body = .bytes(ByteBuffer(bytes: body))
            #expect(try await client.execute(unsigned, timeout: .seconds(5)).status == .unauthorized)

            let metrics = try await client.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(5))
            let exposition = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(sample(exposition, #"talkflow_webhooks_received_total{tenant="gamma"}"#) == 1)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(logs.all.contains { $0.message == "talkflow serve listening" })
    }

    /// A client that announces a body and stops sending it is cut off once the connection has been silent for
    /// the stalled-connection timeout, instead of holding the connection until the server stops.
    @Test func aStalledRequestBodyIsCutOff() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let loaded = try loadValid(try writeStandardSetup(in: folder))
        let app = ServerApp(loaded: loaded, logger: LogRecorder().logger())
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = app.application(reloadOnHangup: false, stalledConnectionTimeout: .seconds(1)) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(services: [application], logger: LogRecorder().logger())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            // From before the connection exists: the server's silence timer cannot start earlier, however slowly
            // a loaded machine runs this task.
            let started = ContinuousClock.now
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            let request = "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nhello"
            // On a loaded machine the server may already have cut the silent connection: that is the behaviour too.
            try? await channel.writeAndFlush(ByteBuffer(string: request)).get()
            let closed = Flag()
            channel.closeFuture.whenComplete { _ in closed.set() }
            while !closed.isSet, ContinuousClock.now - started < .seconds(10) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(closed.isSet, "the stalled connection was not closed")
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            if !closed.isSet { try? await channel.close() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
