import FlowDiagnostics
import Foundation
import GRDB
import Logging
import Synchronization

/// The embedded store: one SQLite file through GRDB (`--store sqlite:PATH`), in WAL mode so that readers never
/// wait for the writer, with versioned migrations applied when it opens. Tenants share the file: every query
/// made on a tenant's behalf filters by its tenant (Docs/storage.md, Tenants). Several processes may open the same file: writes are serialised
/// by SQLite's lock (each write transaction is `BEGIN IMMEDIATE`, waiting up to `busyTimeout` for the lock).
/// Docs/storage.md describes the tables, the transactions and how to back the file up.
public final class SQLiteStore: ConversationStore {
    /// How hard a commit presses the data to disk.
    public enum Durability: String, Sendable, Hashable {
        /// `PRAGMA synchronous = NORMAL`: a committed transaction survives a crash of the process (`kill -9`)
        /// but may be lost if the machine loses power before the next checkpoint.
        case process
        /// `PRAGMA synchronous = FULL`: every commit is flushed to disk before it returns; survives power loss.
        case power
    }

    /// How the store opens its file.
    public struct Options: Sendable, Hashable {
        /// How hard a commit presses data to disk (default `.power`).
        public var durability: Durability
        /// Seconds a write waits for another connection's (or process's) write lock before failing.
        public var busyTimeout: Double
        /// Concurrent read connections.
        public var maximumReaders: Int
        /// Only a file that already holds talkflow's schema is opened: the commands that use a store but never
        /// make one (`data-request`, `send-template`) refuse anything else, an empty database included.
        public var existingStoreOnly: Bool

        /// The defaults suit one server process: durable commits, 10 s of patience for the lock.
        public init(
            durability: Durability = .power, busyTimeout: Double = 10, maximumReaders: Int = 4,
            existingStoreOnly: Bool = false
        ) {
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.maximumReaders = maximumReaders
            self.existingStoreOnly = existingStoreOnly
        }
    }

    /// Page cache per connection, in KiB.
    static let cacheKiB = 32 * 1024
    /// How much of the file each connection maps for reads, in bytes.
    static let mmapBytes = 256 * 1024 * 1024
    /// WAL pages after which a commit checkpoints (SQLite's default is 1,000).
    static let checkpointPages = 8_000

