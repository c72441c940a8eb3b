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
        let key = try ledgerKey(db, tenant: tenant, contact: request.contact)
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
        try db.run("DELETE FROM conversation_log WHERE tenant = ? AND contact IN (\(placeholders))", scope)
        let logLines = db.changesCount
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
}
