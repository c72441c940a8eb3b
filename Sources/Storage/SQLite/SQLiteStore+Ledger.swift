import Crypto
import FlowRuntime
import GRDB

extension SQLiteStore {
    @discardableResult
    public func appendConsent(tenant: String, contact: String, _ entries: [LedgerEntry]) async throws -> [Int64] {
        try await pool.writeWithoutTransaction { db in
            var sequences: [Int64] = []
            try db.inTransaction(.immediate) {
                sequences = try entries.map {
                    try Self.appendLedger(db, tenant: tenant, contact: contact, entry: $0)
                }
                return .commit
            }
            return sequences
        }
    }

    /// The contact's consent, under whichever of its ids `contact` is, as `consentHistory` reads it.
    public func consentState(tenant: String, contact: String) async throws -> ContactConsent {
        try await pool.read { db in
            try Self.derivedConsent(db, tenant: tenant, contact: Self.ledgerKey(db, tenant: tenant, contact: contact))
        }
    }

    public func consentHistory(tenant: String, contact: String) async throws -> ConsentHistory {
        try await pool.read { db in try Self.history(db, tenant: tenant, contact: contact) }
    }

    /// The consent export, synchronously: for command-line tools that do not run an async context.
    public func consentHistory(tenant: String, contact: String) throws -> ConsentHistory {
        try pool.read { db in try Self.history(db, tenant: tenant, contact: contact) }
    }

    public func consentTenants(contact: String) async throws -> [String] {
        try await pool.read { db in try Self.tenants(db, contact: contact) }
    }

    /// The tenants holding records about the contact, synchronously (see `consentHistory`).
    public func consentTenants(contact: String) throws -> [String] {
        try pool.read { db in try Self.tenants(db, contact: contact) }
    }

