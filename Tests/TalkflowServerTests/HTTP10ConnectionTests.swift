import Synchronization
import Testing

@testable import TalkflowServer

/// RFC 9112 §9.3: an HTTP/1.0 connection persists only when the request asks for `keep-alive`. Without it the
/// client reads the answer until the connection closes, so the server closes it after the answer (it waited for
/// the stalled connection timeout, 30 s); with it, the answer says `keep-alive` and the next request follows.
@Suite("HTTP/1.0 connections", .hangGuard)
struct HTTP10ConnectionTests {
    /// Until a whole `/healthz` answer has been read.
    static let anAnswer: @Sendable (String) -> Bool = { $0.hasSuffix("\r\n\r\nok\n") }

    /// `GET /healthz` requests, each with its extra header lines, on one connection of a live server: each step
    /// reads its whole answer, the last one until the connection ends.
    static func healthChecks(_ requests: [(version: String, fields: String)]) async throws
        -> ExpectContinueTests.Transcript
    {
        let steps = requests.enumerated().map { index, request in
            ExpectContinueTests.Step(
                send: Array("GET /healthz HTTP/\(request.version)\r\n\(request.fields)\r\n".utf8),
                until: index == requests.count - 1 ? ExpectContinueTests.theEnd : Self.anAnswer)
        }
        let transcript = Mutex(ExpectContinueTests.Transcript())
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let read = try await ExpectContinueTests.converse(port: try ExpectContinueTests.port(server), steps)
            transcript.withLock { $0 = read }
        }
        return transcript.withLock { $0 }
    }

    @Test func anHTTP10RequestWithoutKeepAliveIsClosedAfterItsAnswer() async throws {
        let transcript = try await Self.healthChecks([("1.0", "")])
        let reply = transcript.replies[0]
        #expect(reply.hasPrefix("HTTP/1.0 200 "), "\(reply)")
        #expect(!reply.lowercased().contains("transfer-encoding"), "\(reply)")
        #expect(reply.lowercased().contains("\r\nconnection: close\r\n"), "\(reply)")
        #expect(reply.hasSuffix("\r\n\r\nok\n"), "\(reply)")
        #expect(transcript.closedByServer)
    }

    @Test func anHTTP10RequestWithKeepAliveKeepsItsConnection() async throws {
        let transcript = try await Self.healthChecks([("1.0", "Connection: Keep-Alive\r\n"), ("1.0", "")])
        let (first, second) = (transcript.replies[0], transcript.replies[1])
        #expect(first.lowercased().contains("\r\nconnection: keep-alive\r\n"), "\(first)")
        #expect(first.hasPrefix("HTTP/1.0 200 "), "\(first)")
        #expect(second.hasPrefix("HTTP/1.0 200 "), "\(second)")
        #expect(second.lowercased().contains("\r\nconnection: close\r\n"), "\(second)")
        #expect(transcript.closedByServer)
    }

    /// HTTP/1.1 is as before: the connection persists without a word about it, until the client closes it.
    @Test func anHTTP11RequestKeepsItsConnectionUnchanged() async throws {
        let transcript = try await Self.healthChecks([("1.1", "Host: x\r\n"), ("1.1", "Host: x\r\n")])
        #expect(!transcript.replies[0].lowercased().contains("connection:"), "\(transcript.replies[0])")
        #expect(transcript.replies[1].hasPrefix("HTTP/1.1 200 "), "\(transcript.replies[1])")
        #expect(!transcript.closedByServer)
    }
}
