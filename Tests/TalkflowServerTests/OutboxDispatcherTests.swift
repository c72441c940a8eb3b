import FlowRuntime
import Foundation
import Logging
import Storage
import Synchronization
import Testing

@testable import TalkflowServer

// The outbox dispatcher (issue 5, items 2, 6 and 10) over a real SQLite store: each conversation's messages in
// order, conversations concurrently; a retry holds the conversation's later messages back; a message whose
// lease is about to end is left to the next claim; stopping gives back what has not started.
@Suite("Outbox dispatcher", .hangGuard)
struct OutboxDispatcherTests {
    static let t: Int64 = 1_795_446_000

    /// What the scripted sender saw, in the order the sends started.
    final class Sends: Sendable {
        let started = Mutex<[OutboxMessage]>([])
        func record(_ message: OutboxMessage) { started.withLock { $0.append(message) } }
        func texts(of contact: String) -> [String] {
            started.withLock {
                $0.filter { $0.contact == contact }.compactMap {
                    if case .text(let text) = $0.message { return text }
                    return nil
                }
            }
        }
    }

    /// Holds one send until the test opens it.
    final class Gate: Sendable {
        private let opened = AsyncStream<Void>.makeStream()
        private let iterator: Mutex<AsyncStream<Void>.Iterator?>

        init() { iterator = Mutex(opened.stream.makeAsyncIterator()) }

        /// Waits until `open()` (only the first caller waits; there is one).
        func wait() async {
            var waiting = iterator.withLock { $0.take() }
            _ = await waiting?.next()
        }

        func open() { opened.continuation.yield() }
    }

