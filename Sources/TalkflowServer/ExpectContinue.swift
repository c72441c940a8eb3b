import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a request that says `Expect: 100-continue` with `100 Continue` as soon as its head is read: a client
/// that waits for it before sending the body (curl does for a large body, some HTTP libraries always) would
/// otherwise stall until its own timeout, since Hummingbird sends none. It goes before the route has looked at
/// the request, so a request then refused (401, 413) has had its `100 Continue` first, which HTTP allows (the
/// final answer follows). Another expectation is ignored. HTTP/1.0 clients do not send the header.
final class ExpectContinue: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), Self.expectsContinue(head) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    /// Whether an `Expect` field of `head` is `100-continue`, in any case (the token is case-insensitive).
    static func expectsContinue(_ head: HTTPRequest) -> Bool {
        head.headerFields[values: .expect].contains { $0.lowercased() == "100-continue" }
    }
}
