import HummingbirdCore
import NIOCore
import NIOHTTP1

/// Answers a request that says `Expect: 100-continue` with `100 Continue` once its head is read and every
/// earlier request on the connection has had its whole answer: a client that waits for it before sending the
/// body (curl does for a large body, some HTTP libraries always) would otherwise stall until its own timeout,
/// since Hummingbird sends none. A 100 written while an earlier (pipelined) request's answer is still to come
/// would be read as that answer's start, so it waits for the end of that answer instead; a request answered
/// before its turn for a 100 came gets none.
///
/// It goes before the route has looked at the request, so a request then refused (401, a 413 on a chunked
/// body) has had its `100 Continue` first, which HTTP allows (the final answer follows). Except:
/// - an HTTP/1.0 request's expectation is ignored (RFC 9110 §10.1.1: a 1.0 client may not understand a 100);
/// - a webhook whose `Content-Length` is over `webhook_body_limit` gets no 100, so that its 413 comes before
///   the body is sent; the request and its answer are marked `Connection: close` and the connection ends after
///   the answer, since the body the client owes would otherwise be read as the next request.
///
/// It sits before Hummingbird's conversion to HTTP types (see `HTTP1ServerChannel`), where the request's HTTP
/// version is still known. Another expectation is ignored.
final class ExpectContinue: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What a request read and not yet wholly answered still needs from this handler.
    enum Pending: Equatable {
        case nothing
        /// Its `100 Continue`, once the answers before it have ended.
        case continueAfterEarlierAnswers
        /// `Connection: close` on its answer: its body was not asked for.
        case closeAfterAnswer
    }

    /// Largest webhook body read, in bytes (`webhook_body_limit`).
    let webhookBodyLimit: Int
    /// The requests read and not yet wholly answered, in order.
    private var unanswered: [Pending] = []

    init(webhookBodyLimit: Int) {
        self.webhookBodyLimit = webhookBodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        guard Self.expectsContinue(head) else {
            unanswered.append(.nothing)
            context.fireChannelRead(data)
            return
        }
        if Self.isWebhook(head), let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
            length > webhookBodyLimit
        {
            unanswered.append(.closeAfterAnswer)
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        if unanswered.isEmpty {
            unanswered.append(.nothing)
            sayContinue(context: context)
        } else {
            unanswered.append(.continueAfterEarlierAnswers)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where response.status.code >= 200 && !unanswered.isEmpty:
            switch unanswered[0] {
            case .nothing:
                context.write(data, promise: promise)
            case .continueAfterEarlierAnswers:
                unanswered[0] = .nothing  // Answered without its body: the 100 would now be out of place.
                context.write(data, promise: promise)
            case .closeAfterAnswer:
                response.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(response)), promise: promise)
            }
        case .end:
            if !unanswered.isEmpty { unanswered.removeFirst() }
            context.write(data, promise: promise)
            if unanswered.first == .continueAfterEarlierAnswers {
                unanswered[0] = .nothing
                sayContinue(context: context)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    private func sayContinue(context: ChannelHandlerContext) {
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    /// Whether `head` is HTTP/1.1 or later with an `Expect` field of `100-continue`, in any case (the token is
    /// case-insensitive).
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        let version = head.version
        guard version.major > 1 || (version.major == 1 && version.minor >= 1) else { return false }
        return head.headers["expect"].contains { $0.lowercased() == "100-continue" }
    }

    /// Whether `head` is for the webhook route, as the router reads its path (it skips empty segments, so
    /// `/webhook/` is it too).
    static func isWebhook(_ head: HTTPRequestHead) -> Bool {
        URI(head.uri).path.split(separator: "/") == ["webhook"]
    }
}
