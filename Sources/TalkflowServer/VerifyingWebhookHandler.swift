import Logging
import WhatsAppCloud

/// The webhook handler of the server: parses the body, checks `X-Hub-Signature-256` with the app secret of
/// every tenant the body names, and hands each tenant its own updates.
///
/// - A body naming a configured number must be signed with that tenant's app secret, or it gets 401 and nothing
///   is processed for anyone: one tenant's webhook can never reach another tenant's data.
/// - A body naming no configured number is acknowledged (200, nothing done) only when it is signed by one of the
///   configured apps, so that Meta stops retrying an update nobody here serves; unsigned, it gets 401.
/// - A body that does not parse gets 400 when signed by a configured app (Meta sent something talkflow cannot
///   read: it is logged and Meta retries it), 401 otherwise.
public struct VerifyingWebhookHandler: WebhookHandler {
    let registry: TenantRegistry
    let processor: any TenantUpdateProcessor

    /// A handler routing to `registry`'s tenants and handing their updates to `processor`.
    public init(registry: TenantRegistry, processor: any TenantUpdateProcessor = LoggingUpdateProcessor()) {
        self.registry = registry
        self.processor = processor
    }

    /// Another product's `object` as it may be logged: a product name (`instagram`, `page`) as it is, anything
    /// else (which could be anything at all) not.
    static func productName(_ object: String) -> String {
        let isName =
            (1...64).contains(object.utf8.count)
            && object.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_")
            }
        return isName ? object : "(not a product name)"
    }

    /// Parses, verifies, routes and processes one delivery (see the type's summary for the answers).
    public func handle(_ delivery: WebhookDelivery, logger: Logger) async -> WebhookOutcome {
        let updates: [WebhookUpdate]
        do {
            updates = try WebhookParser.parse(delivery.body)
        } catch {
            guard signedByAnyTenant(delivery) else { return .unauthorized }
            logger.error("signed webhook body could not be parsed", metadata: ["reason": "\(error.description)"])
            return .malformed(error.description)
        }

        // Route: each tenant's updates in Meta's order; tenants in order of first appearance.
        var order: [String] = []
        var routed: [String: (tenant: Tenant, updates: [WebhookUpdate])] = [:]
        var unknown = 0
        var unknownNumbers: Set<String> = []
        var unaddressed = 0
        var otherProducts: Set<String> = []
        for update in updates {
            if case .otherProduct(let object) = update { otherProducts.insert(object) }
            guard let number = update.phoneNumberID else {
                unaddressed += 1
                continue
            }
            guard let tenant = registry.tenant(phoneNumberID: number) else {
                unknown += 1
                unknownNumbers.insert(number)
                continue
            }
            if routed[number] == nil {
                order.append(number)
                routed[number] = (tenant, [])
            }
            routed[number]?.updates.append(update)
        }

        // One HMAC per configured app: computed once, when an answer needs it.
        var signedByAnyMemo: Bool?
        func signedByAny() -> Bool {
            if let signed = signedByAnyMemo { return signed }
            let signed = signedByAnyTenant(delivery)
            signedByAnyMemo = signed
            return signed
        }
        if !otherProducts.isEmpty, signedByAny() {
            logger.warning(
                "webhook of another Meta product acknowledged and ignored; talkflow reads whatsapp_business_account",
                metadata: ["object": "\(otherProducts.map(Self.productName).sorted().joined(separator: ","))"])
        } else if unaddressed > 0 {
            logger.debug("webhook changes for fields talkflow does not handle", metadata: ["changes": "\(unaddressed)"])
        }
        guard !order.isEmpty else {
            guard signedByAny() else { return .unauthorized }
            if unknown > 0 {
                logger.warning(
                    "webhook for no configured phone-number id acknowledged and ignored",
                    metadata: ["phone_number_ids": "\(unknownNumbers.sorted())", "updates": "\(unknown)"])
            }
            return .ignored(unknownUpdates: unknown)
        }
        // Every tenant named must have signed it: with different apps' secrets this cannot hold, and it is refused.
        for number in order {
            guard let tenant = routed[number]?.tenant,
                WebhookSignature(appSecret: tenant.secrets.appSecret).isValid(
                    header: delivery.signature, body: delivery.body)
            else { return .unauthorized }
        }
        if unknown > 0 {
            logger.warning(
                "webhook updates for no configured phone-number id skipped",
                metadata: ["phone_number_ids": "\(unknownNumbers.sorted())", "updates": "\(unknown)"])
        }
        var tenants: [String] = []
        for number in order {
            guard let (tenant, tenantUpdates) = routed[number] else { continue }
            var log = logger
            log[metadataKey: "tenant"] = "\(tenant.id)"
            do {
                try await processor.process(tenantUpdates, for: tenant, logger: log)
            } catch {
                log.error("webhook processing failed; Meta will deliver it again", metadata: ["error": "\(error)"])
                return .failed
            }
            tenants.append(tenant.id)
        }
        return .processed(tenants: tenants, unknownUpdates: unknown)
    }

    /// Whether the delivery is signed with the app secret of some configured tenant. Every distinct secret is
    /// tried, so the time taken does not tell which tenant's app signed it.
    func signedByAnyTenant(_ delivery: WebhookDelivery) -> Bool {
        var secrets: Set<String> = []
        for tenant in registry.tenants { secrets.insert(tenant.secrets.appSecret) }
        var valid = false
        for secret in secrets
        where WebhookSignature(appSecret: secret).isValid(header: delivery.signature, body: delivery.body) {
            valid = true
        }
        return valid
    }
}
