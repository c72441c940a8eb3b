import Synchronization
import Testing

@testable import TalkflowServer

/// The health routes answer HEAD over a real connection as GET does, without the body (some health checkers send
/// HEAD; they got 404).
@Suite("HEAD on the health routes", .hangGuard)
struct HealthHeadTests {
    /// `HEAD /healthz` and `/readyz` over a real connection answer GET's status and headers (its `Content-Length`
    /// included, as operations.md promises "the same status and headers") without the body.
    @Test(arguments: ["/healthz", "/readyz"])
    func headAnswersGetsHeadersWithoutTheBody(path: String) async throws {
        let head: @Sendable (String) -> Bool = { $0.hasSuffix("\r\n\r\n") }
        let steps = [
            ExpectContinueTests.Step(send: Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) {
                $0.hasSuffix("\n") && $0.contains("\r\n\r\n") && !$0.hasSuffix("\r\n\r\n")
            },
            ExpectContinueTests.Step(send: Array("HEAD \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8), until: head),
        ]
        let transcript = Mutex(ExpectContinueTests.Transcript())
        try await LiveServer.run(sendRate: 1000, clock: { 1_795_446_000 }) { server in
            let read = try await ExpectContinueTests.converse(port: try ExpectContinueTests.port(server), steps)
            transcript.withLock { $0 = read }
        }
        let replies = transcript.withLock { $0.replies }
        try #require(replies.count == 2)
        func fields(_ reply: String) -> [String] {
            reply.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
                .filter { !$0.lowercased().hasPrefix("date:") }
        }
        #expect(fields(replies[1]) == fields(replies[0]), "\(replies)")
        #expect(replies[1].hasSuffix("\r\n\r\n") && fields(replies[1]).contains { $0.hasPrefix("Content-Length: ") })
    }
}
