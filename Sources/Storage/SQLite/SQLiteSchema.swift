import GRDB

/// The SQLite schema as versioned migrations (GRDB's `DatabaseMigrator`, recorded in `grdb_migrations`).
/// A migration, once released, never changes: a new column or table is a new migration appended here, and
/// Docs/storage.md lists them.
public enum SQLiteSchema {
    /// The migrations this build knows, in the order they apply.
    public static var migrations: [String] { migrator.migrations }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_conversations") { db in
            for statement in v1 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v2_outbound_message_ids") { db in
            for statement in v2 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v3_log_checks_without_lists") { db in
            // The table is rebuilt (SQLite cannot change a CHECK in place); AUTOINCREMENT's high-water mark
            // is carried over, so that no sequence number is ever given twice.
            let highest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'conversation_log'")
            for statement in v3 { try db.execute(sql: statement) }
            if let highest {
                try db.execute(
                    sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'conversation_log'",
                    arguments: [highest])
                if db.changesCount == 0 {
                    try db.execute(
                        sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('conversation_log', ?)",
                        arguments: [highest])
                }
            }
        }
        migrator.registerMigration("v4_pseudonym_key") { db in
            for statement in v4 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v5_log_time_first") { db in
            for statement in v5 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v6_contact_aliases") { db in
            for statement in v6 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v7_consent_wa_timestamp") { db in
            // The WhatsApp time of the message that decided or revoked (habeas-data item 4), beside the server's.
            try db.execute(sql: "ALTER TABLE consent_ledger ADD COLUMN wa_timestamp INTEGER")
        }
        migrator.registerMigration("v8_data_requests") { db in
            for statement in v8 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v9_requests_and_keys_not_replaced") { db in
            for statement in v9 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v10_consent_flow_version") { db in
            // The version of the flow that asked or was revoked under (habeas-data item 4): the SHA-256 of the
            // flow file's bytes, so that the exact flow can be found again in the tenant's history.
            try db.execute(sql: "ALTER TABLE consent_ledger ADD COLUMN flow_version TEXT")
        }
        migrator.registerMigration("v11_flow_layouts") { db in
            // The names behind each flow version's indices, so that a session stepped before a restart with an
            // edited flow is carried over by name (`FlowLayoutStore`).
            try db.execute(
                sql: """
                    CREATE TABLE flow_layouts (
                        tenant TEXT NOT NULL,
                        version TEXT NOT NULL,
                        layout TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        PRIMARY KEY (tenant, version)
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v12_claim_flag_and_erasure") { db in
            for statement in v12 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v13_aliases_by_conversation") { db in
            for statement in v13 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v14_erased_conversation_figures") { db in
            for statement in v14 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v15_consent_request_sends") { db in
            for statement in v15 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v16_delivery_times") { db in
            for statement in v16 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v17_rotation_agents") { db in
            // The queue's agents as the rotation last saw them (a JSON array), so that a reload that changes them
            // continues from the last agent assigned. Rows before it have none: their lists count as unchanged.
            try db.execute(sql: "ALTER TABLE rotations ADD COLUMN agents TEXT")
        }
        migrator.registerMigration("v18_unreadable_sessions") { db in
            for statement in v18 { try db.execute(sql: statement) }
        }
        return migrator
    }()

    /// Sessions, the conversation log (which holds the outbox), the consent ledger and its texts, the agent
    /// rotation and the processed webhook message ids.
    static let v1: [String] = [
        """
        CREATE TABLE sessions (
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            session TEXT NOT NULL,
            status TEXT NOT NULL,
            contact_name TEXT,
            agent TEXT,
            queue TEXT,
            flow TEXT,
            state TEXT,
            started_at INTEGER,
            ended_at INTEGER,
            handoff_at INTEGER,
            agent_first_reply_at INTEGER,
            inactivity_deadline INTEGER,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, contact)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX sessions_by_start ON sessions (tenant, started_at)",
        "CREATE INDEX sessions_by_status ON sessions (tenant, status, started_at)",
        "CREATE INDEX sessions_by_agent ON sessions (tenant, agent, started_at) WHERE agent IS NOT NULL",
        """
        CREATE INDEX sessions_by_deadline ON sessions (inactivity_deadline)
            WHERE inactivity_deadline IS NOT NULL
        """,
        """
        CREATE TABLE conversation_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            at INTEGER NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'event')),
            kind TEXT NOT NULL,
            detail TEXT,
            content TEXT,
            agent TEXT,
            message_id TEXT,
            wa_timestamp INTEGER,
            status TEXT CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read', 'failed')),
            status_at INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            lease_until INTEGER,
            error_kind TEXT,
            error_detail TEXT
        )
        """,
        "CREATE INDEX log_thread ON conversation_log (tenant, contact, seq)",
        "CREATE INDEX log_by_time ON conversation_log (tenant, at)",
        "CREATE INDEX log_by_message_id ON conversation_log (tenant, message_id) WHERE message_id IS NOT NULL",
        """
        CREATE INDEX outbox_open ON conversation_log (tenant, contact, seq)
            WHERE status IN ('pending', 'sending')
        """,
        """
        CREATE TABLE early_statuses (
            tenant TEXT NOT NULL,
            message_id TEXT NOT NULL,
            status TEXT NOT NULL,
            at INTEGER NOT NULL,
            error_kind TEXT,
            error_detail TEXT,
            PRIMARY KEY (tenant, message_id, status)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE consent_texts (
            sha256 TEXT PRIMARY KEY NOT NULL,
            text TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE consent_ledger (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('consent', 'revocation')),
            channel TEXT NOT NULL,
            phone_number_id TEXT NOT NULL,
            flow TEXT NOT NULL,
            step TEXT,
            policy_version TEXT NOT NULL,
            policy_url TEXT,
            choice TEXT NOT NULL,
            text_hashes TEXT NOT NULL,
            text_sha256 TEXT,
            purposes_accepted TEXT NOT NULL,
            purposes_declined TEXT NOT NULL,
            sensitive INTEGER NOT NULL,
            language TEXT,
            at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            reply_message_id TEXT,
            request_message_ids TEXT NOT NULL,
            words TEXT
        )
        """,
        "CREATE INDEX consent_by_contact ON consent_ledger (tenant, contact, seq)",
        "CREATE INDEX consent_by_wa_id ON consent_ledger (contact, tenant)",
        // Append-only, whatever the client: no UPDATE or DELETE, and no INSERT that would replace a record.
        """
        CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
        BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END
        """,
        """
        CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
        BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END
        """,
        """
        CREATE TRIGGER consent_ledger_no_replace BEFORE INSERT ON consent_ledger
        WHEN EXISTS (SELECT 1 FROM consent_ledger WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END
        """,
        """
        CREATE TRIGGER consent_texts_no_update BEFORE UPDATE ON consent_texts
        BEGIN SELECT RAISE(ABORT, 'consent_texts is append-only'); END
        """,
        """
        CREATE TRIGGER consent_texts_no_delete BEFORE DELETE ON consent_texts
        BEGIN SELECT RAISE(ABORT, 'consent_texts is append-only'); END
        """,
        // Content-addressed: storing a text again is a no-op, and never replaces the stored one.
        """
        CREATE TRIGGER consent_texts_once BEFORE INSERT ON consent_texts
        WHEN EXISTS (SELECT 1 FROM consent_texts WHERE sha256 = NEW.sha256)
        BEGIN SELECT RAISE(IGNORE); END
        """,
        """
        CREATE TABLE rotations (
            tenant TEXT NOT NULL,
            queue TEXT NOT NULL,
            turn INTEGER NOT NULL,
            PRIMARY KEY (tenant, queue)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE processed_messages (
            tenant TEXT NOT NULL,
            message_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (tenant, message_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX processed_by_time ON processed_messages (at)",
    ]

    /// `conversation_log` with its two CHECK constraints written as comparisons joined by OR instead of `IN`
    /// lists: SQLite builds a temporary table for an `IN` list of more than two constants each time it checks
    /// one, that is for every row written, which cost about a tenth of the server's CPU per message. Same
    /// columns, same constraints, same indexes (those of v1 and v2).
    static let v3: [String] = [
        """
        CREATE TABLE conversation_log_v3 (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            at INTEGER NOT NULL,
            direction TEXT NOT NULL CHECK (direction = 'in' OR direction = 'out' OR direction = 'event'),
            kind TEXT NOT NULL,
            detail TEXT,
            content TEXT,
            agent TEXT,
            message_id TEXT,
            wa_timestamp INTEGER,
            status TEXT CHECK (
                status = 'pending' OR status = 'sending' OR status = 'sent' OR status = 'delivered'
                OR status = 'read' OR status = 'failed'),
            status_at INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            lease_until INTEGER,
            error_kind TEXT,
            error_detail TEXT
        )
        """,
        """
        INSERT INTO conversation_log_v3 (seq, tenant, contact, at, direction, kind, detail, content, agent,
            message_id, wa_timestamp, status, status_at, attempts, next_attempt_at, lease_until, error_kind,
            error_detail)
        SELECT seq, tenant, contact, at, direction, kind, detail, content, agent, message_id, wa_timestamp, status,
            status_at, attempts, next_attempt_at, lease_until, error_kind, error_detail
        FROM conversation_log ORDER BY seq
        """,
        "DROP TABLE conversation_log",
        "ALTER TABLE conversation_log_v3 RENAME TO conversation_log",
        "CREATE INDEX log_thread ON conversation_log (tenant, contact, seq)",
        "CREATE INDEX log_by_time ON conversation_log (tenant, at)",
        """
        CREATE INDEX outbox_open ON conversation_log (tenant, contact, seq)
            WHERE status IN ('pending', 'sending')
        """,
        """
        CREATE INDEX log_out_by_message_id ON conversation_log (tenant, message_id)
            WHERE direction = 'out' AND message_id IS NOT NULL
        """,
    ]

    /// The installation's key for pseudonymous conversation ids (`PseudonymKeyStore`), made here once at
    /// random; the triggers keep it from ever changing.
    static let v4: [String] = [
        """
        CREATE TABLE installation_keys (
            name TEXT PRIMARY KEY NOT NULL,
            key BLOB NOT NULL CHECK (length(key) = 32)
        ) WITHOUT ROWID
        """,
        "INSERT INTO installation_keys (name, key) VALUES ('conversation_ids', randomblob(32))",
        """
        CREATE TRIGGER installation_keys_no_update BEFORE UPDATE ON installation_keys
        BEGIN SELECT RAISE(ABORT, 'installation keys never change'); END
        """,
        """
        CREATE TRIGGER installation_keys_no_delete BEFORE DELETE ON installation_keys
        BEGIN SELECT RAISE(ABORT, 'installation keys never change'); END
        """,
    ]

    /// The log's time index by time first, then tenant: every new line goes to its right edge, one insertion
    /// point for the whole server instead of one per tenant (each a leaf page written to the WAL with every
    /// commit). A tenant's retention purge reads the index entries older than its cutoff and skips the other
    /// tenants' from the index alone.
    static let v5: [String] = [
        "DROP INDEX log_by_time",
        "CREATE INDEX log_by_time ON conversation_log (at, tenant)",
    ]

    /// Which conversation each of a person's WhatsApp ids belongs to, once a message carried two of them (a
    /// phone number's `wa_id` and a business-scoped user id): `ConversationStore.handleInbound`'s aliases.
    static let v6: [String] = [
        """
        CREATE TABLE contact_aliases (
            tenant TEXT NOT NULL,
            alias TEXT NOT NULL,
            contact TEXT NOT NULL,
            PRIMARY KEY (tenant, alias)
        ) WITHOUT ROWID
        """
    ]

    /// Data subjects' requests (consultas and reclamos, Ley 1581 arts. 14 and 15) with their legal deadlines. A
    /// case is never deleted, and once answered never changes: it proves the deadline was kept.
    static let v8: [String] = [
        """
        CREATE TABLE data_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind = 'access' OR kind = 'claim'),
            received_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            flag_due_at INTEGER,
            extended_at INTEGER,
            answered_at INTEGER,
            subject TEXT,
            answer TEXT
        )
        """,
        "CREATE INDEX data_requests_open ON data_requests (tenant, due_at) WHERE answered_at IS NULL",
        """
        CREATE TRIGGER data_requests_no_delete BEFORE DELETE ON data_requests
        BEGIN SELECT RAISE(ABORT, 'data_requests are kept'); END
        """,
        """
        CREATE TRIGGER data_requests_answered_final BEFORE UPDATE ON data_requests WHEN OLD.answered_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'an answered data request never changes'); END
        """,
    ]

    /// `INSERT OR REPLACE`, and `UPDATE OR REPLACE` onto another row's key, delete the row they displace
    /// without firing delete triggers (SQLite fires them only with `recursive_triggers` on), so v4's and v8's
    /// triggers alone let any client replace the installation key or a data request, answered or not. Refused
    /// here as `consent_ledger_no_replace` refuses it for the ledger; an upsert fires the insert trigger too.
    static let v9: [String] = [
        """
        CREATE TRIGGER data_requests_no_replace BEFORE INSERT ON data_requests
        WHEN EXISTS (SELECT 1 FROM data_requests WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'data_requests are kept'); END
        """,
        """
        CREATE TRIGGER data_requests_keep_id BEFORE UPDATE ON data_requests WHEN NEW.id IS NOT OLD.id
        BEGIN SELECT RAISE(ABORT, 'data_requests are kept'); END
        """,
        """
        CREATE TRIGGER installation_keys_no_replace BEFORE INSERT ON installation_keys
        WHEN EXISTS (SELECT 1 FROM installation_keys WHERE name = NEW.name)
        BEGIN SELECT RAISE(ABORT, 'installation keys never change'); END
        """,
    ]

    /// A reclamo's "reclamo en trámite" flag and the erasure of the contact's data (habeas-data item 7):
    /// `flagged_at` (when the case was recorded; the claims open at the migration are flagged then, since the
    /// flag shows from this version on), `erased_at`, `erased_lines` and `erased_contact` (the conversation's key
    /// the erasure applied to: the link from the case's id to it goes with the erasure, the flag must not). Once
    /// set, none changes: v8's trigger already keeps an answered case as it is, this one an open case's flag and
    /// erasure.
    static let v12: [String] = [
        "ALTER TABLE data_requests ADD COLUMN flagged_at INTEGER",
        "ALTER TABLE data_requests ADD COLUMN erased_at INTEGER",
        "ALTER TABLE data_requests ADD COLUMN erased_lines INTEGER",
        "ALTER TABLE data_requests ADD COLUMN erased_contact TEXT",
        """
        UPDATE data_requests SET flagged_at = CAST(strftime('%s', 'now') AS INTEGER)
        WHERE kind = 'claim' AND answered_at IS NULL
        """,
        """
        CREATE TRIGGER data_requests_flag_and_erasure_kept BEFORE UPDATE ON data_requests
        WHEN (OLD.flagged_at IS NOT NULL AND NEW.flagged_at IS NOT OLD.flagged_at)
            OR (OLD.erased_at IS NOT NULL
                AND (NEW.erased_at IS NOT OLD.erased_at OR NEW.erased_lines IS NOT OLD.erased_lines
                    OR NEW.erased_contact IS NOT OLD.erased_contact))
        BEGIN SELECT RAISE(ABORT, 'the flag and erasure of a data request never change'); END
        """,
    ]

    /// Whether an id keys a conversation that another id is linked to is asked for every pair of ids a message
    /// brings that are not linked together yet (a number change must not be folded into another conversation),
    /// so the links are indexed by conversation too. A link from one phone number to another was only ever made
    /// by folding a new number into an old one (before this version); it is dropped, so that the new number
    /// names its own conversation again and nothing more is sent to the old one for it.
    ///
    /// An open data request is pinned to the conversation its contact names before any link goes
    /// (`data_requests.conversation`): a reclamo opened under the new number of a folded pair keeps flagging, and
    /// erases, the conversation that holds the data, whatever happens to the links later.
    static let v13: [String] = [
        "CREATE INDEX contact_aliases_by_contact ON contact_aliases (tenant, contact)",
        "ALTER TABLE data_requests ADD COLUMN conversation TEXT",
        """
        UPDATE data_requests SET conversation = COALESCE(
            (SELECT a.contact FROM contact_aliases a WHERE a.tenant = data_requests.tenant
                AND a.alias = data_requests.contact), contact)
        WHERE answered_at IS NULL
        """,
        """
        CREATE TRIGGER data_requests_conversation_kept BEFORE UPDATE ON data_requests
        WHEN OLD.conversation IS NOT NULL AND NEW.conversation IS NOT OLD.conversation
        BEGIN SELECT RAISE(ABORT, 'the conversation of a data request never changes'); END
        """,
        """
        DELETE FROM contact_aliases
        WHERE alias <> '' AND alias NOT GLOB '*[^0-9]*' AND contact <> '' AND contact NOT GLOB '*[^0-9]*'
        """,
    ]

    /// What `GET …/reports/agents` needs of each conversation whose log lines an erasure under a reclamo
    /// deleted, so that the reports of past periods stay as they were: its start and end, the last agent
    /// assigned, when the wait for them began and their first reply. No contact, no text, no message id: the
    /// figures name nobody. The tenant's log retention deletes them with the lines of the same age.
    static let v14: [String] = [
        """
        CREATE TABLE erased_conversations (
            tenant TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            agent TEXT,
            wait_started_at INTEGER,
            first_reply_at INTEGER
        )
        """,
        "CREATE INDEX erased_conversations_by_start ON erased_conversations (tenant, started_at)",
    ]

    /// The link from a consent record to the request it answered when that request's send was not recorded yet
    /// (habeas-data item 4, "outbound request message ids"): the record keeps the request's outbox id
    /// (`request_outbox_id`, known in the same transaction), the request's log row is marked
    /// (`ledger_awaits_wamid`), and the `sent` report of a marked row appends its `wamid` to
    /// `consent_request_sends`, append-only like the ledger. An ordinary message is never marked, so its send
    /// report writes nothing more.
    static let v15: [String] = [
        "ALTER TABLE consent_ledger ADD COLUMN request_outbox_id INTEGER",
        "ALTER TABLE conversation_log ADD COLUMN ledger_awaits_wamid INTEGER",
        """
        CREATE TABLE consent_request_sends (
            outbox_id INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sent_at INTEGER NOT NULL
        )
        """,
        """
        CREATE TRIGGER consent_request_sends_no_update BEFORE UPDATE ON consent_request_sends
        BEGIN SELECT RAISE(ABORT, 'consent_request_sends is append-only'); END
        """,
        """
        CREATE TRIGGER consent_request_sends_no_delete BEFORE DELETE ON consent_request_sends
        BEGIN SELECT RAISE(ABORT, 'consent_request_sends is append-only'); END
        """,
        """
        CREATE TRIGGER consent_request_sends_no_replace BEFORE INSERT ON consent_request_sends
        WHEN EXISTS (SELECT 1 FROM consent_request_sends WHERE outbox_id = NEW.outbox_id)
        BEGIN SELECT RAISE(ABORT, 'consent_request_sends is append-only'); END
        """,
    ]

    /// When each outbound message was sent, delivered and read, beside `status_at` (the latest change), so that
    /// the thread shows every tick. Rows written before it keep the time of the status they had reached only.
    static let v16: [String] = [
        "ALTER TABLE conversation_log ADD COLUMN sent_at INTEGER",
        "ALTER TABLE conversation_log ADD COLUMN delivered_at INTEGER",
        "ALTER TABLE conversation_log ADD COLUMN read_at INTEGER",
        """
        UPDATE conversation_log SET
            sent_at = CASE WHEN status = 'sent' THEN status_at END,
            delivered_at = CASE WHEN status = 'delivered' THEN status_at END,
            read_at = CASE WHEN status = 'read' THEN status_at END
        WHERE direction = 'out' AND (status = 'sent' OR status = 'delivered' OR status = 'read')
        """,
    ]

    /// Sessions that could not be read (a damaged row), kept as they were stored: the contact's message starts a
    /// new session instead of being refused until Meta gives up. Erased with the contact's data.
    static let v18: [String] = [
        """
        CREATE TABLE unreadable_sessions (
            tenant TEXT NOT NULL,
            contact TEXT NOT NULL,
            session TEXT,
            status TEXT,
            detail TEXT NOT NULL,
            found_at INTEGER NOT NULL
        )
        """
    ]

    /// Only outbound messages are looked up by `wamid` (status webhooks): inbound rows, whose `wamid` is in
    /// `processed_messages` anyway, leave the index, which saves an index entry per inbound message.
    static let v2: [String] = [
        "DROP INDEX log_by_message_id",
        """
        CREATE INDEX log_out_by_message_id ON conversation_log (tenant, message_id)
            WHERE direction = 'out' AND message_id IS NOT NULL
        """,
    ]

}
