import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TalkflowServer

/// A client that sends `Expect: 100-continue` and waits for `100 Continue` before its body gets it at once,
/// then its answer; without it the client stalls until its own timeout. The 100 never answers in place of an
/// earlier request's answer, an HTTP/1.0 request's expectation is ignored, and a webhook whose `Content-Length`
/// is over the limit gets its 413 with no 100, and the connection closes.
@Suite("Expect: 100-continue", .hangGuard) struct ExpectContinueTests {
    /// One step of a raw conversation: bytes to send, then read until what this step read satisfies `until`.
    struct Step {
        let send: [UInt8]
        let until: @Sendable (String) -> Bool
    }

    /// What a raw conversation read: each step's text as received, and whether the server closed the connection
    /// (rather than the client, after 3 s in all).
    struct Transcript {
        var replies: [String] = []
        var closedByServer = false
    }

    /// Runs `steps` on one connection to `port`, as raw bytes so that the framing is seen as sent. A step stops
    /// reading when its condition holds or the connection ends (the steps after it then read nothing); the
    /// connection is closed by the client 3 s after it opened, so a server that says nothing cannot stall a test.
    static func converse(port: Int, _ steps: [Step]) async throws -> Transcript {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let timedOut = Mutex(false)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(3))
            timedOut.withLock { $0 = true }
            try await channel.channel.close()
        }
        defer { watchdog.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var transcript = Transcript()
            var ended = false
            for step in steps {
                var reply = ""
                if !ended {
                    try await outbound.write(ByteBuffer(bytes: step.send))
                    do {
                        while !step.until(reply) {
                            guard let chunk = try await iterator.next() else {
                                ended = true
                                break
                            }
                            reply += String(buffer: chunk)
                        }
                    } catch {
                        ended = true  // Closed by the watchdog.
                    }
                }
                transcript.replies.append(reply)
            }
            transcript.closedByServer = ended && !timedOut.withLock { $0 }
            return transcript
        }
    }

    /// A signed webhook body (`id` keeps it a new message) and its request head saying `Expect: <expect>`, with a
    /// `Content-Length` of `length` (the body's by default) and `fields` at the end.
    static func webhook(
        id: String, version: String = "1.1", expect: String = "100-continue", length: Int? = nil,
        fields: String = "Connection: close\r\n"
    ) -> (head: [UInt8], body: [UInt8]) {
        let body = EndToEnd.text("hola", from: "573001119001", id: "wamid.CONTINUE.\(id)")
        let head =
            "POST /webhook HTTP/\(version)\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "X-Hub-Signature-256: \(signature(body, appSecret: EndToEnd.appSecret))\r\n"
            + "Content-Length: \(length ?? body.count)\r\nExpect: \(expect)\r\n" + fields + "\r\n"
        return (Array(head.utf8), body)
    }

    /// Until a whole head has been read.
    static let aHead: @Sendable (String) -> Bool = { $0.contains("\r\n\r\n") }
    /// Until the connection ends.
    static let theEnd: @Sendable (String) -> Bool = { _ in false }

    static func port(_ server: LiveServer) throws -> Int {
        try #require(Int(server.base.split(separator: ":").last ?? ""))
    }

    @Test(arguments: ["100-continue", "100-Continue"])
    func theServerSaysContinueBeforeTheBody(_ expect: String) async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let request = Self.webhook(id: expect, expect: expect)
            let transcript = try await Self.converse(
                port: try Self.port(server),
                [Step(send: request.head, until: Self.aHead), Step(send: request.body, until: Self.theEnd)])
            #expect(transcript.replies[0].hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(transcript.replies[0])")
            #expect(transcript.replies[1].hasPrefix("HTTP/1.1 200 "), "\(transcript.replies[1])")
            #expect(transcript.closedByServer)
        }
    }

    /// A pipelined request's 100 would otherwise be read as the answer to the request before it.
    @Test func aPipelinedRequestsContinueFollowsTheEarlierAnswer() async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let request = Self.webhook(id: "pipelined")
            let health = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            let transcript = try await Self.converse(
                port: try Self.port(server),
                [
                    Step(send: health + request.head) { $0.contains("100 Continue\r\n\r\n") },
                    Step(send: request.body, until: Self.theEnd),
                ])
            let beforeBody = transcript.replies[0]
            #expect(beforeBody.hasPrefix("HTTP/1.1 200 "), "\(beforeBody)")
            #expect(beforeBody.hasSuffix("HTTP/1.1 100 Continue\r\n\r\n"), "\(beforeBody)")
            #expect(transcript.replies[1].hasPrefix("HTTP/1.1 200 "), "\(transcript.replies[1])")
        }
    }

    /// RFC 9110 §10.1.1: a server must ignore an HTTP/1.0 request's expectation; such a client sends its body
    /// at once.
    @Test func anHTTP10RequestGetsNoContinue() async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let request = Self.webhook(id: "1.0", version: "1.0")
            let transcript = try await Self.converse(
                port: try Self.port(server), [Step(send: request.head + request.body, until: Self.theEnd)])
            #expect(!transcript.replies[0].contains("100 Continue"), "\(transcript.replies[0])")
            #expect(transcript.replies[0].contains(" 200 OK\r\n"), "\(transcript.replies[0])")
        }
    }

    /// The 413 comes before the body is read: no 100 asks for it, and the connection ends after the answer (the
    /// body, if the client sends it anyway, would be read as the next request).
    @Test func aWebhookOverTheLimitGetsItsRefusalWithoutContinue() async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            // Keep-alive: only the refusal ends the connection.
            let request = Self.webhook(id: "oversize", length: (4 << 20) + 1, fields: "")
            let transcript = try await Self.converse(
                port: try Self.port(server), [Step(send: request.head, until: Self.theEnd)])
            let reply = transcript.replies[0]
            #expect(reply.hasPrefix("HTTP/1.1 413 "), "\(reply)")
            #expect(!reply.contains("100 Continue"), "\(reply)")
            #expect(reply.lowercased().contains("\r\nconnection: close\r\n"), "\(reply)")
            #expect(transcript.closedByServer)
        }
    }

    /// At the limit the body is wanted: the 100 comes.
    @Test func aWebhookAtTheLimitGetsContinue() async throws {
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let request = Self.webhook(id: "at-limit", length: 4 << 20)
            let transcript = try await Self.converse(
                port: try Self.port(server), [Step(send: request.head, until: Self.aHead)])
            #expect(transcript.replies[0].hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(transcript.replies[0])")
        }
    }
}
