import FlowRuntime
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Storage

// Which conversation a message's ids lead to when they contradict a stored link (operations.md, "Who the
// contact is"): a new number or a new user id starts its own conversation, never another number's, and an id
// that is not a key follows the pair it came with last.

/// A store and the conversation each message (a number, and a user id beside it) is stepped in.
private final class Messages: Sendable {
    let store: SQLiteStore
    let tenant = "t1"
    private let count = Mutex(0)

    init(store: SQLiteStore) { self.store = store }

    func message(_ contact: String, _ aliases: [String] = []) async throws -> String? {
        let number = count.withLock {
            $0 += 1
            return $0
        }
        return try await store.handleInbound(
            tenant: tenant, contact: contact, aliases: aliases, messageID: "wamid.\(number)",
            receivedAt: Fixtures.monday + Int64(number)
        ) { session, _ in
            session.status = .waiting
            return Fixtures.reply("hola \(number)")
        }?.contact
    }

    func key(_ id: String) async throws -> String { try await store.conversationKey(tenant: tenant, contact: id) }

    /// Marks every queued reply sent (an erasure waits for the outbox).
    func sendAll() async throws {
        while case let claimed = try await store.claimOutbox(now: Fixtures.monday + 86_400, limit: 100, lease: 30),
            !claimed.isEmpty
        {
            try await store.completeOutbox(
                claimed.map { OutboxResult(id: $0.id, .sent(messageID: "wamid.out\($0.id)"), at: Fixtures.monday) })
        }
    }
}

private func messages(_ folder: TestFolder) throws -> Messages {
    Messages(store: try SQLiteStore(path: folder.path("store.db"), options: SQLiteStore.Options(durability: .process)))
}

@Test func aNumberChangeStartsTheNewNumbersConversationAndTheUserIDMovesToIt() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("573001", ["CO.1"]) == "573001")
    #expect(try await m.message("573002", ["CO.1"]) == "573002")
    #expect(try await m.message("CO.1") == "573002")
    #expect(try await m.message("573002") == "573002")
    #expect(try await m.message("573001") == "573001")
    #expect(try await m.key("CO.1") == "573002")
    // Back to the first number: the user id follows the pair it came with last.
    #expect(try await m.message("573001", ["CO.1"]) == "573001")
    #expect(try await m.key("CO.1") == "573001")
    #expect(try await m.key("573002") == "573002")
}

@Test func aNumberChangeOfAContactKeyedByTheUserIDLeavesTheUserIDItsKey() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("CO.1") == "CO.1")
    #expect(try await m.message("573001", ["CO.1"]) == "CO.1")
    #expect(try await m.message("573002", ["CO.1"]) == "573002")
    #expect(try await m.message("573002", ["CO.1"]) == "573002")
    #expect(try await m.message("CO.1") == "CO.1")
    #expect(try await m.message("573001") == "CO.1")
    #expect(try await m.key("573002") == "573002")
}

@Test func aNewUserIDBesideANumberKeyingAConversationStartsTheUserIDsConversation() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("573001") == "573001")
    #expect(try await m.message("573001", ["CO.1"]) == "573001")
    #expect(try await m.message("573001", ["CO.2"]) == "CO.2")
    #expect(try await m.message("573001", ["CO.2"]) == "CO.2")
    #expect(try await m.message("CO.2") == "CO.2")
    #expect(try await m.message("573001") == "573001")
    #expect(try await m.message("CO.1") == "573001")
}

@Test func aNewUserIDBesideANumberLinkedToAnotherUserIDTakesTheNumber() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("CO.1") == "CO.1")
    #expect(try await m.message("573001", ["CO.1"]) == "CO.1")
    #expect(try await m.message("573001", ["CO.2"]) == "573001")
    #expect(try await m.message("573001") == "573001")
    #expect(try await m.message("CO.2") == "573001")
    #expect(try await m.message("CO.1") == "CO.1")
}

/// As above, but the new user id already has a conversation of its own (a contact who wrote by username
/// first): the message goes there, and the number is linked to it.
@Test func aNewUserIDWithItsOwnConversationBesideANumberLinkedToAnotherUserIDKeepsIt() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("CO.1") == "CO.1")
    #expect(try await m.message("573001", ["CO.1"]) == "CO.1")
    #expect(try await m.message("CO.2") == "CO.2")
    #expect(try await m.message("573001", ["CO.2"]) == "CO.2")
    #expect(try await m.message("573001") == "CO.2")
    #expect(try await m.message("CO.1") == "CO.1")
}

