import AsyncHTTPClient
import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TalkflowJSON

#if canImport(Glibc)
    import Glibc
#endif

/// `talkflow-bench floor`: the same load as `webhooks`, against a server that does only what item 10's goal
/// cannot do without, with the parts the issue names: Hummingbird takes the signed POST and checks its signature,
/// the body is read as JSON, and one durable SQLite transaction (WAL, `synchronous = FULL`, group commit, the
/// acknowledgement after the commit) marks the message id seen, reads and writes the contact's session, logs the
/// message and queues its replies; AsyncHTTPClient sends each reply to the fake Graph API, and a second
/// transaction marks it sent with its `wamid`. No flow, no consent, no log lines, no metrics. Its CPU per inbound
/// message is the floor under `talkflow serve`'s on this machine (Docs/performance.md, "The floor").
///
/// Usage: `talkflow-bench floor [--contacts N] [--connections N] [--keep]`; `talkflow-bench floor-server
/// --graph-port P --folder F` is the server it starts.
enum FloorBenchmark {
    struct Report: Encodable {
        var benchmark = "floor"
        var contacts: Int
        var connections: Int
        var inboundMessages: Int
        var repliesSent: Int
        var postFailures: Int
        var inboundPerSecondEndToEnd: Double
        var postLatencyP50Milliseconds: Double
        var postLatencyP99Milliseconds: Double
        var serverCPUMillisecondsPerInbound: Double
        var serverCPUSeconds: Double
        var serverPeakMemoryMB: Double
        var durability = "power (PRAGMA synchronous = FULL), every transaction committed before the 200"
        var problems: [String]
    }

