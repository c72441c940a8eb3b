import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TalkflowServer

/// A `CONNECT` on any path is answered at once and ends the connection: its answer carries no body and no
/// length (NIO writes none), so a client reads until the connection closes, which must not wait for the stalled
/// connection timeout (30 seconds).
@Suite("CONNECT requests", .hangGuard) struct ConnectRequestTests {
    /// What one raw exchange gave: the bytes the server sent until it closed the connection, and how long that
    /// took (`nil` when it did not close within the wait).
    struct Exchange {
        var text: String
        var closedAfter: Duration?
    }

    /// Whether the watchdog, not the server, closed the connection.
    final class WatchdogFlag: Sendable {
        let fired = Mutex(false)
    }

    /// Writes `request` as is over a new TCP connection (no `Connection: close`, as a keep-alive client sends)
    /// and reads until the server closes the connection or `wait` passes. With `settled`, the read stops
    /// `settleFor` after the bytes received first satisfy it, so a slow machine waits for the answers it
    /// expects instead of judging whatever came within a fixed time.
    static func exchange(
        port: Int, _ request: String, wait: Duration = .seconds(3), settled: (@Sendable (String) -> Bool)? = nil,
        settleFor: Duration = .milliseconds(500)
    ) async throws -> Exchange {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let start = ContinuousClock.now
        let closedByWatchdog = WatchdogFlag()
        func watchdog(after delay: Duration) -> Task<Void, Never> {
            Task {
                guard (try? await Task.sleep(for: delay)) != nil else { return }
                closedByWatchdog.fired.withLock { $0 = true }
                try? await channel.channel.close()
            }
        }
        var timer = watchdog(after: wait)
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ""
            var settling = false
            do {
                for try await chunk in inbound {
                    received += String(buffer: chunk)
                    if !settling, let settled, settled(received) {
                        settling = true
                        timer.cancel()
                        timer = watchdog(after: settleFor)
                    }
                }
            } catch {
                // Closed by the watchdog.
            }
            let elapsed = ContinuousClock.now - start
            return Exchange(text: received, closedAfter: closedByWatchdog.fired.withLock { $0 } ? nil : elapsed)
        }
    }

    /// Every route family (webhook, health, metrics, admin, the template route, the agent API and a path no route
    /// has) answers `CONNECT` with `Connection: close`, no body, and the connection closed by the server well before
    /// the 30-second idle timeout would close it (within 5 s, generous for a loaded machine).
    @Test func aConnectIsAnsweredAndTheServerClosesTheConnection() async throws {
        try await LiveServer.run(sendRate: 1000, admin: true, clock: { 1_795_446_000 }) { server in
            let port = try #require(Int(server.base.split(separator: ":").last ?? ""))
            for (path, status) in [
                ("/webhook", 404), ("/healthz", 404), ("/readyz", 404), ("/metrics", 404), ("/admin/reload", 404),
                ("/api/v1/tenants/tienda/templates/recordatorio/send", 405),
                ("/api/v1/tenants/tienda/conversations", 405),
                ("/api/v1/tenants/tienda/conversations/573001112233/messages", 405), ("/api/v1/nothing", 404),
                ("/nothing", 404),
            ] {
                let exchange = try await Self.exchange(
                    port: port, "CONNECT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n",
                    wait: .seconds(10))
                let closed = try #require(exchange.closedAfter, "CONNECT \(path): the connection stayed open")
                #expect(closed < .seconds(5), "CONNECT \(path)")
                let parts = exchange.text.components(separatedBy: "\r\n\r\n")
                let head = parts[0].lowercased()
                #expect(head.hasPrefix("http/1.1 \(status) "), "CONNECT \(path): \(head)")
                #expect(head.contains("\r\nconnection: close"), "CONNECT \(path): \(head)")
                #expect(!head.contains("content-length") && !head.contains("transfer-encoding"), "CONNECT \(path)")
                #expect(parts.count == 2 && parts[1].isEmpty, "CONNECT \(path): a body was sent")
            }
            // Other requests keep their connection: two on one, then the connection idles open for half a second.
            let kept = try await Self.exchange(
                port: port,
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                wait: .seconds(30), settled: { $0.components(separatedBy: "HTTP/1.1 200").count == 3 })
            #expect(kept.closedAfter == nil)
            #expect(kept.text.components(separatedBy: "HTTP/1.1 200").count == 3, "\(kept.text)")
            #expect(!kept.text.lowercased().contains("connection: close"))
        }
    }
}
