import FlowRuntime
import Logging
import ServiceLifecycle
import Storage
import WhatsAppCloud

/// Sends the outbox. The worker attaches an `OutboxDispatcher` to the store, which then hands it each
/// conversation's messages as their transaction commits (already claimed, so the hot path runs no claiming
/// query); its polls claim the rest (retries that came due, scheduled sends, claims of a process that died),
/// at most one per conversation. Each message goes through the Graph API with its tenant's access token and
/// its row id as `biz_opaque_callback_data`, a conversation's messages one after the other, and each outcome
/// is reported to the store:
///
/// - accepted → `sent` with the `wamid`;
/// - rate limits (130429, 131056, 4, 80007) and server errors → retried after `GraphError.retryAfter`, up to
///   `maxAttempts` attempts, then failed;
/// - 131047 (outside the 24-hour window) → failed, and noted on the conversation;
/// - a refused access token (190, 0) → the tenant's sends pause (`SendingPauses`): the message is deferred,
///   not failed, and one send tries the token again when the pause ends;
/// - invalid parameters, permission errors, blocks, unexpected answers → failed at once.
///
/// Sends from one phone number are limited to `send_rate_per_number` per second. The worker polls when a
/// transaction queued messages it could not hand over (the inbound path rings its `OutboxSignal`) and every
/// `pollInterval`; each pass also fires the inactivity timers that came due (`.inactivityTimeout` stepped in a
/// transaction). At start it releases the claims a crashed predecessor left. On graceful shutdown it detaches
/// from the store, gives back the messages not started, finishes those in flight and reports them.
///
/// It also drains `ReadReceipts` (`mark_read`): each committed inbound message is marked as read, under the same
/// per-number limit, at most `readReceiptAttempts` times (a retry only for rate limits and server errors, after
/// at most two seconds); failures are logged and otherwise ignored. On graceful shutdown it sends the receipts
/// already queued, then stops.
public struct OutboxWorker: Service {
    /// How the worker paces itself.
    public struct Settings: Sendable {
        /// Rows a poll claims at once (each from a different conversation).
        public var batchSize: Int
        /// Conversations sent to concurrently.
        public var concurrency: Int
        /// Seconds a claim stays with this worker before another may take it.
        public var lease: Int64
        /// How often to look for work without a signal (rows waiting for a retry, timers).
        public var pollInterval: Duration
        /// Attempts after which a retryable failure becomes final.
        public var maxAttempts: Int
        /// Sends per second per phone number.
        public var sendRatePerNumber: Int
        /// Seconds a tenant's sends wait after Meta refused its access token, before one send tries it again.
        public var authenticationPause: Int64
        /// Outcomes (sent, failed, …) not yet recorded at which no new send starts. It bounds what a crash can
        /// make the next run send again, and it must cover the sends of about two report commits at full speed
        /// (outcomes are recorded in batches that share the steps' commits).
        public var unreportedLimit: Int

        /// The defaults: 32 rows a poll, 64 conversations at once, 60 s leases, a poll every second, 10
        /// attempts, 80 sends/s, 5-minute pauses after a refused token, no new send while 192 outcomes wait to
        /// be recorded.
        public init(
            batchSize: Int = 32, concurrency: Int = 64, lease: Int64 = 60, pollInterval: Duration = .seconds(1),
            maxAttempts: Int = 10, sendRatePerNumber: Int = 80, authenticationPause: Int64 = 300,
            unreportedLimit: Int = 192
        ) {
            self.authenticationPause = authenticationPause
            self.unreportedLimit = unreportedLimit
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.lease = lease
            self.pollInterval = pollInterval
            self.maxAttempts = maxAttempts
            self.sendRatePerNumber = sendRatePerNumber
        }
    }

    let store: any ConversationStore
    let graph: GraphClient
    let registry: TenantRegistry
    let metrics: ServerMetrics?
    let signal: OutboxSignal
    let settings: Settings
    let limiter: SendRateLimiter
    let clock: @Sendable () -> Int64
    let readReceipts: ReadReceipts?
    let logger: Logger
    /// Sends what the store hands over and what the polls claim.
    let dispatcher: OutboxDispatcher
    /// Tenants whose access token was refused.
    let pauses: SendingPauses
    /// The conversation ids of log lines.
    let pseudonyms: ConversationPseudonyms

