import FlowDiagnostics
import FlowRuntime
import Logging
import Synchronization

/// A tenant as the server runs it: its configuration, the credentials read from the environment, and its
/// compiled flow. Immutable: a reload replaces the whole tenant, so a request that looked one up keeps a
/// consistent flow until it finishes. A class, so that handing a tenant around (every message and every send
/// looks one up) costs one reference count, not a copy of every field.
public final class Tenant: Sendable {
    /// The tenant's entry of the configuration file.
    public let config: TenantConfig
    /// Credentials read from the environment at start-up.
    public let secrets: TenantSecrets
    /// The flow it runs now.
    public let flow: CompiledFlow

    /// A tenant from its parts (`ConfigLoader` builds them).
    public init(config: TenantConfig, secrets: TenantSecrets, flow: CompiledFlow) {
        self.config = config
        self.secrets = secrets
        self.flow = flow
    }

    /// Short stable name, for logs and metrics.
    public var id: String { config.id }

    /// The agent whose key this is, compared against every stored hash in constant time; `nil` for none.
    public func agent(forKey key: String) -> AgentCredential? {
        let digest = SecretComparison.sha256(key)
        var found: AgentCredential?
        for agent in config.agents where SecretComparison.equal(digest, agent.keyHash) { found = agent }
        return found
    }
}

/// The tenants of a running server, looked up by the phone-number id that webhooks carry.
///
/// Flows reload without a restart: `reload()` re-reads every tenant's flow file and swaps in each flow that
/// lints, while a flow with errors is refused with its diagnostics and the tenant keeps the flow it had.
/// Lookups take a lock for a dictionary read only, so they never wait on a reload reading files; reloads are
/// serialised among themselves. The configuration file itself (tenants, secrets, queue overrides) is read
/// only at start-up: changing it takes a restart.
public final class TenantRegistry: Sendable {
    /// What a reload did for one tenant.
    public enum TenantReload: Sendable {
        /// The new flow runs from now on.
        case reloaded
        /// The flow was refused; the tenant keeps running its previous flow. `files` holds the diagnostics
        /// (the flow's own, and those at the tenant's entry in the configuration file).
        case refused(files: [FileDiagnostics])
    }

    /// What `reload()` did, tenant by tenant, in configuration order.
    public struct ReloadReport: Sendable {
        /// One result per tenant.
        public var results: [(tenant: String, result: TenantReload)]

        /// The tenants whose new flow was refused.
        public var refused: [String] {
            results.compactMap { if case .refused = $0.result { $0.tenant } else { nil } }
        }

        /// The diagnostics of the refused flows, by file.
        public var files: [FileDiagnostics] {
            var all: [FileDiagnostics] = []
            for entry in results {
                if case .refused(let files) = entry.result { all += files }
            }
            return all
        }
    }

    private struct State {
        var byPhoneNumber: [String: Tenant]
        var order: [String]
        /// Phone-number id by tenant id.
        var phoneNumberByID: [String: String]
    }

    private let state: Mutex<State>
    private let reloading = Mutex(())
    /// Told of each flow a reload swaps in, so that its layout outlives the process (`FlowLayoutStore`).
    private let reloadedFlows = Mutex<(@Sendable (_ tenant: String, _ flow: CompiledFlow) -> Void)?>(nil)
    /// The configuration file's path, for diagnostics about overrides.
    public let configPath: String
    private let logger: Logger

    /// A registry of tenants that `ConfigLoader` has checked; their phone-number ids are distinct.
    public init(tenants: [Tenant], configPath: String, logger: Logger = Logger(label: "talkflow.tenants")) {
        var byPhone: [String: Tenant] = [:]
        for tenant in tenants { byPhone[tenant.config.phoneNumberID] = tenant }
        var phoneByID: [String: String] = [:]
        for tenant in tenants { phoneByID[tenant.id] = tenant.config.phoneNumberID }
        state = Mutex(
            State(byPhoneNumber: byPhone, order: tenants.map(\.config.phoneNumberID), phoneNumberByID: phoneByID))
        self.configPath = configPath
        self.logger = logger
    }

    /// A registry for a configuration that passed `ConfigLoader`.
    public convenience init(_ loaded: LoadedConfig, logger: Logger = Logger(label: "talkflow.tenants")) {
        self.init(tenants: loaded.tenants, configPath: loaded.config.path, logger: logger)
    }

