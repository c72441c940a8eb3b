import NIOCore
import NIOHTTPTypes

/// Closes a connection that neither sends nor receives anything for a while: a client that announced a body
/// and stopped sending it (or a slow drip of headers) would otherwise hold a connection, and the task reading
/// its request, until the server stops. Hummingbird's own idle timeout covers only the time between requests.
/// The agent API's event streams write a keep-alive comment every 15 seconds, so a stream whose client reads is
/// never stalled; one whose client stopped reading (a console tab frozen, a laptop asleep behind a NAT) is: its
/// writes no longer complete and the channel stays unwritable, so it is closed too.
public enum StalledConnections {
    /// How long a connection may pass without a byte read or written before it is closed.
    public static let timeout: TimeAmount = .seconds(30)

    /// The handlers that watch one connection: NIO's `IdleStateHandler` raises the event, the closer acts on it.
    static func handlers(timeout: TimeAmount = timeout) -> [any RemovableChannelHandler] {
        [IdleStateHandler(allTimeout: timeout), Closer()]
    }

    /// Closes the channel on an all-idle event unless a request read in full is still being answered and the
    /// client takes what is written: then the server is working (a webhook whose media lookups take long), not
    /// the client stalling, and the answer (a 200, or the 500 that makes Meta deliver again) must reach the
    /// client. An answer the client does not take (the channel unwritable: more waits to be sent than NIO
    /// buffers) is the client stalling. Passes everything on.
    final class Closer: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        /// Requests read to their end whose responses have not been written to their end.
        private(set) var unanswered = 0

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .end = unwrapInboundIn(data) { unanswered += 1 }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
            context.write(data, promise: promise)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
                if unanswered == 0 || !context.channel.isWritable { context.close(promise: nil) }
                return
            }
            context.fireUserInboundEventTriggered(event)
        }
    }
}
