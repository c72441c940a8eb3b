import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Storage

/// A configuration that passed every check: the settings, each tenant with its secrets and compiled flow,
/// and the admin key when the admin endpoints are enabled.
public struct LoadedConfig: Sendable {
    /// The settings and tenants as the file gives them.
    public var config: ServerConfig
    /// Every tenant, with its secrets and compiled flow, in the file's order.
    public var tenants: [Tenant]
    /// The admin key read from `server.admin_key_env`; `nil` when the admin endpoints are off.
    public var adminKey: String?
    /// Where `server.store` is written, for a problem found when the store is opened; `nil` when the default
    /// store is used.
    public var storeRange: SourceRange?
    /// The configuration file as its diagnostics are shown (secret-looking values masked).
    public var file: FileDiagnostics?

    /// A problem with the store found when it was opened, at `store:` in the file (or at its top when the
    /// default store is used), as the other configuration problems are reported.
    public func storeProblem(_ reason: String) -> FileDiagnostics? {
        guard var file else { return nil }
        file.diagnostics = [
            ConfigRules.invalidValue.diagnostic(
                "cannot open the store: \(reason)",
                at: storeRange ?? SourceRange(at: SourceLocation(line: 1, column: 1, offset: 0)))
        ]
        return file
    }
}

/// Reads the configuration of `talkflow serve` and checks all of it before the server starts: the shape of
/// the file (unknown keys with a "did you mean", wrong types, missing fields, bad values), secrets written in
/// it, duplicate tenant and phone-number ids, environment variables that are not set, and each tenant's flow
/// (its lint diagnostics are reported under the flow's own file:line:col).
///
/// Every problem is reported in one run; nothing is thrown. The rendered source of the configuration file has
/// every value written under a secret-looking key masked with `*`, so that reporting a leaked secret does not
/// print it into a terminal or a log again.
public enum ConfigLoader {
    /// What loading gave: the configuration when there is no error, and the diagnostics of each file (the
    /// configuration file first, then each flow file with diagnostics, warnings included).
    public struct Result: Sendable {
        /// The configuration, `nil` when any file has an error.
        public var loaded: LoadedConfig?
        /// Diagnostics by file, for `TextRenderer` and the other renderers.
        public var files: [FileDiagnostics]

        /// Whether any file has an error (the server must not start).
        public var hasErrors: Bool { files.contains { $0.errorCount > 0 } }
    }

    /// Keys allowed at the top of the file.
    public static let topLevelKeys = ["server", "tenants"]
    /// Keys allowed under `server`.
    public static let serverKeys = [
        "host", "port", "graph_api_url", "graph_api_version", "send_rate_per_number", "store", "admin_key_env",
        "webhook_body_limit", "mark_read",
    ]
    /// Keys allowed in a tenant.
    public static let tenantKeys = [
        "id", "phone_number_id", "app_secret_env", "verify_token_env", "access_token_env", "flow", "agents", "queues",
        "log_retention_days",
    ]
    /// `log_retention_days`: a day at least, a century at most.
    static let logRetentionBounds = 1...36_500
    /// Keys allowed in an agent of a tenant.
    public static let agentKeys = ["id", "key_sha256", "admin"]

    /// Limits of the configuration file itself: far larger than any real one.
    public static let limits = LoaderLimits(maxBytes: 1024 * 1024, maxDepth: 16)
    /// Bounds of `webhook_body_limit`: from 1 KiB to 16 MiB.
    public static let webhookBodyLimitBounds = 1024...(16 * 1024 * 1024)
    /// Bounds of `send_rate_per_number`: Meta's numbers go from 80 up to 1,000 messages per second.
    public static let sendRateBounds = 1...1000

    /// Reads and checks the file at `path`, with the process's environment (or a test's) for the secrets.
    /// With `secrets: false` (a command that only writes to the store, such as `send-template`), the secrets'
    /// environment variables need not be set: their names are still checked, and the loaded tenants hold empty
    /// secrets, which nothing in such a command uses.
    public static func load(path: String, environment: [String: String], secrets: Bool = true) -> Result {
        switch BoundedFileReader.read(path, limit: limits.maxBytes) {
        case .failure(let message):
            let diagnostic = ConfigRules.unreadable.diagnostic(
                "cannot read the configuration file: \(message)", at: .fileStart)
            return Result(loaded: nil, files: [FileDiagnostics(path: path, source: nil, diagnostics: [diagnostic])])
        case .tooLarge(let size):
            let diagnostics = YAMLLoader.tooLarge(size: size, limits: limits).diagnostics
            return Result(loaded: nil, files: [FileDiagnostics(path: path, source: nil, diagnostics: diagnostics)])
        case .bytes(let bytes):
            return load(bytes: bytes, path: path, environment: environment, secrets: secrets)
        }
    }