    /// A store in a fresh folder with a dispatcher attached whose sends `outcome` decides.
    static func withDispatcher(
        concurrency: Int = 8, clock: @escaping @Sendable () -> Int64 = { t },
        outcome: @escaping @Sendable (OutboxMessage) async -> OutboxResult.Outcome,
        _ body: (SQLiteStore, OutboxDispatcher, Sends) async throws -> Void
    ) async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var logger = Logger(label: "dispatcher-test")
        logger.logLevel = .critical
        let store = try SQLiteStore(path: folder.file("talkflow.sqlite"), logger: logger)
        let sends = Sends()
        let dispatcher = OutboxDispatcher(store: store, concurrency: concurrency, clock: clock, logger: logger) {
            message in
            sends.record(message)
            return OutboxResult(id: message.id, await outcome(message), at: clock())
        }
        store.attachSender(dispatcher, lease: 60)
        try await body(store, dispatcher, sends)
    }

    /// Queues `texts` for `contact` in one step.
    @discardableResult
    static func queue(_ store: SQLiteStore, _ contact: String, _ texts: [String]) async throws -> [Int64] {
        try await store.update(tenant: "t1", contact: contact, at: t) { session, _ in
            session.status = .waiting
            var changes = ConversationChanges()
            for text in texts { changes.send(.text(text)) }
            return changes
        }.outboxIDs
    }

    /// The delivery status of each outbound message of `contact`, in order.
    static func statuses(_ store: SQLiteStore, _ contact: String) async throws -> [DeliveryStatus] {
        try await store.thread(tenant: "t1", contact: contact, after: nil, limit: 100).compactMap {
            if case .outbound(_, _, let status, _, _) = $0.content { return status }
            return nil
        }
    }

    /// Waits (up to 10 s) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<1000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not reached in 10 s")
    }

    @Test func eachConversationIsSentInOrderAndEverySendIsRecorded() async throws {
        try await Self.withDispatcher(outcome: { message in
            // Uneven delays: conversations interleave, each stays in order.
            try? await Task.sleep(for: .milliseconds(Int(message.id % 3)))
            return .sent(messageID: "wamid.\(message.id)")
        }) { store, _, sends in
            for round in 1...3 {
                for contact in ["a", "b", "c", "d"] {
                    try await Self.queue(store, contact, ["\(contact)\(round).1", "\(contact)\(round).2"])
                }
            }
            try await Self.eventually { try await store.outboxDepth() == 0 }
            for contact in ["a", "b", "c", "d"] {
                #expect(sends.texts(of: contact) == (1...3).flatMap { ["\(contact)\($0).1", "\(contact)\($0).2"] })
                #expect(try await Self.statuses(store, contact) == Array(repeating: .sent, count: 6))
            }
            #expect(sends.started.withLock { $0.count } == 24)
        }
    }

    @Test func aRetryHoldsTheConversationsLaterMessagesBack() async throws {
        try await Self.withDispatcher(outcome: { message in
            if case .text(let text) = message.message, text == "a1" {
                return .retry(at: Self.t + 30, OutboxError(kind: "rate_limited"))
            }
            return .sent(messageID: "wamid.\(message.id)")
        }) { store, _, sends in
            let a = try await Self.queue(store, "a", ["a1", "a2", "a3"])
            try await Self.queue(store, "b", ["b1"])
            try await Self.eventually { try await Self.statuses(store, "b") == [.sent] }
            try await Self.eventually { try await Self.statuses(store, "a") == [.pending, .pending, .pending] }
            // Only a1 was attempted; a2 and a3 were given back without an attempt and wait behind it.
            #expect(sends.texts(of: "a") == ["a1"])
            #expect(try await store.claimOutbox(now: Self.t + 29, limit: 10, lease: 60).isEmpty)
            let retried = try await store.claimOutbox(now: Self.t + 30, limit: 10, lease: 60)
            #expect(retried.map(\.id) == [a[0]])
            #expect(retried.map(\.attempts) == [2])
        }
    }

    @Test func aMessageWhoseLeaseEndedBeforeItsSendIsSentOnceFromItsNewClaim() async throws {
        let clock = Mutex<Int64>(Self.t)
        let gate = Gate()
        try await Self.withDispatcher(
            concurrency: 1, clock: { clock.withLock { $0 } },
            outcome: { message in
                if case .text(let text) = message.message, text == "a1" { await gate.wait() }
                return .sent(messageID: "wamid.\(message.id)")
            }
        ) { store, dispatcher, sends in
            // One sender slot, held by a1: b1 (claimed until t + 60) waits in the dispatcher.
            try await Self.queue(store, "a", ["a1"])
            try await Self.eventually { sends.started.withLock { $0.count } == 1 }
            let b = try await Self.queue(store, "b", ["b1"])
            // The lease runs out meanwhile and a poll claims b1 again, until t + 120.
            clock.withLock { $0 = Self.t + 60 }
            // (a1's claim ran out too, while its send hangs here; only b1's new claim is handed over.)
            let reclaimed = try await store.claimOutbox(now: Self.t + 60, limit: 10, lease: 60).filter {
                $0.contact == "b"
            }
            #expect(reclaimed.map(\.id) == b)
            dispatcher.take(reclaimed)
            gate.open()
            try await Self.eventually { try await store.outboxDepth() == 0 }
            // The stale copy was dropped; b1 went out once.
            #expect(sends.texts(of: "b") == ["b1"])
            #expect(sends.started.withLock { $0.last?.leaseUntil } == Self.t + 120)
        }
    }

    @Test func stoppingGivesBackWhatHasNotStartedAndReportsWhatWasInFlight() async throws {
        let gate = Gate()
        try await Self.withDispatcher(
            concurrency: 1,
            outcome: { message in
                // The first send waits for the test to open the gate.
                if case .text(let text) = message.message, text == "a1" { await gate.wait() }
                return .sent(messageID: "wamid.\(message.id)")
            }
        ) { store, dispatcher, sends in
            try await Self.queue(store, "a", ["a1", "a2"])
            try await Self.queue(store, "b", ["b1"])
            try await Self.eventually { sends.started.withLock { $0.count } == 1 }
            store.attachSender(nil, lease: 60)
            // a2 and b1 are held; stopping gives b1 (no drainer holds it) back at once.
            #expect(dispatcher.held == 2)
            async let stopped: Void = dispatcher.stop()
            try await Self.eventually { dispatcher.held == 1 }
            gate.open()
            await stopped
            // a1 was in flight: sent and recorded. a2 and b1 never started: pending again, unattempted.
            #expect(sends.texts(of: "a") == ["a1"])
            #expect(sends.texts(of: "b").isEmpty)
            #expect(try await Self.statuses(store, "a") == [.sent, .pending])
            #expect(try await Self.statuses(store, "b") == [.pending])
            let again = try await store.claimOutbox(now: Self.t, limit: 10, lease: 60)
            #expect(Set(again.map(\.attempts)) == [1])
            #expect(again.count == 2)
        }
    }

    /// The store, with outcome reports held until the test opens `gate`.
    final class HeldReports: OutboxStore {
        let store: SQLiteStore
        let gate = Gate()

        init(_ store: SQLiteStore) { self.store = store }

        func attachSender(_ handoff: (any OutboxHandoff)?, lease: Int64) {
            store.attachSender(handoff, lease: lease)
        }
        func claimOutbox(now: Int64, limit: Int, lease: Int64) async throws -> [OutboxMessage] {
            try await store.claimOutbox(now: now, limit: limit, lease: lease)
        }
        func completeOutbox(_ results: [OutboxResult]) async throws -> [EarlyFailure] {
            await gate.wait()
            return try await store.completeOutbox(results)
        }
        func releaseOutboxClaims() async throws -> Int { try await store.releaseOutboxClaims() }
        func dueAfterAClockStep(now: Int64, longestWait: Int64) async throws -> Int {
            try await store.dueAfterAClockStep(now: now, longestWait: longestWait)
        }
        func resumeDeferredMessages(errorKind: String, tenant: String?, now: Int64) async throws -> [String: Int] {
            try await store.resumeDeferredMessages(errorKind: errorKind, tenant: tenant, now: now)
        }
        func outboxDepth() async throws -> Int { try await store.outboxDepth() }
    }

    @Test func noSendStartsWhileTheUnreportedLimitOfOutcomesWaitsToBeRecorded() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var logger = Logger(label: "dispatcher-test")
        logger.logLevel = .critical
        let store = try SQLiteStore(path: folder.file("talkflow.sqlite"), logger: logger)
        let held = HeldReports(store)
        let sends = Sends()
        let dispatcher = OutboxDispatcher(
            store: held, concurrency: 2, unreportedLimit: 5, clock: { Self.t }, logger: logger
        ) { message in
            sends.record(message)
            return OutboxResult(id: message.id, .sent(messageID: "wamid.\(message.id)"), at: Self.t)
        }
        store.attachSender(dispatcher, lease: 60)
        for contact in 0..<20 { try await Self.queue(store, "c\(contact)", ["m"]) }
        // The first report hangs: the drainers stop once 5 outcomes wait (each may add the one it was sending).
        try await Self.eventually { sends.started.withLock { $0.count } >= 5 }
        try await Task.sleep(for: .milliseconds(200))
        let started = sends.started.withLock { $0.count }
        #expect((5...6).contains(started), "\(started) sends started while the reports were held")
        // Once reports commit again, everything goes out and is recorded.
        held.gate.open()
        try await Self.eventually { try await store.outboxDepth() == 0 }
        #expect(sends.started.withLock { $0.count } == 20)
        await dispatcher.stop()
    }
}