    /// The tenant that owns a WhatsApp number, by Meta's phone-number id.
    public func tenant(phoneNumberID: String) -> Tenant? {
        state.withLock { $0.byPhoneNumber[phoneNumberID] }
    }

    /// The tenant with this id (the configuration's `id`), without building the list of every tenant: the
    /// outbox looks one up for each message it sends.
    public func tenant(id: String) -> Tenant? {
        state.withLock { state in state.phoneNumberByID[id].flatMap { state.byPhoneNumber[$0] } }
    }

    /// Every tenant, in configuration order.
    public var tenants: [Tenant] {
        state.withLock { state in state.order.compactMap { state.byPhoneNumber[$0] } }
    }

    /// Calls `observer` with each flow a later reload swaps in (the server records its layout).
    public func onReloadedFlow(_ observer: @escaping @Sendable (_ tenant: String, _ flow: CompiledFlow) -> Void) {
        reloadedFlows.withLock { $0 = observer }
    }

    /// Lets the tenant's running flow know `layouts` of earlier versions (those a store kept from earlier runs),
    /// so that its conversations stepped with them are carried over by name.
    public func know(_ layouts: [String: FlowLayout], tenant id: String) {
        state.withLock { state in
            guard let phone = state.phoneNumberByID[id], let tenant = state.byPhoneNumber[phone] else { return }
            state.byPhoneNumber[phone] = Tenant(
                config: tenant.config, secrets: tenant.secrets, flow: tenant.flow.knowing(layouts))
        }
    }

    /// Re-reads and re-lints every tenant's flow; each flow without errors replaces the old one, each flow with
    /// errors is refused (logged with its error count) and the old one keeps running. Reads files: call it
    /// from a signal handler's task or an admin request, not from a hot path.
    @discardableResult
    public func reload() -> ReloadReport {
        reloading.withLock { _ in
            var results: [(tenant: String, result: TenantReload)] = []
            var checked: [String: TenantFlow.Checked] = [:]
            for tenant in tenants {
                let path = tenant.config.flowPath
                let file = checked[path] ?? TenantFlow.check(path: path)
                checked[path] = file
                let outcome = TenantFlow.compile(tenant.config, checked: file)
                var log = logger
                log[metadataKey: "tenant"] = "\(tenant.id)"
                guard let flow = outcome.flow else {
                    // The flow's own errors, as `talkflow lint` prints them; the configuration's line that wraps
                    // them is not one more. A flow that cannot be read, or an override it does not fit, has only
                    // the configuration's.
                    let flowErrors = (outcome.flowFile?.errorCount ?? 0) + (outcome.lockFile?.errorCount ?? 0)
                    let configDiagnostics = outcome.configDiagnostics.filter {
                        flowErrors == 0 || $0.id != ConfigRules.flowInvalid.id
                    }
                    var files: [FileDiagnostics] = []
                    if !configDiagnostics.isEmpty {
                        files.append(FileDiagnostics(path: configPath, source: nil, diagnostics: configDiagnostics))
                    }
                    if let flowFile = outcome.flowFile { files.append(flowFile) }
                    if let lockFile = outcome.lockFile { files.append(lockFile) }
                    let errors =
                        flowErrors > 0
                        ? flowErrors : outcome.configDiagnostics.count(where: { $0.severity == .error })
                    log.error(
                        "flow refused on reload; the previous flow keeps running",
                        metadata: ["flow": "\(path)", "errors": "\(errors)"])
                    results.append((tenant.id, .refused(files: files)))
                    continue
                }
                // The replaced flows' layouts stay known: open conversations are carried over from them by name.
                let updated = Tenant(
                    config: tenant.config, secrets: tenant.secrets, flow: flow.knowing(tenant.flow.layouts))
                state.withLock { $0.byPhoneNumber[tenant.config.phoneNumberID] = updated }
                reloadedFlows.withLock { $0 }?(tenant.id, updated.flow)
                log.info("flow reloaded", metadata: ["flow": "\(path)", "flow_id": "\(flow.flowID)"])
                results.append((tenant.id, .reloaded))
            }
            return ReloadReport(results: results)
        }
    }
}
