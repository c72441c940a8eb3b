import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel with `ExpectContinue` and `HTTP10Connections` placed before its conversion of
/// NIO's HTTP/1 parts to HTTP types (`HTTP1ToHTTPServerCodec`): there the request head still carries its HTTP
/// version, which the conversion drops and both need (an HTTP/1.0 request's expectation is ignored, and its
/// connection ends after the answer unless it asked for keep-alive). Hummingbird's
/// `additionalChannelHandlers` all go after the conversion, so the handler is inserted once the pipeline is set up.
struct HTTP1ServerChannel: ServerChildChannel {
    let base: HTTP1Channel
    /// `webhook_body_limit`, for `ExpectContinue`.
    let webhookBodyLimit: Int

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let conversion = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(ExpectContinue(webhookBodyLimit: webhookBodyLimit), position: .before(conversion))
            try pipeline.addHandler(HTTP10Connections(), position: .before(conversion))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1 server with `configuration`, and `ExpectContinue` where it sees HTTP versions.
    static func http1(configuration: HTTP1Channel.Configuration, webhookBodyLimit: Int) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HTTP1ServerChannel(
                base: HTTP1Channel(responder: responder, configuration: configuration),
                webhookBodyLimit: webhookBodyLimit)
        }
    }
}
