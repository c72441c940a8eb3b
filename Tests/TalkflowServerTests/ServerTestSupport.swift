import FlowDiagnostics
import Foundation
import GraphAPITestSupport
import Logging
import NIOCore
import NIOPosix
import ProcessTestSupport
import ServiceLifecycle
import Storage
import Synchronization
import Testing
import WhatsAppCloud

@testable import TalkflowServer

/// The repository's root, found from this file's place (`Tests/TalkflowServerTests/ServerTestSupport.swift`).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The text of a shipped flow (`Flows/NAME`), which lints without errors.
func shippedFlow(_ name: String) throws -> String {
    try String(contentsOf: repositoryRoot.appending(path: "Flows/\(name)"), encoding: .utf8)
}

/// The lower-case hex SHA-256 of a file as the system's `sha256sum` prints it: a check made without talkflow.
func sha256sum(_ path: String) throws -> String {
    let data = try ChildProcess.output(of: "/usr/bin/sha256sum", [path])
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}

/// A fresh folder under the system's temporary folder, removed when the test ends (`defer { folder.remove() }`).
struct TestFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "talkflow-server-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the folder and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        let parent = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The environment of the test tenants: `acme` and `beta` share one Meta app (one app secret), `gamma` has its
/// own app.
let testEnvironment: [String: String] = [
    "ACME_APP_SECRET": "shared-app-secret", "ACME_VERIFY_TOKEN": "acme-verify", "ACME_ACCESS_TOKEN": "acme-access",
    "BETA_APP_SECRET": "shared-app-secret", "BETA_VERIFY_TOKEN": "beta-verify", "BETA_ACCESS_TOKEN": "beta-access",
    "GAMMA_APP_SECRET": "gamma-app-secret", "GAMMA_VERIFY_TOKEN": "gamma-verify",
    "GAMMA_ACCESS_TOKEN": "gamma-access", "TALKFLOW_ADMIN_KEY": "admin-key-for-tests",
]

/// Phone-number ids of the test tenants.
enum Phone {
    static let acme = "1000000001"
    static let beta = "1000000002"
    static let gamma = "1000000003"
    static let unknown = "1999999999"
}

/// A configuration with the three test tenants, each on its own copy of a shipped flow (`acme.yaml`: the FAQ
/// bot; `beta.yaml` and `gamma.yaml`: the support desk). `server` is put under `server:` as written.
func standardConfig(server: String = "  port: 0\n  admin_key_env: TALKFLOW_ADMIN_KEY\n") -> String {
    """
    server:
    \(server)
    tenants:
      - id: acme
        phone_number_id: "\(Phone.acme)"
        app_secret_env: ACME_APP_SECRET
        verify_token_env: ACME_VERIFY_TOKEN
        access_token_env: ACME_ACCESS_TOKEN
        flow: flows/acme.yaml
      - id: beta
        phone_number_id: "\(Phone.beta)"
        app_secret_env: BETA_APP_SECRET
        verify_token_env: BETA_VERIFY_TOKEN
        access_token_env: BETA_ACCESS_TOKEN
        flow: flows/beta.yaml
      - id: gamma
        phone_number_id: "\(Phone.gamma)"
        app_secret_env: GAMMA_APP_SECRET
        verify_token_env: GAMMA_VERIFY_TOKEN
        access_token_env: GAMMA_ACCESS_TOKEN
        flow: flows/gamma.yaml

    """
}

/// Writes the standard configuration and its flows into `folder`; returns the configuration's path.
@discardableResult
func writeStandardSetup(in folder: TestFolder, config: String = standardConfig()) throws -> String {
    try folder.write("flows/acme.yaml", try shippedFlow("faq.yaml"))
    try folder.write("flows/beta.yaml", try shippedFlow("support.yaml"))
    try folder.write("flows/gamma.yaml", try shippedFlow("support.yaml"))
    return try folder.write("talkflow.yaml", config)
}

