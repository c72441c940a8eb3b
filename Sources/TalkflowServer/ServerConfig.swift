import FlowDiagnostics
import Storage

/// Everything `talkflow serve` reads from its configuration file: the server's own settings and one entry
/// per tenant. `ConfigLoader` builds it and has checked every field; no secret is ever part of it (the file
/// holds only the names of the environment variables that carry them).
public struct ServerConfig: Sendable {
    /// The configuration file as the operator named it; relative paths inside it are relative to its folder.
    public var path: String
    /// The settings shared by every tenant.
    public var server: ServerSettings
    /// The tenants, in the file's order.
    public var tenants: [TenantConfig]

    /// A configuration as `ConfigLoader` builds it.
    public init(path: String, server: ServerSettings, tenants: [TenantConfig]) {
        self.path = path
        self.server = server
        self.tenants = tenants
    }
}

/// The settings shared by every tenant. The defaults suit a server behind a reverse proxy on the same host.
public struct ServerSettings: Sendable, Equatable {
    /// Address to listen on. Default `127.0.0.1`: TLS ends at the reverse proxy, which runs on the same host.
    public var host: String
    /// TCP port. Default 8080; 0 asks the system for any free port (tests).
    public var port: Int
    /// Graph API origin, without a trailing slash. Default `https://graph.facebook.com`; tests point it at a
    /// fake Graph API on loopback.
    public var graphAPIURL: String
    /// Graph API version, a path segment such as `v23.0`.
    public var graphAPIVersion: String
    /// Messages per second sent from one phone number. Default 80, Meta's default throughput per number.
    public var sendRatePerNumber: Int
    /// Where conversations are stored (Storage's `StoreLocation`), written `sqlite:PATH` in the file. A relative
    /// `PATH` is resolved against the configuration file's folder, so the server finds the same database
    /// whatever its working directory.
    public var store: StoreLocation
    /// Name of the environment variable holding the key of the admin endpoints (`POST /admin/reload`);
    /// `nil` disables them.
    public var adminKeyEnv: String?
    /// Largest webhook body accepted, in bytes; larger ones get 413. Default 4 MiB: Meta's webhook payloads reach
    /// 3 MB (up to 1,000 updates in one POST), and a 413 would be retried until Meta drops the batch.
    public var webhookBodyLimit: Int
    /// Whether each processed inbound message is marked as read (the contact sees blue ticks). Default `true`.
    public var markRead: Bool

    /// The defaults, used for every key the file leaves out.
    public static let defaults = ServerSettings(
        host: "127.0.0.1", port: 8080, graphAPIURL: "https://graph.facebook.com", graphAPIVersion: "v23.0",
        sendRatePerNumber: 80, store: .sqlite(path: "talkflow.sqlite"), adminKeyEnv: nil,
        webhookBodyLimit: 4 * 1024 * 1024)

    /// Settings with every value given (see `defaults`).
    public init(
        host: String, port: Int, graphAPIURL: String, graphAPIVersion: String, sendRatePerNumber: Int,
        store: StoreLocation, adminKeyEnv: String?, webhookBodyLimit: Int, markRead: Bool = true
    ) {
        self.host = host
        self.port = port
        self.graphAPIURL = graphAPIURL
        self.graphAPIVersion = graphAPIVersion
        self.sendRatePerNumber = sendRatePerNumber
        self.store = store
        self.adminKeyEnv = adminKeyEnv
        self.webhookBodyLimit = webhookBodyLimit
        self.markRead = markRead
    }
}

/// One tenant: a WhatsApp number, the environment variables holding its credentials, its flow, and the
/// agents who may use the agent API. Ranges point into the configuration file, for later diagnostics (a
/// reloaded flow that drops a queue the configuration overrides is reported at the override).
public struct TenantConfig: Sendable {
    /// Short stable name, used in logs, metrics and storage keys.
    public var id: String
    /// Meta's phone-number id (digits), which webhooks carry in `metadata.phone_number_id`.
    public var phoneNumberID: String
    /// Environment variable with the Meta app secret, which signs webhooks.
    public var appSecretEnv: String
    /// Environment variable with the verify token of the webhook handshake.
    public var verifyTokenEnv: String
    /// Environment variable with the Graph API access token.
    public var accessTokenEnv: String
    /// The flow file as shown to people: joined to the configuration file's folder when relative.
    public var flowPath: String
    /// Where `flow:` is written in the configuration file.
    public var flowRange: SourceRange
    /// Credentials of the agent API; only SHA-256 hashes of the keys.
    public var agents: [AgentCredential]
    /// Agent lists that replace those of the flow's queues, by queue name.
    public var queueOverrides: [QueueOverride]
    /// Days the conversation log is kept (`log_retention_days`); `nil` keeps it (the consent ledger is kept
    /// whatever this says).
    public var logRetentionDays: Int?

