import Logging
import WhatsAppCloud

/// A webhook POST as the route received it: the body's bytes exactly as sent (the signature covers them, so
/// they are never re-encoded) and the `X-Hub-Signature-256` header.
public struct WebhookDelivery: Sendable {
    /// The raw body.
    public var body: [UInt8]
    /// The `X-Hub-Signature-256` header, `nil` when absent.
    public var signature: String?

    /// A delivery as the route read it.
    public init(body: [UInt8], signature: String?) {
        self.body = body
        self.signature = signature
    }
}

/// What handling a webhook POST came to; the route turns it into the HTTP answer and the metrics.
public enum WebhookOutcome: Sendable, Equatable {
    /// Verified and handled for these tenants (200). `unknownUpdates` counts updates for numbers no tenant has,
    /// skipped.
    case processed(tenants: [String], unknownUpdates: Int)
    /// Signed by one of the configured apps but for no configured number (`unknownUpdates` updates), or for no
    /// number at all (a field talkflow does not handle): acknowledged with 200 and nothing done, so that Meta
    /// does not retry it for 7 days.
    case ignored(unknownUpdates: Int)
    /// The signature is missing or does not match the app secret of every tenant the body names (401). Nothing
    /// was stored.
    case unauthorized
    /// A correctly signed body that is not the JSON Meta sends (400), with a reason that quotes no content.
    case malformed(String)
    /// Processing failed after verification (500): Meta retries, and the processing is idempotent.
    case failed
}

/// Handles a webhook POST after the route has read its body: checks the signature, routes the updates to their
/// tenants and processes them, all before the HTTP answer (Meta's retries make the answer the commit point).
///
/// The route depends only on this protocol, so that signature checking, routing and the processing transaction
/// can change without touching HTTP code, and tests can drive the route with the real handler.
public protocol WebhookHandler: Sendable {
    /// Handles one delivery; never throws, as every failure is an answer to Meta.
    func handle(_ delivery: WebhookDelivery, logger: Logger) async -> WebhookOutcome
}

/// What a tenant does with its verified updates. Called once per tenant and POST, in the order Meta listed the
/// updates, before the webhook is acknowledged; throwing answers 500 so that Meta delivers the POST again.
public protocol TenantUpdateProcessor: Sendable {
    /// Processes one tenant's updates of one POST, durably, before returning.
    func process(_ updates: [WebhookUpdate], for tenant: Tenant, logger: Logger) async throws
}

/// A processor that only logs how many updates of each kind a tenant received (no contents): what a
/// `ServerApp` built without a store uses, such as the route tests. `talkflow serve` uses `InboundProcessor`.
public struct LoggingUpdateProcessor: TenantUpdateProcessor {
    /// The processor; it has no state.
    public init() {}

    /// Logs the counts of `updates` by kind.
    public func process(_ updates: [WebhookUpdate], for tenant: Tenant, logger: Logger) async throws {
        var messages = 0
        var statuses = 0
        var errors = 0
        var other = 0
        for update in updates {
            switch update {
            case .message: messages += 1
            case .status: statuses += 1
            case .error: errors += 1
            case .unknown, .marketingPreference, .otherProduct, .callStarted, .messageWithoutSender: other += 1
            }
        }
        logger.info(
            "webhook updates received; this server has no store, so they are only counted",
            metadata: [
                "messages": "\(messages)", "statuses": "\(statuses)", "errors": "\(errors)", "other": "\(other)",
            ])
    }
}