    /// Checks configuration text as if read from `path` (flow paths are resolved against its folder).
    public static func load(text: String, path: String, environment: [String: String]) -> Result {
        load(bytes: Array(text.utf8), path: path, environment: environment)
    }

    /// Checks configuration bytes as if read from `path`.
    public static func load(bytes: [UInt8], path: String, environment: [String: String], secrets: Bool = true)
        -> Result
    {
        let loaded = YAMLLoader.load(bytes: bytes, limits: limits)
        var reader = ConfigReader(path: path, environment: environment)
        reader.needsSecrets = secrets
        reader.diagnostics = loaded.diagnostics
        var config: ServerConfig?
        if let root = loaded.root, !root.isNull {
            config = reader.read(root)
        } else if loaded.diagnostics.isEmpty {
            reader.diagnostics.append(
                ConfigRules.unreadable.diagnostic(
                    "the configuration file is empty; it needs at least a 'tenants' list", at: .fileStart))
        }

        // Each tenant's flow, each file checked once however many tenants share it.
        var tenants: [Tenant] = []
        var flowFiles: [FileDiagnostics] = []
        var checkedFiles: [String: TenantFlow.Checked] = [:]
        for entry in reader.tenants {
            let checked: TenantFlow.Checked
            if let known = checkedFiles[entry.config.flowPath] {
                checked = known
            } else {
                checked = TenantFlow.check(path: entry.config.flowPath)
                checkedFiles[entry.config.flowPath] = checked
                if case .checked(let result, let lock) = checked {
                    if !result.diagnostics.isEmpty {
                        flowFiles.append(
                            FileDiagnostics(
                                path: entry.config.flowPath,
                                source: String(decoding: result.source.bytes, as: UTF8.self),
                                diagnostics: result.diagnostics))
                    }
                    if let lock { flowFiles.append(lock) }
                }
            }
            let outcome = TenantFlow.compile(entry.config, checked: checked)
            reader.diagnostics += outcome.configDiagnostics
            if let flow = outcome.flow, let secrets = entry.secrets {
                tenants.append(Tenant(config: entry.config, secrets: secrets, flow: flow))
            }
        }

        let configFile = FileDiagnostics(
            path: path, source: reader.redactedSource(loaded.source.bytes),
            diagnostics: Diagnostic.sortedByPosition(loaded.withoutAliasEchoes(reader.diagnostics)))
        let files = [configFile] + flowFiles
        guard !files.contains(where: { $0.errorCount > 0 }), let config, tenants.count == config.tenants.count
        else { return Result(loaded: nil, files: files) }
        let loadedConfig = LoadedConfig(
            config: config, tenants: tenants, adminKey: reader.adminKey, storeRange: reader.storeRange,
            file: configFile)
        return Result(loaded: loadedConfig, files: files)
    }
}

/// One pass over the configuration tree: reads every field by the schema, collecting diagnostics, the ranges
/// of values to mask, and the secrets found in the environment.
struct ConfigReader {
    /// A tenant with a flow to check; its secrets are `nil` unless every field of it is right (it is then one of
    /// the configuration's tenants).
    struct Entry {
        var config: TenantConfig
        var secrets: TenantSecrets?
    }

    let path: String
    let environment: [String: String]
    /// Whether the secrets must be in the environment (`ConfigLoader.load(path:environment:secrets:)`).
    var needsSecrets = true
    var diagnostics: [Diagnostic] = []
    var tenants: [Entry] = []
    var adminKey: String?
    /// Values to mask in the rendered source: those written under secret-looking keys.
    var redactions: [SourceRange] = []
    /// Where `server.store` is written.
    var storeRange: SourceRange?

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    // MARK: The document

    mutating func read(_ root: Node) -> ServerConfig? {
        guard let pairs = mapping(root, what: "the configuration") else { return nil }
        checkKeys(pairs, allowed: ConfigLoader.topLevelKeys, what: "the configuration")
        var server = defaultSettings
        if let node = value(pairs, "server") { server = readServer(node) }
        var configs: [TenantConfig] = []
        if let node = value(pairs, "tenants") {
            configs = readTenants(node)
        } else {
            let at = pairs.first { $0.key == "tenants" }?.keyRange ?? SourceRange(at: pairs.range.start)
            diagnostics.append(
                ConfigRules.missingField.diagnostic(
                    "the configuration needs 'tenants': a list with one entry per WhatsApp number", at: at))
        }
        return ServerConfig(path: path, server: server, tenants: configs)
    }

