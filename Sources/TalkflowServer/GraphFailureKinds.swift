import WhatsAppCloud

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
