import FlowRuntime
import Foundation
import GRDB
import Testing

@testable import Storage

// The consent ledger (habeas-data checklist items 4, 5, 15): append-only even against raw SQL, the texts
// shown kept content-addressed, the current consent derived from the records (the latest wins).

@Test(arguments: StoreFactory.all)
func acceptRevokeAndNewVersionDeriveTheCurrentConsent(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    #expect(try await store.consentState(tenant: "t1", contact: "c") == ContactConsent())

    try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent(at: t)))])
    var state = try await store.consentState(tenant: "t1", contact: "c")
    #expect(state.acceptedVersion == "2026-01")
    #expect(state.versions == ["2026-01": .accepted])
    #expect(state.optIn == false)

    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent(choice: "opt_in_accepted", at: t + 1)))])
    #expect(try await store.consentState(tenant: "t1", contact: "c").optIn)

    // A revocation clears everything and marks the accepted version revoked.
    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.revocation(Fixtures.revocation(at: t + 2)), requests: nil)])
    state = try await store.consentState(tenant: "t1", contact: "c")
    #expect(state.acceptedVersion == nil)
    #expect(state.optIn == false)
    #expect(state.versions == ["2026-01": .revoked])

    // Accepting again, then a new policy version: the latest acceptance is the one in force.
    try await store.appendConsent(
        tenant: "t1", contact: "c",
        [
            Fixtures.entry(.consent(Fixtures.consent(at: t + 3))),
            Fixtures.entry(.consent(Fixtures.consent(version: "2026-02", at: t + 4))),
        ])
    state = try await store.consentState(tenant: "t1", contact: "c")
    #expect(state.acceptedVersion == "2026-02")
    #expect(state.versions == ["2026-01": .accepted, "2026-02": .accepted])

    // Declining a newer version leaves the older acceptance (the interpreter asks again anyway).
    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent(choice: "declined", version: "2026-03")))]
    )
    state = try await store.consentState(tenant: "t1", contact: "c")
    #expect(state.acceptedVersion == "2026-02")
    #expect(state.versions["2026-03"] == .declined)

    // A sensitive consent holds for one conversation only: it does not change the general consent.
    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent(version: "2026-09", sensitive: true)))])
    #expect(try await store.consentState(tenant: "t1", contact: "c").acceptedVersion == "2026-02")
}

@Test(arguments: StoreFactory.all)
func exportHasEveryRecordWithTheTextsShown(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let newText = Fixtures.consentText + " Nueva finalidad: encuestas."
    try await store.appendConsent(
        tenant: "t1", contact: "573009",
        [
            Fixtures.entry(.consent(Fixtures.consent(choice: "declined", at: t, reply: "wamid.d"))),
            Fixtures.entry(.consent(Fixtures.consent(at: t + 60, reply: "wamid.a"))),
            Fixtures.entry(.revocation(Fixtures.revocation(at: t + 120, message: "wamid.r")), requests: nil),
            Fixtures.entry(
                .consent(
                    Fixtures.consent(
                        version: "2026-02", texts: [newText, "Acepto", "No acepto"], at: t + 180, reply: "wamid.b"))),
        ])
    let history = try await store.consentHistory(tenant: "t1", contact: "573009")
    #expect(history.tenant == "t1")
    #expect(history.contact == "573009")
    #expect(history.records.map(\.choice) == ["declined", "accepted", "revoked", "accepted"])
    #expect(history.records.map(\.kind) == [.consent, .consent, .revocation, .consent])
    #expect(history.records.map(\.replyMessageID) == ["wamid.d", "wamid.a", "wamid.r", "wamid.b"])
    #expect(history.records.map(\.at) == [t, t + 60, t + 120, t + 180])
    #expect(history.records.map(\.sequence) == history.records.map(\.sequence).sorted())
    let first = try #require(history.records.first)
    #expect(first.shownTexts == [Fixtures.consentText, "Acepto", "No acepto"])
    #expect(first.textSHA256 == Fixtures.sha256Hex(first.shownTexts.joined(separator: "\n")))
    #expect(first.textsMatchHash)
    #expect(first.purposesDeclined == ["atencion", "asesor"])
    #expect(first.channel == "whatsapp_cloud")
    #expect(first.phoneNumberID == "1234567890")
    #expect(first.receivedAt == t + 1)
    // The entry names `wamid.request`, but the log holds no such request to the contact: it is not recorded.
    #expect(first.requestMessageIDs == [])
    #expect(first.policyURL == "https://example.co/datos")
    #expect(first.language == "es")
    #expect(history.records[2].words == "revocar")
    #expect(history.records[2].shownTexts.isEmpty)
    #expect(history.records[3].shownTexts.first == newText)
    #expect(history.records[3].textsMatchHash)
    #expect(history.current.acceptedVersion == "2026-02")
    #expect(history.current.versions == ["2026-01": .revoked, "2026-02": .accepted])

    // The JSON form: snake_case keys, the texts in full.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try #require(String(data: try encoder.encode(history), encoding: .utf8))
    #expect(json.contains("\"shown_texts\":[\"\(Fixtures.consentText)\",\"Acepto\",\"No acepto\"]"))
    #expect(json.contains("\"policy_version\":\"2026-02\""))
    #expect(json.contains("\"accepted_version\":\"2026-02\""))
    let decoded = try JSONDecoder().decode(ConsentHistory.self, from: Data(json.utf8))
    #expect(decoded == history)

    // The same texts are stored once (content-addressed) however often they are shown.
    #expect(try await store.consentTenants(contact: "573009") == ["t1"])
}

