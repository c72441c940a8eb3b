import FlowRuntime

/// Everything the server stores, behind one protocol so that another database (PostgreSQL) can pass the same
/// test suite. The conversation transactions are the heart of it: one inbound message is handled in one
/// transaction (load the session, step, save the session, queue the replies, append the ledger and the
/// log, record the message id), committed before the call returns, so the webhook can be acknowledged as soon
/// as it returns and a message id seen before changes nothing.
public protocol ConversationStore: SessionStore, ConversationLogStore, ConsentLedgerStore, AgentRotationStore,
    OutboxStore, RetentionStore, PseudonymKeyStore, DataRequestStore, FlowLayoutStore
{
    /// Handles one inbound WhatsApp message exactly once.
    ///
    /// If the tenant has processed `messageID` before, returns `nil` and changes nothing (Meta delivers
    /// webhooks at least once). Otherwise, in one transaction:
    ///
    /// 1. loads the contact's session, or a new one (`Session(consent:)`, status `new`) for a contact never
    ///    seen; either way its `consent.acceptedVersion` and `consent.optIn` are the ledger's;
    /// 2. runs `body`, which steps the interpreter on the session in place (and may take an agent from the
    ///    rotation through the transaction) and returns what to keep;
    /// 3. saves the session; logs the inbound message (its content only if `inboundContent` is set, i.e.
    ///    after consent), the events and the outbound messages; queues the outbound messages in the outbox;
    ///    appends the ledger records; records `messageID` as processed;
    ///
    /// and commits before returning. If `body` throws, nothing is stored, the message id is not recorded (so
    /// Meta's retry runs it again), and the error is rethrown.
    ///
    /// `body` runs on a database thread while the write lock is held: keep it quick and pure (step the
    /// interpreter, map effects), no I/O, no awaiting. Concurrent calls may be committed together in one
    /// transaction (group commit), each body in its own savepoint: a throwing body rolls back only its own
    /// step. Calls for one conversation must be awaited one after the other to keep its messages in order.
    ///
    /// WhatsApp may name one person by two ids: the phone number (`wa_id`) and the business-scoped user id
    /// (BSUID), of which either may be missing from a given message. `contact` is the id the message is keyed
    /// by (the `wa_id` when present); `aliases` are the person's other ids in the same message. A person keeps
    /// one conversation whichever ids later messages carry: the store remembers which conversation each id
    /// belongs to once a message has carried two of them, and uses that conversation (`CommittedChanges.contact`
    /// says which); a message with two ids where only the alias had a conversation stays in that one. Ids that
    /// contradict a stored link (a new number with a known user id, or the reverse) go to a conversation keyed
    /// by one of them, never another number's: operations.md, "Who the contact is", has the rule.
    @discardableResult
    func handleInbound(
        tenant: String, contact: String, aliases: [String], messageID: String, receivedAt: Int64,
        _ body: @escaping @Sendable (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) async throws -> CommittedChanges?

    /// Runs one conversation step that is not an inbound message (an agent's reply, close or reassignment,
    /// an inactivity timeout, a template) in one transaction, like `handleInbound` without the message id (no
    /// dedup) and without an inbound log line. `contact` may be another id of the conversation's contact (the
    /// phone number of a conversation first known by its business-scoped user id).
    @discardableResult
    func update(
        tenant: String, contact: String, at: Int64,
        _ body: @escaping @Sendable (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) async throws -> CommittedChanges

    /// Whether the tenant has processed this inbound message id.
    func wasProcessed(tenant: String, messageID: String) async throws -> Bool
}

extension ConversationStore {
    /// `handleInbound` for a message that names the contact by one id only.
    @discardableResult
    public func handleInbound(
        tenant: String, contact: String, messageID: String, receivedAt: Int64,
        _ body: @escaping @Sendable (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) async throws -> CommittedChanges? {
        try await handleInbound(
            tenant: tenant, contact: contact, aliases: [], messageID: messageID, receivedAt: receivedAt, body)
    }
}

/// What a conversation transaction committed: the saved session, the changes, and the ids the store gave
/// them (to wake the outbox worker or notify agents after the commit).
public struct CommittedChanges: Sendable, Hashable {
    /// The contact key of the conversation that stepped: the one asked for, or the conversation an alias
    /// belongs to (`ConversationStore.handleInbound`).
    public var contact: String
    /// The session as saved.
    public var session: Session
    /// What the body returned, as stored.
    public var changes: ConversationChanges
    /// The outbox ids of `changes.outbound`, in order.
    public var outboxIDs: [Int64]
    /// The ledger sequence numbers of `changes.ledger`, in order.
    public var ledgerSequences: [Int64]
    /// The outbox ids among `outboxIDs` that were claimed and handed to the attached sender with the commit
    /// (`OutboxStore.attachSender`); the others wait for `claimOutbox`.
    public var handedOffIDs: [Int64]
    /// The conversation's oldest unfinished message was being sent (claimed by a sender) when the step
    /// committed: the messages not handed over wait behind it, and finishing it claims them
    /// (`OutboxStore.completeOutbox`), so no claim is needed for them now.
    public var followsMessageInFlight: Bool

    /// What a store reports after the commit.
    public init(
        contact: String, session: Session, changes: ConversationChanges, outboxIDs: [Int64], ledgerSequences: [Int64],
        handedOffIDs: [Int64] = [], followsMessageInFlight: Bool = false
    ) {
        self.contact = contact
        self.session = session
        self.changes = changes
        self.outboxIDs = outboxIDs
        self.ledgerSequences = ledgerSequences
        self.handedOffIDs = handedOffIDs
        self.followsMessageInFlight = followsMessageInFlight
    }

    /// Whether some queued messages were not handed to the sender and wait for a claim (`claimOutbox`): not
    /// those queued behind a message in flight, which its completion claims.
    public var hasWaitingMessages: Bool { outboxIDs.count > handedOffIDs.count && !followsMessageInFlight }
}
