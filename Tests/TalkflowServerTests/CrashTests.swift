import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import NIOCore
import ProcessTestSupport
import Storage
import Synchronization
import Testing

@testable import TalkflowServer

/// The real `talkflow serve` binary killed with SIGKILL in the middle of a load, then restarted on the same
/// SQLite file while the webhooks that were not acknowledged are delivered again (as Meta retries them): every
/// acknowledged message had its effect exactly once, nothing is lost, and every reply reaches the Graph API.
///
/// Toward Meta the outbox is at-least-once: a send in flight at the kill (accepted by the Graph API, not yet
/// recorded) is sent again after the restart, with the same callback data (its outbox id). Meta deduplicates
/// nothing, so the worst case is one duplicate per message in flight at the crash: at most the worker's batch
/// size (32) per crash.
@Suite("Crash: SIGKILL mid-load, restart, Meta's retries", .hangGuard)
struct CrashTests {
    static let contactCount = 100
    static let repliesPerContact = 5
    /// The most messages a kill can leave sent but not recorded (so sent again after the restart): the sends in
    /// flight (at most the outbox's concurrency) and the outcomes waiting for their report (at most the limit
    /// plus one per drainer, OutboxDispatcher).
    static let mostResentAfterACrash =
        2 * OutboxWorker.Settings().concurrency + OutboxWorker.Settings().unreportedLimit

    /// The four messages of one contact: hola, accept, "Comprar", a name (which ends in the handoff).
    static func messages(of index: Int, contact: String) -> [(id: String, body: [UInt8])] {
        let ids = (1...4).map { "wamid.K\(index).\($0)" }
        return [
            (ids[0], EndToEnd.text("hola", from: contact, id: ids[0])),
            (
                ids[1],
                EndToEnd.buttonReply(
                    "consentimiento.accept", title: "Acepto", from: contact, id: ids[1], context: "wamid.X")
            ),
            (ids[2], EndToEnd.buttonReply("comprar", title: "Comprar", from: contact, id: ids[2], context: "wamid.Y")),
            (ids[3], EndToEnd.text("Cliente \(index)", from: contact, id: ids[3])),
        ]
    }

