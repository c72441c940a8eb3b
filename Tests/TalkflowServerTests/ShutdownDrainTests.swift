import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import TalkflowServer

/// Once the server shuts down, a connection whose client does not take its answer is closed after the drain
/// limit; a request the server is still working on is not cut, but its answer gets the limit of its own.
@Suite("Shutdown drain") struct ShutdownDrainTests {
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
