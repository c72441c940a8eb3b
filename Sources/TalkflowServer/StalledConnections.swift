import NIOCore

/// Closes a connection that neither sends nor receives anything for a while: a client that announced a body
/// and stopped sending it (or a slow drip of headers) would otherwise hold a connection, and the task reading
/// its request, until the server stops. Hummingbird's own idle timeout covers only the time between requests.
/// The agent API's event streams write a keep-alive comment every 15 seconds, so they are never stalled.
public enum StalledConnections {
    /// How long a connection may pass without a byte read or written before it is closed.
    public static let timeout: TimeAmount = .seconds(30)

    /// The handlers that watch one connection: NIO's `IdleStateHandler` raises the event, the closer acts on it.
    static func handlers(timeout: TimeAmount = timeout) -> [any RemovableChannelHandler] {
        [IdleStateHandler(allTimeout: timeout), Closer()]
    }

    /// Closes the channel on an all-idle event; passes every other event on.
    final class Closer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
                context.close(promise: nil)
                return
            }
            context.fireUserInboundEventTriggered(event)
        }
    }
}