    /// The database file.
    public let path: String
    /// The name SQLite opens it by; kept for the store's life (it may hold the file open).
    let fileName: SQLiteFileName
    let pool: DatabasePool
    let commits: SQLiteCommitQueue
    /// The sender attached to the outbox, if any.
    let sender = Mutex<OutboxSenderAttachment?>(nil)
    let logger: Logger
    /// The device and inode of the file when the store opened it: a file deleted or replaced since takes writes
    /// that vanish when the process stops (`checkStillTheOpenedFile`).
    let identity: (device: UInt64, inode: UInt64)?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date. Fails with
    /// `StorageError.unknownMigrations` for a file written by a newer talkflow, and with
    /// `StorageError.notARegularFile` for a folder, a FIFO or a device, before SQLite touches it.
    public init(path: String, options: Options = Options(), logger: Logger = Logger(label: "talkflow.storage")) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.maximumReaderCount = max(1, options.maximumReaders)
        configuration.foreignKeysEnabled = true
        configuration.label = "talkflow.storage"
        configuration.prepareDatabase { db in
            // Every connection: a page cache large enough for the hot pages of sessions and the log (reads
            // otherwise go to the kernel one page at a time), the file mapped for reads, and temporary
            // tables and statement journals in memory rather than in short-lived files.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)")
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapBytes)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        var info = stat()
        if SystemPath.stat(path, &info) == 0, let kind = FileKind.irregular(info) {
            throw StorageError.notARegularFile(kind: kind)
        }
        try StoreSideFile.check(storePath: path)
        try StoreSideFile.checkNameLength(storePath: path)
        // A write-ahead log without its database is a store moved or deleted (while a server ran, its last
        // writes are in that log): a new empty store beside it would silently start over, consent ledger lost.
        if SystemPath.lstat(path, &info) != 0, errno == ENOENT, SystemPath.lstat(path + "-wal", &info) == 0 {
            throw StorageError.journalWithoutStore(path: path + "-wal")
        }
        // A new store is readable by its owner only: it holds personal data and consent evidence. SQLite gives
        // the WAL and shared-memory files the database file's mode. An existing file keeps the mode it has.
        var created = SystemPath.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if created < 0, errno == EEXIST, Self.isLinkToNothing(path) {
            // A link to a file still to be made (a store kept on another volume): O_EXCL never follows a link,
            // so the target is created through the link here, with the same mode, rather than by SQLite with
            // the process's default one.
            created = SystemPath.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        }
        let opened = created >= 0
        if opened { Glibc.close(created) }
        let name = try SQLiteFileName(path)
        if !opened {
            try Self.checkExisting(
                path: name.forSQLite, patience: options.busyTimeout, storeOnly: options.existingStoreOnly)
        }
        let pool = try Self.openPool(
            path: name.forSQLite, configuration: configuration, patience: options.busyTimeout)
        // GRDB sets NORMAL when it switches the writer to WAL; the one writer connection keeps this setting.
        let synchronous = options.durability == .power ? "FULL" : "NORMAL"
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // Checkpoint less often: a page that many commits change is copied to the database file once
            // per checkpoint, not once per commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
        }
        let migrator = SQLiteSchema.migrator
        let unknown = try pool.read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        }
        guard unknown.isEmpty else { throw StorageError.unknownMigrations(unknown) }
        // Another process opening the same new file may be applying the migrations at the same time (GRDB
        // checks what is applied before taking the write lock, so a migration it runs can find its tables
        // made): try again, up to a few seconds, until every migration is applied by one or the other.
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                break
            } catch {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { break }
                attempt += 1
                guard attempt < 100 else { throw error }
                usleep(useconds_t(20_000 + Int.random(in: 0..<20_000)))
            }
        }
        self.path = path
        self.fileName = name
        self.pool = pool
        self.commits = SQLiteCommitQueue(pool: pool)
        self.logger = logger
        var file = stat()
        identity = SystemPath.stat(path, &file) == 0 ? (UInt64(file.st_dev), UInt64(file.st_ino)) : nil
        logger.debug("storage opened", metadata: ["schema": "\(migrator.migrations.last ?? "")"])
    }

    /// Throws `StorageError.storeReplaced` when the file at the store's path is no longer the one it opened
    /// (deleted, or replaced by a restore while the server runs): a webhook then gets 500 and Meta delivers it
    /// again, instead of an acknowledgement for a write that would vanish. One `stat` per call.
    func checkStillTheOpenedFile() throws {
        guard let identity else { return }
        var info = stat()
        guard SystemPath.stat(path, &info) == 0, UInt64(info.st_dev) == identity.device,
            UInt64(info.st_ino) == identity.inode
        else { throw StorageError.storeReplaced(path: path) }
    }

    /// Refuses an existing file that is not a talkflow store before anything is written to it (opening the
    /// pool switches the file to WAL and the migrations add tables): another program's SQLite database, or
    /// one with migrations this build does not know (a newer talkflow). Read-only; an empty file or a store
    /// being created by another process at the same moment passes, unless `storeOnly` asks for a store.
    private static func checkExisting(path: String, patience: Double, storeOnly: Bool) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(patience)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            return  // not readable as a database here: the pool's own open explains why
        }
        let migrator = SQLiteSchema.migrator
        try queue.read { db in
            guard try db.tableExists("grdb_migrations") else {
                let own =
                    try Int.fetchOne(
                        db,
                        sql: "SELECT count(*) FROM sqlite_master WHERE substr(name, 1, 7) <> 'sqlite_'") ?? 0
                if own > 0 || storeOnly { throw StorageError.notATalkflowStore }
                return
            }
            let applied = try migrator.appliedIdentifiers(db)
            let unknown = applied.subtracting(migrator.migrations).sorted()
            guard unknown.isEmpty else {
                // Another GRDB program's migrations, none of talkflow's: not a store from a newer talkflow.
                if applied.isDisjoint(with: migrator.migrations) { throw StorageError.notATalkflowStore }
                throw StorageError.unknownMigrations(unknown)
            }
        }
        try queue.close()
    }

    /// Opens the pool, retrying while another process holds the lock SQLite needs to switch a new file to WAL
    /// (that switch answers "database is locked" at once instead of waiting like other statements).
    private static func openPool(path: String, configuration: Configuration, patience: Double) throws
        -> DatabasePool
    {
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED)
                && ContinuousClock.now < deadline
            {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Opens the store a `--store` value names.
    public static func open(
        _ location: StoreLocation, options: Options = Options(), logger: Logger = Logger(label: "talkflow.storage")
    ) throws -> SQLiteStore {
        switch location {
        case .sqlite(let path): return try SQLiteStore(path: path, options: options, logger: logger)
        }
    }

    /// The migrations applied to the file, in order (all of `SQLiteSchema.migrations` once opened).
    public func appliedMigrations() throws -> [String] {
        try pool.read { try SQLiteSchema.migrator.appliedMigrations($0) }
    }

    /// Writes a consistent copy of the database to `destination` while the store stays in use (SQLite's
    /// `VACUUM INTO`): the backup Docs/storage.md recommends. `destination` must not exist.
    public func backup(to destination: String) throws {
        try pool.unsafeRead { try $0.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
    }

    /// Whether `path` is a symbolic link whose target does not exist (yet).
    static func isLinkToNothing(_ path: String) -> Bool {
        var info = stat()
        guard SystemPath.lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return false }
        return SystemPath.stat(path, &info) != 0 && errno == ENOENT
    }
}

extension Database {
    /// Runs a statement kept compiled for the connection's lifetime: the hot paths run the same few
    /// statements for every message.
    func run(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Fetches rows with a cached statement.
    func rows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    /// Fetches one row with a cached statement.
    func row(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }
}

/// JSON for the columns that hold documents (sessions, messages, lists). One encoder and decoder per
/// transaction: they are cheap to reuse and not shared across threads.
struct ColumnCoder {
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()

    func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String) throws -> T {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StorageError.corruptRow(table: table, detail: "\(error)")
        }
    }
}
