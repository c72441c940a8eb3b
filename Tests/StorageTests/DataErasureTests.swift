import FlowRuntime
import Foundation
import GRDB
import Testing

@testable import Storage

// A reclamo's "reclamo en trámite" flag and the erasure of the contact's conversation data (habeas-data item 7),
// in a real SQLite store: exactly the contact's data with the tenant go, consent evidence stays.

/// A contact's conversation with a tenant: an inbound message with an alias, consent, an answer, a reply sent.
private func converse(
    _ store: SQLiteStore, tenant: String, contact: String, alias: String?, id: String, status: Session.Status = .waiting
) async throws {
    let evidence = EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "99", receivedAt: Fixtures.monday)
    let committed = try await store.handleInbound(
        tenant: tenant, contact: contact, aliases: alias.map { [$0] } ?? [], messageID: id,
        receivedAt: Fixtures.monday
    ) { session, _ in
        session.status = status
        session.consent.acceptedVersion = "2026-01"  // as the interpreter sets it on acceptance
        session.startedAt = Fixtures.monday
        session.inactivityDeadline = Fixtures.monday + 600
        session.variables = ["Ana", contact, "calle 1"]
        session.attachmentMonth = 202_611
        session.attachmentBytes = 4_096
        if status == .withAgent { session.agent = "ana" }
        var changes = Fixtures.reply("hola")
        changes.record([.recordConsent(Fixtures.consent())], evidence: evidence)
        return changes
    }
    let outbox = try #require(committed?.outboxIDs.first)
    _ = try await store.claimOutbox(now: Fixtures.monday, limit: 10, lease: 30)
    try await store.completeOutbox([
        OutboxResult(id: outbox, .sent(messageID: "\(id).out"), at: Fixtures.monday)
    ])
}

private func openClaim(
    _ store: SQLiteStore, tenant: String = "ventas", contact: String, kind: DataRequest.Kind = .claim
)
    async throws -> DataRequest
{
    let received = Fixtures.monday
    return try await store.openDataRequest(
        tenant: tenant, contact: contact, kind: kind, receivedAt: received, dueAt: received + 30 * 86_400,
        flagDueAt: kind == .claim ? received + 2 * 86_400 : nil, subject: "borrar mis datos",
        recordedAt: received + 3 * 86_400)
}

private func count(_ store: SQLiteStore, _ sql: String) async throws -> Int {
    try await store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
}

@Test func aClaimFlagsTheContactWhileOpenAndRecordsWhenItWasFlagged() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await converse(store, tenant: "ventas", contact: "CO.1", alias: nil, id: "wamid.1")
    try await converse(store, tenant: "ventas", contact: "573001112233", alias: "CO.1", id: "wamid.2")
    #expect(try await !store.claimInProgress(tenant: "ventas", contact: "CO.1"))

    let access = try await openClaim(store, contact: "573001112233", kind: .access)
    #expect(access.flaggedAt == nil && access.flagLate == nil)
    #expect(try await !store.claimInProgress(tenant: "ventas", contact: "CO.1"))

    // Opened with the phone number; the conversation's key is the user id: either id finds it.
    let claim = try await openClaim(store, contact: "573001112233")
    #expect(claim.flaggedAt == Fixtures.monday + 3 * 86_400)
    #expect(claim.flagLate == true)
    #expect(try await store.dataRequest(id: claim.id) == claim)
    for id in ["CO.1", "573001112233"] {
        #expect(try await store.claimInProgress(tenant: "ventas", contact: id), "\(id)")
        #expect(try await store.consentHistory(tenant: "ventas", contact: id).claimInProgress, "\(id)")
    }
    #expect(try await !store.claimInProgress(tenant: "soporte", contact: "CO.1"))
    #expect(try await !store.consentHistory(tenant: "soporte", contact: "CO.1").claimInProgress)

    _ = try #require(try await store.answerDataRequest(id: claim.id, at: Fixtures.monday + 86_400 * 4, answer: "ok"))
    #expect(try await !store.claimInProgress(tenant: "ventas", contact: "CO.1"))
    #expect(try await !store.consentHistory(tenant: "ventas", contact: "573001112233").claimInProgress)
}

