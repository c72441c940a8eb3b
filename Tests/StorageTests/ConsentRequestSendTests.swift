import FlowRuntime
import Foundation
import GRDB
import Testing

@testable import Storage

// A consent decision processed before its request's send was recorded (the contact typed `acepto` right after
// `hola`, or Meta's answer to the send was slow) keeps the request's outbox id; the send report appends the
// request's `wamid` to `consent_request_sends`, and the export shows it. The ledger record itself never changes.

/// A store where `hola` from "c" at `Fixtures.monday` queued the consent request (`request`, its outbox id), and
/// with `claimed`, a sender claimed it at once (its send is in flight).
private func queuedConsentRequest(
    _ store: any ConversationStore, claimed: Bool = false
) async throws -> (driver: Driver, request: Int64) {
    let driver = Driver(store: store, interpreter: try Fixtures.interpreter(), tenant: "t1")
    let opened = try await driver.receive(.text("hola"), from: "c", id: "w1", at: Fixtures.monday)
    let request = try #require(opened?.outboxIDs.first)
    if claimed {
        #expect(try await store.claimOutbox(now: Fixtures.monday, limit: 10, lease: 30).map(\.id) == [request])
    }
    return (driver, request)
}

/// The one record of "c".
private func onlyRecord(_ store: any ConversationStore) async throws -> ConsentRecord {
    let records = try await store.consentHistory(tenant: "t1", contact: "c").records
    #expect(records.count == 1)
    return try #require(records.first)
}

/// Every column of every ledger row, as text: what must not change once written.
private func ledgerRows(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: "SELECT * FROM consent_ledger ORDER BY seq").map(\.description)
    }
}

@Test(arguments: StoreFactory.all)
func anAcceptTypedBeforeTheRequestWasSentGetsTheRequestsWamidOnceItIsSent(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let (driver, request) = try await queuedConsentRequest(store)
    // `acepto` typed at once: the request is still in the outbox, not handed to the Graph API.
    try await driver.receive(.text("acepto"), from: "c", id: "w2", at: t + 1)
    var record = try await onlyRecord(store)
    #expect(record.choice == "accepted")
    #expect(record.requestMessageIDs.isEmpty)
    #expect(record.requestMessages == [ConsentRequestMessage(outboxID: request, messageID: nil, state: .pending)])
    let written = try ledgerRows(folder.path("store.db"))

    // The request, then the menu that followed the acceptance (an ordinary message), are sent.
    #expect(try await store.claimOutbox(now: t + 2, limit: 10, lease: 30).map(\.id) == [request])
    try await store.completeOutbox([OutboxResult(id: request, .sent(messageID: "wamid.request.late"), at: t + 3)])
    let menu = try #require(try await store.claimOutbox(now: t + 4, limit: 10, lease: 30).first)
    try await store.completeOutbox([OutboxResult(id: menu.id, .sent(messageID: "wamid.menu"), at: t + 4)])

    record = try await onlyRecord(store)
    #expect(record.requestMessageIDs == ["wamid.request.late"])
    #expect(
        record.requestMessages == [
            ConsentRequestMessage(
                outboxID: request, messageID: "wamid.request.late", state: .sentAfterDecision, sentAt: t + 3)
        ])
    // The record is as it was written; the link is a row of its own, and the menu's send wrote none.
    #expect(try ledgerRows(folder.path("store.db")) == written)
    let links = try DatabaseQueue(path: folder.path("store.db")).read { db in
        try Row.fetchAll(db, sql: "SELECT outbox_id, tenant, message_id, sent_at FROM consent_request_sends")
    }
    #expect(links.count == 1)
    let link = try #require(links.first)
    #expect(link["outbox_id"] as Int64 == request && link["tenant"] as String == "t1")
    #expect(link["message_id"] as String == "wamid.request.late" && link["sent_at"] as Int64 == t + 3)
    // The export as JSON: the request with its outbox id and state, every key present.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(record), as: UTF8.self)
    #expect(json.contains(#""request_message_ids":["wamid.request.late"]"#))
    #expect(
        json.contains(
            #""request_messages":[{"message_id":"wamid.request.late","outbox_id":\#(request),"#
                + #""sent_at":\#(t + 3),"state":"sent_after_decision"}]"#), "\(json)")
}

/// A tap on the request's button while its send is in flight: the tap quotes the `wamid` Meta gave the request,
/// which the store does not know yet; the record names the request by its outbox id, and the `wamid` follows.
@Test(arguments: StoreFactory.all)
func aTapWhileTheRequestsSendIsInFlightGetsItsWamidWhenTheSendIsReported(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let (driver, request) = try await queuedConsentRequest(store, claimed: true)
    try await driver.receive(
        .reply(id: "consentimiento.accept", messageID: "w2"), from: "c", id: "w2", at: t + 1, quoting: "wamid.slow")
    #expect(
        try await onlyRecord(store).requestMessages == [
            ConsentRequestMessage(outboxID: request, messageID: nil, state: .pending)
        ])
    try await store.completeOutbox([OutboxResult(id: request, .sent(messageID: "wamid.slow"), at: t + 4)])
    let record = try await onlyRecord(store)
    #expect(record.requestMessageIDs == ["wamid.slow"])
    #expect(record.requestMessages.first?.state == .sentAfterDecision)
    #expect(record.requestMessages.first?.sentAt == t + 4)
    // The reader `talkflow consent export` uses shows the same.
    let reader = try ConsentLedgerReader(path: folder.path("store.db"))
    let history = try await store.consentHistory(tenant: "t1", contact: "c")
    #expect(try reader.consentHistory(tenant: "t1", contact: "c") == history)
}