    static func main(_ arguments: [String]) -> Int32 {
        var contacts = 3000
        var connections = 32
        var keep = false
        var rest = arguments
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            if argument == "--keep" {
                keep = true
                continue
            }
            let value = rest.isEmpty ? "" : rest.removeFirst()
            switch argument {
            case "--contacts": contacts = max(3, Int(value) ?? contacts)
            case "--connections": connections = max(1, Int(value) ?? connections)
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)'\n".utf8))
                return 64
            }
        }
        let options = (contacts: contacts, connections: connections, keep: keep)
        return runToCompletion("floor") {
            let report = try await run(contacts: options.contacts, connections: options.connections, keep: options.keep)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return report.problems.isEmpty ? 0 : 1
        }
    }

    static func run(contacts count: Int, connections: Int, keep: Bool) async throws -> Report {
        let key = SymmetricKey(data: Array(WebhookBenchmark.appSecret.utf8))
        let contacts = (0..<count).map { String(573_100_000_000 + $0) }
        let plan = contacts.enumerated().map {
            (
                contact: $1,
                messages: WebhookBenchmark.messages(contact: $1, index: $0, phone: WebhookBenchmark.phoneNumberID(0))
            )
        }
        let signed = WebhookBenchmark.signedPlan(plan, key: key)
        let record = WebhookBenchmark.GraphRecord()
        let folder = NSTemporaryDirectory() + "talkflow-floor-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        return try await LoopbackServer.serve(WebhookBenchmark.graphAnswer(record)) { graphPort in
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let (process, port) = try await WebhookBenchmark.startServer(
                binary: me, arguments: ["floor-server", "--graph-port", String(graphPort), "--folder", folder],
                folder: folder, listening: "floor server listening")
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let pid = process.processIdentifier
            let expectedReplies = plan.count * WebhookBenchmark.repliesPerContact
            let cpuBefore = WebhookBenchmark.cpuSeconds(pid: pid)
            let result = try await LoadGenerator.run(
                port: port, path: "/webhook", plan: signed, connections: connections)
            let drainDeadline = ContinuousClock.now + .seconds(60)
            while record.count < expectedReplies, ContinuousClock.now < drainDeadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            let end = record.lastArrival.withLock { $0 } ?? .now()
            let cpu = WebhookBenchmark.cpuSeconds(pid: pid) - cpuBefore
            let peakKB = WebhookBenchmark.statusKB(pid: pid, "VmHWM")
            kill(pid, SIGTERM)
            let inbound = plan.count * 4
            var problems: [String] = []
            if result.failures > 0 { problems.append("\(result.failures) POSTs not answered 200") }
            if record.count != expectedReplies {
                problems.append("the fake received \(record.count) sends for \(expectedReplies) replies")
            }
            let sorted = result.latencies.sorted()
            return Report(
                contacts: plan.count, connections: connections, inboundMessages: inbound, repliesSent: record.count,
                postFailures: result.failures,
                inboundPerSecondEndToEnd: Double(inbound) / WebhookBenchmark.seconds(end - result.first),
                postLatencyP50Milliseconds: WebhookBenchmark.percentile(sorted, 0.5),
                postLatencyP99Milliseconds: WebhookBenchmark.percentile(sorted, 0.99),
                serverCPUMillisecondsPerInbound: cpu * 1000 / Double(inbound), serverCPUSeconds: cpu,
                serverPeakMemoryMB: Double(peakKB) / 1024, problems: problems)
        }
    }

    // MARK: - The floor server

    static func serverMain(_ arguments: [String]) -> Int32 {
        var graphPort = 0
        var folder = "."
        var rest = arguments
        while rest.count >= 2 {
            let (name, value) = (rest.removeFirst(), rest.removeFirst())
            if name == "--graph-port" { graphPort = Int(value) ?? 0 }
            if name == "--folder" { folder = value }
        }
        let settings = (graphPort: graphPort, folder: folder)
        return runToCompletion("floor-server") {
            try await serve(graphPort: settings.graphPort, folder: settings.folder)
            return 0
        }
    }

    static func serve(graphPort: Int, folder: String) async throws {
        let writer = try FloorWriter(path: folder + "/floor.sqlite")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let sender = FloorSender(client: client, graphPort: graphPort, writer: writer)
        writer.onQueued = { sender.send($0) }
        let key = SymmetricKey(data: Array(WebhookBenchmark.appSecret.utf8))
        let router = Router()
        router.post("webhook") { request, _ -> Response in
            let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            guard let header = request.headers[FloorBenchmark.signatureHeader], header.hasPrefix("sha256="),
                HMAC<SHA256>.isValidAuthenticationCode(
                    hexBytes(header.utf8.dropFirst(7)), authenticating: body, using: key)
            else { return Response(status: .unauthorized) }
            guard
                let message = JSONNode.parse(body)?["entry"]?.array?.first?["changes"]?.array?.first?["value"]?[
                    "messages"]?.array?.first,
                let id = message["id"]?.string, let from = message["from"]?.string
            else { return Response(status: .badRequest) }
            try await writer.submit(FloorWriter.Inbound(id: id, contact: from))
            return Response(status: .ok)
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(
                    Data("floor server listening port=\(channel.localAddress?.port ?? 0)\n".utf8))
            })
        try await app.runService(gracefulShutdownSignals: [.sigterm])
        try await client.shutdown()
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!

    /// The bytes of a hexadecimal string (an odd or non-hex digit gives a byte that fails the comparison).
    static func hexBytes(_ digits: some Collection<UInt8>) -> [UInt8] {
        func value(_ digit: UInt8) -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: 0xFF
            }
        }
        var out: [UInt8] = []
        var iterator = digits.makeIterator()
        while let high = iterator.next() {
            out.append(value(high) &<< 4 | value(iterator.next() ?? 0xFF))
        }
        return out
    }
}

/// The floor server's single writer: work queued from any thread, committed in batches on one thread, each
/// batch one durable transaction; the webhook's acknowledgement waits for its batch's commit.
final class FloorWriter: @unchecked Sendable {
    struct Inbound: Sendable {
        var id: String
        var contact: String
    }
    /// A reply queued by a committed batch, to send.
    struct Reply: Sendable {
        var sequence: Int64
        var contact: String
    }
    enum Work {
        case inbound(Inbound, CheckedContinuation<Void, any Error>)
        case sent(sequence: Int64, wamid: String)
    }

    static let markSent = "UPDATE log SET status = 'sent', message_id = ? WHERE seq = ? AND status = 'pending'"

