import Hummingbird

/// Who is calling the agent API: the tenant named in the path and the agent whose key the `Authorization:
/// Bearer KEY` header carries. The key's SHA-256 is compared, in constant time, against that tenant's agents
/// only, so a key never opens another tenant (an unknown tenant answers 401, like a wrong key).
struct AgentAuthentication: Sendable {
    let registry: TenantRegistry

    /// The caller: its tenant (as it runs now) and its credential.
    struct Caller: Sendable {
        var tenant: Tenant
        var agent: AgentCredential

        var name: String { agent.agent }
        var isAdmin: Bool { agent.admin }

        /// Refuses a caller who is not an admin (403).
        func requireAdmin() throws(AgentAPIError) {
            guard isAdmin else { throw .adminOnly }
        }
    }

    /// The caller of `request` for the tenant `tenantID`, or a 401.
    func caller(_ request: Request, tenant tenantID: String) throws(AgentAPIError) -> Caller {
        guard let key = AdminRoutes.bearer(request.headers[.authorization]) else { throw .unauthorized }
        guard let tenant = registry.tenant(id: tenantID) else {
            // Hash and compare anyway, so timing does not tell which tenants exist.
            _ = SecretComparison.equal(SecretComparison.sha256(key), Self.nothing)
            throw .unauthorized
        }
        guard let agent = tenant.agent(forKey: key) else { throw .unauthorized }
        return Caller(tenant: tenant, agent: agent)
    }

    private static let nothing = [UInt8](repeating: 0, count: 32)
}