    /// Attempts to mark one message as read: a courtesy, so retried once at most.
    static let readReceiptAttempts = 2
    /// Longer than any wait the sender sets (a rate limit's backoff reaches an hour, a refused token's pause is
    /// minutes): a message due later than this after start-up was scheduled by a clock that stepped back.
    static let longestWait: Int64 = 2 * 3600
    /// Read receipts sent at the same time.
    static let readReceiptConcurrency = 8
    /// How long a graceful shutdown waits for the queued read receipts before it drops the rest: they are a
    /// courtesy, and a slow Graph API must not hold the store's sender lock (`ShutdownDrain`'s 3 s, the same
    /// order).
    static let readReceiptShutdownLimit: Duration = .seconds(2)

    /// A worker for `store`'s outbox, sending through `graph` for `registry`'s tenants, and marking the messages
    /// queued in `readReceipts` as read.
    public init(
        store: any ConversationStore, graph: GraphClient, registry: TenantRegistry, signal: OutboxSignal,
        settings: Settings = Settings(), metrics: ServerMetrics? = nil,
        clock: @escaping @Sendable () -> Int64 = InboundProcessor.unixTime, readReceipts: ReadReceipts? = nil,
        pseudonyms: ConversationPseudonyms? = nil, logger: Logger = Logger(label: "talkflow.outbox")
    ) {
        self.store = store
        self.graph = graph
        self.registry = registry
        self.signal = signal
        self.settings = settings
        self.metrics = metrics
        self.limiter = SendRateLimiter(rate: settings.sendRatePerNumber)
        self.clock = clock
        self.readReceipts = readReceipts
        self.logger = logger
        let pauses = SendingPauses(duration: settings.authenticationPause)
        self.pauses = pauses
        let pseudonyms = pseudonyms ?? ConversationPseudonyms(store: store)
        self.pseudonyms = pseudonyms
        let sender = Sender(
            graph: graph, registry: registry, metrics: metrics, settings: settings, limiter: limiter, clock: clock,
            store: store, pauses: pauses, signal: signal, pseudonyms: pseudonyms, logger: logger)
        let note = DeliveryFailureNote(store: store, metrics: metrics, pseudonyms: sender.pseudonyms, clock: clock)
        self.dispatcher = OutboxDispatcher(
            store: store, concurrency: settings.concurrency, unreportedLimit: settings.unreportedLimit, clock: clock,
            logger: logger,
            onEarlyFailures: { failures in
                for failure in failures {
                    guard let tenant = registry.tenant(id: failure.tenant) else { continue }
                    var tenantLogger = logger
                    tenantLogger[metadataKey: "tenant"] = "\(failure.tenant)"
                    do {
                        try await note.record(
                            tenant: tenant, contact: failure.contact, outboxID: String(failure.outboxID),
                            error: failure.error,
                            windowClosed: failure.error?.kind == GraphError.Kind.windowClosed.name,
                            at: failure.at, logger: tenantLogger)
                    } catch {
                        tenantLogger.error("could not note the failed message", metadata: ["error": "\(error)"])
                    }
                }
            },
            send: { await sender.send($0) })
    }

