import Logging
import Storage
import Synchronization

/// The in-process half of the outbox: receives the messages the store claimed for this process (handed over
/// with the commits that queued them, or claimed by the worker's polls), sends each conversation's messages one
/// after the other in their order, different conversations concurrently, and reports the outcomes to the store
/// in batches that share the conversation steps' commits.
///
/// - After an outcome that leaves a message pending (`retry`, `deferred`), the conversation's later messages held
///   here are released (pending again, behind the one that waits), so none overtakes it.
/// - A message whose lease is about to end before its send starts is left alone: another claim may take it once
///   the lease ends, and sending it here too would send it twice. (If that claim hands it back here, the new
///   copy is sent.)
/// - `stop()` (graceful shutdown) releases what has not started, waits for the sends in flight, and reports
///   everything before it returns.
/// - A drainer sends no more while `unreportedLimit` outcomes or more wait for their report to commit, so what a
///   crash can make the next run send again (sent, not yet recorded) is at most `unreportedLimit` plus twice
///   `concurrency` messages (those in flight, and one outcome per drainer past the limit).
final class OutboxDispatcher: OutboxHandoff {
    /// Sends one message and says what became of it.
    typealias Send = @Sendable (OutboxMessage) async -> OutboxResult

    private struct Conversation: Hashable {
        let tenant: String
        let contact: String
    }

    private struct State {
        /// Messages not started, per conversation, in order. A conversation is present while it waits in
        /// `ready` or a drainer holds it.
        var queues: [Conversation: [OutboxMessage]] = [:]
        /// Conversations waiting for a drainer, oldest first (from `readyHead` on).
        var ready: [Conversation] = []
        var readyHead = 0
        /// Drainers running.
        var running = 0
        /// Messages held and not started.
        var held = 0
        /// Outcomes not yet reported, and whether a report is being written.
        var results: [OutboxResult] = []
        var reporting = false
        /// Outcomes gathered whose report has not committed yet (in `results` or being written).
        var unreported = 0
        /// Drainers waiting for reports to commit before they send more.
        var reportWaiters: [CheckedContinuation<Void, Never>] = []
        var stopping = false
        /// Who waits for everything to be sent and reported (`stop()`).
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var isIdle: Bool { running == 0 && !reporting && results.isEmpty }

        mutating func nextReady() -> Conversation? {
            guard readyHead < ready.count else { return nil }
            let conversation = ready[readyHead]
            readyHead += 1
            if readyHead > 1024, readyHead * 2 > ready.count {
                ready.removeFirst(readyHead)
                readyHead = 0
            }
            return conversation
        }
    }

    private let state = Mutex(State())
    private let store: any OutboxStore
    private let send: Send
    private let concurrency: Int
    /// Outcomes waiting for their report at which drainers stop starting sends.
    private let unreportedLimit: Int
    /// Seconds before a lease ends after which a message is no longer started.
    private let leaseMargin: Int64
    /// How long fewer than `reportBatch` outcomes wait for more before they are reported.
    private let reportDelay: Duration
    static let reportBatch = 8
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    /// Told of the `failed` statuses that had arrived before their messages were recorded sent.
    private let onEarlyFailures: @Sendable ([EarlyFailure]) async -> Void

    /// A dispatcher reporting to `store`, sending with `send`, at most `concurrency` conversations at a time, and
    /// starting no send while `unreportedLimit` outcomes (by default `concurrency`) wait to be recorded.
    init(
        store: any OutboxStore, concurrency: Int, unreportedLimit: Int? = nil, leaseMargin: Int64 = 5,
        reportDelay: Duration = .milliseconds(5), clock: @escaping @Sendable () -> Int64, logger: Logger,
        onEarlyFailures: @escaping @Sendable ([EarlyFailure]) async -> Void = { _ in }, send: @escaping Send
    ) {
        self.onEarlyFailures = onEarlyFailures
        self.reportDelay = reportDelay
        self.store = store
        self.send = send
        self.concurrency = max(1, concurrency)
        self.unreportedLimit = max(1, unreportedLimit ?? concurrency)
        self.leaseMargin = leaseMargin
        self.clock = clock
        self.logger = logger
    }

    /// Messages held and not started: the worker's polls claim no more while this is large.
    var held: Int { state.withLock { $0.held } }

    /// The worker's clock: the store's claims for this dispatcher run from it.
    var now: Int64 { clock() }

    func take(_ messages: [OutboxMessage]) {
        let now = clock()
        let (drainers, report) = state.withLock { state -> (Int, Bool) in
            for message in messages {
                if state.stopping {
                    state.results.append(OutboxResult(id: message.id, .released, at: now))
                    state.unreported += 1
                    continue
                }
                let conversation = Conversation(tenant: message.tenant, contact: message.contact)
                if state.queues[conversation] == nil {
                    state.queues[conversation] = [message]
                    state.ready.append(conversation)
                } else {
                    state.queues[conversation]!.append(message)
                }
                state.held += 1
            }
            let drainers = min(concurrency - state.running, state.ready.count - state.readyHead)
            state.running += max(0, drainers)
            return (max(0, drainers), startReport(&state))
        }
        for _ in 0..<drainers { Task { await drain() } }
        if report { Task { await writeReports() } }
    }

