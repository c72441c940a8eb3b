#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A failure answered by the Graph API (or on the way to it), classified into what the sender must do about it.
///
/// Meta says to branch on the error `code` and not on titles or the HTTP status, and the same failure can come
/// back synchronously (this error) or later in a webhook (`WebhookError`): both go through `classify`, which
/// follows the table in whatsapp-cloud-api.md §12.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the sender should do, one case per reaction in Meta's error table.
    public enum Kind: Sendable, Hashable {
        /// Too many calls or messages (4, 80007, 130429): back off and retry; lower the per-number rate.
        case rateLimited
        /// Too many messages to the same contact (131056): retry that contact after 4^n seconds; others are not
        /// affected.
        case pairRateLimited
        /// A temporary problem at Meta (1, 2, 131000, 131016, 131057, 133004, unknown codes with HTTP 5xx, network
        /// failures and timeouts): retry with backoff, a bounded number of times.
        case transient
        /// More than 24 hours since the contact's last message (131047): record it on the conversation; only a
        /// template can be sent now; no retry.
        case windowClosed
        /// The message itself is wrong (100, 131008, 131009, 131021, 131051, 131052, 131053, 132000, 132001,
        /// 132005, 132007, 132012, and unknown codes without HTTP 5xx): report it, no retry.
        case invalidRequest
        /// The access token is invalid or expired (0, 190): stop the tenant's sends until it is rotated.
        case authentication
        /// The app lacks a permission (3, 10, 200–299, 131005): a configuration error; alert, no retry.
        case permission
        /// Meta will not deliver, for the given reason: no retry.
        case blocked(BlockReason)
        /// Meta answered success but not in the documented shape (no message id): the message may have been
        /// sent, so it must not be retried blindly.
        case unexpectedResponse

        /// Whether sending the same request again later may succeed.
        public var isRetryable: Bool {
            switch self {
            case .rateLimited, .pairRateLimited, .transient: return true
            default: return false
            }
        }
    }

    /// Why Meta will not deliver (the `blocked` kind).
    public enum BlockReason: String, Sendable, Hashable, CaseIterable {
        /// The account is blocked or locked for a policy violation (368, 131031): stop the tenant, alert.
        case accountRestricted = "account_restricted"
        /// The business's payment method has a problem (131042): stop, alert.
        case paymentIssue = "payment_issue"
        /// The number hit the spam rate limit, a quality restriction (131048): alert, check quality.
        case spamRateLimit = "spam_rate_limit"
        /// Not delivered "to maintain healthy ecosystem engagement", a per-user marketing limit (131049): do not
        /// retry for at least 24 hours.
        case ecosystemEngagement = "ecosystem_engagement"
        /// The contact stopped marketing messages (131050): suppress marketing to them.
        case marketingOptOut = "marketing_opt_out"
        /// The contact cannot receive it: not on WhatsApp, old client, terms not accepted (131026).
        case undeliverable
        /// The template is paused for low quality (132015): stop using it, alert.
        case templatePaused = "template_paused"
        /// The template is disabled for low quality (132016): stop using it, alert.
        case templateDisabled = "template_disabled"
        /// The contact is part of a Meta experiment (130472).
        case experiment
    }

    /// What to do about it: the one thing callers branch on.
    public var kind: Kind
    /// The HTTP status of the answer; `nil` when there was none (network failure).
    public var httpStatus: Int?
    /// `error.code`; `nil` when the body was not Meta's error JSON.
    public var code: Int?
    /// `error.error_subcode` (such as 463, token expired).
    public var subcode: Int?
    /// `error.type` (`OAuthException`, …).
    public var type: String?
    /// `error.message`, or a description of what went wrong on the way.
    public var message: String
    /// `error.error_data.details`: the specific reason.
    public var details: String?
    /// `error.fbtrace_id`, for Meta support.
    public var fbtraceID: String?

    /// Builds an error of a known kind (tests, network failures).
    public init(
        kind: Kind, httpStatus: Int? = nil, code: Int? = nil, subcode: Int? = nil, type: String? = nil,
        message: String, details: String? = nil, fbtraceID: String? = nil
    ) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.code = code
        self.subcode = subcode
        self.type = type
        self.message = message
        self.details = details
        self.fbtraceID = fbtraceID
    }

    /// Reads Meta's error body (`{"error":{"message","type","code","error_subcode","error_data":{"details"},
    /// "fbtrace_id"}}`) of an answer with this HTTP status and classifies it. A body that is not that JSON (a proxy's
    /// HTML page) is classified by the status alone; it is never quoted.
    public init(httpStatus: Int, body: [UInt8]) {
        guard let wire = try? JSONDecoder().decode(WireGraphErrorBody.self, from: Data(body)).error else {
            self.init(
                kind: Self.classify(code: nil, httpStatus: httpStatus), httpStatus: httpStatus,
                message: "HTTP \(httpStatus) without a Graph API error body")
            return
        }
        self.init(
            kind: Self.classify(code: wire.code, httpStatus: httpStatus, isTransient: wire.isTransient),
            httpStatus: httpStatus, code: wire.code, subcode: wire.subcode, type: wire.type,
            message: wire.message ?? "HTTP \(httpStatus)", details: wire.errorData?.details, fbtraceID: wire.fbtraceID)
    }

    /// The kind of an error code, by Meta's table. A code not in the table is classified by the HTTP status: 5xx
    /// (or Meta's own `is_transient: true`) is transient, 429 is a rate limit, anything else an invalid request.
    public static func classify(code: Int?, httpStatus: Int?, isTransient: Bool? = nil) -> Kind {
        if let code, let kind = kind(ofCode: code) { return kind }
        if isTransient == true { return .transient }
        guard let httpStatus else { return .invalidRequest }
        if (500...599).contains(httpStatus) { return .transient }
        if httpStatus == 429 { return .rateLimited }
        return .invalidRequest
    }

    private static func kind(ofCode code: Int) -> Kind? {
        switch code {
        case 4, 80007, 130429: return .rateLimited
        case 131056: return .pairRateLimited
        case 1, 2, 131000, 131016, 131057, 133004: return .transient
        case 131047: return .windowClosed
        case 100, 131008, 131009, 131021, 131051, 131052, 131053, 132000, 132001, 132005, 132007, 132012:
            return .invalidRequest
        case 0, 190: return .authentication
        case 3, 10, 200...299, 131005: return .permission
        case 368, 131031: return .blocked(.accountRestricted)
        case 131042: return .blocked(.paymentIssue)
        case 131048: return .blocked(.spamRateLimit)
        case 131049: return .blocked(.ecosystemEngagement)
        case 131050: return .blocked(.marketingOptOut)
        case 131026: return .blocked(.undeliverable)
        case 132015: return .blocked(.templatePaused)
        case 132016: return .blocked(.templateDisabled)
        case 130472: return .blocked(.experiment)
        default: return nil
        }
    }

    /// How long to wait before retry number `attempt` (1 for the first retry), or `nil` when the error must not
    /// be retried. Exponential and capped: rate limits from 1 s doubling up to 60 s (app and WABA call limits, 4
    /// and 80007, from 60 s up to an hour); the pair rate limit 4^(attempt−1) s as Meta prescribes (1, 4, 16, 64…),
    /// up to an hour; transient errors from 1 s doubling up to 5 minutes, except maintenance (131057), which
    /// waits at least a minute. No jitter, so schedules are reproducible; the caller bounds the number of attempts
    /// and may add jitter.
    public func retryAfter(attempt: Int) -> Duration? {
        let n = max(attempt, 1) - 1
        switch kind {
        case .rateLimited:
            if code == 4 || code == 80007 { return Self.backoff(base: 60, factor: 2, n: n, cap: 3600) }
            return Self.backoff(base: 1, factor: 2, n: n, cap: 60)
        case .pairRateLimited:
            return Self.backoff(base: 1, factor: 4, n: n, cap: 3600)
        case .transient:
            if code == 131057 { return Self.backoff(base: 60, factor: 2, n: n, cap: 300) }
            return Self.backoff(base: 1, factor: 2, n: n, cap: 300)
        default:
            return nil
        }
    }

    private static func backoff(base: Int64, factor: Int64, n: Int, cap: Int64) -> Duration {
        var seconds = base
        for _ in 0..<min(n, 64) {
            seconds *= factor
            if seconds >= cap { return .seconds(cap) }
        }
        return .seconds(min(seconds, cap))
    }

    /// `graph error <code> (<kind>, HTTP <status>, subcode <subcode>, <type>, fbtrace_id <id>): <message> — <details>`,
    /// for logs: the parts Meta gave, its wording through `MetaWording` (no phone numbers or e-mail addresses).
    public var description: String {
        var out = "graph error"
        if let code { out += " \(code)" }
        out += " (\(kind.name)"
        if case .blocked(let reason) = kind { out += " \(reason.rawValue)" }
        if let httpStatus { out += ", HTTP \(httpStatus)" }
        if let subcode { out += ", subcode \(subcode)" }
        if let type { out += ", \(MetaWording.redacted(type))" }
        if let fbtraceID { out += ", fbtrace_id \(fbtraceID)" }
        out += "): \(MetaWording.redacted(message))"
        if let details, details != message { out += " — \(MetaWording.redacted(details))" }
        return out
    }
}

