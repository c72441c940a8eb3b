import NIOCore
import NIOHTTPTypes

/// Bounds how long one connection can keep `talkflow serve` from exiting once it shuts down. Hummingbird's
/// graceful shutdown waits for every connection to write its answer to the end, and a client that stays
/// connected but stops reading (a console tab frozen in the background, a laptop asleep behind a NAT, a proxy
/// that stopped reading) never lets an event stream, or any long answer, be written: the process would keep
/// running, holding the store's sender lock, for as long as the client stalls. `limit` after the shutdown
/// starts, a connection still open is closed and what it had not taken is dropped, unless its request was read
/// in full and the server has not begun to answer it: that is the server's own work (a webhook's transaction),
/// which finishes by itself, and its answer then gets `limit` of its own from its first byte.
public enum ShutdownDrain {
    /// How long, from the start of a graceful shutdown, a connection may take to receive what is written to it.
    public static let limit: TimeAmount = .seconds(3)

    /// The handler that watches one connection.
    static func handler(limit: TimeAmount = limit) -> Closer { Closer(limit: limit) }

    /// Passes everything on; counts the requests read in full whose answer has not begun, and closes the channel
    /// `limit` after `ChannelShouldQuiesceEvent` (the server's graceful shutdown) as the enum's comment says.
    final class Closer: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        let limit: TimeAmount
        /// The requests whose answer's head has not been written, oldest first, each with whether it was read to
        /// its end. An answer may begin before its request's end is read (a 401 or 413 sent while the body still
        /// arrives): that request leaves the list then, and its end, read later, counts for nothing.
        private var unanswered: [Bool] = []
        /// Whether the request being read (the last one whose head came) has had its answer's head written.
        private var readingAnswered = false
        /// A request read in full waits for the server's answer: the server's own work.
        private var awaitingAnswer: Bool { unanswered.contains(true) }
        /// The shutdown's `limit` passed while the server was still working on an answer: its head starts the
        /// answer's own `limit`.
        private var overdue = false
        private var scheduled: Scheduled<Void>?

        init(limit: TimeAmount) { self.limit = limit }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                unanswered.append(false)
                readingAnswered = false
            case .end:
                if !readingAnswered, !unanswered.isEmpty { unanswered[unanswered.count - 1] = true }
            case .body:
                break
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .head = unwrapOutboundIn(data) {
                if !unanswered.isEmpty {
                    unanswered.removeFirst()
                    if unanswered.isEmpty { readingAnswered = true }
                }
                if overdue {
                    overdue = false
                    closeLater(context)
                }
            }
            context.write(data, promise: promise)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent, scheduled == nil { closeLater(context) }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            cancel()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) { cancel() }

        private func closeLater(_ context: ChannelHandlerContext) {
            scheduled?.cancel()
            scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [self] in
                scheduled = nil
                if awaitingAnswer {
                    overdue = true
                } else {
                    context.close(promise: nil)
                }
            }
        }

        private func cancel() {
            scheduled?.cancel()
            scheduled = nil
        }
    }
}
