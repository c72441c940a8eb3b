import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends a connection once a `CONNECT` request on it is answered, on every path. No route takes `CONNECT`, and its
/// answer (a 404 or 405) cannot be framed: NIO writes any answer to `CONNECT` without a body and without
/// `Content-Length` (which a 2xx, the start of a tunnel, must not carry), and its parser reads nothing after a
/// `CONNECT` request (the rest would be the tunnel's bytes), so the connection can carry no other request either.
/// A client then reads the answer until the connection closes, which without this handler only the stalled
/// connection timeout did, 30 seconds later. The request is marked `Connection: close`, so that Hummingbird ends
/// the connection after the answer (closing its output first, so the client reads all of it), and the answer
/// says `Connection: close`.
final class ConnectRequests: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// For each request read and not yet answered, in order: whether it is a `CONNECT`.
    private var unanswered: [Bool] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var request) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let isConnect = request.method == .connect
        unanswered.append(isConnect)
        guard isConnect else {
            context.fireChannelRead(data)
            return
        }
        request.headerFields[.connection] = "close"
        context.fireChannelRead(wrapInboundOut(.head(request)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // An interim answer (100 Continue) comes before the answer of the same request.
        guard case .head(var response) = unwrapOutboundIn(data), response.status.kind != .informational,
            !unanswered.isEmpty, unanswered.removeFirst()
        else {
            context.write(data, promise: promise)
            return
        }
        response.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(response)), promise: promise)
    }
}
