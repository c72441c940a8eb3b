import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import TalkflowServer

/// Once the server shuts down, a connection whose client does not take its answer is closed after the drain
/// limit; a request the server is still working on is not cut, but its answer gets the limit of its own.
@Suite("Shutdown drain", .hangGuard) struct ShutdownDrainTests {
    private let loop = EmbeddedEventLoop()

    private func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(ShutdownDrain.handler(limit: .seconds(3)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        #expect(channel.isActive)
        return channel
    }

    private let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/events")

    @Test func anAnswerBeingWrittenIsClosedAtTheLimitAfterTheShutdownStarts() throws {
        let channel = try channel()
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: ": connected\n\n")))
        // Nothing happens before the shutdown, however long the stream lasts.
        loop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        loop.advanceTime(by: .milliseconds(2999))
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func aRequestStillBeingSentIsClosedAtTheLimit() throws {
        let channel = try channel()
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "hel")))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        loop.advanceTime(by: .seconds(3))
        #expect(!channel.isActive)
    }

    @Test func aRequestTheServerIsAnsweringIsNotCutAndItsAnswerGetsTheLimitOfItsOwn() throws {
        let channel = try channel()
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        loop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        loop.advanceTime(by: .milliseconds(2999))
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    /// A 413 or 401 may be written before its request's body ends (Hummingbird then reads the rest and keeps the
    /// connection): that request's end, read after its answer, leaves nothing waiting, so a stream answered
    /// later on the same connection is still closed at the limit.
    @Test func anAnswerWrittenBeforeItsRequestsEndLeavesNothingWaiting() throws {
        let channel = try channel()
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "too much")))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .contentTooLarge)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "the rest")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: ": connected\n\n")))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        loop.advanceTime(by: .seconds(3))
        #expect(!channel.isActive)
    }

    /// Pipelined requests: the second, read in full while the first is answered, is the server's own work.
    @Test func aPipelinedRequestReadInFullIsNotCut() throws {
        let channel = try channel()
        for _ in 0..<2 {
            try channel.writeInbound(HTTPRequestPart.head(head))
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        loop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        loop.advanceTime(by: .seconds(3))
        #expect(!channel.isActive)
    }

    /// Hummingbird's own handler, after it, must see the event too: it closes the idle connections at once.
    @Test func theQuiesceEventIsPassedOn() throws {
        let channel = try channel()
        let recorder = QuiesceRecorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.seen)
    }
}

/// Records whether a `ChannelShouldQuiesceEvent` reached it.
private final class QuiesceRecorder: ChannelInboundHandler {
    typealias InboundIn = HTTPRequestPart
    var seen = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { seen = true }
        context.fireUserInboundEventTriggered(event)
    }
}
