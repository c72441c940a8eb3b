import FlowDiagnostics
import Foundation
import Hummingbird

/// One condition `/readyz` requires, such as "the store is reachable". Its probe returns `nil` when the
/// condition holds, or a short reason (no secrets, no personal data: it is served to anyone who can reach the
/// port).
public struct ReadinessCheck: Sendable {
    /// Short name, printed before the reason (`store: …`).
    public var name: String
    /// Runs the check: `nil` when ready, else why not.
    public var probe: @Sendable () async -> String?

    /// A check named `name` that runs `probe` on every `/readyz`.
    public init(name: String, probe: @escaping @Sendable () async -> String?) {
        self.name = name
        self.probe = probe
    }

    /// That the configuration is loaded: at least one tenant with a compiled flow.
    public static func configuration(_ registry: TenantRegistry) -> ReadinessCheck {
        ReadinessCheck(name: "config") { registry.tenants.isEmpty ? "no tenant is loaded" : nil }
    }

    /// That an SQLite store can be opened for writing: the database file (when it exists) and its folder are
    /// writable, as SQLite needs to create its `-wal` and `-shm` files beside it; and that the file is still the
    /// one the server opened (the same device and inode as when the check was made, at start-up): a store
    /// deleted or replaced while the server runs takes writes that vanish when it stops. It opens no connection.
    public static func sqliteFile(path: String) -> ReadinessCheck {
        var opened = stat()
        let identity = SystemPath.stat(path, &opened) == 0 ? (opened.st_dev, opened.st_ino) : nil
        return ReadinessCheck(name: "store") {
            let folder = SystemPath.folder(of: path)
            let directory = folder.isEmpty ? "." : folder
            var info = stat()
            guard SystemPath.stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                return "the database folder does not exist"
            }
            guard SystemPath.withCString(directory, { access($0, W_OK) }) == 0 else {
                return "the database folder is not writable"
            }
            let exists = SystemPath.stat(path, &info) == 0
            if let identity, !exists || info.st_dev != identity.0 || info.st_ino != identity.1 {
                return "the database file was deleted or replaced while the server runs; restart the server"
            }
            if exists, SystemPath.withCString(path, { access($0, W_OK) }) != 0 {
                return "the database file is not writable"
            }
            return nil
        }
    }
}

/// `/healthz` and `/readyz`, for load balancers and orchestrators: the first says the process answers, the
/// second that it can do its work (configuration loaded, store reachable). Both are plain text and cheap.
struct HealthRoutes {
    let checks: [ReadinessCheck]

    /// Both routes answer GET and HEAD (RFC 9110 asks HEAD wherever GET works, and some health checkers send it):
    /// HEAD gives the same status and headers without the body.
    func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in Self.health() }
        router.head("healthz") { _, _ in Self.withoutBody(Self.health()) }
        router.get("readyz") { _, _ in await readiness() }
        router.head("readyz") { _, _ in Self.withoutBody(await readiness()) }
    }

    static func health() -> Response { text(.ok, "ok\n") }

    func readiness() async -> Response {
        var failures: [String] = []
        for check in checks {
            if let reason = await check.probe() { failures.append("\(check.name): \(reason)") }
        }
        guard failures.isEmpty else {
            return Self.text(.serviceUnavailable, failures.joined(separator: "\n") + "\n")
        }
        return Self.text(.ok, "ready\n")
    }

    /// A HEAD answer: the GET answer's status and headers, no body.
    static func withoutBody(_ response: Response) -> Response {
        Response(status: response.status, headers: response.headers, body: ResponseBody())
    }

    /// A `text/plain` answer.
    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