@Test func erasureDeletesExactlyTheContactsDataWithTheTenantAndKeepsConsent() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await converse(store, tenant: "ventas", contact: "573001112233", alias: "CO.1", id: "wamid.v1")
    try await converse(store, tenant: "soporte", contact: "573001112233", alias: "CO.1", id: "wamid.s1")
    try await converse(store, tenant: "ventas", contact: "573009", alias: nil, id: "wamid.o1")
    try await store.pool.write { db in
        try db.execute(
            sql: """
                INSERT INTO early_statuses (tenant, message_id, status, at) VALUES
                ('ventas', 'wamid.v1.out', 'read', 1), ('soporte', 'wamid.s1.out', 'read', 1),
                ('ventas', 'wamid.o1.out', 'read', 1)
                """)
    }
    let ledger = "SELECT count(*) FROM consent_ledger"
    let (ledgerBefore, textsBefore) = (
        try await count(store, ledger), try await count(store, "SELECT count(*) FROM consent_texts")
    )
    let histories = try await ["ventas", "soporte"].asyncMap {
        try await store.consentHistory(tenant: $0, contact: "573001112233")
    }
    let other = try await store.thread(tenant: "ventas", contact: "573009", after: nil, limit: 100)
    let soporte = try await store.thread(tenant: "soporte", contact: "573001112233", after: nil, limit: 100)
    let lines = try await store.thread(tenant: "ventas", contact: "573001112233", after: nil, limit: 100).count
    #expect(lines > 0)

    let claim = try await openClaim(store, contact: "CO.1")
    let at = Fixtures.monday + 4 * 86_400
    let erasure = try #require(try await store.eraseContactData(id: claim.id, at: at))
    #expect(erasure.contact == "573001112233")
    #expect(erasure.logLines == lines && erasure.earlyStatuses == 1)
    #expect(erasure.closedConversation)
    #expect(erasure.request.erasedAt == at && erasure.request.erasedLines == Int64(lines))
    #expect(erasure.request.answeredAt == nil)
    #expect(try await store.dataRequest(id: claim.id) == erasure.request)

    // The contact's data with ventas are gone; the session keeps consent and the allowance.
    #expect(try await store.thread(tenant: "ventas", contact: "573001112233", after: nil, limit: 100).isEmpty)
    let session = try #require(try await store.session(tenant: "ventas", contact: "573001112233"))
    #expect(session.variables == [nil, nil])  // the close keeps two slots (name and phone), both emptied
    #expect(session.status == .closed && session.endedAt == at && session.inactivityDeadline == nil)
    #expect(session.consent.acceptedVersion == "2026-01")
    #expect(session.attachmentMonth == 202_611 && session.attachmentBytes == 4_096)
    let summary = try #require(
        try await store.conversations(tenant: "ventas", filter: ConversationFilter()).first {
            $0.contact == "573001112233"
        })
    #expect(summary.contactName == nil && summary.status == .closed)
    // The link between the ids stays: it proves whose the consent records are, by either id.
    #expect(try await store.conversationKey(tenant: "ventas", contact: "CO.1") == "573001112233")
    #expect(try await count(store, "SELECT count(*) FROM early_statuses WHERE tenant = 'ventas'") == 1)

    // Another tenant's conversation with the same person, and another contact, are untouched.
    #expect(try await store.thread(tenant: "ventas", contact: "573009", after: nil, limit: 100) == other)
    #expect(try await store.thread(tenant: "soporte", contact: "573001112233", after: nil, limit: 100) == soporte)
    #expect(try await store.session(tenant: "soporte", contact: "573001112233")?.variables.first == "Ana")
    #expect(try await store.conversationKey(tenant: "soporte", contact: "CO.1") == "573001112233")
    #expect(try await count(store, "SELECT count(*) FROM early_statuses") == 2)

    // Consent evidence and texts: the same records, the same texts.
    #expect(try await count(store, ledger) == ledgerBefore)
    #expect(try await count(store, "SELECT count(*) FROM consent_texts") == textsBefore)
    for (tenant, before) in zip(["ventas", "soporte"], histories) {
        var after = try await store.consentHistory(tenant: tenant, contact: "573001112233")
        after.claimInProgress = before.claimInProgress
        #expect(after == before, "\(tenant)")
    }

    // Erasing twice is refused, and so is any change to the recorded erasure.
    await #expect(throws: DataErasure.Refusal.alreadyErased) {
        try await store.eraseContactData(id: claim.id, at: at + 60)
    }
    await #expect(throws: DatabaseError.self) {
        try await store.pool.write { try $0.execute(sql: "UPDATE data_requests SET erased_at = NULL") }
    }
    // The case is still open: the operator answers it.
    #expect(try await store.claimInProgress(tenant: "ventas", contact: "573001112233"))
    #expect(try await store.eraseContactData(id: 999, at: at) == nil)
}

/// A claim opened under the conversation's key keeps flagging the contact's other id after the erasure: the link
/// between the ids is not erased (it went with it before, and the other id lost the flag while the claim was open).
@Test func theFlagFollowsTheContactsOtherIdAfterAnErasure() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await converse(store, tenant: "ventas", contact: "573001112233", alias: "CO.1", id: "wamid.1")
    let claim = try await openClaim(store, contact: "573001112233")
    _ = try #require(try await store.eraseContactData(id: claim.id, at: Fixtures.monday + 86_400))
    #expect(try await store.claimInProgress(tenant: "ventas", contact: "CO.1"))
    #expect(try await store.claimInProgress(tenant: "ventas", contact: "573001112233"))
    #expect(try await store.claimInProgress(tenant: "soporte", contact: "CO.1") == false)
}