/// `{"error":{…}}` as the Graph API answers failures.
private struct WireGraphErrorBody: Decodable {
    struct Detail: Decodable {
        struct ErrorData: Decodable {
            var details: String?
        }

        var message: String?
        var type: String?
        var code: Int?
        var subcode: Int?
        var errorData: ErrorData?
        var fbtraceID: String?
        var isTransient: Bool?

        private enum CodingKeys: String, CodingKey {
            case message, type, code
            case subcode = "error_subcode"
            case errorData = "error_data"
            case fbtraceID = "fbtrace_id"
            case isTransient = "is_transient"
        }
    }

    var error: Detail
}

extension GraphError.Kind {
    /// The stable snake_case name of the kind, as logs, failed outbox rows and the docs write it: `rate_limited`,
    /// `server_error`, `outside_window`, `invalid_parameter`, `authentication`, `permission`, `blocked` or
    /// `unexpected_response`.
    public var name: String {
        switch self {
        case .rateLimited, .pairRateLimited: return "rate_limited"
        case .transient: return "server_error"
        case .windowClosed: return "outside_window"
        case .invalidRequest: return "invalid_parameter"
        case .authentication: return "authentication"
        case .permission: return "permission"
        case .blocked: return "blocked"
        case .unexpectedResponse: return "unexpected_response"
        }
    }
}