    /// The defaults, with the default database placed beside the configuration file.
    var defaultSettings: ServerSettings {
        var settings = ServerSettings.defaults
        settings.store = .sqlite(path: SourceFiles.resolve("talkflow.sqlite", relativeTo: path))
        return settings
    }

    mutating func readServer(_ node: Node) -> ServerSettings {
        var settings = defaultSettings
        guard let pairs = mapping(node, what: "'server'") else { return settings }
        let what = "'server'"
        checkKeys(pairs, allowed: ConfigLoader.serverKeys, what: what)
        if let host = text(pairs, "host", what: what) {
            if let problem = Self.hostProblem(host.value) {
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'host' of \(what) must be an IP address or a host name, such as 127.0.0.1 or ::1; \(problem)",
                        at: host.range))
            } else {
                settings.host = host.value
            }
        }
        if let port = integer(pairs, "port", in: 0...65535, what: what) { settings.port = port }
        if let url = text(pairs, "graph_api_url", what: what) {
            if let origin = Self.origin(url.value) {
                settings.graphAPIURL = origin
            } else {
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'graph_api_url' of \(what) must be an http or https origin such as "
                            + "https://graph.facebook.com, without a path", at: url.range))
            }
        }
        if let version = text(pairs, "graph_api_version", what: what) {
            if Self.isGraphVersion(version.value) {
                settings.graphAPIVersion = version.value
            } else {
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'graph_api_version' of \(what) must look like 'v23.0', found '\(version.value)'",
                        at: version.range))
            }
        }
        if let rate = integer(pairs, "send_rate_per_number", in: ConfigLoader.sendRateBounds, what: what) {
            settings.sendRatePerNumber = rate
        }
        if let store = text(pairs, "store", what: what) {
            storeRange = store.range
            // The value is never echoed: a database URL may carry a password.
            if store.value.contains("\u{0}") {
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'store' of \(what) contains a NUL character; no file name can", at: store.range))
            } else {
                do {
                    switch try StoreLocation(parsing: store.value) {
                    case .sqlite(let file): settings.store = .sqlite(path: SourceFiles.resolve(file, relativeTo: path))
                    }
                } catch StorageError.notAFilePath(let reading) {
                    diagnostics.append(
                        ConfigRules.invalidValue.diagnostic(
                            "'store' of \(what) must be a file path, such as sqlite:talkflow.sqlite; \(reading)",
                            at: store.range))
                } catch {
                    diagnostics.append(
                        ConfigRules.invalidValue.diagnostic(
                            "'store' of \(what) must be 'sqlite:PATH' (SQLite is the only store today)",
                            at: store.range))
                }
            }
        }
        if let limit = integer(pairs, "webhook_body_limit", in: ConfigLoader.webhookBodyLimitBounds, what: what) {
            settings.webhookBodyLimit = limit
        }
        if let markRead = bool(pairs, "mark_read", what: what) { settings.markRead = markRead.value }
        if let name = environmentName(pairs, "admin_key_env", what: what) {
            settings.adminKeyEnv = name.value
            adminKey = secret(name, purpose: "the admin key (admin_key_env of 'server')")
        }
        return settings
    }

    // MARK: Tenants

    mutating func readTenants(_ node: Node) -> [TenantConfig] {
        guard let items = node.sequence else {
            diagnostics.append(
                ConfigRules.wrongType.diagnostic(
                    "'tenants' must be a list with one entry per WhatsApp number, found \(node.kindDescription)",
                    at: node.range))
            return []
        }
        if items.isEmpty {
            diagnostics.append(
                ConfigRules.invalidValue.diagnostic("'tenants' must list at least one tenant", at: node.range))
        }
        var configs: [TenantConfig] = []
        var ids: [String: SourceRange] = [:]
        var phones: [String: (tenant: String, range: SourceRange)] = [:]
        for (index, item) in items.enumerated() {
            guard let pairs = mapping(item, what: "tenant \(index + 1)") else { continue }
            let idNode = text(pairs, "id", what: "tenant \(index + 1)", required: true)
            let name = idNode?.value ?? "\(index + 1)"
            let what = idNode == nil ? "tenant \(index + 1)" : "tenant '\(name)'"
            checkKeys(pairs, allowed: ConfigLoader.tenantKeys, what: what)
            var valid = true
            if let idNode {
                if !Identifiers.isName(idNode.value) {
                    valid = false
                    diagnostics.append(
                        ConfigRules.invalidValue.diagnostic(
                            "tenant id '\(idNode.value)' is not a valid name; start with a letter and use letters, "
                                + "digits, '_' or '-'", at: idNode.range))
                } else if let first = ids[idNode.value] {
                    valid = false
                    diagnostics.append(
                        ConfigRules.duplicateTenant.diagnostic(
                            "tenant id '\(idNode.value)' is used twice", at: idNode.range,
                            notes: [DiagnosticNote(message: "'\(idNode.value)' is first used here", range: first)]))
                } else {
                    ids[idNode.value] = idNode.range
                }
            } else {
                valid = false
            }
            let phone = text(pairs, "phone_number_id", what: what, required: true)
            if let phone {
                if phone.value.isEmpty || !phone.value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    valid = false
                    diagnostics.append(
                        ConfigRules.invalidValue.diagnostic(
                            "'phone_number_id' of \(what) must be Meta's phone-number id, digits only (not the phone "
                                + "number itself), found '\(phone.value)'", at: phone.range))
                } else if let first = phones[phone.value] {
                    valid = false
                    diagnostics.append(
                        ConfigRules.duplicatePhoneNumber.diagnostic(
                            "phone-number id '\(phone.value)' of \(what) already belongs to tenant '\(first.tenant)'",
                            at: phone.range,
                            notes: [DiagnosticNote(message: "first used here", range: first.range)]))
                } else {
                    phones[phone.value] = (name, phone.range)
                }
            } else {
                valid = false
            }
            let appSecret = environmentName(pairs, "app_secret_env", what: what, required: true)
            let verifyToken = environmentName(pairs, "verify_token_env", what: what, required: true)
            let accessToken = environmentName(pairs, "access_token_env", what: what, required: true)
            let flow = text(pairs, "flow", what: what, required: true)
            if let flow, flow.value.isEmpty || flow.value.contains("\u{0}") {
                valid = false
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'flow' of \(what) must name a flow file"
                            + (flow.value.isEmpty ? "" : "; it contains a NUL character, which no file name can"),
                        at: flow.range))
            }
            var agents: [AgentCredential] = []
            if let node = value(pairs, "agents") {
                if let read = readAgents(node, what: what) {
                    agents = read.agents
                    if !read.valid { valid = false }
                } else {
                    valid = false
                }
            }
            var queues: [QueueOverride] = []
            if let node = value(pairs, "queues") {
                if let read = readQueues(node, what: what) {
                    queues = read.overrides
                    if !read.valid { valid = false }
                } else {
                    valid = false
                }
            }
            var retention: Int?
            if value(pairs, "log_retention_days") != nil {
                if let days = integer(pairs, "log_retention_days", in: ConfigLoader.logRetentionBounds, what: what) {
                    retention = days
                } else {
                    valid = false
                }
            }
            // Secrets are looked up, and the flow is checked, even when another field is wrong, so that one run
            // reports every problem; only a tenant whose every field is right is kept.
            let secrets = [
                appSecret.flatMap { secret($0, purpose: "the app secret (app_secret_env of \(what))") },
                verifyToken.flatMap { secret($0, purpose: "the verify token (verify_token_env of \(what))") },
                accessToken.flatMap { secret($0, purpose: "the access token (access_token_env of \(what))") },
            ]
            // No flow to check: an empty path or one with a NUL (which the system would cut short) is
            // reported above and never read.
            guard let flow, !flow.value.isEmpty, !flow.value.contains("\u{0}") else { continue }
            let config = TenantConfig(
                id: idNode?.value ?? name, phoneNumberID: phone?.value ?? "", appSecretEnv: appSecret?.value ?? "",
                verifyTokenEnv: verifyToken?.value ?? "", accessTokenEnv: accessToken?.value ?? "",
                flowPath: SourceFiles.resolve(flow.value, relativeTo: path), flowRange: flow.range,
                agents: agents, queueOverrides: queues, logRetentionDays: retention)
            var entry = Entry(config: config, secrets: nil)
            if valid, idNode != nil, phone != nil, let app = secrets[0], let verify = secrets[1],
                let access = secrets[2]
            {
                entry.secrets = TenantSecrets(appSecret: app, verifyToken: verify, accessToken: access)
                configs.append(config)
            }
            tenants.append(entry)
        }
        return configs
    }

    /// The agents of a tenant, and whether every entry was right; the ones read are returned even so (an agent
    /// whose key is wrong with no key), so that the flow check still reports a queue naming an agent who is not
    /// listed at all: one run reports every problem. `nil` when `agents` is not a list (reported).
    mutating func readAgents(_ node: Node, what tenant: String) -> (agents: [AgentCredential], valid: Bool)? {
        guard let items = node.sequence else {
            diagnostics.append(
                ConfigRules.wrongType.diagnostic(
                    "'agents' of \(tenant) must be a list of agents (id and key_sha256), found \(node.kindDescription)",
                    at: node.range))
            return nil
        }
        var agents: [AgentCredential] = []
        var valid = true
        var names: [String: SourceRange] = [:]
        var hashes: [[UInt8]: String] = [:]
        for (index, item) in items.enumerated() {
            guard let pairs = mapping(item, what: "agent \(index + 1) of \(tenant)") else {
                valid = false
                continue
            }
            let id = text(pairs, "id", what: "agent \(index + 1) of \(tenant)", required: true)
            let what = id.map { "agent '\($0.value)' of \(tenant)" } ?? "agent \(index + 1) of \(tenant)"
            checkKeys(pairs, allowed: ConfigLoader.agentKeys, what: what)
            let hash = text(pairs, "key_sha256", what: what, required: true)
            let admin = bool(pairs, "admin", what: what)
            guard let id else {
                valid = false
                continue
            }
            guard let hash else {
                valid = false
                agents.append(AgentCredential(agent: id.value, keyHash: [], admin: false))
                continue
            }
            if id.value.trimmingCharacters(in: .whitespaces).isEmpty {
                valid = false
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic("'id' of \(what) must not be empty", at: id.range))
            } else if let first = names[Self.agentKey(id.value)] {
                valid = false
                diagnostics.append(
                    ConfigRules.duplicateAgent.diagnostic(
                        "agent '\(id.value)' is listed twice in \(tenant)", at: id.range,
                        notes: [DiagnosticNote(message: "first listed here", range: first)]))
            } else {
                names[Self.agentKey(id.value)] = id.range
            }
            guard hash.value.utf8.count == 64, let bytes = SecretComparison.bytes(hex: hash.value) else {
                valid = false
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "'key_sha256' of \(what) must be the SHA-256 of the agent's key: 64 hex digits, as printed "
                            + "by: printf %s \"$KEY\" | sha256sum", at: hash.range))
                // Listed all the same: the queues' check must not report them as missing too.
                agents.append(AgentCredential(agent: id.value, keyHash: [], admin: false))
                continue
            }
            if let other = hashes[bytes] {
                valid = false
                diagnostics.append(
                    ConfigRules.duplicateAgent.diagnostic(
                        "\(what) has the same key as agent '\(other)'; every agent needs a key of its own",
                        at: hash.range))
            }
            hashes[bytes] = id.value
            agents.append(AgentCredential(agent: id.value, keyHash: bytes, admin: admin?.value ?? false))
        }
        return (agents, valid)
    }

    /// The queue overrides of a tenant, and whether every entry was right; the ones read are returned even so,
    /// so that the flow check still reports a queue the flow does not declare. `nil` when `queues` is not a
    /// mapping (reported).
    mutating func readQueues(_ node: Node, what tenant: String) -> (overrides: [QueueOverride], valid: Bool)? {
        guard let pairs = mapping(node, what: "'queues' of \(tenant)") else { return nil }
        var overrides: [QueueOverride] = []
        var valid = true
        for pair in pairs.pairs {
            let what = "queue '\(pair.key)' of \(tenant)"
            guard let items = pair.value.sequence else {
                valid = false
                diagnostics.append(
                    ConfigRules.wrongType.diagnostic(
                        "\(what) must be a list of agent names, found \(pair.value.kindDescription)",
                        at: pair.value.range))
                continue
            }
            if items.isEmpty {
                valid = false
                diagnostics.append(
                    ConfigRules.invalidValue.diagnostic(
                        "\(what) must list at least one agent", at: pair.value.range))
                continue
            }
            var agents: [String] = []
            var seen: [String: SourceRange] = [:]
            for item in items {
                guard let name = item.scalar, !item.isNull else {
                    valid = false
                    diagnostics.append(
                        ConfigRules.wrongType.diagnostic(
                            "each agent of \(what) must be a name, found \(item.kindDescription)", at: item.range))
                    continue
                }
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    valid = false
                    diagnostics.append(
                        ConfigRules.invalidValue.diagnostic(
                            "each agent of \(what) must be a name, found a blank text; write the agent's id or remove "
                                + "the item", at: item.range))
                    continue
                }
                if let first = seen[Self.agentKey(name)] {
                    valid = false
                    diagnostics.append(
                        ConfigRules.duplicateAgent.diagnostic(
                            "agent '\(name)' is listed twice in \(what)", at: item.range,
                            notes: [DiagnosticNote(message: "first listed here", range: first)]))
                    continue
                }
                seen[Self.agentKey(name)] = item.range
                agents.append(name)
            }
            overrides.append(QueueOverride(queue: pair.key, agents: agents, range: pair.keyRange))
        }
        return (overrides, valid)
    }

    // MARK: Fields

    /// The pairs of a mapping and where it starts, for reporting what it lacks.
    struct Fields {
        var pairs: [Pair]
        var range: SourceRange

        func first(where predicate: (Pair) -> Bool) -> Pair? { pairs.first(where: predicate) }
    }

    /// The fields of a mapping, or `nil` (reported) when the node is something else.
    mutating func mapping(_ node: Node, what: String) -> Fields? {
        guard let pairs = node.mapping else {
            diagnostics.append(
                ConfigRules.wrongType.diagnostic(
                    "\(what) must be a mapping of keys to values, found \(node.kindDescription)", at: node.range))
            return nil
        }
        return Fields(pairs: pairs, range: node.range)
    }

    /// The value of `key`, `nil` when absent or null.
    func value(_ fields: Fields, _ key: String) -> Node? {
        guard let pair = fields.first(where: { $0.key == key }), !pair.value.isNull else { return nil }
        return pair.value
    }

    /// Reports a missing required field, at the key when it is written with no value, else where the mapping
    /// starts.
    mutating func missing(_ fields: Fields, _ key: String, what: String) {
        let at = fields.first { $0.key == key }?.keyRange ?? SourceRange(at: fields.range.start)
        diagnostics.append(ConfigRules.missingField.diagnostic("\(what) needs '\(key)'", at: at))
    }

    mutating func text(_ fields: Fields, _ key: String, what: String, required: Bool = false) -> Located<String>? {
        guard let node = value(fields, key) else {
            if required { missing(fields, key, what: what) }
            return nil
        }
        guard let text = node.scalar else {
            diagnostics.append(
                ConfigRules.wrongType.diagnostic(
                    "'\(key)' of \(what) must be text, found \(node.kindDescription)", at: node.range))
            return nil
        }
        return Located(text, range: node.range)
    }

    mutating func integer(_ fields: Fields, _ key: String, in bounds: ClosedRange<Int>, what: String) -> Int? {
        guard let node = value(fields, key) else { return nil }
        var written: Int?
        if case .scalar(let text, .plain) = node.value { written = Int(text) }
        guard let number = written, bounds.contains(number) else {
            let found =
                Self.quotedText(node, reads: { Int($0).map(bounds.contains) == true })
                ?? node.scalar.map { "'\($0)'" } ?? node.kindDescription
            // A whole number outside the range is a value out of range; anything else is of the wrong type.
            diagnostics.append(
                (written == nil ? ConfigRules.wrongType : ConfigRules.invalidValue).diagnostic(
                    "'\(key)' of \(what) must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound), "
                        + "found \(found)", at: node.range))
            return nil
        }
        return number
    }

    /// What was found when a value that would be right unquoted is written in quotes (`port: "8080"`): YAML reads
    /// it as text, and "found '8080'" would contradict itself.
    static func quotedText(_ node: Node, reads: (String) -> Bool) -> String? {
        guard case .scalar(let text, let style) = node.value, style != .plain, reads(text) else { return nil }
        return "the text '\(text)' in quotes; write it without the quotes"
    }

    mutating func bool(_ fields: Fields, _ key: String, what: String) -> Located<Bool>? {
        guard let node = value(fields, key) else { return nil }
        guard case .scalar(let text, .plain) = node.value, text == "true" || text == "false" else {
            let found =
                Self.quotedText(node, reads: { $0 == "true" || $0 == "false" })
                ?? node.scalar.map { "'\($0)'" } ?? node.kindDescription
            diagnostics.append(
                ConfigRules.wrongType.diagnostic(
                    "'\(key)' of \(what) must be true or false, found \(found)", at: node.range))
            return nil
        }
        return Located(text == "true", range: node.range)
    }

    /// The name of an environment variable: checked for form, and refused when it looks like the secret itself.
    mutating func environmentName(
        _ fields: Fields, _ key: String, what: String, required: Bool = false
    ) -> Located<String>? {
        guard let name = text(fields, key, what: what, required: required) else { return nil }
        if Self.looksLikeSecret(name.value) {
            redactions.append(name.range)
            diagnostics.append(
                ConfigRules.secretInFile.diagnostic(
                    "'\(key)' of \(what) must name an environment variable, and this value looks like the secret "
                        + "itself; put the secret in the environment and write the variable's name here",
                    at: name.range))
            return nil
        }
        guard Self.isEnvironmentName(name.value), name.value.utf8.count <= 63 else {
            diagnostics.append(
                ConfigRules.invalidValue.diagnostic(
                    "'\(key)' of \(what) must name an environment variable (letters, digits and '_', not starting "
                        + "with a digit, at most 63 characters), found '\(name.value)'", at: name.range))
            return nil
        }
        return name
    }

    /// The value of the environment variable `name`, or `nil` (reported) when it is unset or empty.
    mutating func secret(_ name: Located<String>, purpose: String) -> String? {
        guard needsSecrets else { return "" }
        guard let value = environment[name.value], !value.isEmpty else {
            let state = environment[name.value] == nil ? "is not set" : "is set but empty"
            diagnostics.append(
                ConfigRules.missingEnvironment.diagnostic(
                    "environment variable '\(name.value)' \(state); it must hold \(purpose)", at: name.range))
            return nil
        }
        if let problem = Self.secretFormProblem(value) {
            diagnostics.append(
                ConfigRules.invalidValue.diagnostic(
                    "environment variable '\(name.value)' holds \(problem); it must hold \(purpose), one line "
                        + "without control characters or white space at its ends: set it again without them (a "
                        + "file saved with Windows line ends leaves a carriage return)", at: name.range))
            return nil
        }
        return value
    }

    /// What is wrong with the form of a secret, or `nil`: a control character (a carriage return from a file
    /// with Windows line ends, a line break) or white space at either end is a paste error. It would also go into
    /// an HTTP header as is, where the client refuses it and its error quotes the whole header: the secret would
    /// end up in the logs. The secret's value is never part of the answer.
    static func secretFormProblem(_ value: String) -> String? {
        for (index, scalar) in value.unicodeScalars.enumerated() where scalar.properties.generalCategory == .control {
            let name: String
            switch scalar {
            case "\r": name = "a carriage return"
            case "\n": name = "a line break"
            case "\t": name = "a tab"
            default: name = "a control character"
            }
            return "\(name) (\(scalar.codePoint)) at character \(index + 1)"
        }
        if let first = value.unicodeScalars.first, first.properties.isWhitespace { return "white space at its start" }
        if let last = value.unicodeScalars.last, last.properties.isWhitespace { return "white space at its end" }
        return nil
    }

    /// Reports keys outside `allowed`: secret-looking ones as secrets in the file (their values masked),
    /// the others with the closest allowed key as a suggestion.
    mutating func checkKeys(_ fields: Fields, allowed: [String], what: String) {
        for pair in fields.pairs where !allowed.contains(pair.key) {
            if let advice = Self.secretAdvice(forKey: pair.key, allowed: allowed) {
                redactions.append(pair.value.range)
                diagnostics.append(
                    ConfigRules.secretInFile.diagnostic(
                        "'\(pair.key)' in \(what) would put a secret in the configuration file; \(advice)",
                        at: pair.keyRange))
                continue
            }
            diagnostics.append(
                ConfigRules.unknownKey.diagnostic(
                    "unknown key '\(pair.key)' in \(what); allowed keys are "
                        + allowed.map { "'\($0)'" }.joined(separator: ", "),
                    at: pair.keyRange,
                    suggestion: Suggestions.closest(to: pair.key, in: allowed).map { "did you mean '\($0)'?" }))
        }
    }

    /// The source with every value to mask replaced by `*`, one per character, so that columns stay right.
    func redactedSource(_ bytes: [UInt8]) -> String {
        guard !redactions.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let ranges = redactions.map { max(0, $0.start.offset)..<min(bytes.count, max($0.start.offset, $0.end.offset)) }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = max(1, min(SourceText.scalarLength(leadingByte: byte), bytes.count - index))
            if byte != 0x0A, byte != 0x0D, ranges.contains(where: { $0.contains(index) }) {
                out.append(UInt8(ascii: "*"))
            } else {
                out.append(contentsOf: bytes[index..<index + length])
            }
            index += length
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Value forms

    /// Agent names compare ignoring case and surrounding spaces, as the flow's `duplicate_agent` rule does.
    static func agentKey(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// POSIX-style variable names: letters, digits and `_`, not starting with a digit.
    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// Whether a value meant to be a variable name looks like a secret instead: long, with letters and digits
    /// and no `_` (Meta's app secrets are 32 hex digits, access tokens are hundreds of characters). Names of
    /// variables are words joined by `_`.
    static func looksLikeSecret(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard scalars.count >= 24, !text.contains("_") else { return false }
        return scalars.contains { ("0"..."9").contains($0) } && scalars.contains { $0.properties.isAlphabetic }
    }

    /// What to write instead, when `key` names a secret rather than a setting; `nil` for ordinary keys.
    static func secretAdvice(forKey key: String, allowed: [String]) -> String? {
        let lower = key.lowercased()
        if lower.hasSuffix("_env") || lower.hasSuffix("_sha256") { return nil }
        if allowed.contains(lower + "_env") {
            return "put it in an environment variable and name the variable with '\(lower)_env'"
        }
        if allowed.contains("key_sha256"), lower == "key" || lower == "api_key" || lower == "token" {
            return "write the SHA-256 of the key as 'key_sha256' (printf %s \"$KEY\" | sha256sum)"
        }
        let markers = ["secret", "token", "password", "passwd", "api_key", "apikey", "private_key"]
        if markers.contains(where: { lower.contains($0) }) || lower == "key" || lower.hasSuffix("_key") {
            return "secrets live only in environment variables, and this file names them with an '_env' key"
        }
        return nil
    }

    /// An `http`/`https` origin without a trailing slash, or `nil` when `text` is not one.
    static func origin(_ given: String) -> String? {
        // The scheme is case-insensitive (RFC 3986); the origin keeps it in lower case.
        guard let separator = given.range(of: "://") else { return nil }
        let scheme = given[..<separator.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return nil }
        let text = scheme + given[separator.lowerBound...]
        var rest: Substring = text.dropFirst(scheme.count + 3)
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@"),
            !rest.contains(where: \.isWhitespace)
        else { return nil }
        // host[:port], an IPv6 host in brackets.
        var host = rest
        var port: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
            guard host.contains(":"), hostProblem(String(host)) == nil else { return nil }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                port = rest[rest.index(after: colon)...]
            }
            guard !host.contains(":"), hostProblem(String(host)) == nil else { return nil }
        }
        if let port {
            // Digits only: `Int` would also read a sign, `:+443`.
            guard port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port), (1...65535).contains(number)
            else { return nil }
        }
        return String(text[..<rest.endIndex])
    }

    /// An ASCII letter, digit or '-'.
    static func isHostNameByte(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "-")
    }

    /// What is wrong with a host to listen on or to call, or `nil` for an IPv4 or IPv6 address (without
    /// brackets) or a DNS name (letters, digits and '-' in dot-separated labels of 63 at most, 253 in all).
    static func hostProblem(_ host: String) -> String? {
        if host.isEmpty { return "it is empty" }
        if host.hasPrefix("[") { return "write an IPv6 address without brackets" }
        if host.contains("://") { return "write the host alone, without 'http://' or a path" }
        if host.contains("\u{0}") { return "it contains a NUL character" }
        var address = in6_addr()
        if host.contains(":") {
            if inet_pton(AF_INET6, host, &address) == 1 { return nil }
            if host.contains("%") {
                return "an IPv6 zone id ('%' and an interface) is not supported; write the address without it, or "
                    + "'::' to listen on every address"
            }
            let parts = host.split(separator: ":", omittingEmptySubsequences: false)
            let portAfterHost =
                parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
                && parts[1].allSatisfy { $0.isASCII && $0.isNumber }
            return portAfterHost
                ? "write the port under 'port', not after the host" : "'\(host)' is not an IPv6 address"
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            var ipv4 = in_addr()
            return labels.count == 4 && inet_pton(AF_INET, host, &ipv4) == 1 ? nil : "'\(host)' is not an IPv4 address"
        }
        let valid =
            host.utf8.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy(Self.isHostNameByte)
            }
        return valid ? nil : "'\(host)' is not a host name (letters, digits and '-' between dots)"
    }

    /// `v` followed by a major and a minor number, as in `v23.0`.
    static func isGraphVersion(_ text: String) -> Bool {
        guard text.hasPrefix("v") else { return false }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
