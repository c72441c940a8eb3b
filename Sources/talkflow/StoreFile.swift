import ArgumentParser
import FlowDiagnostics
import Foundation
import Storage

/// The store file of a command that reads or changes a store but never creates one (the server creates it):
/// `data-request`, `send-template` and `consent export`. Their errors follow the CLI's convention,
/// `cannot read '<path>': <reason>` and `cannot write '<path>': <reason>`, with the reasons lint gives.
enum StoreFile {
    /// The file `location` names, or exit 2 with why it cannot be a store: missing, not a regular file. (A file
    /// without talkflow's schema, an empty one included, is refused when it is opened or read.)
    static func existing(_ location: StoreLocation) throws -> String {
        let path: String
        switch location {
        case .sqlite(let file): path = file
        }
        var info = stat()
        guard SystemPath.stat(path, &info) == 0 else { throw unreadable(path, FileKind.describe(errno)) }
        if let kind = FileKind.irregular(info) { throw unreadable(path, "not a regular file (\(kind))") }
        return path
    }

    /// Opens the existing store `location` names; exit 2 with the store's explanation when it cannot.
    static func open(_ location: StoreLocation) throws -> SQLiteStore {
        let path = try existing(location)
        do {
            return try SQLiteStore.open(location, options: SQLiteStore.Options(existingStoreOnly: true))
        } catch {
            throw unreadable(path, StoreErrorExplanation.explain(error))
        }
    }

    /// The usage error for a `--store` that `StoreLocation` refused: a name SQLite does not read as a file gets
    /// its own reason and fix, anything else the form expected.
    static func invalidOption(_ store: String, _ error: any Error) -> String {
        if case StorageError.notAFilePath = error { return "invalid --store '\(store)': \(error)" }
        return "invalid --store '\(store)': expected sqlite:PATH"
    }

    /// Prints `cannot read '<path>': <reason>` and gives the exit to throw.
    static func unreadable(_ path: String, _ reason: String) -> ExitCode {
        Console.error("cannot read '\(path)': \(reason)")
        return Exit.unreadable
    }

    /// Prints `cannot write '<path>': <reason>` for a store call that failed and gives the exit to throw.
    static func unwritable(_ location: StoreLocation, _ error: any Error) -> ExitCode {
        let path: String
        switch location {
        case .sqlite(let file): path = file
        }
        Console.error("cannot write '\(path)': \(StoreErrorExplanation.explain(error))")
        return Exit.unreadable
    }
}
