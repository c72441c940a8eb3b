import FlowRuntime
import GRDB
import Logging

extension SQLiteStore {
    @discardableResult
    public func handleInbound(
        tenant: String, contact: String, aliases: [String], messageID: String, receivedAt: Int64,
        _ body: @escaping @Sendable (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) async throws -> CommittedChanges? {
        try checkStillTheOpenedFile()
        return try await commits.submit { [self] db in
            // Recording the id first is the dedup check too: a known id inserts nothing. (If the step then
            // throws, the whole step, this row included, is rolled back.)
            let record = try DirectStatement(
                db, "INSERT OR IGNORE INTO processed_messages (tenant, message_id, at) VALUES (?, ?, ?)")
            record.bind(1, tenant)
            record.bind(2, messageID)
            record.bind(3, receivedAt)
            try record.run()
            guard db.changesCount == 1 else { return SQLiteCommitQueue.Outcome() }
            let key = try Self.conversationKey(db, tenant: tenant, contact: contact, aliases: aliases)
            return try Self.step(
                db, tenant: tenant, contact: key, inbound: messageID, at: receivedAt, sender: attachedSender,
                logger: logger, body: body)
        }.committed
    }

    @discardableResult
    public func update(
        tenant: String, contact: String, at: Int64,
        _ body: @escaping @Sendable (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) async throws -> CommittedChanges {
        let committed = try await commits.submit { [self] db in
            // Another id of the contact names the same conversation (a key is nobody's alias: it stays itself).
            let key = try Self.conversationKey(db, tenant: tenant, contact: contact, aliases: [])
            return try Self.step(
                db, tenant: tenant, contact: key, inbound: nil, at: at, sender: attachedSender, logger: logger,
                body: body)
        }.committed
        return committed!
    }

    public func wasProcessed(tenant: String, messageID: String) async throws -> Bool {
        try await pool.read { db in
            try db.row("SELECT 1 FROM processed_messages WHERE tenant = ? AND message_id = ?", [tenant, messageID])
                != nil
        }
    }

    /// One conversation step inside the caller's write transaction: load, run the body, save everything; with
    /// a `sender`, claim the queued messages for it when the conversation had none unfinished (when one is
    /// being sent, the queued ones follow it: finishing it claims them).
    static func step(
        _ db: Database, tenant: String, contact: String, inbound messageID: String?, at: Int64,
        sender: OutboxSenderAttachment?, logger: Logger? = nil,
        body: (inout Session, any ConversationTransaction) throws -> ConversationChanges
    ) throws -> SQLiteCommitQueue.Outcome {
        var session: Session
        let stored: StoredSession?
        var setAside: (detail: String, events: [ConversationEvent])?
        do {
            stored = try loadStoredSession(db, tenant: tenant, contact: contact)
        } catch StorageError.corruptRow(table: "sessions", let detail) {
            // A damaged session must not silence the contact for good (every message refused until Meta gives
            // up): it is kept aside, and the contact's message starts a new one. Consent is the ledger's anyway.
            let events = try setAsideUnreadableSession(db, tenant: tenant, contact: contact, detail: detail, at: at)
            stored = nil
            setAside = (detail, events)
        }
        if let stored {
            session = stored.session
        } else {
            session = Session(consent: try derivedConsent(db, tenant: tenant, contact: contact).sessionConsent())
        }
        // A contact whose session was set aside had one: a data request's revocation still finds them.
        let transaction = SQLiteConversationTransaction(
            db: db, tenant: tenant, contact: contact, at: at, hasStoredSession: stored != nil || setAside != nil)
        var changes = try body(&session, transaction)
        if let setAside {
            changes.lines.insert(contentsOf: setAside.events.map { .event($0) }, at: 0)
            logger?.error(
                "unreadable session set aside; the contact's message starts a new conversation",
                metadata: ["tenant": "\(tenant)", "error": "\(setAside.detail)"])
        }
        try saveSession(
            db, tenant: tenant, contact: contact, session: session, previous: stored, changes: changes, at: at)
        if let messageID {
            try logInbound(
                db, tenant: tenant, contact: contact, messageID: messageID, at: at, changes: changes)
        }
        var claims: OutboxClaims?
        var followsMessageInFlight = false
        if changes.lines.contains(where: { if case .message = $0 { true } else { false } }) {
            switch try unfinishedOutboxHead(db, tenant: tenant, contact: contact) {
            case nil:
                if let sender { claims = OutboxClaims(handoff: sender.handoff, messages: []) }
            case "sending":
                followsMessageInFlight = true
            default:
                break
            }
        }
        let outboxIDs = try logLines(
            db, tenant: tenant, contact: contact, at: at, changes: changes, claims: &claims,
            leaseUntil: sender.map { $0.handoff.now + $0.lease } ?? 0)
        let sequences = try changes.ledger.map {
            try appendLedger(db, tenant: tenant, contact: contact, entry: $0, linesFrom: outboxIDs.first)
        }
        let committed = CommittedChanges(
            contact: contact, session: session, changes: changes, outboxIDs: outboxIDs, ledgerSequences: sequences,
            handedOffIDs: claims?.messages.map(\.id) ?? [], followsMessageInFlight: followsMessageInFlight)
        return SQLiteCommitQueue.Outcome(committed, claimed: claims?.messages.isEmpty == false ? claims : nil)
    }

    /// The conversation a message naming the contact by `contact` (its phone number, when it has one) and
    /// `aliases` (the business-scoped user id beside it) belongs to, inside the transaction, with the links
    /// between the ids kept up to date (operations.md, "Who the contact is"):
    /// - one id: the conversation it was linked to, else its own;
    /// - two ids linked together: their conversation;
    /// - otherwise the pair is new, or contradicts a stored one (a number change: the user id was linked to
    ///   another number; a change of the user id: the number was linked to another one). An id that keys a
    ///   conversation another id is linked to stays with it; of the others, the conversation is the first's
    ///   that has a session (the number's first), else the first's (the number's, unless it stays with its
    ///   own); with neither free, the number's. The ids move from any other link to this pair, and the one that
    ///   is not the key is linked to it, when free.
    /// So a reply never goes to a number the message did not carry, and every later message with either id
    /// finds the pair's conversation, until another pair takes one of them.
    static func conversationKey(_ db: Database, tenant: String, contact: String, aliases: [String]) throws -> String {
        let linked = try linkedKey(db, tenant: tenant, alias: contact)
        guard let other = aliases.first(where: { $0 != contact }) else { return linked ?? contact }
        if linked == other { return other }
        let otherLinked = try linkedKey(db, tenant: tenant, alias: other)
        if otherLinked == contact { return contact }
        let free = try [contact, other].filter { try !keysLinks(db, tenant: tenant, contact: $0) }
        let conversation = try free.first { try hasSession(db, tenant: tenant, contact: $0) } ?? free.first ?? contact
        for (id, link) in [(contact, linked), (other, otherLinked)] where link != nil {
            try unlink(db, tenant: tenant, alias: id)
        }
        for id in free where id != conversation {
            try link(db, tenant: tenant, ids: [id], to: conversation)
        }
        return conversation
    }

    /// The conversation key `alias` was linked to in the tenant, if any: the one look-up of `contact_aliases`,
    /// which the conversation transactions, the ledger and the agent API's routes all go through. It runs for
    /// every inbound message, so it binds and reads through `DirectStatement` (performance.md: GRDB's arguments
    /// and rows cost as much as SQLite's own work here).
    static func linkedKey(_ db: Database, tenant: String, alias: String) throws -> String? {
        let lookup = try DirectStatement(db, "SELECT contact FROM contact_aliases WHERE tenant = ? AND alias = ?")
        lookup.bind(1, tenant)
        lookup.bind(2, alias)
        return try lookup.step() ? lookup.text(0) : nil
    }

    /// Whether `contact` keys a conversation that another id is linked to (through `contact_aliases_by_contact`).
    static func keysLinks(_ db: Database, tenant: String, contact: String) throws -> Bool {
        let query = try DirectStatement(db, "SELECT 1 FROM contact_aliases WHERE tenant = ? AND contact = ?")
        query.bind(1, tenant)
        query.bind(2, contact)
        return try query.step()
    }

    /// Drops `alias`'s link: the id now belongs to another pair.
    static func unlink(_ db: Database, tenant: String, alias: String) throws {
        let unlink = try DirectStatement(db, "DELETE FROM contact_aliases WHERE tenant = ? AND alias = ?")
        unlink.bind(1, tenant)
        unlink.bind(2, alias)
        try unlink.run()
    }

    /// Links every id but the conversation's own key to it (kept when already linked).
    static func link(_ db: Database, tenant: String, ids: [String], to conversation: String) throws {
        for id in ids where id != conversation {
            let link = try DirectStatement(
                db, "INSERT OR IGNORE INTO contact_aliases (tenant, alias, contact) VALUES (?, ?, ?)")
            link.bind(1, tenant)
            link.bind(2, id)
            link.bind(3, conversation)
            try link.run()
        }
    }

    /// Whether `contact` has a session with the tenant.
    static func hasSession(_ db: Database, tenant: String, contact: String) throws -> Bool {
        let query = try DirectStatement(db, "SELECT 1 FROM sessions WHERE tenant = ? AND contact = ?")
        query.bind(1, tenant)
        query.bind(2, contact)
        return try query.step()
    }
}