/// A store whose contact "c" got the consent request, reported sent as `wamid.request.1`, at `Fixtures.monday`.
private func storeWithASentConsentRequest(_ factory: StoreFactory, _ folder: TestFolder) async throws -> (
    store: any ConversationStore, driver: Driver
) {
    let store = try factory.open(folder)
    let driver = Driver(store: store, interpreter: try Fixtures.interpreter(), tenant: "t1")
    let t = Fixtures.monday
    let opened = try await driver.receive(.text("hola"), from: "c", id: "w1", at: t)
    // The sender reports the consent request sent with its wamid.
    let requestID = try #require(opened?.outboxIDs.first)
    let claimed = try await store.claimOutbox(now: t + 1, limit: 10, lease: 30)
    #expect(claimed.map(\.id) == [requestID])
    try await store.completeOutbox([OutboxResult(id: requestID, .sent(messageID: "wamid.request.1"), at: t + 1)])
    return (store, driver)
}

@Test(arguments: StoreFactory.all)
func requestMessageIDIsFoundFromTheSentConsentRequest(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let (store, driver) = try await storeWithASentConsentRequest(factory, folder)
    try await driver.receive(
        .reply(id: "consentimiento.accept", messageID: "w2"), from: "c", id: "w2", at: Fixtures.monday + 20)
    let record = try #require(try await store.consentHistory(tenant: "t1", contact: "c").records.first)
    #expect(record.requestMessageIDs == ["wamid.request.1"])
    #expect(record.requestMessages.map(\.state) == [.sentBeforeDecision])
    #expect(record.requestMessages.first?.outboxID != nil)
    #expect(record.replyMessageID == "w2")
    #expect(record.textsMatchHash)
    #expect(record.step == "consentimiento")
    #expect(record.flow == "prueba")
}

