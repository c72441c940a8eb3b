import WhatsAppCloud

extension GraphError.Kind {
    /// The stable name kept on a failed outbox row and on the log (`OutboxError.kind`): `rate_limited`,
    /// `server_error`, `outside_window`, `invalid_parameter`, `authentication`, `permission`, `blocked` or
    /// `unexpected_response`.
    var outboxKind: String { name }
}

extension FailureKind {
    /// The metric label of a Graph API failure.
    init(_ kind: GraphError.Kind) {
        switch kind {
        case .rateLimited, .pairRateLimited: self = .rateLimited
        case .transient: self = .graphServerError
        case .windowClosed: self = .windowClosed
        case .invalidRequest, .blocked, .unexpectedResponse: self = .invalidRequest
        case .authentication, .permission: self = .authorization
        }
    }
}