    /// Runs passes on every signal and poll until graceful shutdown.
    public func run() async throws {
        let released = try await store.releaseOutboxClaims()
        if released > 0 { logger.notice("outbox claims of a previous run released", metadata: ["rows": "\(released)"]) }
        // No wait the sender sets is longer than an hour (a rate limit's longest backoff): a longer one was set
        // by a clock that has stepped back since.
        let redated = try await store.dueAfterAClockStep(now: clock(), longestWait: Self.longestWait)
        if redated > 0 {
            logger.warning(
                "outbox messages were due later than any retry waits; the clock stepped back, so they are due now",
                metadata: ["rows": "\(redated)"])
        }
        // A pause for a refused access token ends with the restart that brings the renewed one.
        let resumed = try await store.resumeDeferredMessages(
            errorKind: Sender.pausedError.kind, tenant: nil, now: clock())
        for (tenant, rows) in resumed.sorted(by: { $0.key < $1.key }) {
            var tenantLogger = logger
            tenantLogger[metadataKey: "tenant"] = "\(tenant)"
            tenantLogger.notice("messages held by a refused access token are due again", metadata: ["rows": "\(rows)"])
        }
        store.attachSender(dispatcher, lease: settings.lease)
        let signal = signal
        let interval = settings.pollInterval
        let receipts = Task { await drainReadReceipts() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    signal.ring()
                    try? await Task.sleep(for: interval)
                }
            }
            for await _ in signal.stream.cancelOnGracefulShutdown() {
                await pass()
                if Task.isShuttingDownGracefully { break }
            }
            group.cancelAll()
        }
        store.attachSender(nil, lease: settings.lease)
        await dispatcher.stop()
        readReceipts?.finish()
        await Self.finish(receipts, within: Self.readReceiptShutdownLimit)
        logger.info("outbox worker stopped")
    }

    /// Fires due timers, then claims what is ready for the dispatcher (while it does not hold too much already);
    /// errors are logged and the next pass tries again.
    func pass() async {
        do {
            try await fireTimers()
            while !Task.isShuttingDownGracefully, dispatcher.held < settings.concurrency * 4 {
                let claimed = try await store.claimOutbox(
                    now: clock(), limit: settings.batchSize, lease: settings.lease)
                if claimed.isEmpty { break }
                dispatcher.take(claimed)
                if claimed.count < settings.batchSize { break }
            }
            metrics?.outboxDepth.set(Double(try await store.outboxDepth()))
        } catch is CancellationError {
            // The server is stopping (or did not start): nothing failed.
        } catch {
            logger.error("outbox pass failed; retrying on the next one", metadata: ["error": "\(error)"])
        }
    }

    /// Sends one message at a time through the Graph API and says what became of it.
    struct Sender: Sendable {
        /// The error kept on a message held back by a pause.
        static let pausedError = OutboxError(kind: "authentication", detail: "sending paused")

        let graph: GraphClient
        let registry: TenantRegistry
        let metrics: ServerMetrics?
        let settings: Settings
        let limiter: SendRateLimiter
        let clock: @Sendable () -> Int64
        let store: any ConversationStore
        let pauses: SendingPauses
        /// Rung when a pause ends, so that the messages it held are claimed at once.
        let signal: OutboxSignal
        /// The conversation ids of log lines.
        let pseudonyms: ConversationPseudonyms
        let logger: Logger

        /// Sends one claimed row and says what became of it.
        func send(_ message: OutboxMessage) async -> OutboxResult {
            // The message's logger (its tenant, conversation and outbox id) is built only on the paths that
            // write a line.
            func messageLogger() async -> Logger {
                var logger = logger
                logger[metadataKey: "tenant"] = "\(message.tenant)"
                logger[metadataKey: "conversation"] =
                    "\(await pseudonyms.id(tenant: message.tenant, contact: message.contact))"
                logger[metadataKey: "outbox_id"] = "\(message.id)"
                return logger
            }
            guard let tenant = registry.tenant(id: message.tenant) else {
                await messageLogger().error("outbox message of a tenant no longer configured; given up")
                return OutboxResult(id: message.id, .failed(OutboxError(kind: "unknown_tenant")), at: clock())
            }
            if case .wait(let until) = pauses.decision(tenant: tenant.id, now: clock()) {
                return OutboxResult(id: message.id, .deferred(until: until, Self.pausedError), at: clock())
            }
            if case .template(let name, let language, _, _, _) = message.message,
                let refusal = await templateRefusal(name: name, language: language, to: message.contact, of: tenant)
            {
                await messageLogger().notice(
                    "template no longer allowed to the contact; not sent", metadata: ["reason": "\(refusal.code)"])
                return OutboxResult(
                    id: message.id, .failed(OutboxError(kind: refusal.code, detail: refusal.description)), at: clock())
            }
            let body: [UInt8]
            do {
                body = try OutboundRequest(
                    to: message.contact, message: message.message, callbackData: String(message.id)
                ).body()
            } catch {
                metrics?.failed(.invalidRequest)
                await messageLogger().error(
                    "outbox message cannot be encoded; given up", metadata: ["reason": "\(error.reason)"])
                return OutboxResult(
                    id: message.id, .failed(OutboxError(kind: "invalid_parameter", detail: error.reason)), at: clock())
            }
            await limiter.acquire(tenant.config.phoneNumberID)
            do {
                let result = try await graph.send(
                    body, phoneNumberID: tenant.config.phoneNumberID, token: tenant.secrets.accessToken)
                if pauses.resume(tenant: tenant.id) {
                    metrics?.sendingPaused(tenant: tenant.id, false)
                    await messageLogger().notice("the access token works again; the tenant's sends resume")
                    await resumeHeldMessages(of: tenant.id, logger: messageLogger())
                }
                metrics?.messageSent(tenant: tenant.id)
                if logger.logLevel <= .debug {
                    await messageLogger().debug("message sent", metadata: ["wamid": "\(result.messageID)"])
                }
                return OutboxResult(id: message.id, .sent(messageID: result.messageID), at: clock())
            } catch {
                return await failure(error, for: message, tenant: tenant, logger: messageLogger())
            }
        }

        /// Why a queued template may no longer go to the contact, if it may not: the check made when it was
        /// queued, made again on the contact's session as it is now (`TemplateSender.refusal`). A template waits
        /// for a retry or behind other messages while the contact opts out, or a reload brings a new policy
        /// version; a revocation fails it in the store already. A store that cannot be read lets it go, as the
        /// queueing allowed it.
        func templateRefusal(name: String, language: String, to contact: String, of tenant: Tenant) async
            -> TemplateSender.Refusal?
        {
            let stored: Session??
            do { stored = .some(try await store.session(tenant: tenant.id, contact: contact)) } catch { stored = nil }
            guard let stored else { return nil }
            // No session: the contact's data was erased since; nothing is in force.
            guard let session = stored else { return .noConsent }
            let machine = tenant.flow.interpreter.machine
            return TemplateSender.refusal(
                to: session, marketing: TemplateSender.isMarketing(name: name, language: language, in: machine),
                machine: machine, hours: false, at: clock())
        }

        /// Makes the messages the pause held due now: they were deferred to the pause's end, and waiting it out
        /// would answer contacts who wrote during a token hiccup minutes after those who wrote later.
        func resumeHeldMessages(of tenant: String, logger: Logger) async {
            do {
                let resumed = try await store.resumeDeferredMessages(
                    errorKind: Self.pausedError.kind, tenant: tenant, now: clock())
                if let rows = resumed[tenant] {
                    logger.notice(
                        "messages held by a refused access token are due again", metadata: ["rows": "\(rows)"])
                }
                signal.ring()
            } catch {
                logger.error(
                    "could not make the held messages due again; they go when their wait ends",
                    metadata: ["error": "\(error)"])
            }
        }

        /// What to report for a Graph API error: a retry while the kind allows it and attempts remain, else a
        /// final failure (a closed window also noted on the conversation).
        func failure(_ error: GraphError, for message: OutboxMessage, tenant: Tenant, logger: Logger) async
            -> OutboxResult
        {
            metrics?.failed(FailureKind(error.kind))
            let now = clock()
            let outboxError = OutboxError(kind: error.kind.name, detail: error.code.map { String($0) })
            if error.kind == .authentication {
                let (until, isNew) = pauses.pause(tenant: tenant.id, now: now)
                if isNew {
                    metrics?.sendingPaused(tenant: tenant.id, true)
                    logger.error(
                        "Meta refused the access token; the tenant's sends are paused and retried every few minutes",
                        metadata: ["error": "\(error)", "retry_in_s": "\(until - now)"])
                }
                return OutboxResult(id: message.id, .deferred(until: until, outboxError), at: now)
            }
            if let delay = error.retryAfter(attempt: message.attempts), message.attempts < settings.maxAttempts {
                let seconds = max(1, delay.components.seconds + (delay.components.attoseconds > 0 ? 1 : 0))
                // Times are kept in whole seconds and `now` is the failure's second, which began up to a second
                // before it: due one second later than `now + seconds`, the retry never comes before the delay.
                logger.warning(
                    "send failed; retrying later",
                    metadata: ["error": "\(error)", "attempt": "\(message.attempts)", "retry_in_s": "\(seconds)"])
                return OutboxResult(id: message.id, .retry(at: now + seconds + 1, outboxError), at: now)
            }
            logger.error("send failed; given up", metadata: ["error": "\(error)", "attempt": "\(message.attempts)"])
            do {
                if error.kind == .windowClosed {
                    try await store.recordWindowClosed(tenant: tenant, contact: message.contact, at: now)
                }
                // Meta refused it because the contact stopped the business's marketing messages.
                if error.kind == .blocked(.marketingOptOut) {
                    try await OptInWithdrawal(store: store, pseudonyms: pseudonyms, clock: clock).withdraw(
                        tenant: tenant, contact: message.contact, at: now, whatsAppTime: false,
                        because: "failed_131050", logger: logger)
                }
            } catch {
                logger.error("could not note the failed send", metadata: ["error": "\(error)"])
            }
            return OutboxResult(id: message.id, .failed(outboxError), at: now)
        }
    }

    /// Waits for `task` at most `limit`, then cancels it and waits for it to stop.
    static func finish<Result: Sendable>(_ task: Task<Result, Never>, within limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await task.value }
            group.addTask {
                // Cancelled itself once the task is done: then the task is left as it finished.
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                task.cancel()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Marks the queued messages as read, a few at a time, until the queue is finished (or the task cancelled:
    /// what is left is dropped, as receipts are a courtesy).
    func drainReadReceipts() async {
        guard let readReceipts else { return }
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for await receipt in readReceipts.stream {
                if inFlight >= Self.readReceiptConcurrency {
                    await group.next()
                    inFlight -= 1
                }
                group.addTask { await markRead(receipt) }
                inFlight += 1
            }
        }
    }

    /// Marks one message as read; every failure is logged (without the message id but at debug level, since a
    /// wamid encodes the contact's number) and dropped.
    func markRead(_ receipt: ReadReceipt) async {
        var logger = logger
        logger[metadataKey: "tenant"] = "\(receipt.tenant)"
        // The conversation id (an HMAC) only when a line is written: most receipts write none at `info`.
        if logger.logLevel <= .debug {
            logger[metadataKey: "conversation"] =
                "\(await pseudonyms.id(tenant: receipt.tenant, contact: receipt.contact))"
        }
        guard let tenant = registry.tenant(id: receipt.tenant) else {
            logger.debug("read receipt of a tenant no longer configured; dropped")
            return
        }
        if pauses.isPaused(tenant: tenant.id, now: clock()) {
            logger.debug("read receipt dropped: the tenant's sends are paused")
            return
        }
        for attempt in 1...Self.readReceiptAttempts {
            await limiter.acquire(tenant.config.phoneNumberID)
            // Cut off by the shutdown's limit: dropped without a word, as a full queue drops them.
            if Task.isCancelled { return }
            do {
                try await graph.markRead(
                    messageID: receipt.messageID, phoneNumberID: tenant.config.phoneNumberID,
                    token: tenant.secrets.accessToken)
                logger.debug("message marked as read", metadata: ["message_id": "\(receipt.messageID)"])
                return
            } catch {
                if Task.isCancelled { return }
                let metadata: Logger.Metadata = [
                    "kind": "\(error.kind.name)", "code": "\(error.code.map { String($0) } ?? "")",
                    "attempt": "\(attempt)",
                ]
                guard attempt < Self.readReceiptAttempts, let delay = error.retryAfter(attempt: attempt) else {
                    if logger[metadataKey: "conversation"] == nil {
                        logger[metadataKey: "conversation"] =
                            "\(await pseudonyms.id(tenant: receipt.tenant, contact: receipt.contact))"
                    }
                    logger.warning("could not mark a message as read; given up", metadata: metadata)
                    return
                }
                logger.debug("could not mark a message as read; retrying", metadata: metadata)
                do {
                    try await Task.sleep(for: min(delay, .seconds(2)))
                } catch {
                    return
                }
            }
        }
    }

    /// Steps `.inactivityTimeout` for every session whose deadline has passed, each in its own transaction.
    /// The interpreter ignores a timer that a later message made stale.
    func fireTimers() async throws {
        let now = clock()
        let due = try await store.dueInactivityTimers(now: now, limit: 100)
        var queued = false
        for timer in due {
            guard let tenant = registry.tenant(id: timer.tenant) else { continue }
            let stepper = ConversationStepper(
                flow: tenant.flow,
                evidence: EvidenceContext(
                    channel: InboundProcessor.channel, phoneNumberID: tenant.config.phoneNumberID,
                    receivedAt: timer.deadline))
            // A deadline passed while the server was down fires at its own time; one more than a year old (a
            // damaged row, `Int64.min`) at a year ago, so that no time past any clock's range is stepped.
            let at = max(timer.deadline, now - 366 * 86_400)
            let start = ContinuousClock.now
            let committed = try await store.update(tenant: tenant.id, contact: timer.contact, at: at) {
                session, transaction in
                var changes = ConversationChanges()
                try stepper.step(
                    .inactivityTimeout, at: at, session: &session, transaction: transaction, into: &changes)
                // A deadline the interpreter did not act on (the session no longer waits) must not fire again.
                if let deadline = session.inactivityDeadline, deadline <= at, session.status != .waiting {
                    session.inactivityDeadline = nil
                }
                return changes
            }
            metrics?.stepDuration.record(ContinuousClock.now - start)
            queued = queued || committed.hasWaitingMessages
            if logger.logLevel <= .debug {
                let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
                logger.debug(
                    "inactivity timer fired", metadata: ["tenant": "\(tenant.id)", "conversation": "\(conversation)"])
            }
        }
        if queued { signal.ring() }
    }
}