    /// A tenant as `ConfigLoader` builds it; tests build them directly.
    public init(
        id: String, phoneNumberID: String, appSecretEnv: String, verifyTokenEnv: String, accessTokenEnv: String,
        flowPath: String, flowRange: SourceRange = .fileStart, agents: [AgentCredential] = [],
        queueOverrides: [QueueOverride] = [], logRetentionDays: Int? = nil
    ) {
        self.logRetentionDays = logRetentionDays
        self.id = id
        self.phoneNumberID = phoneNumberID
        self.appSecretEnv = appSecretEnv
        self.verifyTokenEnv = verifyTokenEnv
        self.accessTokenEnv = accessTokenEnv
        self.flowPath = flowPath
        self.flowRange = flowRange
        self.agents = agents
        self.queueOverrides = queueOverrides
    }
}

/// An agent's identity for the agent API. The configuration holds the SHA-256 of the agent's key, never the
/// key: keys are long random tokens (not passwords), so one unsalted hash is enough to make a leaked file
/// useless, and rotating a key is a one-line change with no environment variable per agent.
public struct AgentCredential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The agent's name, as the flow's queues list it.
    public var agent: String
    /// SHA-256 of the key, 32 bytes.
    public var keyHash: [UInt8]
    /// Whether the key may use the tenant's admin operations (consent export, reassigning).
    public var admin: Bool

    /// A credential from a key's hash.
    public init(agent: String, keyHash: [UInt8], admin: Bool = false) {
        self.agent = agent
        self.keyHash = keyHash
        self.admin = admin
    }

    /// The agent and the role, never the key's hash: the hash verifies the key, so a log line, a test failure
    /// or a crash report that printed it would hand out what the configuration file alone should hold.
    public var description: String { "AgentCredential(agent: \"\(agent)\", admin: \(admin))" }
    /// As `description`: without the key's hash.
    public var debugDescription: String { description }
    /// Only the agent and the role, so that `dump` shows no hash either.
    public var customMirror: Mirror { Mirror(self, children: ["agent": agent, "admin": admin]) }
}

/// A queue whose agents the configuration sets instead of the flow: a deployment's staff changes more often
/// than its flow, and one flow file may serve several tenants with different teams.
public struct QueueOverride: Sendable, Equatable {
    /// The queue's name, as declared in the flow.
    public var queue: String
    /// Its agents, in rotation order.
    public var agents: [String]
    /// Where the queue's name is written in the configuration file.
    public var range: SourceRange

    /// An override of `queue`'s agents.
    public init(queue: String, agents: [String], range: SourceRange = .fileStart) {
        self.queue = queue
        self.agents = agents
        self.range = range
    }
}

/// A tenant's credentials, read from the environment at start-up. Printing it (in a log line, a test
/// failure, a crash report) never shows them.
public struct TenantSecrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Meta app secret: the HMAC key of `X-Hub-Signature-256`.
    public var appSecret: String
    /// Token Meta echoes in the webhook verification handshake.
    public var verifyToken: String
    /// Bearer token of the Graph API.
    public var accessToken: String

    /// Secrets as read from the environment.
    public init(appSecret: String, verifyToken: String, accessToken: String) {
        self.appSecret = appSecret
        self.verifyToken = verifyToken
        self.accessToken = accessToken
    }

    /// Never the secrets themselves.
    public var description: String { "TenantSecrets(redacted)" }
    /// Never the secrets themselves.
    public var debugDescription: String { description }
    /// No children, so that `dump` and test failures show no secret.
    public var customMirror: Mirror { Mirror(self, children: []) }
}
