import Foundation
import GRDB
import Testing

@testable import Storage

// Versioned migrations: a new file gets the whole schema in WAL mode; opening again applies nothing twice; a
// file from a newer talkflow is refused rather than misread.

@Test func migratesAnEmptyFileInWALMode() throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    #expect(!SQLiteSchema.migrations.isEmpty)
    let raw = try DatabaseQueue(path: folder.path("store.db"))
    let (mode, tables) = try raw.read { db in
        (
            try String.fetchOne(db, sql: "PRAGMA journal_mode"),
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        )
    }
    #expect(mode == "wal")
    for table in ["sessions", "conversation_log", "consent_ledger", "consent_texts", "rotations", "processed_messages"]
    {
        #expect(tables.contains(table), "\(table)")
    }
}

@Test func reopeningIsIdempotentAndKeepsData() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    do {
        let store = try SQLiteStore(path: path)
        try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    }
    for _ in 0..<3 {
        let store = try SQLiteStore(path: path)
        #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
        #expect(try await store.consentHistory(tenant: "t1", contact: "c").records.count == 1)
    }
}

@Test func severalProcessesOpeningANewFileAtOnceAllSucceed() async throws {
    let folder = try TestFolder()
    // Several rounds on new files: the openers race through the migrations differently each time.
    for round in 0..<8 {
        let path = folder.path("store-\(round).db")
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 { group.addTask { try SQLiteStore(path: path).appliedMigrations() } }
            for try await applied in group { #expect(applied == SQLiteSchema.migrations) }
        }
    }
}

@Test func refusesAFileFromANewerVersion() throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    _ = try SQLiteStore(path: path)
    let raw = try DatabaseQueue(path: path)
    try raw.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_future')") }
    #expect(throws: StorageError.unknownMigrations(["v99_future"])) { try SQLiteStore(path: path) }
}

@Test func refusesAnotherProgramsDatabaseAndLeavesItAsItWas() throws {
    let folder = try TestFolder()
    let path = folder.path("other.db")
    let raw = try DatabaseQueue(path: path)
    try raw.write { try $0.execute(sql: "CREATE TABLE x(a); INSERT INTO x VALUES (1)") }
    try raw.close()
    // A table whose name only starts like SQLite's own (`sqlite_…`) is another program's too.
    let lookalike = folder.path("lookalike.db")
    let other0 = try DatabaseQueue(path: lookalike)
    try other0.write { try $0.execute(sql: "CREATE TABLE sqliteish_x(a)") }
    try other0.close()
    #expect(throws: StorageError.notATalkflowStore) { try SQLiteStore(path: lookalike) }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(throws: StorageError.notATalkflowStore) { try SQLiteStore(path: path) }
    // Nothing written: no talkflow tables, not switched to WAL, no WAL file beside it.
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(!FileManager.default.fileExists(atPath: path + "-wal"))

    // Another GRDB program's migrations are not a newer talkflow's.
    let grdb = folder.path("grdb.db")
    let other = try DatabaseQueue(path: grdb)
    try other.write {
        try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('createUsers')")
    }
    try other.close()
    #expect(throws: StorageError.notATalkflowStore) { try SQLiteStore(path: grdb) }
}

/// The commands that never make a store refuse a database without talkflow's schema, even one with no tables.
@Test func anExistingStoreOnlyRefusesADatabaseWithoutTheSchema() throws {
    let folder = try TestFolder()
    let path = folder.path("notables.db")
    let raw = try DatabaseQueue(path: path)
    try raw.write { try $0.execute(sql: "CREATE TABLE x(a); DROP TABLE x") }
    try raw.close()
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let options = SQLiteStore.Options(existingStoreOnly: true)
    #expect(throws: StorageError.notATalkflowStore) { try SQLiteStore(path: path, options: options) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    let store = folder.path("store.db")
    _ = try SQLiteStore(path: store)
    #expect(try SQLiteStore(path: store, options: options).appliedMigrations() == SQLiteSchema.migrations)
}

