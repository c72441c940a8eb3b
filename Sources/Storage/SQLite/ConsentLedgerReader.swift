import GRDB

/// Reads the consent ledger of a store file without changing it: `talkflow consent export` runs on backups and
/// as users with read rights only, and "it only reads" must hold for the file's bytes too. Unlike `SQLiteStore`
/// it opens the file read-only, applies no migration and sets nothing; a column a later version added to the
/// ledger (`wa_timestamp`, `flow_version`) reads as absent in an older file.
public struct ConsentLedgerReader: Sendable {
    private let queue: DatabaseQueue

    /// Opens `path` read-only; throws when it is not a talkflow store SQLite can read.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        try StoreSideFile.check(storePath: path, suffixes: ["-wal", "-shm", "-journal"])
        queue = try DatabaseQueue(path: path, configuration: configuration)
        let hasLedger = try queue.read { db in try db.tableExists("consent_ledger") }
        guard hasLedger else {
            throw StorageError.notATalkflowStore
        }
    }

    /// The tenants holding records about the contact.
    public func consentTenants(contact: String) throws -> [String] {
        try queue.read { db in try SQLiteStore.tenants(db, contact: contact) }
    }

    /// The contact's whole consent and revocation history with the tenant, as `ConsentLedgerStore` gives it.
    public func consentHistory(tenant: String, contact: String) throws -> ConsentHistory {
        try queue.read { db in try SQLiteStore.history(db, tenant: tenant, contact: contact) }
    }
}