@Test func idsThatBothKeyOtherPairsGoToTheNumbersConversation() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("573001", ["CO.1"]) == "573001")
    #expect(try await m.message("CO.2") == "CO.2")
    #expect(try await m.message("573002", ["CO.2"]) == "CO.2")
    #expect(try await m.message("573001", ["CO.2"]) == "573001")
    #expect(try await m.key("CO.1") == "573001")
    #expect(try await m.key("573002") == "CO.2")
}

/// A store migrated up to v12 (as an older version left it) holding what `sql` writes; its path.
private func storeBeforeV13(_ folder: TestFolder, _ sql: String) async throws -> String {
    let path = folder.path("store.db")
    let old = try DatabasePool(path: path)
    try SQLiteSchema.migrator.migrate(old, upTo: "v12_claim_flag_and_erasure")
    try await old.write { db in try db.execute(sql: sql) }
    return path
}

/// A store written before v13 may hold a new number folded into an old one's conversation: the link goes, so
/// the new number names its own conversation (and a template to it goes to it), while a user id's link stays.
@Test func theMigrationDropsLinksFromOneNumberToAnother() async throws {
    let folder = try TestFolder()
    let path = try await storeBeforeV13(
        folder,
        """
        INSERT INTO contact_aliases (tenant, alias, contact) VALUES
            ('t1', 'CO.1', '573001'), ('t1', '573002', '573001'), ('t1', '573003', 'CO.3')
        """)
    let m = Messages(store: try SQLiteStore(path: path))
    #expect(try await m.key("573002") == "573002")
    #expect(try await m.key("CO.1") == "573001")
    #expect(try await m.key("573003") == "CO.3")
}

/// A reclamo is about the conversation its contact named when it was opened. A user id that later moves to a new
/// number leaves the case on that conversation: it stays flagged, and the erasure deletes its lines, not the new
/// number's.
@Test func aClaimStaysWithItsConversationWhenItsUserIDMovesToANewNumber() async throws {
    let folder = try TestFolder()
    let m = try messages(folder)
    #expect(try await m.message("573001", ["CO.1"]) == "573001")
    let received = Fixtures.monday
    let claim = try await m.store.openDataRequest(
        tenant: m.tenant, contact: "CO.1", kind: .claim, receivedAt: received, dueAt: received + 30 * 86_400,
        flagDueAt: received + 2 * 86_400, subject: nil, recordedAt: received)
    #expect(claim.conversation == "573001")
    #expect(try await m.message("573002", ["CO.1"]) == "573002")
    #expect(try await m.key("CO.1") == "573002")
    #expect(try await m.store.claimInProgress(tenant: m.tenant, contact: "573001"))
    try await m.sendAll()

    let erasure = try #require(try await m.store.eraseContactData(id: claim.id, at: received + 3_600))
    #expect(erasure.contact == "573001")
    #expect(erasure.logLines > 0)
    let left = try await m.store.pool.read { db in
        try String.fetchAll(db, sql: "SELECT DISTINCT contact FROM conversation_log ORDER BY contact")
    }
    #expect(left == ["573002"])
}

/// A reclamo opened, before v13, under the new number of a pair an older version folded together: v13 drops the
/// link, but pins the case to the conversation that holds the data first, so it keeps flagging and erases it.
@Test func theMigrationPinsAnOpenClaimToItsConversationBeforeDroppingTheLink() async throws {
    let folder = try TestFolder()
    let path = try await storeBeforeV13(
        folder,
        """
        INSERT INTO contact_aliases (tenant, alias, contact) VALUES ('t1', '573002', '573001');
        INSERT INTO data_requests (tenant, contact, kind, received_at, due_at, flag_due_at, flagged_at)
        VALUES ('t1', '573002', 'claim', 1, 2000000000, 2000000000, 1);
        INSERT INTO data_requests (tenant, contact, kind, received_at, due_at, answered_at)
        VALUES ('t1', '573002', 'access', 1, 2000000000, 5)
        """)
    let m = Messages(store: try SQLiteStore(path: path))
    #expect(try await m.key("573002") == "573002")
    #expect(try await m.message("573001") == "573001")
    let cases = try await m.store.dataRequests(tenant: "t1", open: nil)
    #expect(cases.map(\.conversation) == ["573001", nil])
    #expect(try await m.store.claimInProgress(tenant: "t1", contact: "573001"))
    try await m.sendAll()
    let erasure = try #require(try await m.store.eraseContactData(id: cases[0].id, at: Fixtures.monday + 60))
    #expect(erasure.contact == "573001")
    #expect(erasure.logLines > 0)
    // Once set, the pin never changes.
    await #expect(throws: (any Error).self) {
        try await m.store.pool.write { db in
            try db.execute(sql: "UPDATE data_requests SET conversation = '573002' WHERE id = \(cases[0].id)")
        }
    }
}