@Test func anEmptyFileBecomesAStore() throws {
    let folder = try TestFolder()
    let path = folder.path("empty.db")
    try Data().write(to: URL(fileURLWithPath: path))
    #expect(try SQLiteStore(path: path).appliedMigrations() == SQLiteSchema.migrations)
}

@Test func backupIsAConsistentCopy() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    try store.backup(to: folder.path("copy.db"))
    let copy = try SQLiteStore(path: folder.path("copy.db"))
    #expect(
        try await copy.consentHistory(tenant: "t1", contact: "c") == store.consentHistory(tenant: "t1", contact: "c"))
}

@Test func storeLocationParsing() throws {
    #expect(try StoreLocation(parsing: "sqlite:/var/lib/talkflow.db") == .sqlite(path: "/var/lib/talkflow.db"))
    #expect(try StoreLocation(parsing: "sqlite://data/t.db") == .sqlite(path: "data/t.db"))
    #expect(try StoreLocation(parsing: "sqlite:t.db") == .sqlite(path: "t.db"))
    #expect(StoreLocation.sqlite(path: "t.db").description == "sqlite:t.db")
    for bad in ["", "sqlite:", "postgres://x", "t.db"] {
        #expect(throws: StorageError.invalidLocation(bad)) { try StoreLocation(parsing: bad) }
    }
}

@Test func aFileOfTheFirstSchemaIsMigratedAndItsSentMessagesStillTakeStatuses() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let t = Fixtures.monday
    // A file written by the first release: only v1, with one message sent as wamid.old.
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v1_conversations")
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, status, message_id)
                    VALUES ('t1', 'c', ?, 'out', 'text', '{"type":"text","text":"hola"}', 'sent', 'wamid.old')
                    """, arguments: [t])
        }
    }
    let store = try SQLiteStore(path: path)
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    #expect(
        try await store.updateDeliveryStatus(tenant: "t1", messageID: "wamid.old", status: .read, at: t + 1, error: nil)
    )
    let thread = try await store.thread(tenant: "t1", contact: "c", after: nil, limit: 10)
    #expect(thread.count == 1)
    if case .outbound(_, _, let status, _, _) = thread.first?.content {
        #expect(status == .read)
    } else {
        Issue.record("no outbound row")
    }
}

@Test func theLogRebuiltWithoutInListsKeepsItsRowsSequenceConstraintsAndIndexes() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let t = Fixtures.monday
    // A file of the second schema: three rows, the newest one deleted (AUTOINCREMENT remembers seq 3).
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v2_outbound_message_ids")
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, message_id,
                        wa_timestamp)
                    VALUES ('t1', 'c', ?, 'in', 'text', '{"type":"text","text":"hola"}', 'wamid.in', ?)
                    """, arguments: [t, t - 2])
            try db.execute(
                sql: """
                    INSERT INTO conversation_log (tenant, contact, at, direction, kind, content, status, status_at,
                        message_id, attempts, error_kind, error_detail)
                    VALUES ('t1', 'c', ?, 'out', 'text', '{"type":"text","text":"hola"}', 'failed', ?, 'wamid.out',
                        2, 'invalid_parameter', '131008')
                    """, arguments: [t, t + 1])
            try db.execute(
                sql:
                    "INSERT INTO conversation_log (tenant, contact, at, direction, kind) VALUES ('t1', 'c', ?, 'event', 'x')",
                arguments: [t])
            try db.execute(sql: "DELETE FROM conversation_log WHERE seq = 3")
        }
    }
    // The columns v2 had (later migrations add more).
    let columnsOfV2 = """
        SELECT seq, tenant, contact, at, direction, kind, detail, content, agent, message_id, wa_timestamp, status,
            status_at, attempts, next_attempt_at, lease_until, error_kind, error_detail
        FROM conversation_log ORDER BY seq
        """
    let before = try await DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: columnsOfV2).map(\.description)
    }
    let store = try SQLiteStore(path: path)
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    try await store.pool.write { db in
        // Every row and column as it was.
        #expect(try Row.fetchAll(db, sql: columnsOfV2).map(\.description) == before)
        // No IN list left in the table's constraints, and the constraints still refuse what they refused.
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'conversation_log'") ?? ""
        #expect(sql.contains("direction = 'event'") && !sql.contains(" IN ("))
        for bad in [
            "INSERT INTO conversation_log (tenant, contact, at, direction, kind) VALUES ('t1', 'c', 1, 'sideways', 'x')",
            "INSERT INTO conversation_log (tenant, contact, at, direction, kind, status) VALUES ('t1', 'c', 1, 'out', 'x', 'lost')",
        ] {
            #expect(throws: DatabaseError.self) { try db.execute(sql: bad) }
        }
        // The next row does not reuse the deleted sequence number.
        try db.execute(
            sql:
                "INSERT INTO conversation_log (tenant, contact, at, direction, kind) VALUES ('t1', 'c', 1, 'event', 'y')"
        )
        #expect(db.lastInsertedRowID == 4)
        let indexes = try String.fetchAll(
            db,
            sql: "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'conversation_log' ORDER BY name")
        #expect(indexes == ["log_by_time", "log_out_by_message_id", "log_thread", "outbox_open"])
        let timeIndex = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'log_by_time'")
        #expect(timeIndex?.hasSuffix("(at, tenant)") == true, "\(timeIndex ?? "")")
    }
    // The store reads the migrated rows.
    let thread = try await store.thread(tenant: "t1", contact: "c", after: nil, limit: 10)
    #expect(thread.map(\.sequence) == [1, 2, 4])
}

