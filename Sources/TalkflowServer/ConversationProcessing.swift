import AsyncHTTPClient
import Logging
import Storage
import WhatsAppCloud

/// The parts of the server that process conversations, built once and shared: the store, the Graph API client
/// (over an `HTTPClient` this object owns), and the signal from the inbound path to the outbox worker.
/// `ServerApp` makes the webhook's `InboundProcessor` and the `OutboxWorker` service from it.
public final class ConversationProcessing: Sendable {
    /// Where conversations, the outbox and the ledger live.
    public let store: any ConversationStore
    /// The HTTP client under `graph`; `shutdown()` closes it.
    public let httpClient: HTTPClient
    /// The Graph API at the configured URL and version.
    public let graph: GraphClient
    /// Rung by the processor after a commit that queued messages; awaited by the worker.
    public let signal: OutboxSignal
    /// Agent events (assignments, contact messages) for the agent API's event streams, in process.
    public let agentEvents = AgentEventBroadcaster()
    /// Whether this machine's clock agrees with WhatsApp's, from the webhooks' times; the retention purges wait
    /// for it.
    public let clockAgreement = ClockAgreement()
    /// Committed inbound messages waiting to be marked as read; `nil` when the configuration's `mark_read` is
    /// off.
    public let readReceipts: ReadReceipts?
    /// The pseudonymous conversation ids of log lines and the agent API.
    public let pseudonyms: ConversationPseudonyms
    /// The worker's pacing (its send rate is the configuration's `send_rate_per_number`).
    public let workerSettings: OutboxWorker.Settings
    /// Receipt times and outbox times, Unix seconds.
    let clock: @Sendable () -> Int64
    /// This server's claim to be the store's only sender, held while it runs (`open` takes it).
    let senderLock: SoleSenderLock?

    /// Processing over `store`, sending to the Graph API that `settings` names.
    public init(
        store: any ConversationStore, settings: ServerSettings, workerSettings: OutboxWorker.Settings? = nil,
        clock: @escaping @Sendable () -> Int64 = InboundProcessor.unixTime, senderLock: SoleSenderLock? = nil,
        logger: Logger = Logger(label: "talkflow.server")
    ) {
        self.store = store
        self.senderLock = senderLock
        self.pseudonyms = ConversationPseudonyms(store: store)
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: GraphClient.httpClientConfiguration())
        self.httpClient = httpClient
        self.graph = GraphClient(
            httpClient: httpClient,
            configuration: .init(baseURL: settings.graphAPIURL, apiVersion: settings.graphAPIVersion),
            logger: logger)
        self.signal = OutboxSignal()
        self.readReceipts = settings.markRead ? ReadReceipts() : nil
        var worker = workerSettings ?? OutboxWorker.Settings()
        worker.sendRatePerNumber = settings.sendRatePerNumber
        self.workerSettings = worker
        self.clock = clock
    }

    /// Opens the store `settings.store` names (`sqlite:PATH`, created and migrated if needed).
    public static func open(settings: ServerSettings, logger: Logger = Logger(label: "talkflow.server")) throws
        -> ConversationProcessing
    {
        let store = try SQLiteStore.open(settings.store, logger: logger)
        // Before anything is sent or released: no other server may be sending from this store.
        let lock = try SoleSenderLock(storePath: store.path)
        return ConversationProcessing(store: store, settings: settings, senderLock: lock, logger: logger)
    }

    /// The webhook's processor.
    public func processor(metrics: ServerMetrics?) -> InboundProcessor {
        InboundProcessor(
            store: store, graph: graph, metrics: metrics, signal: signal, clock: clock, events: agentEvents,
            readReceipts: readReceipts, pseudonyms: pseudonyms, clockAgreement: clockAgreement)
    }

    /// The outbox worker for `registry`'s tenants.
    public func worker(registry: TenantRegistry, metrics: ServerMetrics?, logger: Logger) -> OutboxWorker {
        var logger = logger
        logger[metadataKey: "component"] = "outbox"
        return OutboxWorker(
            store: store, graph: graph, registry: registry, signal: signal, settings: workerSettings,
            metrics: metrics, clock: clock, readReceipts: readReceipts, pseudonyms: pseudonyms, logger: logger)
    }

    /// Closes the HTTP client; call once the server has stopped.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}