    private let queue: DatabaseQueue
    private let state = Mutex<(work: [Work], sleeping: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)
    /// Called with each batch's replies after its commit (set once, before the first webhook).
    nonisolated(unsafe) var onQueued: @Sendable ([Reply]) -> Void = { _ in }

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(
                sql: """
                    CREATE TABLE processed (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE sessions (contact TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)
                        WITHOUT ROWID;
                    CREATE TABLE log (seq INTEGER PRIMARY KEY, contact TEXT NOT NULL, direction TEXT NOT NULL,
                        at INTEGER NOT NULL, status TEXT, message_id TEXT);
                    CREATE INDEX log_thread ON log (contact, seq);
                    CREATE INDEX log_by_message_id ON log (message_id) WHERE message_id IS NOT NULL;
                    """)
        }
        let thread = Thread { [self] in loop() }
        thread.start()
    }

    func submit(_ inbound: Inbound) async throws {
        try await withCheckedThrowingContinuation { continuation in enqueue(.inbound(inbound, continuation)) }
    }

    func enqueue(_ work: Work) {
        let signal = state.withLock { state in
            state.work.append(work)
            defer { state.sleeping = false }
            return state.sleeping
        }
        if signal { wake.signal() }
    }

    private func loop() {
        while true {
            let batch = state.withLock { state in
                let work = state.work
                state.work = []
                state.sleeping = work.isEmpty
                return work
            }
            if batch.isEmpty {
                wake.wait()
                continue
            }
            commit(batch)
        }
    }

    private func commit(_ batch: [Work]) {
        var replies: [Reply] = []
        var waiting: [CheckedContinuation<Void, any Error>] = []
        do {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    let now = Int64(Date().timeIntervalSince1970)
                    for work in batch {
                        switch work {
                        case .inbound(let inbound, let continuation):
                            waiting.append(continuation)
                            try receive(db, inbound, at: now, replies: &replies)
                        case .sent(let sequence, let wamid):
                            try db.cachedStatement(sql: FloorWriter.markSent).execute(arguments: [wamid, sequence])
                        }
                    }
                    return .commit
                }
            }
        } catch {
            for continuation in waiting { continuation.resume(throwing: error) }
            return
        }
        for continuation in waiting { continuation.resume() }
        if !replies.isEmpty { onQueued(replies) }
    }

    /// One inbound message: seen once, the session read and written, the message logged, its replies queued
    /// (two for a contact's first message, one otherwise: five for the four messages, as the default flow).
    private func receive(_ db: Database, _ inbound: Inbound, at now: Int64, replies: inout [Reply]) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO processed (id, at) VALUES (?, ?)")
            .execute(arguments: [inbound.id, now])
        guard db.changesCount == 1 else { return }
        let state = try String.fetchOne(
            db.cachedStatement(sql: "SELECT state FROM sessions WHERE contact = ?"), arguments: [inbound.contact])
        try db.cachedStatement(
            sql: """
                INSERT INTO sessions (contact, state, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (contact) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """
        ).execute(arguments: [inbound.contact, (state ?? "") + "m", now])
        let log = try db.cachedStatement(
            sql: "INSERT INTO log (contact, direction, at, status) VALUES (?, ?, ?, ?)")
        try log.execute(arguments: [inbound.contact, "in", now, nil])
        for _ in 0..<(state == nil ? 2 : 1) {
            try log.execute(arguments: [inbound.contact, "out", now, "pending"])
            replies.append(Reply(sequence: db.lastInsertedRowID, contact: inbound.contact))
        }
    }
}

/// Sends the floor server's replies through AsyncHTTPClient and reports each `wamid` to the writer.
struct FloorSender: Sendable {
    let client: HTTPClient
    let graphPort: Int
    let writer: FloorWriter

    func send(_ replies: [FloorWriter.Reply]) {
        for reply in replies {
            Task {
                var request = HTTPClientRequest(
                    url: "http://127.0.0.1:\(graphPort)/v23.0/\(WebhookBenchmark.phoneNumberID(0))/messages")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer bench-access")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(
                    ByteBuffer(
                        string:
                            #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"\#(reply.contact)","#
                            + #""type":"text","text":{"body":"Gracias por escribirnos."},"#
                            + #""biz_opaque_callback_data":"\#(reply.sequence)"}"#))
                guard let response = try? await client.execute(request, timeout: .seconds(30)),
                    let body = try? await response.body.collect(upTo: 1 << 16),
                    let wamid = JSONNode.parse(Array(body.readableBytesView))?["messages"]?.array?.first?["id"]?
                        .string
                else { return }
                writer.enqueue(.sent(sequence: reply.sequence, wamid: wamid))
            }
        }
    }
}