    @Test func aKilledServerRestartedOnTheSameFileLosesNothingAndDoublesNoEffect() async throws {
        let started = ContinuousClock.now
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let contacts = (0..<Self.contactCount).map { String(573_200_000_000 + $0) }
        let acknowledged = Acknowledged()
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            try await load(
                contacts: contacts, acknowledged: acknowledged, binary: binary, folder: folder, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        // A bound against a hang, not a speed measure (the benchmarks measure speed): generous for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(90))
    }

    /// Both runs and the counts (see the suite's comment).
    func load(
        contacts: [String], acknowledged: Acknowledged, binary: URL, folder: TestFolder, client: HTTPClient
    ) async throws {
        try await FakeGraphAPI.run { fake in
            let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: await fake.baseURL)

            // Run 1: every contact talks at once. Each posts its first two messages, then waits at a gate; once
            // about 40% of the webhooks are acknowledged the gate opens, and the server is killed while the
            // contacts post their third. The fourth waits at a second gate that opens only after the kill, so
            // that some webhooks are certainly left unacknowledged however fast the server took the third. A
            // contact stops at its first unacknowledged webhook (Meta retries it later).
            let first = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 1)
            let threshold = Self.contactCount * 4 * 2 / 5
            let gate = Flag()
            let killed = Flag()
            async let load: Void = withTaskGroup(of: Void.self) { group in
                for (index, contact) in contacts.enumerated() {
                    group.addTask {
                        for (number, message) in Self.messages(of: index, contact: contact).enumerated() {
                            while number >= 2, !gate.isSet { try? await Task.sleep(for: .milliseconds(1)) }
                            while number >= 3, !killed.isSet { try? await Task.sleep(for: .milliseconds(1)) }
                            let status = try? await Self.post(
                                message.body, to: first.base, client: client, timeout: .seconds(1))
                            guard status == 200 else { return }
                            acknowledged.ids.withLock { _ = $0.insert(message.id) }
                        }
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while acknowledged.ids.withLock({ $0.count }) < threshold, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            // Hold the next send in the fake, so that one is certainly in flight (accepted by the Graph API,
            // not yet recorded) when the server dies.
            let received = await fake.requests.count
            await fake.failNext(.slow(.seconds(2)))
            gate.set()
            while await fake.requests.count <= received, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            await first.kill9()
            killed.set()
            await load
            let beforeRestart = acknowledged.ids.withLock { $0.count }
            #expect(beforeRestart >= threshold)
            #expect(beforeRestart < Self.contactCount * 4, "the kill came after the load; nothing was tested")
            #expect(first.signaled)

            // Run 2: the same file; Meta delivers again every webhook it got no 200 for, in order per contact.
            let second = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, contact) in contacts.enumerated() {
                    group.addTask {
                        for message in Self.messages(of: index, contact: contact)
                        where !acknowledged.ids.withLock({ $0.contains(message.id) }) {
                            let status = try await Self.post(message.body, to: second.base, client: client)
                            #expect(status == 200)
                            if status == 200 { acknowledged.ids.withLock { _ = $0.insert(message.id) } }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = Self.contactCount * Self.repliesPerContact
            // Ends as soon as every row reached the fake; the bound only matters on a machine slow enough to need it.
            let drainDeadline = ContinuousClock.now + .seconds(60)
            while Set(await fake.messageBodies.compactMap(ConcurrencyTests.callbackData)).count < rows,
                ContinuousClock.now < drainDeadline
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            // Give a stray extra send the time to show up before counting.
            try await Task.sleep(for: .milliseconds(200))
            await second.terminate()
            #expect(second.exitStatus == 0)
            try Self.expectLogLines(in: folder.file("serve-2.log"))

            let store = try SQLiteStore.open(.sqlite(path: folder.file("data/talkflow.sqlite")))
            #expect(try await store.outboxDepth() == 0)

            // Every acknowledged message had its effect exactly once: one inbound line each, nothing lost.
            #expect(acknowledged.ids.withLock { $0.count } == Self.contactCount * 4)
            var outboxIDs: Set<String> = []
            for (index, contact) in contacts.enumerated() {
                for message in Self.messages(of: index, contact: contact) {
                    #expect(try await store.wasProcessed(tenant: "tienda", messageID: message.id))
                }
                let thread = try await store.thread(tenant: "tienda", contact: contact, after: nil, limit: 500)
                var inbound = 0
                var outbound: [DeliveryStatus] = []
                var assigned = 0
                for entry in thread {
                    switch entry.content {
                    case .inbound: inbound += 1
                    case .outbound(_, _, let status, _, _):
                        outbound.append(status)
                        outboxIDs.insert(String(entry.sequence))
                    case .event(let event): if event.kind == ConversationEvent.agentAssigned { assigned += 1 }
                    }
                }
                #expect(inbound == 4, "contact \(index): \(inbound) inbound lines")
                #expect(outbound == Array(repeating: .sent, count: Self.repliesPerContact), "contact \(index)")
                #expect(assigned == 1, "contact \(index): \(assigned) assignments")
                #expect(try await store.session(tenant: "tienda", contact: contact)?.agent != nil)
            }
            // No rotation turn was lost or doubled by the crash.
            let next = try await store.nextAgent(tenant: "tienda", queue: "ventas", agents: ["ana", "bruno", "carla"])
            #expect(next?.turn == Int64(Self.contactCount))

            // Every reply reached the Graph API; a duplicate is a resend of the same row, byte for byte.
            let bodies = await fake.messageBodies
            var sends: [String: [String]] = [:]
            for body in bodies {
                guard let callback = ConcurrencyTests.callbackData(body) else { continue }
                sends[callback, default: []].append(body)
            }
            #expect(Set(sends.keys) == outboxIDs)
            #expect(sends.count == rows)
            let duplicated = sends.filter { $0.value.count > 1 }
            #expect(duplicated.allSatisfy { $0.value.count == 2 && $0.value[0] == $0.value[1] })
            #expect(!duplicated.isEmpty, "the send held in flight at the kill was not sent again")
            #expect(
                duplicated.count <= Self.mostResentAfterACrash, "\(duplicated.count) rows sent twice after one crash")
            // Each conversation's replies reached the fake in order (first sends only).
            var firstSends: [String: [Int64]] = [:]
            var seen: Set<String> = []
            for body in bodies {
                guard let callback = ConcurrencyTests.callbackData(body), seen.insert(callback).inserted,
                    let to = ConcurrencyTests.recipient(body), let id = Int64(callback)
                else { continue }
                firstSends[to, default: []].append(id)
            }
            #expect(firstSends.values.allSatisfy { $0 == $0.sorted() })
        }
    }

    /// Posts a webhook body signed with the tenant's app secret; returns the status.
    static func post(
        _ body: [UInt8], to base: String, client: HTTPClient, timeout: TimeAmount = .seconds(5)
    ) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Hub-Signature-256", value: signature(body, appSecret: EndToEnd.appSecret))
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await client.execute(request, timeout: timeout).status.code
    }
}

/// A flag the load's tasks read and the test sets once.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

extension CrashTests {
    /// Every line of a server's log is `TIME LEVEL LABEL: key=value … [MODULE] message` (Docs/operations.md,
    /// "Logs"), metadata keys sorted; an inbound message's line names its tenant, type and step, not its text.
    static func expectLogLines(in path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(!lines.isEmpty)
        let shape = try Regex(
            #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} (trace|debug|info|notice|warning|error|critical) "#
                + #"talkflow\.[a-z.]+:(.*) \[[A-Za-z]+\] .+"#)
        for line in lines {
            #expect(line.wholeMatch(of: shape) != nil, "\(line)")
        }
        let processed = lines.filter { $0.hasSuffix("[TalkflowServer] inbound message processed") }
        #expect(!processed.isEmpty)
        for line in processed {
            let keys = line.matches(of: /([a-z_.]+)=/).map { String($0.1) }
            #expect(keys == keys.sorted(), "\(line)")
            #expect(line.contains(" tenant=tienda ") && line.contains(" type=") && line.contains(" step="))
        }
    }
}

/// `talkflow serve` as a subprocess: started on a free port (read from its "listening" log line), killed or
/// terminated by the test. Output goes to files in the test's folder, so it can never block the server.
final class ServeProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test's task, one call after the other.
    private let process: ChildProcess
    /// `http://127.0.0.1:<port>`.
    let base: String

    private init(process: ChildProcess, base: String) {
        self.process = process
        self.base = base
    }

    /// A test that stopped early leaves no server behind.
    deinit {
        if process.isRunning { process.signal(SIGKILL) }
    }

    /// The built `talkflow` executable, beside the test runner (see Tests/TalkflowCLITests/TalkflowProcess.swift;
    /// `TALKFLOW_BINARY` overrides it).
    static let binary: URL? = {
        if let override = ProcessInfo.processInfo.environment["TALKFLOW_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        var folders = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        ]
        folders += Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
            .map { $0.deletingLastPathComponent() }
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return folders.map { $0.appendingPathComponent("talkflow") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Starts `talkflow serve --config CONFIG` with the end-to-end secrets in its environment and waits until it
    /// listens.
    static func start(binary: URL, config: String, folder: TestFolder, run: Int) async throws -> ServeProcess {
        let log = folder.file("serve-\(run).log")
        let process = try launch(
            binary: binary, ["serve", "--config", config, "--log-level", "info", "--color", "never"], in: folder,
            log: log)
        // A debug build starting on a busy 2-core machine may take several seconds.
        var port: Substring?
        _ = try await poll(within: .seconds(30), every: .milliseconds(10)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            port =
                text.split(separator: "\n").first { $0.contains("talkflow serve listening") }?
                .firstMatch(of: /port=(\d+)/)?.1
            return port != nil || !process.isRunning
        }
        if let port { return ServeProcess(process: process, base: "http://127.0.0.1:\(port)") }
        if process.isRunning { process.signal(SIGKILL) }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        Issue.record("talkflow serve did not start:\n\(text)")
        throw CancellationError()
    }

    /// Starts `binary` with `arguments` in `folder`, the end-to-end secrets in its environment, its output in a
    /// new file `log`.
    static func launch(binary: URL, _ arguments: [String], in folder: TestFolder, log: String) throws -> ChildProcess {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        // One descriptor for both, as one file handle was: the two streams share its offset and never overwrite
        // each other.
        let process = try ChildProcess(
            binary.path, arguments: arguments, directory: folder.path,
            environment: ProcessInfo.processInfo.environment.merging(EndToEnd.environment) { _, new in new },
            stdin: .null, stdout: .descriptor(handle.fileDescriptor), stderr: .descriptor(handle.fileDescriptor))
        try handle.close()
        return process
    }

    /// Writes `talkflow.yaml` (the tenant `tienda` on the shipped default flow, sending to `graphAPIURL`, its
    /// store `data/talkflow.sqlite`) into `folder`, with the flow and the store's folder; returns its path.
    static func writeConfig(in folder: TestFolder, graphAPIURL: String) throws -> String {
        try folder.write("flows/default.yaml", try shippedFlow("default.yaml"))
        let config = try folder.write(
            "talkflow.yaml",
            """
            server:
              host: 127.0.0.1
              port: 0
              graph_api_url: \(graphAPIURL)
              send_rate_per_number: 1000
              store: sqlite:data/talkflow.sqlite
              mark_read: false
            tenants:
            \(EndToEnd.tenant())

            """)
        try FileManager.default.createDirectory(atPath: folder.file("data"), withIntermediateDirectories: true)
        return config
    }

    /// SIGKILL: no graceful shutdown, no flush, whatever was in flight is cut.
    func kill9() async {
        process.signal(SIGKILL)
        await waitForExit()
    }

    /// SIGTERM: the graceful shutdown `talkflow serve` promises.
    func terminate() async {
        process.signal(SIGTERM)
        await waitForExit()
    }

    /// Whether the process died from a signal.
    var signaled: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    /// The exit status once it exited.
    var exitStatus: Int32 { process.terminationStatus }

    private func waitForExit() async {
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if process.isRunning { process.signal(SIGKILL) }
        await process.waitUntilExit()
    }
}

/// The webhook ids acknowledged with 200 so far, shared by the contacts' tasks.
final class Acknowledged: Sendable {
    let ids = Mutex<Set<String>>([])
}
