import Hummingbird

/// What a request under `/api/v1` gets when no route takes it. The router's own answer is an empty 404, whatever
/// the method or path, but the API answers every error as JSON: a path of one of its routes asked with another
/// method (any method: `TRACE`, `PROPFIND` or one HTTP does not define included) is 405 with `Allow`, in that
/// route's error shape; any other path under `/api/v1` (`/api/v1` and `/api/v1/tenants` included) is 404
/// `no_such_route`. Other paths keep the router's answer.
///
/// The router wraps its not-found responder in every middleware it has and a route only in those added before
/// the route: added after the routes, this one sees only the requests no route took.
struct APIFallback: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// One path of the API: `:name` segments stand for any one segment.
    struct Route: Sendable {
        var path: String
        /// The methods it takes, in the order `Allow` names them.
        var methods: [HTTPRequest.Method]
        /// The 405 body in the route's error shape, given the `Allow` value (the header is added to it).
        var refusal: @Sendable (_ allow: String) -> Response

        /// Whether the path's segments are those of `segments`.
        func matches(_ segments: [Substring]) -> Bool {
            let pattern = path.split(separator: "/")
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }
    }

    let routes: [Route]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/")
            guard segments.starts(with: ["api", "v1"]) else { throw error }
            guard let route = routes.first(where: { $0.matches(segments) }), !route.methods.contains(request.method)
            else { return AgentRoutes.noSuchRoute.response }
            let allow = route.methods.map(\.rawValue).joined(separator: ", ")
            var response = route.refusal(allow)
            response.headers[.allow] = allow
            return response
        }
    }
}
