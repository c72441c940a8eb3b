import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import UnixSignals

/// The talkflow server: the Hummingbird application with its routes, built from a checked configuration.
///
/// Routes: `GET`/`POST /webhook` (Meta), `GET /healthz`, `GET /readyz`, `GET /metrics` (Prometheus) and
/// `POST /admin/reload` (when an admin key is configured). Only `/webhook` is meant to be reachable from the
/// internet; the reverse proxy keeps the others internal (Docs/operations.md).
public struct ServerApp: Sendable {
    /// The `server` section of the configuration.
    public let settings: ServerSettings
    /// The tenants, looked up by every webhook and reloaded by SIGHUP and the admin route.
    public let registry: TenantRegistry
    /// The metrics `/metrics` renders.
    public let metrics: ServerMetrics
    /// What `POST /webhook` hands each body to.
    public let handler: any WebhookHandler
    /// The checks of `/readyz`.
    public let readiness: [ReadinessCheck]
    /// The server's logger; requests add `hb.request.id`, tenant work adds `tenant`.
    public let logger: Logger
    /// The store, Graph API client and outbox signal; `nil` for a server that only verifies and logs webhooks
    /// (route tests).
    public let processing: ConversationProcessing?
    /// The admin key, `nil` when the admin routes are off.
    let adminKey: String?

    /// A server for `loaded`. With `processing`, the webhook handler verifies signatures and hands each tenant's
    /// updates to an `InboundProcessor`, and the application runs an `OutboxWorker`; without it, updates go to
    /// the `LoggingUpdateProcessor` and nothing is stored or sent. `/readyz` checks the configuration and the
    /// SQLite file's folder. `open(loaded:logger:)` builds the processing from the configuration.
    public init(
        loaded: LoadedConfig,
        registry: TenantRegistry? = nil,
        handler: (any WebhookHandler)? = nil,
        processing: ConversationProcessing? = nil,
        metrics: ServerMetrics? = nil,
        readiness: [ReadinessCheck]? = nil,
        logger: Logger = Logger(label: "talkflow.server")
    ) {
        let registry = registry ?? TenantRegistry(loaded, logger: logger)
        let metrics = metrics ?? ServerMetrics(tenants: loaded.tenants.map(\.id))
        self.settings = loaded.config.server
        self.registry = registry
        self.metrics = metrics
        self.processing = processing
        if let handler {
            self.handler = handler
        } else if let processing {
            self.handler = VerifyingWebhookHandler(
                registry: registry, processor: processing.processor(metrics: metrics))
        } else {
            self.handler = VerifyingWebhookHandler(registry: registry)
        }
        var checks = [ReadinessCheck.configuration(registry)]
        if case .sqlite(let path) = loaded.config.server.store { checks.append(.sqliteFile(path: path)) }
        self.readiness = readiness ?? checks
        self.adminKey = loaded.adminKey
        self.logger = logger
        if let processing {
            Self.keepFlowLayouts(registry: registry, processing: processing, logger: logger)
            Self.warnOfDepartedAgents(registry: registry, store: processing.store, logger: logger)
        }
    }

    /// Logs a warning for each agent who holds conversations (queued for them or with them) and is no longer in
    /// the tenant's configuration (no credential, in no queue): nobody can answer those contacts, whose messages
    /// go to no event stream, until an admin reassigns or closes them (the list's `?agent=` still finds them).
    /// A tenant that lists agents but no admin gets a warning too: nobody could reassign or close another agent's
    /// conversations (those of an agent who is gone included).
    static func warnOfDepartedAgents(registry: TenantRegistry, store: any ConversationStore, logger: Logger) {
        for tenant in registry.tenants {
            if !tenant.config.agents.isEmpty, !tenant.config.agents.contains(where: \.admin) {
                var log = logger
                log[metadataKey: "tenant"] = "\(tenant.id)"
                log.warning(
                    "the tenant lists agents but no admin; nobody can reassign or close another agent's conversations")
            }
            let known = AgentRoutes.agents(of: tenant)
            guard let held = try? store.handoffsByAgent(tenant: tenant.id) else { continue }
            for (agent, count) in held.sorted(by: { $0.key < $1.key }) where !known.contains(agent) {
                var log = logger
                log[metadataKey: "tenant"] = "\(tenant.id)"
                log.warning(
                    "an agent no longer in the configuration holds conversations; reassign or close them",
                    metadata: ["agent": "\(agent)", "conversations": "\(count)"])
            }
        }
    }

    /// Teaches each tenant's flow the layouts its store kept from earlier runs, and keeps the running flows'
    /// layouts (and those of later reloads) there: a conversation stepped before a restart with an edited flow
    /// is then carried over by name, as one stepped before a reload is. A store that cannot be read or written
    /// only costs that: the conversation is taken to be of the running flow, as before.
    static func keepFlowLayouts(registry: TenantRegistry, processing: ConversationProcessing, logger: Logger) {
        let store = processing.store
        let clock = processing.clock
        let record: @Sendable (String, CompiledFlow) -> Void = { tenant, flow in
            do {
                try store.recordFlowLayout(
                    tenant: tenant, version: flow.layoutVersion, layout: flow.layout, at: clock())
            } catch {
                var log = logger
                log[metadataKey: "tenant"] = "\(tenant)"
                log.warning("flow layout not kept", metadata: ["error": "\(error)"])
            }
        }
        for tenant in registry.tenants {
            do {
                registry.know(try store.flowLayouts(tenant: tenant.id), tenant: tenant.id)
            } catch {
                var log = logger
                log[metadataKey: "tenant"] = "\(tenant.id)"
                log.warning("flow layouts of earlier runs not read", metadata: ["error": "\(error)"])
            }
            record(tenant.id, tenant.flow)
        }
        registry.onReloadedFlow(record)
    }

