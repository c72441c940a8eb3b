import ArgumentParser
import Foundation
import Storage
import TalkflowServer

/// `talkflow data-request`: the cases of data subjects' requests (Ley 1581 arts. 14 and 15; habeas-data
/// checklist items 5 and 7), each with its legal deadline in Colombian business days, so that none is missed.
struct DataRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-request",
        abstract:
            "Open, list, extend, erase or revoke under, and answer data subjects' requests (consultas and reclamos).",
        discussion: """
            A consulta (--kind access: what data are held and how they are used) is due 10 business days after \
            the day it was received, a reclamo (--kind claim: correct, update or delete the data, or a \
            complaint) 15; once, after telling the contact why, the answer may be put off 5 or 8 more business \
            days (extend). A reclamo's data must be flagged "reclamo en trámite" within 2 business days: opening \
            the case flags them at once (flagged_at; flag_late when that was after flag_due_at), and the agent \
            API and 'talkflow consent export' show claim_in_progress until it is answered. Business days are \
            Monday to Friday without Colombia's national holidays, in Colombian time; a term ends at 23:59:59 of \
            its last day.

            erase deletes, under an open reclamo, the contact's conversation data with the tenant (log lines, the \
            session's answers, phone and profile name); consent evidence and texts, and the link between its ids, are \
            kept (habeas-data item 15), and so are, without the contact, each erased conversation's times and \
            agents, so that the agent report of past periods does not change. It is refused while the conversation is with an agent or queued for one \
            (close it first), while messages to the contact are in the outbox, and when the tenant has no \
            conversation, log line or id link of the case's contact (nothing to erase: a case opened under a \
            wrong id is not recorded as erased). Then answer the case, saying what was kept and why.

            revoke records, under an open reclamo, a revocation of consent the contact made outside the chat (a \
            letter, an e-mail, a call): as the revocation word in WhatsApp does, it writes a revocation record \
            (channel data_request, words "data request ID"), clears the consent and the opt-in, fails the \
            messages still waiting to be sent, and closes a conversation waiting at a bot step; no message is \
            sent. It is refused while the conversation is with an agent or queued for one, when the tenant has no \
            conversation with the contact, and when nothing is in force to revoke.

            open takes a phone number as people write it (+57 300 111 2233, (57) 300-111-2233; spaces \
            around it are dropped) and keeps the wa_id its digits are (6 to 20), the id conversations are kept \
            under; a business-scoped user id (CO.13491208655302741918) is kept as written.

            Every subcommand prints the case (erase: with what it deleted and what it kept), or the list of \
            cases, as JSON on stdout, with times in Colombian \
            local time and a status: open, overdue (open past its deadline) or answered. Cases are never \
            deleted, and an answered case never changes.

            Exit status:
              0   done
              1   refused (no such case, already extended, already answered, an
                  extension after the deadline, a time before the request was
                  received; erase: not a claim, already erased, a conversation
                  with an agent, messages still in the outbox, a contact the
                  tenant has no data of; revoke: not a claim, a conversation
                  with an agent, no conversation with the contact, nothing in
                  force to revoke)
              2   the store does not exist, is not a talkflow store, or could not
                  be opened or written
              64  usage error
            """,
        subcommands: [
            DataRequestOpenCommand.self, DataRequestListCommand.self, DataRequestExtendCommand.self,
            DataRequestEraseCommand.self, DataRequestRevokeCommand.self, DataRequestAnswerCommand.self,
        ]
    )

    func run() throws {
        Console.err(Talkflow.helpMessage(for: DataRequestCommand.self) + "\n")
        throw Exit.usage
    }
}

