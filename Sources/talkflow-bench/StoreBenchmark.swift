import FlowCompiler
import FlowRuntime
import Foundation
import Storage
import TalkflowServer

#if canImport(Glibc)
    import Glibc
#endif

/// `talkflow-bench store`: the conversation store under the server's own steps, without HTTP. Each contact
/// sends the webhook benchmark's four messages (`hola`, the consent's accept button, `Comprar`, a name) through
/// `SQLiteStore.handleInbound` with the server's `ConversationStepper` on `Flows/default.yaml`, and every
/// reply is reported sent (`completeOutbox`) as the outbox would; C contacts at a time, so that steps share
/// group commits as they do under load. It prints the process's CPU time per inbound message (user and
/// system), which is the database thread's share of the webhook figure plus the interpreter, and counts what
/// was stored. Without HTTP and the outbox's sends, its runs vary less than the webhook benchmark's (a few
/// percent), so it compares two builds of the store more finely.
///
/// Usage: `talkflow-bench store [--contacts N] [--concurrency C] [--durability power|process] [--flow PATH]`
enum StoreBenchmark {
    struct Options {
        var contacts = 3000
        var concurrency = 32
        var durability = SQLiteStore.Durability.power
        var flow = "Flows/default.yaml"
    }

    struct Report: Encodable {
        var benchmark = "store"
        var contacts: Int
        var concurrency: Int
        var durability: String
        var inboundMessages: Int
        var repliesReported: Int
        var seconds: Double
        var inboundPerSecond: Double
        var cpuMillisecondsPerInbound: Double
        var problems: [String]
    }

    static func main(_ arguments: [String]) -> Int32 {
        var options = Options()
        var rest = arguments
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            let value = rest.isEmpty ? "" : rest.removeFirst()
            switch argument {
            case "--contacts": options.contacts = max(1, Int(value) ?? options.contacts)
            case "--concurrency": options.concurrency = max(1, Int(value) ?? options.concurrency)
            case "--durability":
                guard let durability = SQLiteStore.Durability(rawValue: value) else {
                    FileHandle.standardError.write(Data("--durability takes power or process\n".utf8))
                    return 64
                }
                options.durability = durability
            case "--flow": options.flow = value
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)'\n".utf8))
                return 64
            }
        }
        let frozen = options
        return runToCompletion("store") { try await run(frozen) }
    }

    static func run(_ options: Options) async throws -> Int32 {
        let stepper = try stepper(flowPath: options.flow)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("talkflow-store-bench-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(
            path: folder.appendingPathComponent("talkflow.sqlite").path,
            options: SQLiteStore.Options(durability: options.durability))
        let reported = Counter()
        let base: Int64 = 1_795_754_389
        store.attachSender(Sender(now: base), lease: 60)
        let cpuBefore = WebhookBenchmark.cpuSeconds(pid: getpid())
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            let next = Counter()
            for _ in 0..<min(options.concurrency, options.contacts) {
                group.addTask {
                    while true {
                        let index = next.value.add(1, ordering: .relaxed).oldValue
                        guard index < options.contacts else { return }
                        let sent = try await converse(index, store: store, stepper: stepper, at: base + Int64(index))
                        reported.value.add(sent, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let cpu = WebhookBenchmark.cpuSeconds(pid: getpid()) - cpuBefore
        let inbound = options.contacts * messages.count
        var problems: [String] = []
        let replies = reported.value.load(ordering: .relaxed)
        if replies != options.contacts * 5 { problems.append("\(replies) replies, expected \(options.contacts * 5)") }
        if try await store.outboxDepth() != 0 { problems.append("the outbox is not empty") }
        let report = Report(
            contacts: options.contacts, concurrency: options.concurrency, durability: options.durability.rawValue,
            inboundMessages: inbound, repliesReported: replies, seconds: seconds,
            inboundPerSecond: Double(inbound) / seconds, cpuMillisecondsPerInbound: cpu * 1000 / Double(inbound),
            problems: problems)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        return problems.isEmpty ? 0 : 1
    }

    /// The four messages of a contact (its index, the message's `wamid`), as the interpreter sees them.
    static let messages: [@Sendable (Int, String) -> Event.Kind] = [
        { .text("hola", messageID: $1) },
        { .reply(id: "consentimiento.accept", messageID: $1) },
        { .reply(id: "comprar", messageID: $1) },
        { .text("Cliente \($0)", messageID: $1) },
    ]

    /// The sender the store hands claimed replies to, as the server's outbox: it keeps nothing, since each
    /// contact's task reports its replies itself; being attached makes every step and report claim as the
    /// server's do.
    final class Sender: OutboxHandoff {
        let now: Int64
        init(now: Int64) { self.now = now }
        func take(_ messages: [OutboxMessage]) {}
    }

    /// One contact's conversation, each message a transaction, each reply then reported sent; the replies.
    static func converse(_ index: Int, store: SQLiteStore, stepper: ConversationStepper, at: Int64) async throws
        -> Int
    {
        let contact = String(573_100_000_000 + index)
        var replies = 0
        for (number, message) in messages.enumerated() {
            let messageID = "wamid.\(index).\(number)"
            let kind = message(index, messageID)
            let committed = try await store.handleInbound(
                tenant: "t\(index % 8)", contact: contact, messageID: messageID, receivedAt: at
            ) { session, transaction in
                while session.variables.count < 2 { session.variables.append(nil) }
                session.variables[0] = "Cliente"
                var changes = ConversationChanges(inboundKind: number == 0 || number == 3 ? "text" : "interactive")
                try stepper.step(kind, at: at, session: &session, transaction: transaction, into: &changes)
                return changes
            }
            guard let committed else { throw BenchError("message \(number) of contact \(index) was not new") }
            // The outbox's reports: one per reply, as the sender makes them once Meta accepted it.
            let results = committed.outboxIDs.map {
                OutboxResult(id: $0, .sent(messageID: "wamid.out.\($0)"), at: at)
            }
            try await store.completeOutbox(results)
            replies += results.count
        }
        return replies
    }

    /// The server's stepper on the flow at `flowPath`, which must lint clean.
    static func stepper(flowPath: String) throws -> ConversationStepper {
        guard let data = FileManager.default.contents(atPath: flowPath) else {
            throw BenchError("flow not found: \(flowPath) (run from the repository's folder, or give --flow)")
        }
        let result = FlowChecker.check(bytes: Array(data))
        guard let flow = result.flow, !result.hasErrors else { throw BenchError("the flow \(flowPath) has errors") }
        var queues: [String: [String]] = [:]
        for queue in flow.queues { queues[queue.name.value] = queue.agents.map(\.value) }
        let compiled = CompiledFlow(
            path: flowPath, flowID: flow.id.value, interpreter: Interpreter(machine: MachineCompiler.compile(flow)),
            queues: queues, version: CompiledFlow.version(of: Array(data)))
        return ConversationStepper(
            flow: compiled,
            evidence: EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "bench", receivedAt: 1_795_754_389))
    }
}