    /// The server `talkflow serve` runs: `loaded`'s tenants, with the store `server.store` names opened (and
    /// migrated) and the Graph API at `server.graph_api_url`. Throws when the store cannot be opened.
    public static func open(loaded: LoadedConfig, logger: Logger = Logger(label: "talkflow.server")) throws
        -> ServerApp
    {
        let processing = try ConversationProcessing.open(settings: loaded.config.server, logger: logger)
        return ServerApp(loaded: loaded, processing: processing, logger: logger)
    }

    /// Every route of the server.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        WebhookRoutes(registry: registry, handler: handler, metrics: metrics, bodyLimit: settings.webhookBodyLimit)
            .register(on: router)
        HealthRoutes(checks: readiness).register(on: router)
        let metrics = metrics
        router.get("metrics") { _, _ -> Response in
            HealthRoutes.text(.ok, metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        AdminRoutes(registry: registry, adminKey: adminKey).register(on: router)
        TemplateRoutes(registry: registry, processing: processing, adminKey: adminKey).register(on: router)
        // Without an admin key the template route is absent: any method on it is 404 `no_such_route`.
        var apiRoutes = adminKey == nil ? [] : [TemplateRoutes.fallbackRoute]
        if let processing {
            AgentRoutes(registry: registry, processing: processing).register(on: router)
            apiRoutes += AgentRoutes.fallbackRoutes
        }
        // After every route, so that it only answers what no route takes (see `APIFallback`).
        router.add(middleware: APIFallback(routes: apiRoutes))
        return router
    }

    /// The application listening on the configured host and port.
    ///
    /// - Parameters:
    ///   - reloadOnHangup: whether SIGHUP reloads the flows (a test running several servers in one process may
    ///     turn it off).
    ///   - stalledConnectionTimeout: how long a connection may neither send nor receive before it is closed
    ///     (`StalledConnections`).
    ///   - shutdownDrain: how long after a graceful shutdown starts a connection is closed whatever it has not
    ///     taken (`ShutdownDrain`).
    ///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
    public func application(
        reloadOnHangup: Bool = true, stalledConnectionTimeout: TimeAmount = StalledConnections.timeout,
        shutdownDrain: TimeAmount = ShutdownDrain.limit,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        var services: [any Service] = []
        if reloadOnHangup { services.append(HangupReloadService(registry: registry, logger: logger)) }
        // Hummingbird stops its services after the HTTP server, so no webhook enqueues once the worker stops.
        if let processing { services.append(processing.worker(registry: registry, metrics: metrics, logger: logger)) }
        if let processing {
            services.append(
                RetentionService(
                    store: processing.store, registry: registry, clock: processing.clock, logger: logger,
                    clockAgreement: processing.clockAgreement))
        }
        let logger = logger
        let host = settings.host
        return Application(
            router: router(),
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: StalledConnections.handlers(timeout: stalledConnectionTimeout)
                        + [ConnectRequests(), ShutdownDrain.handler(limit: shutdownDrain)]),
                webhookBodyLimit: settings.webhookBodyLimit),
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port)),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("talkflow serve listening", metadata: ["host": "\(host)", "port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
    }

    /// Runs the server until SIGTERM or SIGINT, then shuts down gracefully: it stops accepting connections,
    /// ends the agents' event streams, finishes the requests in flight (closing, `ShutdownDrain.limit` after the
    /// signal, a connection whose client does not take its answer), lets the outbox worker finish the sends in
    /// flight, and closes the Graph API client before returning.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        do {
            try await application(onServerRunning: onServerRunning)
                .runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            try? await processing?.shutdown()
            throw error
        }
        try await processing?.shutdown()
    }
}

/// Reloads every tenant's flow on SIGHUP, the Unix convention for "re-read your configuration", until the
/// server shuts down. A refused flow is logged with its error count and the old one keeps running.
public struct HangupReloadService: Service {
    let registry: TenantRegistry
    let logger: Logger
    let onListening: @Sendable () async -> Void

    /// A service reloading `registry`; `onListening` runs once SIGHUP is trapped (tests wait for it before
    /// sending the signal).
    public init(registry: TenantRegistry, logger: Logger, onListening: @escaping @Sendable () async -> Void = {}) {
        self.registry = registry
        self.logger = logger
        self.onListening = onListening
    }

    /// Reloads on every SIGHUP until graceful shutdown.
    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await onListening()
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP received: reloading flows")
            let report = registry.reload()
            if !report.refused.isEmpty {
                logger.error(
                    "some flows were refused; they keep their previous flow",
                    metadata: ["tenants": "\(report.refused)"])
            }
        }
    }
}