@Test func erasureIsRefusedForAConsultaAnAnsweredCaseAHandoffAndMessagesBeingSent() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("store.db"))
    try await converse(store, tenant: "ventas", contact: "573001", alias: nil, id: "wamid.1", status: .withAgent)
    let lines = try await store.thread(tenant: "ventas", contact: "573001", after: nil, limit: 100)

    let access = try await openClaim(store, contact: "573001", kind: .access)
    await #expect(throws: DataErasure.Refusal.notAClaim) {
        try await store.eraseContactData(id: access.id, at: Fixtures.monday)
    }
    let answered = try await openClaim(store, contact: "573001")
    _ = try await store.answerDataRequest(id: answered.id, at: Fixtures.monday + 60, answer: "no")
    await #expect(throws: DataErasure.Refusal.answered) {
        try await store.eraseContactData(id: answered.id, at: Fixtures.monday + 120)
    }
    let claim = try await openClaim(store, contact: "573001")
    await #expect(throws: DataErasure.Refusal.conversationOpen) {
        try await store.eraseContactData(id: claim.id, at: Fixtures.monday + 120)
    }
    #expect(try await store.thread(tenant: "ventas", contact: "573001", after: nil, limit: 100) == lines)

    // Back with the bot, but a reply still in the outbox.
    try await store.update(tenant: "ventas", contact: "573001", at: Fixtures.monday + 200) { session, _ in
        session.status = .waiting
        session.agent = nil
        return Fixtures.reply("sigue")
    }
    await #expect(throws: DataErasure.Refusal.outboxPending) {
        try await store.eraseContactData(id: claim.id, at: Fixtures.monday + 300)
    }
    #expect(try await store.dataRequest(id: claim.id)?.erasedAt == nil)
    #expect(try await store.session(tenant: "ventas", contact: "573001")?.variables.first == "Ana")
}

/// A store of schema v11 gets the columns: its open claims are flagged at the migration, its answered and access
/// cases are left as they were, and an open claim can then be erased.
@Test func aFileOfTheEleventhSchemaGetsTheFlagAndTheErasure() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let answeredRow: String?
    do {
        let old = try DatabasePool(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v11_flow_layouts")
        answeredRow = try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO data_requests (tenant, contact, kind, received_at, due_at, flag_due_at, answered_at,
                        subject, answer)
                    VALUES ('ventas', '573001', 'claim', 1, 2, 2, 2, 's', 'hecho'),
                        ('ventas', '573001', 'claim', 1, 2, 2, NULL, NULL, NULL),
                        ('ventas', '573001', 'access', 1, 2, NULL, NULL, NULL, NULL)
                    """)
            return try Row.fetchOne(db, sql: "SELECT * FROM data_requests WHERE id = 1")?.description
        }
    }
    let before = Int64(Date().timeIntervalSince1970)
    let store = try SQLiteStore(path: path)
    #expect(try store.appliedMigrations() == SQLiteSchema.migrations)
    let cases = try await store.dataRequests(tenant: nil, open: nil)
    #expect(cases.map { $0.flaggedAt != nil } == [false, true, false])
    #expect(try #require(cases[1].flaggedAt) >= before)
    #expect(cases.allSatisfy { $0.erasedAt == nil && $0.erasedLines == nil })
    let answeredNow = try await store.pool.read { db in
        try Row.fetchOne(
            db,
            sql:
                "SELECT id, tenant, contact, kind, received_at, due_at, flag_due_at, extended_at, answered_at, subject, answer FROM data_requests WHERE id = 1"
        )?.description
    }
    #expect(answeredNow == answeredRow)
    #expect(try await store.claimInProgress(tenant: "ventas", contact: "573001"))
    // A contact the file knows nothing of is not erased (`unknown_contact`): give it a conversation first.
    await #expect(throws: DataErasure.Refusal.unknownContact) {
        try await store.eraseContactData(id: cases[1].id, at: 10)
    }
    try await store.update(tenant: "ventas", contact: "573001", at: 5) { session, _ in
        session.status = .closed
        return ConversationChanges()
    }
    let erasure = try #require(try await store.eraseContactData(id: cases[1].id, at: 10))
    #expect(erasure.logLines == 0 && !erasure.closedConversation)
    // The answered case still never changes.
    await #expect(throws: DatabaseError.self) {
        try await store.pool.write { try $0.execute(sql: "UPDATE data_requests SET erased_at = 5 WHERE id = 1") }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
