import FlowRuntime
import GRDB

extension SQLiteStore {
    public func eraseContactData(id: Int64, at: Int64) async throws -> DataErasure? {
        // Immediate: the CLI and the server may write the same file; the checks and the deletion see one state.
        try await pool.writeWithoutTransaction { db in
            var erasure: DataErasure?
            try db.inTransaction(.immediate) {
                erasure = try Self.erase(db, id: id, at: at)
                return .commit
            }
            return erasure
        }
    }

    /// The erasure inside its transaction: a refusal thrown here rolls everything back.
    static func erase(_ db: Database, id: Int64, at: Int64) throws -> DataErasure? {
        guard let request = try dataRequest(db, id: id) else { return nil }
        try DataErasure.check(request)
        let tenant = request.tenant
        // The conversation the case was pinned to when it was opened (links may have moved since).
        let key = try request.conversation ?? ledgerKey(db, tenant: tenant, contact: request.contact)
        // The contact's ids with the tenant: the case's, the conversation's key and the ids linked to it.
        var contacts = [key]
        if request.contact != key { contacts.append(request.contact) }
        for alias in try String.fetchAll(
            db, sql: "SELECT alias FROM contact_aliases WHERE tenant = ? AND contact = ? ORDER BY alias",
            arguments: [tenant, key])
        where !contacts.contains(alias) {
            contacts.append(alias)
        }
        let placeholders = contacts.map { _ in "?" }.joined(separator: ", ")
        let scope = StatementArguments([tenant] + contacts)

        let statuses = try String.fetchAll(
            db, sql: "SELECT status FROM sessions WHERE tenant = ? AND contact IN (\(placeholders))", arguments: scope)
        let inHandoff = [ConversationStatus.queued, .withAgent].map(\.rawValue)
        if statuses.contains(where: inHandoff.contains) { throw DataErasure.Refusal.conversationOpen }
        // A case whose contact the tenant has nothing of (a number written otherwise, another tenant's contact)
        // erases nothing: refused, rather than recorded as an erasure of the data that are still there.
        let numbered = contacts.indices.map { "?\($0 + 2)" }.joined(separator: ", ")
        let known = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM sessions WHERE tenant = ?1 AND contact IN (\(numbered)))
                    OR EXISTS (SELECT 1 FROM conversation_log WHERE tenant = ?1 AND contact IN (\(numbered)))
                    OR EXISTS (SELECT 1 FROM contact_aliases WHERE tenant = ?1
                        AND (alias IN (\(numbered)) OR contact IN (\(numbered))))
                """, arguments: scope)
        if known != true { throw DataErasure.Refusal.unknownContact }
        let sending = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM conversation_log WHERE tenant = ? AND contact IN (\(placeholders))
                    AND status IN ('pending', 'sending'))
                """, arguments: scope)
        if sending == true { throw DataErasure.Refusal.outboxPending }

        // Status webhooks kept for the contact's sent messages go with the lines that name them.
        try db.run(
            """
            DELETE FROM early_statuses WHERE tenant = ? AND message_id IN (
                SELECT message_id FROM conversation_log
                WHERE tenant = ? AND contact IN (\(placeholders)) AND direction = 'out' AND message_id IS NOT NULL)
            """, StatementArguments([tenant]) + scope)
        let earlyStatuses = db.changesCount
        var figures = try erasedFigures(db, tenant: tenant, contacts: contacts, placeholders: placeholders)
        try db.run("DELETE FROM conversation_log WHERE tenant = ? AND contact IN (\(placeholders))", scope)
        let logLines = db.changesCount
        // A damaged session set aside holds the contact's answers as much as the live one.
        try db.run("DELETE FROM unreadable_sessions WHERE tenant = ? AND contact IN (\(placeholders))", scope)
        // The link between the contact's ids stays, as the consent evidence does: it is what proves, by either
        // id, whose consent the records are, and what finds the open reclamo's flag.

        var closedConversation = false
        for contact in contacts {
            guard
                let text = try String.fetchOne(
                    db, sql: "SELECT session FROM sessions WHERE tenant = ? AND contact = ?",
                    arguments: [tenant, contact])
            else { continue }
            var session = try SessionColumn.decode(text)
            if session.status == .waiting {
                session.closeConversation(at: at)
                session.awaitingOptIn = false
                session.attempts = 0
                closedConversation = true
            }
            // The profile name and phone, and any answer left: the consent state, the attachment allowance and
            // the times stay (they are what keeps consent provable and the allowance holding). Every slot is kept,
            // emptied, so the session still fits its flow's variable layout.
            session.variables = Array(repeating: nil, count: session.variables.count)
            try db.run(
                """
                UPDATE sessions SET session = ?, contact_name = NULL, status = ?, ended_at = ?,
                    inactivity_deadline = NULL, agent = NULL, queue = NULL, updated_at = ?
                WHERE tenant = ? AND contact = ?
                """,
                [
                    SessionColumn.encode(session), ConversationStatus(session.status).rawValue, session.endedAt, at,
                    tenant, contact,
                ])
        }

        // The conversation the erasure closed (the last one still open) ends now, as its `closed` line would say.
        if closedConversation, let open = figures.lastIndex(where: { $0.endedAt == nil }) { figures[open].endedAt = at }
        for conversation in figures {
            try db.run(
                """
                INSERT INTO erased_conversations
                    (tenant, started_at, ended_at, agent, wait_started_at, first_reply_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    tenant, conversation.startedAt, conversation.endedAt, conversation.agent,
                    conversation.waitStartedAt, conversation.firstReplyAt,
                ])
        }

        try db.run(
            """
            UPDATE data_requests SET erased_at = ?, erased_lines = ?, erased_contact = ?
            WHERE id = ? AND erased_at IS NULL AND answered_at IS NULL
            """, [at, logLines, key, id])
        guard let erased = try dataRequest(db, id: id) else { return nil }
        return DataErasure(
            request: erased, contact: key, logLines: logLines, earlyStatuses: earlyStatuses,
            closedConversation: closedConversation)
    }

    /// The report's figures of the conversations in the contact's lines, read before the lines go.
    static func erasedFigures(_ db: Database, tenant: String, contacts: [String], placeholders: String) throws
        -> [LoggedConversation]
    {
        try loggedConversations(
            db,
            lines: """
                SELECT contact, at, direction, kind, detail, agent, message_id, status FROM conversation_log
                WHERE tenant = ? AND contact IN (\(placeholders))
                ORDER BY contact, seq
                """, arguments: StatementArguments([tenant] + contacts), startedBefore: nil)
    }

    /// The figures erasures kept of the tenant's conversations started in the period (`loggedConversations`).
    /// (A file older than v14 has none.)
    static func erasedConversations(
        _ db: Database, tenant: String, startedFrom from: Int64?, startedBefore before: Int64?
    )
        throws -> [LoggedConversation]
    {
        guard try db.tableExists("erased_conversations") else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT started_at, ended_at, agent, wait_started_at, first_reply_at FROM erased_conversations
                WHERE tenant = ? AND started_at >= ? AND started_at < ?
                ORDER BY started_at
                """, arguments: [tenant, from ?? 0, before ?? Int64.max]
        ).map { row in
            var conversation = LoggedConversation(startedAt: row[0])
            conversation.endedAt = row[1]
            conversation.agent = row[2]
            conversation.waitStartedAt = row[3]
            conversation.firstReplyAt = row[4]
            return conversation
        }
    }
}
