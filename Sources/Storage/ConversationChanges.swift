import FlowRuntime

/// Everything one step of a conversation adds to the store besides the session itself: the outbound
/// messages (which go to the outbox), the consent ledger records, the log lines. The body of
/// `ConversationStore.handleInbound` returns it, and the store commits it with the session in one
/// transaction. `record(_:evidence:)` fills it from the interpreter's effects.
public struct ConversationChanges: Sendable, Hashable {
    /// The flow the session runs (its id), stored beside the session for listing conversations.
    public var flow: String?
    /// The step id of the session's current state (the machine knows it; the session only has the index).
    public var stateName: String?
    /// The name of the session's queue during a handoff (the session only has its index).
    public var queueName: String?
    /// The inbound message's content for the log: `nil` keeps only its metadata (habeas-data checklist item
    /// 14: before consent, what the contact writes is not stored). Set by a `logContactMessage` effect.
    public var inboundContent: RelayedMessage?
    /// The inbound message's type as WhatsApp names it (`text`, `interactive`, `image`, `reaction`…): metadata,
    /// kept even before consent.
    public var inboundKind: String
    /// WhatsApp's timestamp of the inbound message (Unix seconds), when the webhook gave one.
    public var inboundTimestamp: Int64?
    /// Whether the step relayed the contact's message to the agent (a `relayToAgent` effect): only then does the
    /// agent's event stream get it. A file of a refused type, an opt-out or a revocation during a handoff is not.
    public var relayedToAgent: Bool
    /// What to log after the inbound message, in order: messages to send (each also becomes a `pending`
    /// outbox row) and events.
    public var lines: [Line]
    /// Consent and revocation records to append to the ledger, in order.
    public var ledger: [LedgerEntry]

    /// Empty changes; `record(_:evidence:)`, `send(_:from:)` and `log(_:detail:)` fill them.
    public init(
        flow: String? = nil, stateName: String? = nil, queueName: String? = nil, inboundKind: String = "text",
        inboundTimestamp: Int64? = nil
    ) {
        self.flow = flow
        self.stateName = stateName
        self.queueName = queueName
        self.inboundContent = nil
        self.inboundKind = inboundKind
        self.inboundTimestamp = inboundTimestamp
        self.relayedToAgent = false
        self.lines = []
        self.ledger = []
    }
}

extension ConversationChanges {
    /// One line for the log: a message to the contact or an event.
    public enum Line: Sendable, Hashable {
        /// A message to the contact (also queued in the outbox).
        case message(QueuedMessage)
        /// An event.
        case event(ConversationEvent)
    }

    /// The messages to send, in order.
    public var outbound: [QueuedMessage] {
        lines.compactMap {
            if case .message(let queued) = $0 { return queued }
            return nil
        }
    }

    /// The events, in order.
    public var events: [ConversationEvent] {
        lines.compactMap {
            if case .event(let event) = $0 { return event }
            return nil
        }
    }

    /// Whether a conversation starts or an agent is assigned: either begins the wait for an agent's first
    /// reply again.
    var startsOrAssigns: Bool {
        lines.contains {
            guard case .event(let event) = $0 else { return false }
            return event.kind == ConversationEvent.started || event.kind == ConversationEvent.agentAssigned
        }
    }

    /// Queues a message to the contact.
    public mutating func send(_ message: OutboundMessage, from sender: Sender = .bot) {
        lines.append(.message(QueuedMessage(message, from: sender)))
    }

    /// Logs an event.
    public mutating func log(_ kind: String, detail: String? = nil) {
        lines.append(.event(ConversationEvent(kind, detail: detail)))
    }
}

/// An outbound message as the outbox queues it.
public struct QueuedMessage: Sendable, Hashable {
    /// What to send.
    public var message: OutboundMessage
    /// The bot or the agent who wrote it.
    public var sender: Sender
    /// Do not send before this time (Unix seconds); `nil` sends at once.
    public var notBefore: Int64?

    /// A message to queue, at once unless `notBefore` is given.
    public init(_ message: OutboundMessage, from sender: Sender = .bot, notBefore: Int64? = nil) {
        self.message = message
        self.sender = sender
        self.notBefore = notBefore
    }
}