/// A file written before `v9_requests_and_keys_not_replaced` gets its triggers at the next start: its answered
/// cases and its key, which `INSERT OR REPLACE` could swap until then, are kept as they were.
@Test func aFileOfTheEighthSchemaGetsTheGuardsAgainstReplacement() async throws {
    // The columns v8 made (later migrations add more).
    let caseColumnsOfV8 = """
        SELECT id, tenant, contact, kind, received_at, due_at, flag_due_at, extended_at, answered_at, subject, answer
        FROM data_requests
        """
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let (key, answered): (String?, String?)
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v8_data_requests")
        (key, answered) = try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO data_requests (tenant, contact, kind, received_at, due_at, answered_at, subject, answer)
                    VALUES ('ventas', '573001112233', 'access', 1, 2, 2, 's', 'hecho')
                    """)
            return (
                try Row.fetchOne(db, sql: "SELECT * FROM installation_keys")?.description,
                try Row.fetchOne(db, sql: caseColumnsOfV8)?.description
            )
        }
    }
    let store = try SQLiteStore(path: path)
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    try await store.pool.write { db in
        for (sql, refusal) in [
            (
                """
                INSERT OR REPLACE INTO data_requests (id, tenant, contact, kind, received_at, due_at, answered_at,
                    subject, answer)
                VALUES (1, 'ventas', '573001112233', 'access', 1, 2, NULL, 's', 'forged')
                """, "data_requests are kept"
            ),
            (
                "INSERT OR REPLACE INTO installation_keys VALUES ('conversation_ids', randomblob(32))",
                "installation keys never change"
            ),
        ] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") { try db.execute(sql: sql) }
            #expect(error?.message == refusal, "\(sql)")
        }
        let (keyNow, answeredNow) = (
            try Row.fetchOne(db, sql: "SELECT * FROM installation_keys")?.description,
            try Row.fetchOne(db, sql: caseColumnsOfV8)?.description
        )
        #expect(keyNow == key && answeredNow == answered)
    }
}

/// Docs/storage.md lists every migration, in the order they apply (a migration is released with its line).
@Test func storageDocListsTheMigrationsInOrder() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let doc = try String(contentsOf: root.appending(path: "Docs/storage.md"), encoding: .utf8)
    let fromHeading = try #require(doc.components(separatedBy: "\n## Migrations\n").dropFirst().first)
    let section = fromHeading.components(separatedBy: "\n## ").first ?? ""
    let listed = section.split(separator: "\n").compactMap { line in
        line.firstMatch(of: /^\| `(v\d+_[a-z_0-9]+)` \|/).map { String($0.1) }
    }
    #expect(listed == SQLiteSchema.migrations)
}