/// A typed accept that quotes another message (the contact's own, swiped to reply) names the consent request,
/// not the quoted message; a tap, whose context is the request itself, names that request.
@Test(arguments: StoreFactory.all)
func aQuotedMessageIsTheRequestOnlyWhenItIsTheConsentRequest(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let (store, driver) = try await storeWithASentConsentRequest(factory, folder)
    try await driver.receive(.text("acepto"), from: "c", id: "w2", at: Fixtures.monday + 20, quoting: "w1")
    let typed = try #require(try await store.consentHistory(tenant: "t1", contact: "c").records.first)
    #expect(typed.requestMessageIDs == ["wamid.request.1"])

    let other = try TestFolder()
    let (store2, driver2) = try await storeWithASentConsentRequest(factory, other)
    try await driver2.receive(
        .reply(id: "consentimiento.accept", messageID: "w2"), from: "c", id: "w2", at: Fixtures.monday + 20,
        quoting: "wamid.request.1")
    let tapped = try #require(try await store2.consentHistory(tenant: "t1", contact: "c").records.first)
    #expect(tapped.requestMessageIDs == ["wamid.request.1"])
}

/// An accept that outran the send report of the request it answers names that request by its outbox id, never
/// an earlier request's `wamid`; its own `wamid` shows once its send is reported.
@Test(arguments: StoreFactory.all)
func anAnswerThatOutranItsRequestsSendReportNamesNoEarlierRequest(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let (store, driver) = try await storeWithASentConsentRequest(factory, folder)
    // Text instead of a button: the consent step asks again; that request is not reported sent yet.
    let again = try await driver.receive(.text("que es esto"), from: "c", id: "w2", at: Fixtures.monday + 10)
    let second = try #require(again?.outboxIDs.first)
    try await driver.receive(
        .reply(id: "consentimiento.accept", messageID: "w3"), from: "c", id: "w3", at: Fixtures.monday + 11)
    let record = try #require(try await store.consentHistory(tenant: "t1", contact: "c").records.first)
    #expect(record.replyMessageID == "w3")
    #expect(record.requestMessageIDs.isEmpty)
    #expect(record.requestMessages == [ConsentRequestMessage(outboxID: second, messageID: nil, state: .pending)])

    #expect(try await store.claimOutbox(now: Fixtures.monday + 12, limit: 10, lease: 30).map(\.id) == [second])
    try await store.completeOutbox([
        OutboxResult(id: second, .sent(messageID: "wamid.request.2"), at: Fixtures.monday + 12)
    ])
    let linked = try #require(try await store.consentHistory(tenant: "t1", contact: "c").records.first)
    #expect(linked.requestMessageIDs == ["wamid.request.2"])
}

@Test func ledgerRefusesUpdateDeleteAndReplaceThroughRawSQL() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    let before = try await store.consentHistory(tenant: "t1", contact: "c")

    // Any client, not only the store: a separate connection with plain SQL.
    let raw = try DatabaseQueue(path: folder.path("store.db"))
    let attempts = [
        "UPDATE consent_ledger SET choice = 'declined'",
        "DELETE FROM consent_ledger",
        "INSERT OR REPLACE INTO consent_ledger SELECT * FROM consent_ledger",
        "INSERT INTO consent_ledger SELECT * FROM consent_ledger WHERE true ON CONFLICT (seq) DO UPDATE SET choice = 'x'",
        "INSERT INTO consent_ledger SELECT * FROM consent_ledger WHERE true ON CONFLICT DO NOTHING",
        "UPDATE OR REPLACE consent_ledger SET seq = seq + 100",
        "UPDATE consent_texts SET text = 'otro texto'",
        "UPDATE OR REPLACE consent_texts SET sha256 = (SELECT min(sha256) FROM consent_texts)",
        "DELETE FROM consent_texts",
    ]
    for sql in attempts {
        #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
    }
    // Storing a text under a hash already there is ignored (content-addressed), never a replacement, also as
    // an upsert.
    try await raw.write {
        try $0.execute(
            sql: "INSERT OR REPLACE INTO consent_texts (sha256, text) SELECT sha256, 'otro texto' FROM consent_texts")
        try $0.execute(
            sql: """
                INSERT INTO consent_texts (sha256, text) SELECT sha256, 'otro texto' FROM consent_texts WHERE true
                ON CONFLICT (sha256) DO UPDATE SET text = excluded.text
                """)
    }
    #expect(try await store.consentHistory(tenant: "t1", contact: "c") == before)
    // Appending is allowed.
    try await store.appendConsent(
        tenant: "t1", contact: "c", [Fixtures.entry(.revocation(Fixtures.revocation()), requests: nil)])
    #expect(try await store.consentHistory(tenant: "t1", contact: "c").records.count == 2)
}

