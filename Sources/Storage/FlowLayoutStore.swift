import FlowRuntime

/// The layouts of the flow versions a tenant's server has run, kept across restarts: a session records the
/// version it was last stepped with (`Session.flowVersion`), and after a restart with an edited flow its
/// version's layout is what carries it over to the new flow by name (`Session.carryOver`). Synchronous: the
/// server records and reads layouts while it starts and reloads, outside any request.
public protocol FlowLayoutStore: Sendable {
    /// Keeps `layout` as the tenant's flow version `version`; a version already kept is left as it is (the same
    /// file compiles to the same layout).
    func recordFlowLayout(tenant: String, version: String, layout: FlowLayout, at: Int64) throws

    /// Every layout kept for the tenant, by version.
    func flowLayouts(tenant: String) throws -> [String: FlowLayout]
}
