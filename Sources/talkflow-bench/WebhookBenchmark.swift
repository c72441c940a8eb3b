import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `talkflow-bench webhooks`: signed webhooks end to end through a real `talkflow serve` process (POST →
/// transition → SQLite, durable before the acknowledgement → outbox → sent to a fake Graph API in this process),
/// printed as JSON beside the load generator's own ceiling against a server that only checks the signature.
/// After the run it counts every message and every reply (Docs/performance.md, "Webhook server").
///
/// Usage: `talkflow-bench webhooks [--contacts N] [--connections N] [--talkflow PATH] [--flow PATH]
/// [--ceiling-seconds N] [--keep]`
enum WebhookBenchmark {
    /// What the command line may change.
    struct Options {
        var contacts = 600
        var connections = 32
        var talkflow: String?
        var flow = "Flows/default.yaml"
        var ceilingSeconds = 3.0
        var keep = false
        var tenants = 8
    }

    static let appSecret = "bench-app-secret"
    /// Tenant `k`'s phone-number id (one tenant per WhatsApp number, each with its own send rate).
    static func phoneNumberID(_ k: Int) -> String { String(106_540_352_242_000 + k) }
    static let agents = ["ana", "bruno", "carla"]
    static let repliesPerContact = 5

    /// Parses the arguments after `webhooks`, runs, prints the report; the exit code (1 when a count is wrong).
    static func main(_ arguments: [String]) -> Int32 {
        var options = Options()
        var rest = arguments
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            if argument == "--keep" {
                options.keep = true
                continue
            }
            let value = rest.isEmpty ? "" : rest.removeFirst()
            switch argument {
            case "--contacts": options.contacts = max(3, Int(value) ?? options.contacts)
            case "--connections": options.connections = max(1, Int(value) ?? options.connections)
            case "--talkflow": options.talkflow = value
            case "--flow": options.flow = value
            case "--tenants": options.tenants = max(1, Int(value) ?? options.tenants)
            case "--ceiling-seconds": options.ceilingSeconds = max(0.5, Double(value) ?? options.ceilingSeconds)
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)'\n".utf8))
                return 64
            }
        }
        let frozen = options
        return runToCompletion("webhooks") { try await run(frozen) }
    }

    // MARK: - Messages

    /// The four messages of one contact, in order: "hola", the consent's accept button, the "Comprar" option,
    /// a name (which ends in the handoff, one round-robin turn).
    static func messages(contact: String, index: Int, phone: String) -> [(id: String, body: [UInt8])] {
        let ids = (1...4).map { "wamid.B\(index).\($0)" }
        func webhook(_ message: String) -> [UInt8] {
            let json =
                #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
                + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
                + #""phone_number_id":"\#(phone)"},"contacts":[{"profile":{"name":"Cliente"},"#
                + #""wa_id":"\#(contact)"}],"messages":[\#(message)]},"field":"messages"}]}]}"#
            return Array(json.utf8)
        }
        func text(_ text: String, id: String) -> [UInt8] {
            webhook(
                #"{"from":"\#(contact)","id":"\#(id)","timestamp":"1750000000","text":{"body":"\#(text)"},"#
                    + #""type":"text"}"#)
        }
        func button(_ button: String, title: String, id: String) -> [UInt8] {
            webhook(
                #"{"context":{"from":"15550783881","id":"wamid.CTX"},"from":"\#(contact)","id":"\#(id)","#
                    + #""timestamp":"1750000060","type":"interactive","interactive":{"type":"button_reply","#
                    + #""button_reply":{"id":"\#(button)","title":"\#(title)"}}}"#)
        }
        return [
            (ids[0], text("hola", id: ids[0])),
            (ids[1], button("consentimiento.accept", title: "Acepto", id: ids[1])),
            (ids[2], button("comprar", title: "Comprar", id: ids[2])),
            (ids[3], text("Cliente \(index)", id: ids[3])),
        ]
    }

    /// Meta's `X-Hub-Signature-256` for `body`.
    static func signature(_ body: [UInt8], key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return "sha256=" + hex(mac)
    }

    /// Lower-case hexadecimal, without `String(format:)` (which costs more than the HMAC).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - In-process servers

    /// What the fake Graph API received: each send's callback data and recipient, in arrival order.
    final class GraphRecord: Sendable {
        struct Send: Sendable {
            var callback: String
            var to: String
        }
        let sends = Mutex<[Send]>([])
        let lastArrival = Mutex<NIODeadline?>(nil)
        var count: Int { sends.withLock { $0.count } }
    }

    /// The string value of `"name":"…"` in a compact JSON body, without a JSON parser (the fake shares the
    /// machine's two cores with the server, so it does as little as it can).
    static func field(_ name: String, in bytes: ByteBuffer) -> String? {
        let pattern = Array("\"\(name)\":\"".utf8)
        return bytes.readableBytesView.withContiguousStorageIfAvailable { body -> String? in
            guard body.count >= pattern.count else { return nil }
            for start in 0...(body.count - pattern.count) where body[start] == pattern[0] {
                guard body[start..<start + pattern.count].elementsEqual(pattern) else { continue }
                let from = start + pattern.count
                guard let end = body[from...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: body[from..<end], as: UTF8.self)
            }
            return nil
        } ?? nil
    }

    /// The fake Graph API: answers every send as Meta does and records its callback data and recipient.
    static func graphAnswer(_ record: GraphRecord) -> LoopbackServer.Answer {
        let counter = Counter()
        return { _, body in
            if let callback = field("biz_opaque_callback_data", in: body), let to = field("to", in: body) {
                record.sends.withLock { $0.append(.init(callback: callback, to: to)) }
                record.lastArrival.withLock { $0 = .now() }
            }
            let n = counter.value.wrappingAdd(1, ordering: .relaxed).newValue
            return (.ok, ByteBuffer(string: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.N\#(n)"}]}"#))
        }
    }

    /// A server that only checks the signature and answers 200: the load generator's ceiling.
    static func signatureOnlyAnswer(key: SymmetricKey) -> LoopbackServer.Answer {
        { head, body in
            let header = head.headers.first(name: "X-Hub-Signature-256") ?? ""
            let mac = HMAC<SHA256>.authenticationCode(for: Array(body.readableBytesView), using: key)
            return (header == "sha256=" + hex(mac) ? .ok : .unauthorized, ByteBuffer())
        }
    }

    // MARK: - Load

    /// The signed webhooks of each contact, in order, as the load generator posts them to `/webhook`.
    static func signedPlan(
        _ plan: [(contact: String, messages: [(id: String, body: [UInt8])])], key: SymmetricKey
    ) -> [[LoadRequest]] {
        plan.map { entry in
            entry.messages.map {
                LoadRequest(
                    body: ByteBuffer(bytes: $0.body),
                    headers: [("X-Hub-Signature-256", signature($0.body, key: key))])
            }
        }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    // MARK: - The server process

    /// CPU seconds (user + system) of a process, from /proc/PID/stat.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based), so indexes 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A line of /proc/PID/status in kB (`VmHWM`, `VmRSS`).
    static func statusKB(pid: Int32, _ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// The `talkflow` executable beside this one, unless given.
    static func talkflowBinary(_ given: String?) -> String {
        if let given { return given }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("talkflow").path
    }

    /// Starts `talkflow serve` in `folder` and returns it with its port, read from its "listening" line.
    static func startServer(binary: String, folder: String) async throws -> (Process, Int) {
        try await startServer(
            binary: binary,
            arguments: ["serve", "--config", folder + "/talkflow.yaml", "--log-level", "info", "--color", "never"],
            folder: folder, listening: "talkflow serve listening")
    }

    /// Starts `binary` with `arguments` in `folder`, its output in `serve.log`, and returns it with its port,
    /// read from the first line containing `listening` and `port=N`.
    static func startServer(
        binary: String, arguments: [String], folder: String, listening: String
    ) async throws -> (Process, Int) {
        let log = folder + "/serve.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ProcessInfo.processInfo.environment.merging([
            "BENCH_APP_SECRET": appSecret, "BENCH_VERIFY_TOKEN": "bench-verify", "BENCH_ACCESS_TOKEN": "bench-access",
        ]) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains(listening) }),
                let match = line.firstMatch(of: /port=(\d+)/), let port = Int(match.1)
            {
                return (process, port)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw BenchError(
            "\(binary) \(arguments.first ?? "") did not start: "
                + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
    }

    // MARK: - The run

    struct Report: Encodable {
        var benchmark = "webhooks"
        var contacts: Int
        var connections: Int
        var tenants: Int
        var acknowledgedPerSecond: Double
        var inboundMessages: Int
        var repliesSent: Int
        var postFailures: Int
        var secondsEndToEnd: Double
        var inboundPerSecondEndToEnd: Double
        var postLatencyP50Milliseconds: Double
        var postLatencyP99Milliseconds: Double
        var postLatencyMaxMilliseconds: Double
        var serverCPUMillisecondsPerInbound: Double
        var serverCPUSeconds: Double
        var serverPeakMemoryMB: Double
        var loadGeneratorCeilingPerSecond: Double
        var loadGeneratorCeilingP50Milliseconds: Double
        var benchProcessCPUSecondsDuringRun: Double
        var durability = "power (PRAGMA synchronous = FULL), every transaction committed before the 200"
        var checks: [String: Bool]
        var problems: [String]
    }

    static func run(_ options: Options) async throws -> Int32 {
        let key = SymmetricKey(data: Array(appSecret.utf8))
        let contacts = (0..<options.contacts).map { String(573_100_000_000 + $0) }
        let plan: [(contact: String, messages: [(id: String, body: [UInt8])])] = contacts.enumerated().map {
            (contact: $1, messages: messages(contact: $1, index: $0, phone: phoneNumberID($0 % options.tenants)))
        }
        let report = try await measure(options: options, plan: plan, key: key)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        return report.problems.isEmpty ? 0 : 1
    }

    static func measure(
        options: Options, plan: [(contact: String, messages: [(id: String, body: [UInt8])])], key: SymmetricKey
    ) async throws -> Report {
        let signed = signedPlan(plan, key: key)
        // 1. The load generator's ceiling: the same load against a server that only checks the signature.
        let ceiling = try await LoopbackServer.serve(signatureOnlyAnswer(key: key)) { port in
            // Warm the connections first.
            _ = try await LoadGenerator.run(
                port: port, path: "/webhook", plan: Array(signed.prefix(options.connections)),
                connections: options.connections)
            return try await LoadGenerator.run(
                port: port, path: "/webhook", plan: signed, connections: options.connections,
                until: .now() + .milliseconds(Int64(options.ceilingSeconds * 1000)))
        }
        let ceilingSorted = ceiling.latencies.sorted()
        let ceilingRate = Double(ceiling.latencies.count) / seconds(ceiling.last - ceiling.first)

        // 2. The real server.
        let record = GraphRecord()
        let folder = NSTemporaryDirectory() + "talkflow-webhook-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/flows", withIntermediateDirectories: true)
        defer { if !options.keep { try? FileManager.default.removeItem(atPath: folder) } }
        try FileManager.default.copyItem(atPath: options.flow, toPath: folder + "/flows/default.yaml")
        return try await LoopbackServer.serve(graphAnswer(record)) { graphPort in
            let config = """
                server:
                  host: 127.0.0.1
                  port: 0
                  graph_api_url: http://127.0.0.1:\(graphPort)
                  send_rate_per_number: 1000
                  mark_read: false
                  store: sqlite:talkflow.sqlite
                tenants:

                """
                + (0..<options.tenants).map { k in
                    """
                      - id: t\(k)
                        phone_number_id: "\(phoneNumberID(k))"
                        app_secret_env: BENCH_APP_SECRET
                        verify_token_env: BENCH_VERIFY_TOKEN
                        access_token_env: BENCH_ACCESS_TOKEN
                        flow: flows/default.yaml

                    """
                }.joined()
            try config.write(toFile: folder + "/talkflow.yaml", atomically: true, encoding: .utf8)
            let (process, port) = try await startServer(binary: talkflowBinary(options.talkflow), folder: folder)
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let pid = process.processIdentifier
            let expectedReplies = plan.count * repliesPerContact

            let cpuBefore = cpuSeconds(pid: pid)
            let benchBefore = cpuSeconds(pid: getpid())
            let result = try await LoadGenerator.run(
                port: port, path: "/webhook", plan: signed, connections: options.connections)
            // End to end: until the last reply reached the fake Graph API.
            let drainDeadline = ContinuousClock.now + .seconds(60)
            while record.count < expectedReplies, ContinuousClock.now < drainDeadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            let end = record.lastArrival.withLock { $0 } ?? .now()
            let cpuAfter = cpuSeconds(pid: pid)
            let benchAfter = cpuSeconds(pid: getpid())
            let peakKB = statusKB(pid: pid, "VmHWM")
            // Give a stray extra send the time to show up before counting.
            try await Task.sleep(for: .milliseconds(300))
            kill(pid, SIGTERM)
            let exitDeadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < exitDeadline { try await Task.sleep(for: .milliseconds(5)) }

            let inbound = plan.count * 4
            var checks: [String: Bool] = [:]
            var problems: [String] = []
            try await verify(
                folder: folder, plan: plan, tenants: options.tenants, record: record, checks: &checks,
                problems: &problems)
            checks["every POST answered 200"] = result.failures == 0 && result.latencies.count == inbound
            if result.failures > 0 { problems.append("\(result.failures) POSTs not answered 200") }
            let sorted = result.latencies.sorted()
            let elapsed = seconds(end - result.first)
            let cpu = cpuAfter - cpuBefore
            return Report(
                contacts: plan.count, connections: options.connections, tenants: options.tenants,
                acknowledgedPerSecond: Double(inbound) / seconds(result.last - result.first), inboundMessages: inbound,
                repliesSent: record.count, postFailures: result.failures, secondsEndToEnd: elapsed,
                inboundPerSecondEndToEnd: Double(inbound) / elapsed,
                postLatencyP50Milliseconds: percentile(sorted, 0.5),
                postLatencyP99Milliseconds: percentile(sorted, 0.99), postLatencyMaxMilliseconds: sorted.last ?? 0,
                serverCPUMillisecondsPerInbound: cpu * 1000 / Double(inbound), serverCPUSeconds: cpu,
                serverPeakMemoryMB: Double(peakKB) / 1024, loadGeneratorCeilingPerSecond: ceilingRate,
                loadGeneratorCeilingP50Milliseconds: percentile(ceilingSorted, 0.5),
                benchProcessCPUSecondsDuringRun: benchAfter - benchBefore, checks: checks, problems: problems)
        }
    }

    /// The counts after a run: every message stored once, every reply sent once and in order per contact, the
    /// round robin strict.
    static func verify(
        folder: String, plan: [(contact: String, messages: [(id: String, body: [UInt8])])], tenants: Int,
        record: GraphRecord, checks: inout [String: Bool], problems: inout [String]
    ) async throws {
        let store = try SQLiteStore(path: folder + "/talkflow.sqlite")
        var allProcessed = true
        var inboundOnce = true
        var outboundSent = true
        var outboxIDs: Set<String> = []
        var assignments = Array(repeating: [(sequence: Int64, agent: String)](), count: tenants)
        for (index, (contact, messages)) in plan.enumerated() {
            let tenant = "t\(index % tenants)"
            for message in messages {
                if try await !store.wasProcessed(tenant: tenant, messageID: message.id) { allProcessed = false }
            }
            var inbound = 0
            var outbound: [DeliveryStatus] = []
            for entry in try await store.thread(tenant: tenant, contact: contact, after: nil, limit: 500) {
                switch entry.content {
                case .inbound: inbound += 1
                case .outbound(_, _, let status, _, _):
                    outbound.append(status)
                    outboxIDs.insert(String(entry.sequence))
                case .event(let event):
                    if event.kind == ConversationEvent.agentAssigned {
                        assignments[index % tenants].append((entry.sequence, event.detail ?? ""))
                    }
                }
            }
            if inbound != 4 { inboundOnce = false }
            if outbound != Array(repeating: .sent, count: repliesPerContact) { outboundSent = false }
        }
        checks["every message processed"] = allProcessed
        checks["every message stored once"] = inboundOnce
        checks["every reply stored and marked sent"] = outboundSent
        checks["outbox empty"] = try await store.outboxDepth() == 0

        let sends = record.sends.withLock { $0 }
        var byCallback: [String: Int] = [:]
        var byContact: [String: [Int64]] = [:]
        for send in sends {
            byCallback[send.callback, default: 0] += 1
            byContact[send.to, default: []].append(Int64(send.callback) ?? -1)
        }
        checks["every reply sent once"] =
            Set(byCallback.keys) == outboxIDs && byCallback.values.allSatisfy { $0 == 1 }
            && outboxIDs.count == plan.count * repliesPerContact
        checks["replies in order per contact"] =
            byContact.count == plan.count && byContact.values.allSatisfy { $0 == $0.sorted() }
        checks["round robin strict"] =
            assignments.allSatisfy { turns in
                let rotation = turns.sorted { $0.sequence < $1.sequence }.map(\.agent)
                return rotation == (0..<turns.count).map { agents[$0 % agents.count] }
            } && assignments.map(\.count).reduce(0, +) == plan.count
        for (name, ok) in checks where !ok { problems.append(name) }
        if sends.count != plan.count * repliesPerContact {
            problems.append("the fake received \(sends.count) sends for \(plan.count * repliesPerContact) replies")
        }
    }

    static func seconds(_ d: TimeAmount) -> Double {
        Double(d.nanoseconds) / 1e9
    }
}

/// A shared counter (an `Atomic` cannot be captured by the escaping closures of tasks and responders).
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// Runs an asynchronous benchmark from the synchronous `main` and returns its exit code (70 when it threw, after
/// saying why on standard error).
func runToCompletion(_ name: String, _ body: @escaping @Sendable () async throws -> Int32) -> Int32 {
    let code = Counter()
    code.value.store(70, ordering: .relaxed)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            code.value.store(Int(try await body()), ordering: .relaxed)
        } catch {
            FileHandle.standardError.write(Data("\(name) benchmark failed: \(error)\n".utf8))
        }
        done.signal()
    }
    done.wait()
    return Int32(code.value.load(ordering: .relaxed))
}

/// A failure of the benchmark's own machinery.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