/// A request given up after the decision was recorded was never sent: the export says so, with no `wamid`.
@Test(arguments: StoreFactory.all)
func aRequestGivenUpAfterTheDecisionIsNotSent(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let (driver, request) = try await queuedConsentRequest(store, claimed: true)
    try await driver.receive(.text("acepto"), from: "c", id: "w2", at: t + 1)
    try await store.completeOutbox([
        OutboxResult(id: request, .failed(OutboxError(kind: "invalid_parameter", detail: "100")), at: t + 2)
    ])
    let record = try await onlyRecord(store)
    #expect(record.requestMessageIDs.isEmpty)
    #expect(record.requestMessages == [ConsentRequestMessage(outboxID: request, messageID: nil, state: .notSent)])
}

/// A request queued by the step that records the decision came after the answer: the record names the request
/// sent before it, not that one.
@Test(arguments: StoreFactory.all)
func aRequestQueuedWithTheDecisionIsNotTheOneAnswered(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let buttons = OutboundMessage.buttons(
        body: Fixtures.consentText, header: nil, footer: nil,
        buttons: [
            ReplyButton(id: "consentimiento.accept", title: "Acepto"),
            ReplyButton(id: "consentimiento.decline", title: "No acepto"),
        ])
    let evidence = EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: t)
    let first = try await store.handleInbound(tenant: "t1", contact: "c", messageID: "w1", receivedAt: t) { _, _ in
        var changes = ConversationChanges(flow: "prueba", stateName: "consentimiento")
        changes.send(buttons)
        return changes
    }
    let request = try #require(first?.outboxIDs.first)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.completeOutbox([OutboxResult(id: request, .sent(messageID: "wamid.asked"), at: t)])
    try await store.handleInbound(tenant: "t1", contact: "c", messageID: "w2", receivedAt: t + 5) { _, _ in
        var changes = ConversationChanges(flow: "prueba", stateName: "consentimiento")
        changes.record([.recordConsent(Fixtures.consent(choice: "declined"))], evidence: evidence)
        changes.send(buttons)
        return changes
    }
    let record = try await onlyRecord(store)
    #expect(record.requestMessageIDs == ["wamid.asked"])
    #expect(record.requestMessages.map(\.outboxID) == [request])
}

/// The links are evidence too: append-only against raw SQL, as the ledger is.
@Test func consentRequestSendsRefuseUpdateDeleteAndReplace() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    let (driver, request) = try await queuedConsentRequest(store)
    try await driver.receive(.text("acepto"), from: "c", id: "w2", at: Fixtures.monday + 1)
    _ = try await store.claimOutbox(now: Fixtures.monday + 2, limit: 10, lease: 30)
    try await store.completeOutbox([OutboxResult(id: request, .sent(messageID: "wamid.r"), at: Fixtures.monday + 2)])
    let before = try await store.consentHistory(tenant: "t1", contact: "c")
    #expect(before.records.first?.requestMessageIDs == ["wamid.r"])
    let raw = try DatabaseQueue(path: folder.path("store.db"))
    for sql in [
        "UPDATE consent_request_sends SET message_id = 'wamid.forged'",
        "DELETE FROM consent_request_sends",
        "INSERT OR REPLACE INTO consent_request_sends SELECT outbox_id, tenant, 'wamid.forged', sent_at FROM consent_request_sends",
        """
        INSERT INTO consent_request_sends SELECT * FROM consent_request_sends WHERE true
        ON CONFLICT (outbox_id) DO UPDATE SET message_id = 'wamid.forged'
        """,
    ] {
        let error = #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
        #expect(error?.message == "consent_request_sends is append-only", "\(sql)")
    }
    #expect(try await store.consentHistory(tenant: "t1", contact: "c") == before)
}

/// A record written before `v15_consent_request_sends` keeps what it had: its `wamid`s, with no outbox id, in
/// the export of the migrated file and, without migrating it, of the file as it was.
@Test func aRecordOfTheTwelfthSchemaShowsItsWamidsWithoutAnOutboxID() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v14_erased_conversation_figures")
        try await old.write { db in
            for (reply, requests) in [("wamid.r1", #"["wamid.q1"]"#), ("wamid.r2", "[]")] {
                try Fixtures.insertFirstSchemaRecord(db, reply: reply, requests: requests)
            }
        }
    }
    let expected = [
        [ConsentRequestMessage(outboxID: nil, messageID: "wamid.q1", state: .sentBeforeDecision)], [],
    ]
    let unmigrated = try ConsentLedgerReader(path: path).consentHistory(tenant: "t1", contact: "c").records
    #expect(unmigrated.map(\.requestMessages) == expected)
    let store = try SQLiteStore(path: path)
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    let records = try await store.consentHistory(tenant: "t1", contact: "c").records
    #expect(records.map(\.requestMessages) == expected)
    #expect(records.map(\.requestMessageIDs) == [["wamid.q1"], []])
}
