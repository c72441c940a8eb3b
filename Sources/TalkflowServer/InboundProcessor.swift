import FlowRuntime
import Foundation
import Logging
import Storage
import WhatsAppCloud

/// Processes a tenant's verified webhook updates durably, before the webhook is acknowledged.
///
/// - Each inbound message runs in one store transaction (`ConversationStore.handleInbound`): load the session
///   (a new contact gets the consent the ledger remembers), set `contact.name` from the WhatsApp profile name,
///   step the interpreter, answer a handoff with the store's rotation, and keep the effects (outbox, ledger,
///   log). A message id seen before changes nothing. An attachment's real size comes from the media endpoint
///   first, outside the transaction, so the monthly allowance counts real bytes.
/// - Messages of one conversation are handled one after the other, in the order they arrived (a lock per
///   tenant and contact); different conversations run in parallel.
/// - Status updates move the delivery status of the message with that `wamid` forward only; a `failed` with
///   code 131047 also notes on the conversation that the 24-hour window had closed.
/// - After a commit that queued messages, the outbox worker is woken. After every commit of a new message, the
///   message is queued to be marked as read (when `mark_read` is on), best effort and after the acknowledgement.
///
/// Messages a flow does not see (reactions, WhatsApp's notices, edits) are logged at debug level and
/// acknowledged; nothing is stored for them. Those it cannot read (an order, an unsupported type) are stepped as
/// the runtime's `unreadable` event.
public struct InboundProcessor: TenantUpdateProcessor {
    /// The channel name kept with consent evidence.
    public static let channel = "whatsapp_cloud"

    let store: any ConversationStore
    let graph: GraphClient
    let metrics: ServerMetrics?
    let signal: OutboxSignal?
    let clock: @Sendable () -> Int64
    /// Where agents hear of assignments and contact messages after each commit.
    let events: AgentEventBroadcaster?
    /// Where committed messages go to be marked as read; `nil` when `mark_read` is off.
    let readReceipts: ReadReceipts?
    /// The conversation ids of log lines.
    let pseudonyms: ConversationPseudonyms
    /// Where the webhooks' WhatsApp times tell whether this machine's clock is right (for the retention purges).
    let clockAgreement: ClockAgreement?
    let locks = ConversationLocks()

    /// A processor writing to `store`, resolving media sizes through `graph`, timing steps in `metrics` and
    /// ringing `signal` after commits that queued messages, and queueing each committed message in
    /// `readReceipts`. `clock` gives the receipt time (Unix seconds).
    public init(
        store: any ConversationStore, graph: GraphClient, metrics: ServerMetrics? = nil, signal: OutboxSignal? = nil,
        clock: @escaping @Sendable () -> Int64 = InboundProcessor.unixTime, events: AgentEventBroadcaster? = nil,
        readReceipts: ReadReceipts? = nil, pseudonyms: ConversationPseudonyms? = nil,
        clockAgreement: ClockAgreement? = nil
    ) {
        self.pseudonyms = pseudonyms ?? ConversationPseudonyms(store: store)
        self.clockAgreement = clockAgreement
        self.store = store
        self.graph = graph
        self.metrics = metrics
        self.signal = signal
        self.clock = clock
        self.events = events
        self.readReceipts = readReceipts
    }

