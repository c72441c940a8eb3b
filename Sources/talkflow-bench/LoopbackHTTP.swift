import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

// The benchmark's own HTTP parts, on bare SwiftNIO: a load generator and the in-process servers (the fake Graph
// API, the signature-only server). They share the machine's two cores with the server being measured, so they do
// as little per request as they can: no connection pool, no deadline timers, no executor hops (each connection's
// requests are written from its event loop as the previous answer ends, as wrk does).

/// One request the load generator posts: its body and the headers it adds to Host, Content-Type and
/// Content-Length.
struct LoadRequest: Sendable {
    var body: ByteBuffer
    var headers: [(String, String)]
}

/// What a load run measured: each request's latency in milliseconds, the answers that were not 200, and the
/// instants of the first request and of the last answer.
struct LoadOutcome: Sendable {
    var latencies: [Double]
    var failures: Int
    var first: NIODeadline
    var last: NIODeadline
}

/// The load generator: `connections` keep-alive connections take sequences (a contact's messages) in turn from
/// a shared counter and post each sequence in order, each request only after the previous one was answered (as
/// Meta does per conversation). A sequence stops at its first answer that is not 200.
enum LoadGenerator {
    /// Runs the whole plan once, or round and round until `deadline`.
    static func run(
        port: Int, path: String, plan: [[LoadRequest]], connections: Int, until deadline: NIODeadline? = nil
    ) async throws -> LoadOutcome {
        let shared = SharedPlan(plan: plan, deadline: deadline)
        let group = MultiThreadedEventLoopGroup.singleton
        let start = NIODeadline.now()
        var results: [EventLoopFuture<LoadOutcome>] = []
        for _ in 0..<connections {
            let loop = group.next()
            let done = loop.makePromise(of: LoadOutcome.self)
            let channel = try await ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LoadConnection(plan: shared, path: path, host: "127.0.0.1:\(port)", done: done))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            results.append(done.futureResult.always { _ in channel.close(promise: nil) })
        }
        var all = LoadOutcome(latencies: [], failures: 0, first: start, last: start)
        for result in results {
            let part = try await result.get()
            all.latencies += part.latencies
            all.failures += part.failures
            all.last = max(all.last, part.last)
        }
        return all
    }
}

/// The plan the connections share, and the counter that hands out its sequences.
private final class SharedPlan: Sendable {
    let plan: [[LoadRequest]]
    let deadline: NIODeadline?
    private let next = Atomic<Int>(0)

    init(plan: [[LoadRequest]], deadline: NIODeadline?) {
        self.plan = plan
        self.deadline = deadline
    }

    /// The next sequence, or `nil` when the plan is done (or the deadline passed).
    func take() -> [LoadRequest]? {
        if let deadline, NIODeadline.now() >= deadline { return nil }
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if deadline != nil { return plan[index % plan.count] }
        return index < plan.count ? plan[index] : nil
    }
}

/// One connection of the load generator, driven from its event loop.
private final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let plan: SharedPlan
    let path: String
    let host: String
    let done: EventLoopPromise<LoadOutcome>
    var sequence: [LoadRequest] = []
    var position = 0
    var sentAt = NIODeadline.now()
    var status: HTTPResponseStatus = .ok
    var outcome: LoadOutcome
    var finished = false

    init(plan: SharedPlan, path: String, host: String, done: EventLoopPromise<LoadOutcome>) {
        self.plan = plan
        self.path = path
        self.host = host
        self.done = done
        let now = NIODeadline.now()
        outcome = LoadOutcome(latencies: [], failures: 0, first: now, last: now)
    }

    func channelActive(context: ChannelHandlerContext) {
        nextSequence(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
        case .body:
            break
        case .end:
            let now = NIODeadline.now()
            outcome.latencies.append(Double((now - sentAt).nanoseconds) / 1e6)
            outcome.last = now
            if status != .ok {
                outcome.failures += 1
                nextSequence(context: context)
            } else if position < sequence.count {
                send(context: context)
            } else {
                nextSequence(context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.success(outcome))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    /// Completes `done` once, whichever comes first: the plan's end, an error or the connection closing.
    private func finish(_ result: Result<LoadOutcome, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }

    private func nextSequence(context: ChannelHandlerContext) {
        guard let next = plan.take(), !next.isEmpty else {
            finish(.success(outcome))
            return
        }
        sequence = next
        position = 0
        send(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        let request = sequence[position]
        position += 1
        var headers = HTTPHeaders()
        headers.reserveCapacity(4 + request.headers.count)
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(request.body.readableBytes))
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        sentAt = NIODeadline.now()
        context.write(
            wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// An HTTP/1.1 server on a free loopback port whose `answer` runs on the event loop for each complete request:
/// the request's head and body in, a status and a body out.
enum LoopbackServer {
    typealias Answer = @Sendable (HTTPRequestHead, ByteBuffer) -> (HTTPResponseStatus, ByteBuffer)

    /// Serves until `body` returns.
    static func serve<T: Sendable>(_ answer: @escaping Answer, _ body: (Int) async throws -> T) async throws -> T {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler(answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(channel.localAddress?.port ?? 0)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

/// Collects a request's body and writes the answer when the request ends.
private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let answer: LoopbackServer.Answer
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(answer: @escaping LoopbackServer.Answer) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let requestHead = head else { return }
            let (status, answerBody) = answer(requestHead, body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(answerBody.readableBytes))
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(answerBody))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            head = nil
        }
    }
}
