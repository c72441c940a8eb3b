import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import TalkflowServer

/// A client that sends `Expect: 100-continue` and waits for `100 Continue` before its body gets it at once,
/// then its answer; without it the client stalls until its own timeout.
@Suite("Expect: 100-continue") struct ExpectContinueTests {
    /// Sends a signed webhook's head with `expect`, reads what the server says before the body (up to 3 s), then
    /// sends the body and reads the rest until the server closes. Returns both parts as received.
    static func post(port: Int, expect: String) async throws -> (beforeBody: String, afterBody: String) {
        let body = EndToEnd.text("hola", from: "573001119001", id: "wamid.CONTINUE.\(expect.count)")
        let head =
            "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "X-Hub-Signature-256: \(signature(body, appSecret: EndToEnd.appSecret))\r\n"
            + "Content-Length: \(body.count)\r\nExpect: \(expect)\r\nConnection: close\r\n\r\n"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        // Without a `100 Continue` the client would wait for ever: closed after 3 s, it has read nothing.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(3))
            try await channel.channel.close()
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: head))
            var iterator = inbound.makeAsyncIterator()
            var before = ""
            do {
                while !before.contains("\r\n\r\n"), let chunk = try await iterator.next() {
                    before += String(buffer: chunk)
                }
            } catch {
                return (before, "")  // Closed by the watchdog.
            }
            watchdog.cancel()
            guard before.contains("\r\n\r\n") else { return (before, "") }
            try await outbound.write(ByteBuffer(bytes: body))
            var after = ""
            while let chunk = try await iterator.next() { after += String(buffer: chunk) }
            return (before, after)
        }
    }

    @Test(arguments: ["100-continue", "100-Continue"])
    func theServerSaysContinueBeforeTheBody(_ expect: String) async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let port = try #require(Int(server.base.split(separator: ":").last ?? ""))
            let (before, after) = try await Self.post(port: port, expect: expect)
            #expect(before.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(before)")
            #expect(after.hasPrefix("HTTP/1.1 200 "), "\(after)")
        }
    }
}