/// Loads a configuration that must be valid, failing the test with the rendered diagnostics otherwise.
func loadValid(
    _ path: String, environment: [String: String] = testEnvironment,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> LoadedConfig {
    let result = ConfigLoader.load(path: path, environment: environment)
    let rendered = TextRenderer.render(files: result.files, colors: false)
    return try #require(result.loaded, "\(rendered)", sourceLocation: sourceLocation)
}

/// A webhook body as Meta sends it: one text message from a contact to `phoneNumberID` (compact JSON, `/`
/// escaped), or several changes when more numbers are given.
func textWebhook(
    to phoneNumberIDs: [String], text: String = "hola", messageID: String = "wamid.TEST1"
) -> [UInt8] {
    let changes = phoneNumberIDs.enumerated().map { index, phone in
        """
        {"field":"messages","value":{"messaging_product":"whatsapp",\
        "metadata":{"display_phone_number":"15550000000","phone_number_id":"\(phone)"},\
        "contacts":[{"profile":{"name":"Ana P\\u00e9rez"},"wa_id":"573001112233"}],\
        "messages":[{"from":"573001112233","id":"\(messageID).\(index)","timestamp":"1750000000",\
        "type":"text","text":{"body":"\(text)"}}]}}
        """
    }
    let json = """
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[\
        \(changes.joined(separator: ","))]}]}
        """
    return Array(json.utf8)
}

/// The `X-Hub-Signature-256` value Meta would send for `body` with `appSecret`.
func signature(_ body: [UInt8], appSecret: String = "shared-app-secret") -> String {
    WebhookSignature(appSecret: appSecret).header(for: body)
}

/// A log handler that keeps every record, so that tests can assert what the server logs (and what it never
/// logs: message bodies, secrets).
final class LogRecorder: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    /// A logger whose records go here, at every level.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// Every record's message and metadata as one text, for "never contains" assertions.
    var text: String {
        all.map { "\($0.level) \($0.message) \($0.metadata.sorted { $0.key < $1.key })" }.joined(separator: "\n")
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            recorder.append(
                Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// The value of one sample of the Prometheus exposition, such as `talkflow_failures_total{kind="signature"}`.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Runs a live server with inbound processing and its outbox worker on a free port of 127.0.0.1 for `body`,
/// then shuts both down, also when `body` throws. The end-to-end, agent-API and concurrency tests share it.
/// With `logs`, the server logs there at `logLevel` (`info` is the default of `talkflow serve`); otherwise it is
/// quiet.
func withLiveServer(
    _ loaded: LoadedConfig, label: String, clock: @escaping @Sendable () -> Int64, logs: LogRecorder? = nil,
    logLevel: Logger.Level = .info,
    _ body: (_ port: Int, _ store: SQLiteStore, _ processing: ConversationProcessing) async throws -> Void
) async throws {
    var logger = logs?.logger(label: label) ?? Logger(label: label)
    logger.logLevel = logs == nil ? .critical : logLevel
    let store = try SQLiteStore.open(loaded.config.server.store, logger: logger)
    let processing = ConversationProcessing(
        store: store, settings: loaded.config.server,
        workerSettings: OutboxWorker.Settings(pollInterval: .milliseconds(100)), clock: clock, logger: logger)
    let app = ServerApp(loaded: loaded, processing: processing, logger: logger)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let application = app.application(reloadOnHangup: false) { port in portContinuation.yield(port) }
    let group = ServiceGroup(services: [application], logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(port, store, processing)
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            try? await processing.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
    try await processing.shutdown()
}

/// An answer `rawRequest` read: the status, the headers (names in lower case), the body, and the agent API's
/// error code if the body has one.
struct RawAnswer {
    var status: Int
    var headers: [String: String]
    var body: String
    var code: String? {
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (json?["error"] as? [String: Any])?["code"] as? String
    }
}

/// Sends `METHOD path` exactly as written to the server at `base` (`http://127.0.0.1:PORT`) over its own TCP
/// connection: an HTTP client will not send every method, nor every path (AsyncHTTPClient sends `/` for a path
/// whose escapes are not UTF-8). An event stream's answer is its head.
func rawRequest(_ base: String, _ method: String, _ path: String, headers: [String: String] = [:]) async throws
    -> RawAnswer
{
    let port = Int(base.split(separator: ":").last ?? "") ?? 0
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    let text = try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request + "\r\n"))
        var received = ""
        for try await chunk in inbound {
            received += String(buffer: chunk)
            // An event stream does not end: its head is the answer.
            if received.contains("text/event-stream"), received.contains("\r\n\r\n") { break }
        }
        return received
    }
    let parts = text.components(separatedBy: "\r\n\r\n")
    let lines = (parts.first ?? "").components(separatedBy: "\r\n")
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return RawAnswer(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
}
