import Foundation
import Hummingbird
import Logging
import NIOCore

/// `POST /api/v1/tenants/{tenant}/templates/{template}/send` with `{"to": "573001112233", "parameters": [...]}`:
/// queues a business-initiated template message (`TemplateSender`). Guarded by the admin key like
/// `/admin/reload` (absent without `server.admin_key_env`: 404 `no_such_route`; 401 with a missing or wrong key).
///
/// Answers: 202 `{"outbox_id": N}` once queued (the worker sends it); errors are the agent API's JSON `Error`
/// (`{"error": {"code", "message"}}`): 400 `invalid_request` for a body that is not that JSON (naming the field and
/// the fault, `RequestFields`), 404 `not_found`
/// for an unknown tenant or template, 413 `body_too_large`, 422 with the refusal's code when the contact may not
/// receive it (no opt-in, no consent), the name is at Meta several templates' (`ambiguous_template`), the
/// parameters do not match, a parameter is one Meta refuses (blank, or with a line break, a tab or more than 4
/// consecutive spaces), the body filled in is over 1024 characters (`text_too_long`) or the header media is not
/// JPEG or PDF; 503 when the server has no store.
struct TemplateRoutes {
    let registry: TenantRegistry
    let processing: ConversationProcessing?
    let adminKey: String?

    /// The request body as refusals show it.
    static let example = #"{"to": "573001112233", "parameters": ["..."]}"#

    /// The route's path, for the router and for `APIFallback`'s 405.
    static let path = "api/v1/tenants/:tenant/templates/:template/send"

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context -> Response in
            if let refusal = AdminRoutes.refusal(
                request, adminKey: adminKey, logger: context.logger, json: true,
                "template send refused: missing or wrong admin key")
            {
                return refusal
            }
            guard let processing else {
                return Self.error(.serviceUnavailable, "no_store", "the server has no store")
            }
            guard let tenantID = context.decodedParameter("tenant"), let template = context.decodedParameter("template")
            else {
                return Self.error(
                    .badRequest, "invalid_request",
                    "the path has an invalid percent escape or is not UTF-8 once decoded")
            }
            guard let tenant = registry.tenant(id: tenantID) else {
                return Self.error(.notFound, "not_found", "unknown tenant '\(tenantID)'")
            }
            let bytes: ByteBuffer
            do {
                bytes = try await request.body.collect(upTo: 64 << 10)
            } catch is NIOTooManyBytesError {
                return Self.error(.contentTooLarge, "body_too_large", "the body is larger than 64 KiB")
            }
            let to: String
            let parameters: [String]
            do throws(AgentAPIError) {
                // A key given twice is refused: which value counts would be up to the reader (`{"to":"A","to":"B"}`).
                let body = try RequestFields(bytes, example: Self.example)
                to = try body.string("to")
                parameters = try body.optionalStrings("parameters") ?? []
            } catch {
                return error.response
            }
            let sender = TemplateSender(store: processing.store, signal: processing.signal, clock: processing.clock)
            do {
                let id = try await sender.send(
                    template: template, to: to, parameters: parameters, tenant: tenant)
                context.logger.info(
                    "template queued",
                    metadata: ["tenant": "\(tenant.id)", "template": "\(template)", "outbox_id": "\(id)"])
                return HealthRoutes.text(.accepted, #"{"outbox_id":\#(id)}"# + "\n", contentType: "application/json")
            } catch let refusal as TemplateSender.Refusal {
                context.logger.info(
                    "template refused", metadata: ["tenant": "\(tenant.id)", "template": "\(template)"])
                if case .unknownTemplate = refusal { return Self.error(.notFound, "not_found", refusal.description) }
                return Self.error(.unprocessableContent, refusal.code, refusal.description)
            }
        }
    }

    /// Another method on the route (any method): 405 `method_not_allowed` with `Allow`, as in the rest of the API.
    static let fallbackRoute = APIFallback.Route(path: path, methods: [.post]) { allow in
        error(.methodNotAllowed, "method_not_allowed", "this route takes \(allow)")
    }

    /// The agent API's `{"error": {"code", "message"}}` with `status`.
    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        AgentAPIError(status: status, code: code, message: message).response
    }
}
