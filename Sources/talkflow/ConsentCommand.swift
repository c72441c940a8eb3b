import ArgumentParser
import Foundation
import Storage
import TalkflowServer

/// `talkflow consent`: the consent ledger from the command line, for the Responsable's answers to a
/// Titular (habeas-data checklist item 5). Read-only: nothing here changes the ledger.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Read the consent ledger of a talkflow store.",
        subcommands: [ConsentExportCommand.self]
    )

    /// Without a subcommand there is nothing to do: the help on stderr and a usage error (64), as for
    /// `talkflow` alone.
    func run() throws {
        Console.err(Talkflow.helpMessage(for: ConsentCommand.self) + "\n")
        throw Exit.usage
    }
}

/// `talkflow consent export CONTACT --store sqlite:PATH [--tenant ID]`: prints a contact's whole consent and
/// revocation history, with the exact texts shown, as one JSON document: the proof a Titular may demand
/// (L. 1581 art. 8(b) and art. 12 par.).
struct ConsentExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a contact's consent and revocation history, with the texts shown, as JSON.",
        discussion: """
            The document goes to stdout: {"contact": CONTACT, "histories": [...]}, one history per tenant \
            holding records about the contact (only TENANT's with --tenant), each with the current consent \
            derived from the ledger and every record in ledger order. A decision names the message that \
            asked for it (request_messages: its outbox id, its wamid once its send is recorded, also when \
            that came after the answer, and its state). A contact without records gets empty histories \
            (exit status 0). The store must exist; it is opened read-only and nothing in it is \
            changed (SQLite may create its -wal and -shm files beside it, as for any reader).

            Exit status:
              0   exported
              2   the store does not exist or could not be read
              64  usage error (unknown option, no CONTACT or an empty one, an empty
                  --tenant, no --store, or a --store that is not sqlite:PATH)
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The contact's WhatsApp id (wa_id), e.g. 573001112233, or the business-scoped user id the contact first "
                + "wrote with. A phone number may be written as people write it (+57 300 111 2233, dashes, dots, "
                + "parentheses).", valueName: "contact"))
    var contact: String

    @Option(help: ArgumentHelp("The store to read, as 'talkflow serve' takes it: sqlite:PATH.", valueName: "store"))
    var store: String

    @Option(help: ArgumentHelp("Only this tenant's history (default: every tenant's).", valueName: "id"))
    var tenant: String?

    /// The contact as the ledger keys it: a phone number as people write it (`+57 300 111 2233`) is the `wa_id`
    /// its digits are, as `talkflow data-request open` stores a case's contact (`DataRequestContact`).
    func ledgerContact() throws -> String {
        try DataRequestContact.argument(contact)
    }

    /// A malformed contact or `--store` is a usage error (64), reported before anything is opened.
    func validate() throws {
        _ = try ledgerContact()
        if let tenant, tenant.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the tenant is empty: give a tenant id of the configuration, or leave out --tenant")
        }
        do {
            _ = try StoreLocation(parsing: store)
        } catch {
            throw ValidationError(StoreFile.invalidOption(store, error))
        }
    }

    /// Opens the store, reads the histories and prints them.
    func run() throws {
        let path = try StoreFile.existing(try StoreLocation(parsing: store))
        let document: ConsentExport
        do {
            // Read-only: the export never changes the file (no migration, no journal mode switched).
            let opened = try ConsentLedgerReader(path: path)
            let contact = try ledgerContact()
            let tenants = try tenant.map { [$0] } ?? opened.consentTenants(contact: contact)
            document = ConsentExport(
                contact: contact,
                histories: try tenants.map { try opened.consentHistory(tenant: $0, contact: contact) })
        } catch {
            throw StoreFile.unreadable(path, StoreErrorExplanation.explain(error, reading: true))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Console.out(String(decoding: try encoder.encode(document), as: UTF8.self) + "\n")
    }
}

/// What `talkflow consent export` prints.
struct ConsentExport: Encodable {
    let contact: String
    let histories: [ConsentHistory]
}

extension DataRequestContact {
    /// A command's `<contact>` argument as the store keys it (`normalized`); one that is none is a usage error.
    static func argument(_ contact: String) throws -> String {
        do {
            return try normalized(contact, name: "the contact")
        } catch {
            throw ValidationError(error.message)
        }
    }
}
