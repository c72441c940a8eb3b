import FlowDiagnostics
import Foundation
import Hummingbird
import Logging

/// `POST /admin/reload`: reloads every tenant's flow, as SIGHUP does, and answers what happened. Guarded by the
/// admin key (`Authorization: Bearer KEY`, compared in constant time); without `server.admin_key_env` the
/// admin routes answer 404, as if absent.
struct AdminRoutes {
    let registry: TenantRegistry
    let adminKey: String?

    /// The answer of a reload: which tenants run their new flow, and the diagnostics of each refused one, as
    /// `talkflow lint` would print them.
    struct ReloadAnswer: Codable, Equatable {
        struct Refusal: Codable, Equatable {
            var tenant: String
            var diagnostics: String
        }

        var reloaded: [String]
        var refused: [Refusal]
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("admin/reload") { request, context -> Response in
            if let refusal = Self.refusal(
                request, adminKey: adminKey, logger: context.logger, "admin request refused: missing or wrong key")
            {
                return refusal
            }
            context.logger.info("flow reload requested through the admin API")
            let report = registry.reload()
            return Self.answer(report)
        }
    }

    /// 200 when every flow was reloaded, 422 when any was refused; JSON either way.
    static func answer(_ report: TenantRegistry.ReloadReport) -> Response {
        var answer = ReloadAnswer(reloaded: [], refused: [])
        for (tenant, result) in report.results {
            switch result {
            case .reloaded:
                answer.reloaded.append(tenant)
            case .refused(let files):
                answer.refused.append(
                    .init(
                        tenant: tenant,
                        diagnostics: TextRenderer.render(files: files, colors: false)
                            + TextRenderer.summary(files: files) + "\n"))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(answer)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return HealthRoutes.text(
            answer.refused.isEmpty ? .ok : .unprocessableContent, body + "\n", contentType: "application/json")
    }

    /// `nil` when the request carries the admin key (`Authorization: Bearer KEY`, compared in constant time);
    /// otherwise the answer: 404 when no admin key is configured, as if the route were absent, and 401 (logged
    /// as `refused`) for a missing or wrong key; as text, or with `json` as the agent API's errors are
    /// (`no_such_route`, `unauthorized`).
    static func refusal(
        _ request: Request, adminKey: String?, logger: Logger, json: Bool = false,
        _ refused: @autoclosure () -> Logger.Message
    ) -> Response? {
        guard let adminKey else {
            return json ? AgentRoutes.noSuchRoute.response : HealthRoutes.text(.notFound, "not found\n")
        }
        if let key = bearer(request.headers[.authorization]), SecretComparison.matches(key, secret: adminKey) {
            return nil
        }
        logger.warning(refused())
        if json { return AgentAPIError(status: .unauthorized, code: "unauthorized", message: wrongKey).response }
        var response = HealthRoutes.text(.unauthorized, wrongKey + "\n")
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    /// The refusal of a missing or wrong admin key.
    static let wrongKey = "missing or wrong admin key"

    /// The token of an `Authorization: Bearer TOKEN` header.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
