import NIOCore
import NIOHTTP1

/// Ends an HTTP/1.0 connection after its answer unless the request asked to keep it (RFC 9112 §9.3): an HTTP/1.0
/// client without `Connection: keep-alive` reads the answer until the connection closes, which without this
/// handler only the stalled connection timeout did, 30 seconds later. Hummingbird's conversion to HTTP types
/// drops the version, so this sits before it (see `HTTP1ServerChannel`): such a request is marked
/// `Connection: close`, so that Hummingbird ends the connection after the answer, and the answer says
/// `Connection: close`. A request that asks for `keep-alive` is answered with `Connection: keep-alive`, which an
/// HTTP/1.0 client needs to see to send its next request on the same connection.
final class HTTP10Connections: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the answer of a request read and not yet answered must say about its connection.
    enum Persistence {
        /// Nothing: an HTTP/1.1 request, whose connection persists unless it says otherwise.
        case asHTTP11
        case close
        case keepAlive
    }

    /// The requests read and not yet answered, in order.
    private var unanswered: [Persistence] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        guard head.version.major == 1, head.version.minor == 0 else {
            unanswered.append(.asHTTP11)
            context.fireChannelRead(data)
            return
        }
        let keepAlive = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "keep-alive" }
        unanswered.append(keepAlive ? .keepAlive : .close)
        if !keepAlive {
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
        } else {
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // An interim answer (100 Continue) comes before the answer of the same request.
        guard case .head(var response) = unwrapOutboundIn(data), response.status.code >= 200, !unanswered.isEmpty
        else {
            context.write(data, promise: promise)
            return
        }
        switch unanswered.removeFirst() {
        case .asHTTP11:
            context.write(data, promise: promise)
            return
        case .close:
            response.headers.replaceOrAdd(name: "connection", value: "close")
        case .keepAlive:
            // A `Connection: close` the server chose (a refused oversized body) stands, and so does one for an
            // answer without a length (an event stream): its body ends when the connection does.
            let closing = response.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            let length = !response.headers[canonicalForm: "content-length"].isEmpty
            response.headers.replaceOrAdd(name: "connection", value: closing || !length ? "close" : "keep-alive")
        }
        // An HTTP/1.0 client cannot read chunked transfer coding (RFC 9112 §6.1): answered as 1.0, the encoder
        // sends a body without a length as it comes, ended by the close.
        response.version = .http1_0
        context.write(wrapOutboundOut(.head(response)), promise: promise)
    }
}
