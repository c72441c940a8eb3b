import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import WhatsAppCloud

/// `GET /webhook` (Meta's verification handshake) and `POST /webhook` (deliveries), the only routes Meta
/// calls. The POST route reads the raw body under a size limit and hands it, untouched, to the
/// `WebhookHandler`; it only maps the handler's outcome to a status and the metrics.
struct WebhookRoutes {
    let registry: TenantRegistry
    let handler: any WebhookHandler
    let metrics: ServerMetrics
    /// Largest body read, in bytes; larger ones get 413 without being read in full.
    let bodyLimit: Int

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!

    func register(on router: Router<BasicRequestContext>) {
        router.get("webhook") { request, context -> Response in
            verify(request, logger: context.logger)
        }
        router.post("webhook") { request, context -> Response in
            await receive(request, logger: context.logger)
        }
    }

    /// Answers the handshake: 200 with `hub.challenge` as text when `hub.mode` is `subscribe` and
    /// `hub.verify_token` equals the verify token of some tenant (every tenant's token is compared, in constant
    /// time, so the answer's timing says nothing about which one matched); 403 otherwise.
    func verify(_ request: Request, logger: Logger) -> Response {
        let query = request.uri.queryParameters
        let mode = query["hub.mode"].map(String.init)
        let token = query["hub.verify_token"].map(String.init)
        let challenge = query["hub.challenge"].map(String.init)
        var answer: String?
        var matched: String?
        for tenant in registry.tenants {
            let verification = WebhookVerification(verifyToken: tenant.secrets.verifyToken)
            if let echoed = verification.challenge(mode: mode, token: token, challenge: challenge) {
                answer = echoed
                matched = tenant.id
            }
        }
        guard let answer, let matched else {
            logger.warning("webhook verification refused")
            return HealthRoutes.text(.forbidden, "forbidden\n")
        }
        logger.info("webhook verified", metadata: ["tenant": "\(matched)"])
        var response = HealthRoutes.text(.ok, answer, contentType: "text/plain")
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }

    /// Reads the body (413 over the limit), lets the handler verify and process it, and answers.
    func receive(_ request: Request, logger: Logger) async -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit {
            return tooLarge(logger: logger)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            return tooLarge(logger: logger)
        } catch {
            logger.warning("webhook body could not be read", metadata: ["error": "\(error)"])
            return HealthRoutes.text(.badRequest, "the body could not be read\n")
        }
        let delivery = WebhookDelivery(
            body: Array(body.readableBytesView), signature: request.headers[Self.signatureHeader])
        let outcome = await handler.handle(delivery, logger: logger)
        switch outcome {
        case .processed(let tenants, let unknown):
            for tenant in tenants { metrics.webhookReceived(tenant: tenant) }
            if unknown > 0 { metrics.failed(.unknownTenant) }
            return HealthRoutes.text(.ok, "")
        case .ignored(let unknown):
            if unknown > 0 { metrics.failed(.unknownTenant) }
            return HealthRoutes.text(.ok, "")
        case .unauthorized:
            metrics.failed(.signature)
            logger.warning("webhook refused: missing or wrong X-Hub-Signature-256")
            return HealthRoutes.text(.unauthorized, "invalid signature\n")
        case .malformed:
            metrics.failed(.malformed)
            return HealthRoutes.text(.badRequest, "malformed webhook body\n")
        case .failed:
            metrics.failed(.processing)
            return HealthRoutes.text(.internalServerError, "processing failed; retry later\n")
        }
    }

    func tooLarge(logger: Logger) -> Response {
        metrics.failed(.bodyTooLarge)
        logger.warning("webhook refused: body over the limit", metadata: ["limit_bytes": "\(bodyLimit)"])
        return HealthRoutes.text(.contentTooLarge, "body larger than \(bodyLimit) bytes\n")
    }
}