@Test func consentTextsAreStoredOnceByTheirHash() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    for contact in ["a", "b", "c"] {
        try await store.appendConsent(tenant: "t1", contact: contact, [Fixtures.entry(.consent(Fixtures.consent()))])
    }
    let raw = try DatabaseQueue(path: folder.path("store.db"))
    let rows = try raw.read { try Row.fetchAll($0, sql: "SELECT sha256, text FROM consent_texts ORDER BY text") }
    #expect(rows.map { $0["text"] as String } == ["Acepto", Fixtures.consentText, "No acepto"])
    for row in rows { #expect(row["sha256"] as String == Fixtures.sha256Hex(row["text"])) }
}

/// `talkflow consent export` reads through `ConsentLedgerReader`: the same history as the store gives, and the
/// file's bytes unchanged (no migration, no journal mode switched), so it can run on a backup.
@Test func theLedgerReaderReadsTheHistoryAndLeavesTheFileAsItWas() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let expected: ConsentHistory
    do {
        let store = try SQLiteStore(path: path)
        try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
        expected = try await store.consentHistory(tenant: "t1", contact: "c")
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let reader = try ConsentLedgerReader(path: path)
    #expect(try reader.consentTenants(contact: "c") == ["t1"])
    #expect(try reader.consentHistory(tenant: "t1", contact: "c") == expected)
    #expect(try reader.consentHistory(tenant: "t1", contact: "nobody").records.isEmpty)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    // A file that is not a talkflow store is refused, not written to.
    let other = folder.path("other.db")
    try Data().write(to: URL(fileURLWithPath: other))
    #expect(throws: (any Error).self) { try ConsentLedgerReader(path: other) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: other)).isEmpty)
}

/// A ledger row the store did not write (a hand-made or damaged file) is an error naming its record and column,
/// in the export and in the reader `talkflow consent export` uses, never a trap: a plain column, or one of the JSON
/// lists, whose decoder's own words ("DecodingError.dataCorrupted") would name neither.
@Test(arguments: [
    ("at = 'yesterday'", "record 1: column 'at' holds \"yesterday\", which is not what the ledger writes there"),
    (
        "text_hashes = 'not json'",
        "record 1: column 'text_hashes' holds \"not json\", not the JSON list of texts the ledger writes there"
    ),
    (
        "purposes_declined = '{}'",
        "record 1: column 'purposes_declined' holds \"{}\", not the JSON list of texts the ledger writes there"
    ),
])
func aDamagedLedgerRowIsAnErrorNotATrap(_ damage: String, _ named: String) async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await store.appendConsent(tenant: "t1", contact: "c", [Fixtures.entry(.consent(Fixtures.consent()))])
    let raw = try DatabaseQueue(path: folder.path("store.db"))
    try await raw.write { db in
        try db.execute(sql: "DROP TRIGGER consent_ledger_no_update")
        try db.execute(sql: "UPDATE consent_ledger SET \(damage)")
    }
    for read in [
        { try await store.consentHistory(tenant: "t1", contact: "c") },
        { try ConsentLedgerReader(path: folder.path("store.db")).consentHistory(tenant: "t1", contact: "c") },
    ] as [() async throws -> ConsentHistory] {
        do {
            _ = try await read()
            Issue.record("a damaged row was read")
        } catch let error as StorageError {
            #expect("\(error)" == "unreadable row in consent_ledger: \(named)")
        }
    }
}