    static func tenants(_ db: Database, contact: String) throws -> [String] {
        guard try db.tableExists("contact_aliases") else {
            return try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT DISTINCT tenant FROM consent_ledger WHERE contact = ? ORDER BY tenant"),
                arguments: [contact])
        }
        return try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT l.tenant FROM consent_ledger l
                    WHERE l.contact = ?1
                        OR l.contact IN (SELECT a.contact FROM contact_aliases a WHERE a.alias = ?1 AND a.tenant = l.tenant)
                    ORDER BY l.tenant
                    """), arguments: [contact])
    }

    /// The key the tenant's records about `contact` are kept under: `contact` itself, or the conversation key
    /// it is an alias of (a phone number's `wa_id` for a contact first known by a business-scoped user id).
    /// (A ledger file older than the aliases, read by `talkflow consent`, has no aliases table.)
    static func ledgerKey(_ db: Database, tenant: String, contact: String) throws -> String {
        guard try db.tableExists("contact_aliases") else { return contact }
        return try linkedKey(db, tenant: tenant, alias: contact) ?? contact
    }

    /// The contact's consent, folded from the few columns the fold reads, in ledger order.
    static func derivedConsent(_ db: Database, tenant: String, contact: String) throws -> ContactConsent {
        var consent = ContactConsent()
        let query = try DirectStatement(
            db,
            """
            SELECT seq, kind, choice, sensitive, policy_version FROM consent_ledger
            WHERE tenant = ? AND contact = ? ORDER BY seq
            """)
        query.bind(1, tenant)
        query.bind(2, contact)
        while try query.step() {
            guard let sequence = query.int64(0), let kind = query.text(1), let choice = query.text(2),
                let sensitive = query.int64(3), let version = query.text(4)
            else { throw StorageError.corruptRow(table: "consent_ledger", detail: "a record without its columns") }
            consent.lastSequence = sequence
            consent.apply(
                kind: kind == "revocation" ? .revocation : .consent, choice: choice, sensitive: sensitive != 0,
                version: version)
        }
        return consent
    }

    /// Appends one record and its texts; returns its sequence number. `linesFrom`: the outbox id of the first
    /// message the same step queued, if any: the request answered was queued before it.
    static func appendLedger(
        _ db: Database, tenant: String, contact: String, entry: LedgerEntry, linesFrom: Int64? = nil
    ) throws -> Int64 {
        switch entry.evidence {
        case .consent(let evidence):
            var hashes: [String] = []
            for text in evidence.shownTexts {
                let hash = sha256(text)
                try db.run("INSERT INTO consent_texts (sha256, text) VALUES (?, ?)", [hash, text])
                hashes.append(hash)
            }
            // A decision made outside any step (an opt-in withdrawn) answers no request.
            let step: String? = evidence.step.isEmpty ? nil : evidence.step
            let request =
                step == nil
                ? nil
                : try requestMessage(
                    db, tenant, contact, evidence, quoted: entry.requestMessageIDs, before: linesFrom ?? .max)
            if let request, request.messageID == nil {
                // Not reported sent yet: its `sent` report appends the wamid to `consent_request_sends`.
                try db.run("UPDATE conversation_log SET ledger_awaits_wamid = 1 WHERE seq = ?", [request.outboxID])
            }
            try db.run(
                """
                INSERT INTO consent_ledger (tenant, contact, kind, channel, phone_number_id, flow, step,
                    policy_version, policy_url, choice, text_hashes, text_sha256, purposes_accepted,
                    purposes_declined, sensitive, language, at, received_at, reply_message_id, request_message_ids,
                    wa_timestamp, flow_version, request_outbox_id)
                VALUES (?, ?, 'consent', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    tenant, contact, entry.channel, entry.phoneNumberID, evidence.flow, step,
                    evidence.policyVersion, evidence.policyURL, evidence.choice, ColumnJSON.array(hashes),
                    evidence.textSHA256, ColumnJSON.array(evidence.purposesAccepted),
                    ColumnJSON.array(evidence.purposesDeclined), evidence.sensitive, evidence.language, evidence.at,
                    entry.receivedAt, evidence.replyMessageID,
                    ColumnJSON.array(request?.messageID.map { [$0] } ?? []), entry.whatsAppTimestamp,
                    entry.flowVersion, request?.outboxID,
                ])
        case .revocation(let evidence):
            try db.run(
                """
                INSERT INTO consent_ledger (tenant, contact, kind, channel, phone_number_id, flow, step,
                    policy_version, policy_url, choice, text_hashes, text_sha256, purposes_accepted,
                    purposes_declined, sensitive, language, at, received_at, reply_message_id, request_message_ids,
                    words, wa_timestamp, flow_version)
                VALUES (?, ?, 'revocation', ?, ?, ?, NULL, ?, NULL, 'revoked', '[]', NULL, '[]', '[]', 0, NULL, ?, ?,
                    ?, ?, ?, ?, ?)
                """,
                [
                    tenant, contact, entry.channel, entry.phoneNumberID, evidence.flow, evidence.policyVersion,
                    // A revocation answers no request: a message the contact quoted is not one.
                    evidence.at, entry.receivedAt, evidence.messageID, ColumnJSON.array([String]()),
                    evidence.words, entry.whatsAppTimestamp, entry.flowVersion,
                ])
            // Nothing queued before the revocation is sent after it (habeas-data item 6): templates, an agent's
            // reply, the bot's messages still waiting (a retry) fail as `revoked`; the step's own messages (the
            // confirmation) come after `linesFrom`. One already handed to the Graph API cannot be called back. A
            // held revocation taken again after a late acceptance (`sentAt`) stopped them when it arrived; what
            // was queued since is its confirmation and the request.
            if evidence.sentAt == nil {
                try db.run(
                    """
                    UPDATE conversation_log SET status = 'failed', status_at = ?, error_kind = 'revoked',
                        error_detail = 'consent revoked before it was sent', next_attempt_at = NULL, lease_until = NULL
                    WHERE tenant = ? AND contact = ? AND direction = 'out' AND status = 'pending' AND seq < ?
                    """, [entry.receivedAt, tenant, contact, linesFrom ?? .max])
            }
        }
        return db.lastInsertedRowID
    }

    /// The request the contact answered: the message the answer quotes (WhatsApp's `context`, which a button tap
    /// always carries) when that is a message to the contact offering the decision's accept button
    /// (`<step>.accept`, or `<step>.opt_in.accept` for an opt-in answer); otherwise the latest such message
    /// queued before `before` (a request the same step queues comes after the answer). Its outbox id, and its
    /// `wamid` when its send report is recorded (`nil` for an answer that outran it: the record keeps the outbox
    /// id, and the `wamid` is linked when the send is reported). A quoted message of another kind (the contact's
    /// own, an earlier menu) is not the request.
    static func requestMessage(
        _ db: Database, _ tenant: String, _ contact: String, _ evidence: ConsentEvidence, quoted: [String]?,
        before: Int64
    ) throws -> (outboxID: Int64, messageID: String?)? {
        let optIn = evidence.choice.hasPrefix("opt_in")
        let acceptID = evidence.step + (optIn ? ".opt_in.accept" : ".accept")
        if let quoted = quoted?.first,
            let seq = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT seq FROM conversation_log
                        WHERE tenant = ? AND message_id = ? AND contact = ? AND direction = 'out' AND kind = 'buttons'
                            AND EXISTS (SELECT 1 FROM json_each(content, '$.buttons')
                                WHERE json_extract(value, '$.id') = ?)
                        """), arguments: [tenant, quoted, contact, acceptID])
        {
            return (seq, quoted)
        }
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT seq, message_id FROM conversation_log
                    WHERE tenant = ? AND contact = ? AND seq < ? AND direction = 'out' AND kind = 'buttons'
                        AND EXISTS (SELECT 1 FROM json_each(content, '$.buttons') WHERE json_extract(value, '$.id') = ?)
                    ORDER BY seq DESC LIMIT 1
                    """), arguments: [tenant, contact, before, acceptID])
        return row.map { ($0[0], $0[1]) }
    }

    /// Every record of the contact with the tenant, with its texts, in ledger order.
    static func history(_ db: Database, tenant: String, contact: String) throws -> ConsentHistory {
        let coder = ColumnCoder()
        let rows = try db.rows(
            "SELECT * FROM consent_ledger WHERE tenant = ? AND contact = ? ORDER BY seq",
            [tenant, try ledgerKey(db, tenant: tenant, contact: contact)])
        // A file older than version 15 (read by `talkflow consent export`) links no request.
        let linksRequests = try db.tableExists("consent_request_sends")
        let records = try rows.map { row -> ConsentRecord in
            // A row the ledger's code did not write (edited by hand, damaged) is an error naming the row and
            // the column, never a trap.
            let sequence: Int64? = try? row.decode(forColumn: "seq")
            func column<Value: DatabaseValueConvertible>(_ name: String) throws -> Value {
                do {
                    return try row.decode(forColumn: name)
                } catch {
                    throw StorageError.corruptRow(
                        table: "consent_ledger",
                        detail: "record \(sequence.map(String.init) ?? "?"): column '\(name)' holds "
                            + "\(row[name] as DatabaseValue), which is not what the ledger writes there")
                }
            }
            // The JSON list columns: a damaged one names its record and column, as a damaged plain column does,
            // rather than the JSON decoder's own words.
            func list(_ name: String) throws -> [String] {
                let text: String = try column(name)
                guard let items = try? coder.decode([String].self, text, table: "consent_ledger") else {
                    throw StorageError.corruptRow(
                        table: "consent_ledger",
                        detail: "record \(sequence.map(String.init) ?? "?"): column '\(name)' holds "
                            + "\(row[name] as DatabaseValue), not the JSON list of texts the ledger writes there")
                }
                return items
            }
            let hashes = try list("text_hashes")
            let texts = try hashes.map { hash -> String in
                guard
                    let text = try String.fetchOne(
                        db.cachedStatement(sql: "SELECT text FROM consent_texts WHERE sha256 = ?"), arguments: [hash])
                else { throw StorageError.corruptRow(table: "consent_texts", detail: "missing text \(hash)") }
                return text
            }
            let stored = try list("request_message_ids")
            let requests = try requestMessages(
                db, tenant: column("tenant"), outboxID: linksRequests ? column("request_outbox_id") : nil,
                stored: stored)
            let kindName: String = try column("kind")
            let combined: String? = try column("text_sha256")
            let kind: ConsentRecord.Kind = kindName == "revocation" ? .revocation : .consent
            return ConsentRecord(
                sequence: try column("seq"), kind: kind, tenant: try column("tenant"), contact: try column("contact"),
                channel: try column("channel"), phoneNumberID: try column("phone_number_id"),
                flow: try column("flow"), step: try column("step"), policyVersion: try column("policy_version"),
                policyURL: try column("policy_url"), choice: try column("choice"), shownTexts: texts,
                textSHA256: combined,
                // A record that showed no text (a revocation, an opt-in withdrawn in WhatsApp or with a template's
                // opt-out) has no hash.
                textsMatchHash: combined.map { $0 == sha256(texts.joined(separator: "\n")) } ?? texts.isEmpty,
                purposesAccepted: try list("purposes_accepted"), purposesDeclined: try list("purposes_declined"),
                sensitive: try column("sensitive"), language: try column("language"), at: try column("at"),
                receivedAt: try column("received_at"), replyMessageID: try column("reply_message_id"),
                requestMessageIDs: requests.compactMap(\.messageID), words: try column("words"),
                whatsAppTimestamp: try column("wa_timestamp"), flowVersion: try column("flow_version"),
                requestMessages: requests)
        }
        return ConsentHistory(
            tenant: tenant, contact: contact, records: records,
            claimInProgress: try claimInProgress(db, tenant: tenant, contact: contact))
    }

    /// The requests a record answered: the `wamid`s it was written with (`stored`), or else its request's outbox
    /// id with the `wamid` its send report linked since, or where that send stands now.
    static func requestMessages(
        _ db: Database, tenant: String, outboxID: Int64?, stored: [String]
    ) throws -> [ConsentRequestMessage] {
        guard let outboxID, stored.isEmpty else {
            return stored.map { ConsentRequestMessage(outboxID: outboxID, messageID: $0, state: .sentBeforeDecision) }
        }
        if let link = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT message_id, sent_at FROM consent_request_sends WHERE outbox_id = ? AND tenant = ?"),
            arguments: [outboxID, tenant])
        {
            return [
                ConsentRequestMessage(
                    outboxID: outboxID, messageID: link["message_id"], state: .sentAfterDecision,
                    sentAt: link["sent_at"])
            ]
        }
        let status = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT status FROM conversation_log WHERE seq = ? AND tenant = ? AND direction = 'out'"),
            arguments: [outboxID, tenant])
        let waiting = status == "pending" || status == "sending"
        return [ConsentRequestMessage(outboxID: outboxID, messageID: nil, state: waiting ? .pending : .notSent)]
    }

    /// Lower-case hex SHA-256 of the text's UTF-8 bytes: the key of `consent_texts`.
    static func sha256(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(text.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