    /// Releases what has not started, waits for the sends in flight and reports everything. The caller
    /// detaches the dispatcher from the store first.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (idle, report) = state.withLock { state -> (Bool, Bool) in
                state.stopping = true
                // Conversations no drainer holds yet: released here.
                let now = clock()
                while let conversation = state.nextReady() {
                    for message in state.queues.removeValue(forKey: conversation) ?? [] {
                        state.results.append(OutboxResult(id: message.id, .released, at: now))
                        state.unreported += 1
                        state.held -= 1
                    }
                }
                if state.isIdle { return (true, false) }
                state.idleWaiters.append(continuation)
                return (false, startReport(&state))
            }
            if idle { continuation.resume() }
            if report { Task { await writeReports() } }
        }
    }

    /// Takes conversations from `ready` and sends their messages until none is left.
    private func drain() async {
        while let conversation = state.withLock({ state -> Conversation? in
            if let next = state.nextReady() { return next }
            state.running -= 1
            return nil
        }) {
            await drain(conversation)
        }
        resumeIfIdle()
    }

    /// Sends one conversation's messages in order until its queue is empty.
    private func drain(_ conversation: Conversation) async {
        while true {
            let now = clock()
            var reportReleases = false
            let next = state.withLock { state -> OutboxMessage? in
                guard var queue = state.queues[conversation], !queue.isEmpty else {
                    state.queues[conversation] = nil
                    return nil
                }
                if state.stopping {
                    for message in queue { state.results.append(OutboxResult(id: message.id, .released, at: now)) }
                    state.unreported += queue.count
                    state.held -= queue.count
                    state.queues[conversation] = nil
                    reportReleases = startReport(&state)
                    return nil
                }
                // Messages whose claim ends too soon are left to the next claim. Claims of one conversation come
                // in order, so those are at the front; a later copy of the same message, claimed again after its
                // lease ended, is sent in its place.
                while let first = queue.first, let lease = first.leaseUntil, now >= lease - leaseMargin {
                    queue.removeFirst()
                    state.held -= 1
                }
                guard !queue.isEmpty else {
                    state.queues[conversation] = nil
                    return nil
                }
                let message = queue.removeFirst()
                state.held -= 1
                state.queues[conversation] = queue
                return message
            }
            if reportReleases { Task { await writeReports() } }
            guard let message = next else { return }
            let result = await send(message)
            let report = state.withLock { state -> Bool in
                state.results.append(result)
                state.unreported += 1
                if result.outcome.leavesPending, let queue = state.queues[conversation] {
                    // The later messages wait behind the one that is pending again.
                    for later in queue { state.results.append(OutboxResult(id: later.id, .released, at: result.at)) }
                    state.unreported += queue.count
                    state.held -= queue.count
                    state.queues[conversation] = []
                }
                return startReport(&state)
            }
            if report { Task { await writeReports() } }
            await waitForReports()
        }
    }

    /// Waits while `unreportedLimit` outcomes or more wait for their report to commit: what a crash can make the
    /// next run send again is then bounded (the sends in flight and the outcomes not yet recorded).
    private func waitForReports() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { state -> Bool in
                guard state.unreported >= unreportedLimit else { return false }
                state.reportWaiters.append(continuation)
                return true
            }
            if !wait { continuation.resume() }
        }
    }

    /// Marks a report as started when there is something to report and none is being written.
    private func startReport(_ state: inout State) -> Bool {
        guard !state.reporting, !state.results.isEmpty else { return false }
        state.reporting = true
        return true
    }

    /// Writes the outcomes gathered so far, batch after batch, until none is left.
    private func writeReports() async {
        while true {
            // A few outcomes wait a moment for more, so that a trickle of sends (a rate-limited number) costs one
            // commit, and one disk flush, per batch rather than per message. Nothing waits on a report but the
            // conversation's next message when it was queued behind, which this delays by at most the wait.
            let few = state.withLock { $0.results.count < Self.reportBatch && !$0.stopping }
            if few { try? await Task.sleep(for: reportDelay) }
            guard let batch = nextReport() else { break }
            do {
                let early = try await store.completeOutbox(batch)
                if !early.isEmpty { await onEarlyFailures(early) }
            } catch {
                // The claims stay until their leases end; those messages are then sent again.
                logger.error(
                    "outbox outcomes could not be recorded", metadata: ["error": "\(error)", "count": "\(batch.count)"])
            }
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.unreported -= batch.count
                guard state.unreported < unreportedLimit else { return [] }
                defer { state.reportWaiters.removeAll() }
                return state.reportWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        resumeIfIdle()
    }

    /// The outcomes to report next, or `nil` (and no report running) when there are none.
    private func nextReport() -> [OutboxResult]? {
        state.withLock { state -> [OutboxResult]? in
            guard !state.results.isEmpty else {
                state.reporting = false
                return nil
            }
            defer { state.results.removeAll(keepingCapacity: true) }
            return state.results
        }
    }

    private func resumeIfIdle() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.isIdle else { return [] }
            defer { state.idleWaiters.removeAll() }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

extension OutboxResult.Outcome {
    /// Whether the message is pending again afterwards, so that the conversation's later messages must wait.
    var leavesPending: Bool {
        switch self {
        case .retry, .deferred, .released: return true
        case .sent, .failed: return false
        }
    }
}