    /// The system clock in Unix seconds: the default receipt time.
    public static let unixTime: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    /// Handles the messages (per conversation, in order; conversations in parallel), then the statuses.
    public func process(_ updates: [WebhookUpdate], for tenant: Tenant, logger: Logger) async throws {
        var contacts: [String] = []
        var messages: [String: [InboundMessage]] = [:]
        var statuses: [StatusUpdate] = []
        var preferences: [MarketingPreference] = []
        var calls: [CallStarted] = []
        for update in updates {
            switch update {
            case .message(let message):
                if messages[message.contactID] == nil { contacts.append(message.contactID) }
                messages[message.contactID, default: []].append(message)
            case .status(let status):
                statuses.append(status)
            case .error(_, let error):
                logger.warning(
                    "the Graph API reported an error in a webhook",
                    metadata: ["code": "\(error.code)", "error": "\(error)"])
            case .marketingPreference(let preference):
                preferences.append(preference)
            case .callStarted(let call):
                calls.append(call)
            case .messageWithoutSender(let type, _):
                logger.debug(
                    "message without a sender acknowledged; there is no conversation to put it in",
                    metadata: ["type": "\(type)"])
            case .unknown(let field, _):
                logger.debug("webhook change of a field talkflow does not handle", metadata: ["field": "\(field)"])
            case .otherProduct:
                break  // never routed to a tenant: it names no number
            }
        }
        if contacts.count == 1, let contact = contacts.first {
            // The common POST: one contact, no child task.
            try await handle(messages[contact] ?? [], of: contact, tenant: tenant, logger: logger)
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for contact in contacts {
                    let conversation = messages[contact] ?? []
                    group.addTask { try await handle(conversation, of: contact, tenant: tenant, logger: logger) }
                }
                try await group.waitForAll()
            }
        }
        for status in statuses { try await apply(status, tenant: tenant, logger: logger) }
        for preference in preferences { try await apply(preference, tenant: tenant, logger: logger) }
        for call in calls {
            try await locks.withLock(tenant: tenant.id, contact: call.caller) {
                try await CallWindow(store: store, pseudonyms: pseudonyms, clock: clock).renew(
                    tenant: tenant, call: call, logger: logger)
            }
        }
    }

    /// A contact stopped marketing messages in WhatsApp's settings: an opt-in to promotions is withdrawn and
    /// the withdrawal recorded in the consent ledger, in one transaction deduplicated like a message (by the
    /// contact, the time and the choice). Resuming them is only logged: it lifts WhatsApp's block, but it is not
    /// the express authorization an opt-in is (the contact opts in again at the flow's question).
    func apply(_ preference: MarketingPreference, tenant: Tenant, logger: Logger) async throws {
        guard preference.value == "stop" else {
            logger.info(
                "contact changed marketing preferences in WhatsApp; the opt-in is unchanged",
                metadata: ["value": "\(preference.value)"])
            return
        }
        try await locks.withLock(tenant: tenant.id, contact: preference.waID) {
            try await OptInWithdrawal(store: store, pseudonyms: pseudonyms, clock: clock).withdraw(
                tenant: tenant, contact: preference.waID,
                at: Self.whatsAppTime(preference.timestamp, receivedAt: clock()),
                whatsAppTime: true,
                because: "user_preferences", logger: logger)
        }
    }

    /// WhatsApp's time of a message, status or preference notice, or its receipt time when it is dated more than
    /// a day after it arrived (a wrong clock, a hand-made body): a message's time orders consent decisions (a
    /// revocation word dated in the year 5138 would revoke every later acceptance) and an opt-out is judged by
    /// it, and no date past the year 9999 is shown or escapes the retention purge. Within a day its own time
    /// stands: WhatsApp's clock may run ahead of this machine's.
    static func whatsAppTime(_ stamped: Int64, receivedAt: Int64) -> Int64 {
        stamped > receivedAt + 86_400 ? receivedAt : stamped
    }

    /// One contact's messages of a POST, in order, while holding the conversation's lock.
    func handle(_ conversation: [InboundMessage], of contact: String, tenant: Tenant, logger: Logger) async throws {
        try await locks.withLock(tenant: tenant.id, contact: contact) {
            for message in conversation { try await handle(message, tenant: tenant, logger: logger) }
        }
    }

    /// One inbound message: dedup, media size, then the transaction.
    func handle(_ message: InboundMessage, tenant: Tenant, logger: Logger) async throws {
        // A wamid encodes the contact's number: it is logged at debug level only (and the metadata is built
        // only when a debug line is written).
        let messageID = message.id
        // A flow talks with one contact and its consent is one contact's: a message written in a group is not
        // stepped (its replies would go to the member privately). Nothing of it is stored.
        guard message.groupID == nil else {
            logger.info("group message acknowledged; flows do not run in groups", metadata: ["type": "\(message.type)"])
            return
        }
        var size: Int64 = 0
        if case .media(let media) = message.content, message.errors.isEmpty {
            // A redelivered attachment must not cost a call to the media endpoint; other messages rely on the
            // transaction's own check.
            if try await store.wasProcessed(tenant: tenant.id, messageID: message.id) {
                logger.debug("inbound message seen before; nothing changes", metadata: ["message_id": "\(messageID)"])
                return
            }
            size = try await mediaSize(media, tenant: tenant, logger: logger)
        }
        guard let kind = message.event(mediaSize: size) else {
            var metadata: Logger.Metadata = ["type": "\(message.type)", "message_id": "\(messageID)"]
            // Meta's `unsupported` wrapper says what it stands for (a reaction, an edit) in its part's type.
            if case .unsupported(_, let subtype?) = message.content { metadata["subtype"] = "\(subtype)" }
            logger.debug("inbound message the flow does not see; acknowledged", metadata: metadata)
            return
        }
        let receivedAt = clock()
        clockAgreement?.note(whatsAppTime: message.timestamp, receivedAt: receivedAt)
        let timestamp = Self.whatsAppTime(message.timestamp, receivedAt: receivedAt)
        let stepper = ConversationStepper(
            tenant, receivedAt: receivedAt, requests: message.context?.messageID.map { [$0] },
            whatsAppTime: timestamp)
        let profileName = message.profileName
        let phone = message.waID.map { "+" + $0 }
        let type = message.type
        let forwarded = message.context.map { $0.forwarded || $0.frequentlyForwarded } ?? false
        let templateButton: Bool
        if case .templateButton = message.content { templateButton = true } else { templateButton = false }
        let start = ContinuousClock.now
        let committed = try await store.handleInbound(
            tenant: tenant.id, contact: message.contactID, aliases: message.aliases, messageID: message.id,
            receivedAt: receivedAt
        ) { session, transaction in
            while session.variables.count < 2 { session.variables.append(nil) }
            if let profileName, !profileName.isEmpty { session.variables[0] = profileName }
            if session.variables[1] == nil, let phone { session.variables[1] = phone }
            var changes = ConversationChanges(inboundKind: type, inboundTimestamp: timestamp)
            try stepper.step(
                kind, at: receivedAt, forwarded: forwarded, templateButton: templateButton, session: &session,
                transaction: transaction,
                into: &changes)
            return changes
        }
        metrics?.stepDuration.record(ContinuousClock.now - start)
        guard let committed else {
            logger.debug("inbound message seen before; nothing changes", metadata: ["message_id": "\(messageID)"])
            return
        }
        if logger.logLevel <= .info {
            let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
            logger.info(
                "inbound message processed",
                metadata: [
                    "type": "\(type)", "queued": "\(committed.outboxIDs.count)",
                    "step": "\(committed.changes.stateName ?? "")", "conversation": "\(conversation)",
                ])
        }
        if committed.hasWaitingMessages { signal?.ring() }
        let receipt = ReadReceipt(tenant: tenant.id, contact: committed.contact, messageID: message.id)
        if let readReceipts, !readReceipts.enqueue(receipt), logger.logLevel <= .debug {
            let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
            logger.debug(
                "read receipt queue full; the message is not marked as read",
                metadata: ["message_id": "\(messageID)", "conversation": "\(conversation)"])
        }
        events?.publish(committed, tenant: tenant.id, contact: committed.contact, at: receivedAt, inbound: true)
    }

    /// The attachment's size from the media endpoint. A retryable failure fails the webhook (Meta delivers it
    /// again); any other counts the file as 0 bytes, with a warning.
    func mediaSize(_ media: InboundMessage.Media, tenant: Tenant, logger: Logger) async throws -> Int64 {
        do {
            return try await graph.mediaInfo(
                id: media.id, token: tenant.secrets.accessToken, phoneNumberID: tenant.config.phoneNumberID
            ).fileSize
        } catch {
            metrics?.failed(FailureKind(error.kind))
            if error.kind.isRetryable { throw error }
            logger.warning(
                "media size unavailable; the attachment counts as 0 bytes", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// One status webhook: the delivery status moves forward only.
    func apply(_ status: StatusUpdate, tenant: Tenant, logger: Logger) async throws {
        let delivery: DeliveryStatus
        switch status.status {
        case .sent: delivery = .sent
        case .delivered: delivery = .delivered
        case .read: delivery = .read
        case .failed: delivery = .failed
        case .played, .other:
            logger.debug("status talkflow does not track", metadata: ["status": "\(status.status.rawValue)"])
            return
        }
        let error = status.errors.first.map {
            OutboxError(kind: $0.kind.name, detail: String($0.code))
        }
        let receivedAt = clock()
        clockAgreement?.note(whatsAppTime: status.timestamp, receivedAt: receivedAt)
        let at = Self.whatsAppTime(status.timestamp, receivedAt: receivedAt)
        let changed = try await store.updateDeliveryStatus(
            tenant: tenant.id, messageID: status.messageID, status: delivery, at: at, error: error)
        guard delivery == .failed else { return }
        let note = DeliveryFailureNote(store: store, metrics: metrics, pseudonyms: pseudonyms, clock: clock)
        guard changed else {
            // Delivered again after a failed try, or ahead of the send: the opt-in still goes now (safe to repeat).
            try await note.withdrawIfMarketingStopped(
                tenant: tenant, contact: status.recipientID ?? status.recipientUserID, error: error,
                at: at, logger: logger)
            return
        }
        // The failed message's own conversation: the status may name the recipient by another of its ids (its
        // phone number for a conversation keyed by its user id), or by none.
        let message = try await store.outboundMessage(tenant: tenant.id, messageID: status.messageID)
        try await note.record(
            tenant: tenant, contact: message?.contact ?? status.recipientID ?? status.recipientUserID,
            outboxID: message.map { String($0.outboxID) } ?? status.callbackData ?? "",
            error: error, windowClosed: status.errors.contains { $0.kind == .windowClosed }, at: at,
            logger: logger)
    }
}
