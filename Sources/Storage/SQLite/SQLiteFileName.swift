import FlowDiagnostics
import Foundation

/// The name SQLite is given for a store file. GRDB hands SQLite a `String`, so a path that is not UTF-8
/// (`SystemPath`) cannot be spelled to it; such a file is opened here by its bytes and SQLite is given
/// `/proc/self/fd/N`, a link to that very file: SQLite resolves links in the names it opens, so its journal
/// and WAL files sit beside the real file, under the real name's bytes. The descriptor stays open as long as
/// the store, because GRDB opens more connections by the same name later. (Linux only, as talkflow.)
final class SQLiteFileName: Sendable {
    /// What SQLite opens.
    let forSQLite: String
    private let descriptor: Int32?

    /// The name for the store file at `path`, which exists; throws the system's error when it cannot be opened.
    init(_ path: String) throws {
        guard SystemPath.holdsBytes(path) else {
            forSQLite = path
            descriptor = nil
            return
        }
        let opened = SystemPath.open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        forSQLite = "/proc/self/fd/\(opened)"
        descriptor = opened
    }

    deinit {
        if let descriptor { close(descriptor) }
    }
}