/// The option every `data-request` subcommand shares: the store.
struct DataRequestStoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The store, as 'talkflow serve' takes it: sqlite:PATH.", valueName: "store"))
    var store: String

    func validate() throws {
        do {
            _ = try StoreLocation(parsing: store)
        } catch {
            throw ValidationError(StoreFile.invalidOption(store, error))
        }
    }

    /// The latest `--at` accepted: 9999-12-31T23:59:59Z, as far as a date is written with four digits.
    static let latestTime: Int64 = 253_402_300_799

    /// `--at` when given (checked to be a date from 1970 to 9999), else the current time.
    static func time(_ at: Int64?) throws -> Int64 {
        guard let at else { return Int64(Date().timeIntervalSince1970) }
        guard (0...latestTime).contains(at) else {
            throw ValidationError("--at \(at) is not a time from 1970 to 9999 in Unix seconds (e.g. 1764946800)")
        }
        return at
    }

    /// The current time, at which a case's status (open or overdue) is judged.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// Opens the store; a missing file is an error (the server creates it), never a new empty store.
    func open() throws -> SQLiteStore {
        try StoreFile.open(try StoreLocation(parsing: store))
    }

    /// Runs a store call; a failure is exit 2 with the store's explanation, a refusal is passed on as it is.
    func write<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let refusal as any CaseRefusal {
            throw refusal
        } catch {
            throw StoreFile.unwritable(try StoreLocation(parsing: store), error)
        }
    }

    /// One step on case `id`: the `rule` on the case as stored, then `record`, and the case printed.
    func step<Value>(
        _ id: Int64, in store: SQLiteStore, rule: (DataRequest) throws -> Value,
        record: @escaping (Value) async throws -> DataRequest?
    ) async throws {
        try await step(id, in: store, rule: rule, record: record) { DataRequestReport($0, now: Self.now) }
    }

    /// One step on case `id`: the `rule` on the case as stored, then `record`, and what it recorded printed as
    /// `report` makes it. No such case, a refusal (with its sentence, from the rule or the store) or a case
    /// changed meanwhile by another run is exit 1.
    func step<Value, Recorded>(
        _ id: Int64, in store: SQLiteStore, rule: (DataRequest) throws -> Value,
        record: @escaping (Value) async throws -> Recorded?, report: (Recorded) -> any Encodable
    ) async throws {
        do {
            guard let current = try await write({ try await store.dataRequest(id: id) }) else {
                Console.error("no data request \(id)")
                throw Exit.problems
            }
            let decided = try rule(current)
            guard let changed = try await write({ try await record(decided) }) else {
                Console.error("data request \(id) changed meanwhile; nothing was recorded")
                throw Exit.problems
            }
            try print(report(changed))
        } catch let refusal as any CaseRefusal {
            Console.error(refusal.message(id: id))
            throw Exit.problems
        }
    }

    /// Prints a value as JSON, keys sorted.
    func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Console.out(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }
}

