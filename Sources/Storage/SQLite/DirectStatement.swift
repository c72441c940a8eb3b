import GRDB
import GRDBSQLite

/// One run of a cached statement through SQLite's C API: binds text and integers and reads columns by index.
///
/// Every inbound message and every send report runs about a dozen statements on the single database thread.
/// Through GRDB each run converts its arguments to `DatabaseValue`s and, for a query, builds a `Row` with a
/// dictionary of the lowercased column names; around SQLite that was as much work as SQLite itself. The hot
/// path binds and reads directly instead; GRDB still prepares and caches the statement and owns the
/// connection and the transaction. The statement is reset when the run ends, so it holds nothing after.
struct DirectStatement: ~Copyable {
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private let sql: String

    /// Starts a run of `sql` (prepared once per connection and kept): no bindings, before its first row.
    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        connection = db.sqliteConnection
        self.sql = sql
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    deinit { sqlite3_reset(handle) }

    /// Binds `value` to the parameter at `index` (1-based); `nil` binds NULL. The text ends at its first NUL,
    /// as GRDB binds it (which reads it back the same way).
    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        _ = value.withCString { sqlite3_bind_text(handle, index, $0, -1, Self.transient) }
    }

    /// Binds `value` to the parameter at `index` (1-based); `nil` binds NULL.
    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds `value` to the parameter at `index` (1-based); `nil` binds NULL.
    func bind(_ index: Int32, _ value: Int?) {
        bind(index, value.map(Int64.init))
    }

    /// Steps to the next row: `true` at a row, `false` when the statement is done. A failure (a constraint, a
    /// trigger's `RAISE`) throws GRDB's `DatabaseError`, as a statement run through GRDB would.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }

    /// Runs a statement that returns no rows (or whose rows are not needed) to the end.
    func run() throws {
        while try step() {}
    }

    /// The text of the column at `index` (0-based) of the current row, or `nil` for NULL.
    func text(_ index: Int32) -> String? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, index)
        else { return nil }
        return String(cString: bytes)
    }

    /// The integer of the column at `index` (0-based) of the current row, or `nil` for NULL.
    func int64(_ index: Int32) -> Int64? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        return sqlite3_column_int64(handle, index)
    }

    /// SQLite copies the bytes before `sqlite3_bind_text` returns (`SQLITE_TRANSIENT`).
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
}