/// A contact whose first message named them only by their business-scoped user id keeps that id as the key of
/// their conversation, so every ledger record names it, also an `opt_in_withdrawn` recorded after messages
/// carried the phone's `wa_id` too; the export and the consent state find the records by either id. The
/// history's own `contact` echoes the id asked for (as `talkflow consent export` and the agent API print it),
/// while each record names the key it was kept under.
@Test(arguments: StoreFactory.all)
func theLedgerNamesTheConversationKeyAUserIDThatCameFirst(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let (userID, phone) = ("CO.444555666", "573004445566")
    let evidence = EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: Fixtures.monday)
    func decide(_ choice: String, contact: String, aliases: [String], id: String) async throws {
        try await store.handleInbound(
            tenant: "t1", contact: contact, aliases: aliases, messageID: id, receivedAt: Fixtures.monday
        ) { _, _ in
            var changes = ConversationChanges()
            changes.record([.recordConsent(Fixtures.consent(choice: choice))], evidence: evidence)
            return changes
        }
    }
    try await decide("accepted", contact: userID, aliases: [], id: "wamid.1")
    try await decide("opt_in_accepted", contact: phone, aliases: [userID], id: "wamid.2")
    try await store.update(tenant: "t1", contact: phone, at: Fixtures.monday + 60) { _, _ in
        var changes = ConversationChanges()
        changes.record(
            [.recordConsent(Fixtures.consent(choice: "opt_in_withdrawn", step: "", reply: nil))], evidence: evidence)
        return changes
    }
    let reader = try ConsentLedgerReader(path: folder.path("store.db"))
    for id in [userID, phone] {
        let history = try await store.consentHistory(tenant: "t1", contact: id)
        #expect(history.contact == id)
        #expect(try reader.consentHistory(tenant: "t1", contact: id) == history)
        let records = history.records
        #expect(records.map(\.choice) == ["accepted", "opt_in_accepted", "opt_in_withdrawn"], "\(id)")
        #expect(records.map(\.contact) == [userID, userID, userID], "\(id)")
        let state = try await store.consentState(tenant: "t1", contact: id)
        #expect(state.acceptedVersion != nil && !state.optIn && state.lastSequence == 3, "\(id): \(state)")
    }
}

/// The export reads a store of any schema version read-only, without migrating it: a file written before
/// `v7_consent_wa_timestamp` (no `wa_timestamp`, no `flow_version`) exports its records with both `null`; once
/// migrated, a new record carries the flow's version.
@Test func theExportReadsAnOlderStoreWithoutTheNewerColumns() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v6_contact_aliases")
        try await old.write { db in try Fixtures.insertFirstSchemaRecord(db, reply: "wamid.r", requests: "[]") }
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let old = try ConsentLedgerReader(path: path).consentHistory(tenant: "t1", contact: "c").records
    #expect(old.map(\.choice) == ["accepted"])
    #expect(old.first?.whatsAppTimestamp == nil && old.first?.flowVersion == nil)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

    let store = try SQLiteStore(path: path)
    var entry = Fixtures.entry(.revocation(Fixtures.revocation()))
    entry.flowVersion = String(repeating: "ab", count: 32)
    try await store.appendConsent(tenant: "t1", contact: "c", [entry])
    let records = try await store.consentHistory(tenant: "t1", contact: "c").records
    #expect(records.map(\.flowVersion) == [nil, String(repeating: "ab", count: 32)])
    let json = String(decoding: try JSONEncoder().encode(records[1]), as: UTF8.self)
    #expect(json.contains(#""flow_version":"abababab"#))
}

/// A decline of the version accepted in force is the latest decision on it: the derived consent is not in force
/// (the operator2 audit found an export holding a decline as its latest record and an acceptance in force).
@Test(arguments: StoreFactory.all)
func aDeclineOfTheAcceptedVersionEndsIt(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    try await store.appendConsent(
        tenant: "t1", contact: "c",
        [
            Fixtures.entry(.consent(Fixtures.consent(at: t))),
            Fixtures.entry(.consent(Fixtures.consent(choice: "declined", at: t + 1))),
        ])
    let state = try await store.consentState(tenant: "t1", contact: "c")
    #expect(state.acceptedVersion == nil)
    #expect(state.versions == ["2026-01": .declined])
}