struct DataRequestOpenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open a case: a request received now (or --at), with its deadline.")

    @Argument(
        help: ArgumentHelp(
            "The contact's WhatsApp id (wa_id) or business-scoped user id: at most 256 bytes, no control characters, "
                + "at least one digit or letter. "
                + "A phone number may be written as people write it (+57 300 111 2233, dashes, dots, parentheses): "
                + "the case keeps its digits, which must be 6 to 20.",
            valueName: "contact"))
    var contact: String

    @Option(help: ArgumentHelp("The tenant the request was made to.", valueName: "id"))
    var tenant: String

    @Option(help: ArgumentHelp("access (a consulta) or claim (a reclamo).", valueName: "kind"))
    var kind: DataRequest.Kind

    @Option(help: ArgumentHelp("What the request asks, in a few words.", valueName: "text"))
    var subject: String?

    @Option(
        help: ArgumentHelp(
            "When the request was received, in Unix seconds (a request received by mail yesterday), not later than now; "
                + "default: now.",
            valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    /// The contact as the case stores it (`DataRequestContact.normalized`: `+57 300 111 2233` is 573001112233).
    func storedContact() throws -> String {
        try DataRequestContact.argument(contact)
    }

    func validate() throws {
        _ = try storedContact()
        guard !tenant.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the tenant is empty") }
        let received = try DataRequestStoreOptions.time(at)
        // A request cannot have been received later than now: such a case (a typo in the year) could not be
        // answered, extended or erased before that date, and cases are never deleted. A few minutes are allowed for
        // a clock that differs from the one that read the request.
        let now = Int64(Date().timeIntervalSince1970)
        if received > now + Self.allowedSkew {
            throw ValidationError(
                "--at \(received) (\(ColombianTime.iso8601(received))) is later than now "
                    + "(\(ColombianTime.iso8601(now))): a request is recorded when or after it was received; "
                    + "give the time it was received, or leave --at out for now")
        }
    }

    /// How far `--at` may be ahead of this machine's clock (seconds).
    static let allowedSkew: Int64 = 300

    func run() async throws {
        let store = try options.open()
        let received = try DataRequestStoreOptions.time(at)
        let (due, flagDue) = DataRequestDeadlines.due(kind, receivedAt: received)
        let subject = DataRequest.nonBlank(subject)
        let contact = try storedContact()
        // A tenant the store never served (a typo, another case): the claim would flag nobody, reach no agent and
        // stay for good. A store that served none (no server ran on it yet) has nothing to check against.
        let served = try await options.write { try store.servedTenants() }
        if !served.isEmpty, !served.contains(tenant) {
            Console.error(
                "unknown tenant '\(tenant)': the store has served \(served.map { "'\($0)'" }.joined(separator: ", ")); "
                    + "tenant ids are the configuration's, case and all; nothing was recorded")
            throw Exit.problems
        }
        let request = try await options.write {
            try await store.openDataRequest(
                tenant: tenant, contact: contact, kind: kind, receivedAt: received, dueAt: due, flagDueAt: flagDue,
                subject: subject, recordedAt: DataRequestStoreOptions.now)
        }
        try options.print(DataRequestReport(request, now: DataRequestStoreOptions.now))
    }
}

struct DataRequestListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the cases, oldest first (overdue ones say so).")

    @Option(help: ArgumentHelp("Only this tenant's cases.", valueName: "id"))
    var tenant: String?

    @Flag(help: "Only the cases not answered yet.")
    var open = false

    @Option(
        help: ArgumentHelp(
            "Judge which cases are overdue at this time, in Unix seconds, instead of now.", valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    func validate() throws {
        if let tenant, tenant.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the tenant is empty")
        }
        _ = try DataRequestStoreOptions.time(at)
    }

    func run() async throws {
        let store = try options.open()
        let now = try DataRequestStoreOptions.time(at)
        let requests = try await options.write { try await store.dataRequests(tenant: tenant, open: open ? true : nil) }
        // Foundation prints an empty array as `[`, a blank line and `]`.
        guard !requests.isEmpty else { return Console.out("[]\n") }
        try options.print(requests.map { DataRequestReport($0, now: now) })
    }
}

struct DataRequestExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Record that the contact was told the answer needs more time: the deadline moves once.")

    @Argument(help: ArgumentHelp("The case's id.", valueName: "id"))
    var id: Int64

    @Option(
        help: ArgumentHelp(
            "When the contact was told, in Unix seconds; default: now. It must be before the deadline.",
            valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    func validate() throws { _ = try DataRequestStoreOptions.time(at) }

    func run() async throws {
        let store = try options.open()
        let now = try DataRequestStoreOptions.time(at)
        try await options.step(id, in: store) { current in
            try DataRequestDeadlines.extendedDeadline(of: current, toldAt: now)
        } record: { due in
            try await store.extendDataRequest(id: id, at: now, dueAt: due)
        }
    }
}

struct DataRequestAnswerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer", abstract: "Record that the case was answered (it never changes afterwards).")

    @Argument(help: ArgumentHelp("The case's id.", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("How it was answered, in a few words.", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp("When it was answered, in Unix seconds; default: now.", valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    func validate() throws { _ = try DataRequestStoreOptions.time(at) }

    func run() async throws {
        let store = try options.open()
        let now = try DataRequestStoreOptions.time(at)
        let note = DataRequest.nonBlank(note)
        try await options.step(id, in: store) { current in
            try DataRequestDeadlines.checkAnswer(of: current, at: now)
        } record: { _ in
            try await store.answerDataRequest(id: id, at: now, answer: note)
        }
    }
}

struct DataRequestEraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase the contact's conversation data under an open reclamo (consent evidence is kept).")

    @Argument(help: ArgumentHelp("The case's id (an open claim).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("When it was erased, in Unix seconds; default: now.", valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    func validate() throws { _ = try DataRequestStoreOptions.time(at) }

    func run() async throws {
        let store = try options.open()
        let now = try DataRequestStoreOptions.time(at)
        try await options.step(id, in: store) { current in
            try DataErasure.check(current)
            try DataRequestDeadlines.checkErasure(of: current, at: now)
        } record: { _ in
            try await store.eraseContactData(id: id, at: now)
        } report: {
            DataErasureReport($0, now: DataRequestStoreOptions.now)
        }
    }
}

struct DataRequestRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Record, under an open reclamo, the contact's revocation of consent received outside the chat.")

    @Argument(help: ArgumentHelp("The case's id (an open claim).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("When it was revoked, in Unix seconds; default: now.", valueName: "unix-seconds"))
    var at: Int64?

    @OptionGroup var options: DataRequestStoreOptions

    func validate() throws { _ = try DataRequestStoreOptions.time(at) }

    func run() async throws {
        let store = try options.open()
        let now = try DataRequestStoreOptions.time(at)
        try await options.step(id, in: store) { current in
            try DataRequestRevocation.check(current, at: now)
            return current
        } record: { current in
            try await DataRequestRevocation.record(current, in: store, at: now)
        } report: {
            DataRequestRevocationReport($0, now: DataRequestStoreOptions.now)
        }
    }
}

/// A refusal of a step on a case: exit 1 with its sentence.
protocol CaseRefusal: Error {
    func message(id: Int64) -> String
}

extension DataRequestDeadlines.Refusal: CaseRefusal {}
extension DataErasure.Refusal: CaseRefusal {}
extension DataRequestRevocation.Refusal: CaseRefusal {}

extension DataRequest.Kind: ExpressibleByArgument {}
