import GRDB

extension SQLiteStore {
    public func openDataRequest(
        tenant: String, contact: String, kind: DataRequest.Kind, receivedAt: Int64, dueAt: Int64, flagDueAt: Int64?,
        subject: String?, recordedAt: Int64
    ) async throws -> DataRequest {
        let flaggedAt = kind == .claim ? recordedAt : nil
        return try await pool.write { db in
            // The case is pinned to the conversation its contact names now: a later number change moves links,
            // not the data the case is about.
            let conversation = try Self.ledgerKey(db, tenant: tenant, contact: contact)
            try db.run(
                """
                INSERT INTO data_requests (tenant, contact, kind, received_at, due_at, flag_due_at, flagged_at, subject,
                    conversation)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [tenant, contact, kind.rawValue, receivedAt, dueAt, flagDueAt, flaggedAt, subject, conversation])
            return DataRequest(
                id: db.lastInsertedRowID, tenant: tenant, contact: contact, kind: kind, receivedAt: receivedAt,
                dueAt: dueAt, flagDueAt: flagDueAt, flaggedAt: flaggedAt, subject: subject, conversation: conversation)
        }
    }

    public func claimInProgress(tenant: String, contact: String) async throws -> Bool {
        try await pool.read { db in try Self.claimInProgress(db, tenant: tenant, contact: contact) }
    }

    /// Whether an open claim of the tenant names the contact by any of its ids: as given, the conversation's key,
    /// or another id linked to that key; or was pinned to that key when it was opened, or erased under it (the
    /// links may have moved since). (A file older than the cases, read by `talkflow consent`, has none; one
    /// older than v12 no erasures, one older than v13 no pinned conversation.)
    static func claimInProgress(_ db: Database, tenant: String, contact: String) throws -> Bool {
        guard try db.tableExists("data_requests") else { return false }
        let key = try ledgerKey(db, tenant: tenant, contact: contact)
        var aliases =
            try db.tableExists("contact_aliases")
            ? "OR contact IN (SELECT alias FROM contact_aliases WHERE tenant = ?1 AND contact = ?3)" : ""
        let columns = try db.columns(in: "data_requests").map(\.name)
        if columns.contains("erased_contact") { aliases += " OR erased_contact = ?3" }
        if columns.contains("conversation") { aliases += " OR conversation = ?3" }
        return try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM data_requests
                WHERE tenant = ?1 AND kind = 'claim' AND answered_at IS NULL AND (contact = ?2 OR contact = ?3 \(aliases)))
                """, arguments: [tenant, contact, key]) ?? false
    }

    public func dataRequest(id: Int64) async throws -> DataRequest? {
        try await pool.read { db in try Self.dataRequest(db, id: id) }
    }

    public func dataRequests(tenant: String?, open: Bool?) async throws -> [DataRequest] {
        try await pool.read { db in
            var sql = "SELECT * FROM data_requests"
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let tenant {
                conditions.append("tenant = ?")
                arguments += [tenant]
            }
            if let open { conditions.append(open ? "answered_at IS NULL" : "answered_at IS NOT NULL") }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            return try db.rows(sql + " ORDER BY received_at, id", arguments).map(Self.dataRequest(row:))
        }
    }

    public func extendDataRequest(id: Int64, at: Int64, dueAt: Int64) async throws -> DataRequest? {
        try await pool.write { db in
            try db.run(
                """
                UPDATE data_requests SET extended_at = ?, due_at = ?
                WHERE id = ? AND extended_at IS NULL AND answered_at IS NULL
                """, [at, dueAt, id])
            return db.changesCount == 0 ? nil : try Self.dataRequest(db, id: id)
        }
    }

    public func answerDataRequest(id: Int64, at: Int64, answer: String?) async throws -> DataRequest? {
        try await pool.write { db in
            try db.run(
                "UPDATE data_requests SET answered_at = ?, answer = ? WHERE id = ? AND answered_at IS NULL",
                [at, answer, id])
            return db.changesCount == 0 ? nil : try Self.dataRequest(db, id: id)
        }
    }

    static func dataRequest(_ db: Database, id: Int64) throws -> DataRequest? {
        try db.rows("SELECT * FROM data_requests WHERE id = ?", [id]).first.map(dataRequest(row:))
    }

    static func dataRequest(row: Row) throws -> DataRequest {
        let kind: String = row["kind"]
        guard let parsed = DataRequest.Kind(rawValue: kind) else {
            throw StorageError.corruptRow(
                table: "data_requests", detail: "request \(row["id"] as Int64? ?? 0): kind '\(kind)' is unknown")
        }
        return DataRequest(
            id: row["id"], tenant: row["tenant"], contact: row["contact"], kind: parsed, receivedAt: row["received_at"],
            dueAt: row["due_at"], flagDueAt: row["flag_due_at"], flaggedAt: row["flagged_at"],
            extendedAt: row["extended_at"], answeredAt: row["answered_at"], subject: row["subject"],
            answer: row["answer"], erasedAt: row["erased_at"], erasedLines: row["erased_lines"],
            conversation: row["conversation"])
    }
}
