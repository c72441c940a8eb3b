import ArgumentParser
import FlowDiagnostics
import Foundation
import Logging
import NIOCore
import Storage
import TalkflowServer

/// `talkflow serve --config FILE`: checks the configuration and every tenant's flow, then runs the WhatsApp Cloud
/// API webhook server until SIGTERM or SIGINT. A thin shell: loading, checking and serving live in
/// `TalkflowServer`; this command only reads the environment, prints diagnostics and sets up logging.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the WhatsApp webhook server for the tenants of a configuration file.",
        discussion: """
            FILE is a YAML configuration (see config.example.yaml, Schemas/config.schema.json and \
            Docs/operations.md): server settings and, per tenant, its phone-number id, the names of the \
            environment variables holding its secrets, and its flow. Before listening, everything is checked: \
            the file's shape, secrets written in it, duplicate ids, environment variables that are not set and \
            each tenant's flow. Every problem is printed on stderr as path:line:col, flows' problems at the \
            flow's own lines, and the server does not start.

            Logs go to stderr. SIGHUP (or POST /admin/reload with the admin key) reloads every flow: a flow \
            with errors is refused and the previous one keeps running. SIGTERM or SIGINT stop the server \
            gracefully: it stops accepting connections, ends the agents' event streams and finishes the \
            requests in flight; 3 seconds after the signal it closes any connection whose client is not \
            reading what it was sent. Either signal while the server is still starting (before it listens) \
            stops it at once: nothing is in flight yet.

            Exit status:
              0   stopped by SIGTERM or SIGINT
              1   the configuration or a flow has errors, or the server failed
                  (port in use, another server already serving the SQLite
                  store, ...)
              64  usage error (unknown option, no --config or an empty one)
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String

    @Option(
        help: ArgumentHelp(
            "Least severe log level written: trace, debug, info, notice, warning, error or critical.",
            valueName: "level"))
    var logLevel: String = "info"

    @Option(
        help: ArgumentHelp(
            "When to colour diagnostics: auto (only when stderr is a terminal and NO_COLOR is unset or empty), "
                + "always or never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    /// Rejects an empty configuration path and an unknown log level before anything is read (exit 64).
    func validate() throws {
        try Self.requireConfigPath(config)
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "unknown log level '\(logLevel)'; use one of "
                    + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// An empty `--config` names no file: a usage error (exit 64), as an empty required value is for every
    /// command. `send-template` takes the same option.
    static func requireConfigPath(_ config: String) throws {
        guard !config.isEmpty else {
            throw ValidationError("the configuration path is empty: name the file, e.g. --config config.yaml")
        }
    }

    /// Loads and checks the configuration, prints its diagnostics, then serves until told to stop.
    func run() async throws {
        // Until the server traps SIGHUP to reload (once the flows are loaded and the store is open), one would end
        // the process by its default action: `systemctl start` then `reload` took the service down. The flows
        // are being read then anyway, so such a signal is dropped.
        signal(SIGHUP) { _ in }
        // SIGTERM or SIGINT before the server has started ends it at once with status 0, as a stop after the start
        // does: nothing is in flight yet (the store's own transactions survive an exit), and the default action
        // would end it by the signal (status 143), which a supervisor reads as a failure. The server's own
        // handlers replace these before it accepts a connection.
        for stopSignal in [SIGTERM, SIGINT] {
            signal(stopSignal) { _ in
                let line: StaticString = "talkflow: stopped before the server started\n"
                _ = write(STDERR_FILENO, line.utf8Start, line.utf8CodeUnitCount)
                _exit(0)
            }
        }
        let result = ConfigLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
        if result.files.contains(where: { !$0.diagnostics.isEmpty }) {
            Console.err(TextRenderer.render(files: result.files, colors: color.enabled(for: STDERR_FILENO)))
            Console.err(TextRenderer.summary(files: result.files) + "\n")
        }
        guard let loaded = result.loaded else {
            Console.error("the server did not start: fix the configuration errors above")
            throw Exit.problems
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "talkflow.server")
        logger.logLevel = level
        // The address first: a server that cannot listen creates no store.
        do {
            try await ListenCheck.check(host: loaded.config.server.host, port: loaded.config.server.port)
        } catch {
            Console.error(listenFailure(error, loaded: loaded) ?? "the server did not start: \(error)")
            throw Exit.problems
        }
        let app: ServerApp
        do {
            app = try ServerApp.open(loaded: loaded, logger: logger)
        } catch {
            // A file of the store this user may not open is named with its owner (a first run as root, then the
            // service's own user), rather than SQLite's "unable to open database file".
            var reason = StoreErrorExplanation.explain(error)
            if case .sqlite(let path) = loaded.config.server.store, let denied = StoreAccess.problem(storePath: path) {
                reason = denied
            }
            if let file = loaded.storeProblem(reason) {
                Console.err(TextRenderer.render(files: [file], colors: color.enabled(for: STDERR_FILENO)))
                Console.err(TextRenderer.summary(files: [file]) + "\n")
            }
            Console.error(
                "the server did not start: cannot open the store \(loaded.config.server.store): " + reason)
            throw Exit.problems
        }
        app.metrics.bootstrapMetricsSystem()
        logger.info(
            "configuration loaded",
            metadata: [
                "config": "\(config)", "tenants": "\(loaded.tenants.map(\.id))",
                "store": "\(loaded.config.server.store)",
            ])
        do {
            try await app.run()
        } catch {
            // A store error in words an operator can act on, not the SQL statement that met it.
            Console.error(
                listenFailure(error, loaded: loaded) ?? "the server stopped: \(StoreErrorExplanation.explain(error))")
            throw Exit.problems
        }
        logger.info("talkflow serve stopped")
    }

    /// What to tell the operator when the server cannot listen (the port taken, a host that is not this
    /// machine's), or `nil` for another error.
    func listenFailure(_ error: any Error, loaded: LoadedConfig) -> String? {
        let server = loaded.config.server
        if let error = error as? IOError, error.errnoCode == EADDRINUSE {
            return "the server did not start: \(server.host):\(server.port) is already in use by another process; "
                + "stop it or set another 'port' under 'server' in \(config)"
        }
        if let error = error as? IOError, error.errnoCode == EADDRNOTAVAIL {
            return "the server did not start: cannot listen on \(server.host): the address is not one of this "
                + "machine's; set another 'host' under 'server' in \(config) (0.0.0.0 listens on every address)"
        }
        guard error is SocketAddressError || error is SocketAddressError.UnknownHost else { return nil }
        let reason = error is SocketAddressError.UnknownHost ? "no name server knows '\(server.host)'" : "\(error)"
        return "the server did not start: cannot listen on \(server.host): \(reason); set another 'host' under "
            + "'server' in \(config)"
    }
}
