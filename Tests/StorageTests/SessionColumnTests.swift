import FlowRuntime
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Storage

// The session column (issue 5, item 10): written and read by hand for speed, in the JSON shape of `Session`'s
// Codable form, so that JSONDecoder reads what the store writes and the store reads what JSONEncoder wrote.

/// Sessions with every optional field both ways and awkward text.
private func sampleSessions() -> [Session] {
    var generator = SystemRandomNumberGenerator()
    let texts = [
        "", "Cliente", "Ana \"la jefa\" O'Brien", "back\\slash", "línea\nnueva\ttab\r", "\u{1}\u{1f}control",
        "日本語", "😀 emoji", "\u{10FFFF}", "/slash/", "{\"json\":1}",
    ]
    var sessions: [Session] = [Session()]
    for index in 0..<300 {
        var session = Session(
            contactName: texts.randomElement(using: &generator),
            phone: index.isMultiple(of: 3) ? nil : "+57310\(index)")
        session.state = Int32.random(in: 0...Int32.max, using: &generator)
        session.status = [.new, .waiting, .queued, .withAgent, .closed].randomElement(using: &generator)!
        session.awaitingOptIn = Bool.random(using: &generator)
        session.optInAsked = Bool.random(using: &generator) ? true : nil
        session.pendingStep = Bool.random(using: &generator) ? texts.randomElement(using: &generator) : nil
        session.attempts = Int32.random(in: 0...9, using: &generator)
        session.flowVersion = Bool.random(using: &generator) ? String(index, radix: 16) : nil
        session.consent = Session.Consent(
            acceptedVersion: Bool.random(using: &generator) ? texts.randomElement(using: &generator) : nil,
            sensitive: Bool.random(using: &generator), optIn: Bool.random(using: &generator))
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            session.variables.append(Bool.random(using: &generator) ? texts.randomElement(using: &generator) : nil)
        }
        func maybe() -> Int64? {
            Bool.random(using: &generator) ? Int64.random(in: Int64.min...Int64.max, using: &generator) : nil
        }
        session.lastContactMessageAt = maybe()
        session.attachmentMonth = Int32.random(in: 202_601...209_912, using: &generator)
        session.attachmentBytes = Int64.random(in: 0...Int64.max, using: &generator)
        session.queue = Bool.random(using: &generator) ? Int32.random(in: 0...20, using: &generator) : nil
        session.agent = Bool.random(using: &generator) ? texts.randomElement(using: &generator) : nil
        session.inactivityDeadline = maybe()
        session.startedAt = maybe()
        session.endedAt = maybe()
        session.handoffAt = maybe()
        sessions.append(session)
    }
    return sessions
}

@Test func theSessionColumnRoundTripsAndReadsBothWaysWithCodable() throws {
    for session in sampleSessions() {
        let text = SessionColumn.encode(session)
        #expect(SessionColumn.fastDecode(text) == session, "\(text)")
        #expect(try JSONDecoder().decode(Session.self, from: Data(text.utf8)) == session, "\(text)")
        let codable = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        #expect(SessionColumn.fastDecode(codable) == session, "\(codable)")
    }
}

@Test func aColumnTheFastReaderDoesNotTakeIsReadByJSONDecoderOrReportedCorrupt() throws {
    var session = Session(contactName: "Ana")
    session.state = 3
    // White space and a number written with an exponent: valid JSON the fast reader leaves to JSONDecoder.
    let spaced = SessionColumn.encode(session).replacingOccurrences(of: "\"state\":3", with: "\"state\" : 3e0")
    #expect(SessionColumn.fastDecode(spaced) == nil)
    #expect(try SessionColumn.decode(spaced) == session)
    for broken in ["", "{", "[]", "{\"state\":1}", "{\"state\":\"x\"}", String(repeating: "[", count: 100)] {
        #expect(throws: StorageError.self) { try SessionColumn.decode(broken) }
    }
}

/// Rows saved while the session still held the agent's first reply (now `sessions.agent_first_reply_at`, set by
/// the outbox) read as before: the old key is ignored.
@Test func aColumnWithTheRetiredFirstReplyKeyStillReads() throws {
    var session = Session(contactName: "Ana")
    session.handoffAt = 100
    let old = SessionColumn.encode(session).replacingOccurrences(
        of: #""handoffAt":100"#, with: #""handoffAt":100,"agentFirstReplyAt":160"#)
    #expect(old.contains("agentFirstReplyAt"))
    #expect(SessionColumn.fastDecode(old) == session)
    #expect(try SessionColumn.decode(old) == session)
    #expect(try JSONDecoder().decode(Session.self, from: Data(old.utf8)) == session)
}

/// Rows saved while the field was named `pendingHandoff` (only handoffs asked for consent again then) read the
/// step under its new name, `pendingStep`; rows saved while it was a step index, which a reload could make name
/// another step, read without it: the acceptance then goes to the consent's `accept.next`, never to a step the
/// index now names.
@Test(arguments: [(#""pendingHandoff":"asesor""#, "asesor"), (#""pendingHandoff":4"#, nil)])
func aColumnWithThePendingHandoffKeyReadsAsThePendingStep(stored: String, read: String?) throws {
    var session = Session(contactName: "Ana")
    session.pendingStep = "asesor"
    let text = SessionColumn.encode(session)
    #expect(text.contains(#""pendingStep":"asesor""#))
    let old = text.replacingOccurrences(of: #""pendingStep":"asesor""#, with: stored)
    session.pendingStep = read
    #expect(SessionColumn.fastDecode(old) == session)
    #expect(try SessionColumn.decode(old) == session)
}

/// The flow version a session was last stepped with round-trips; a row stored before it existed reads as
/// unknown (`nil`): the server takes such a session to be of the running flow.
@Test func theFlowVersionRoundTripsAndAnOldRowReadsAsUnknown() throws {
    var session = Session(contactName: "Ana")
    session.flowVersion = "0123456789abcdef"
    let column = SessionColumn.encode(session)
    #expect(column.contains(#""flowVersion":"0123456789abcdef""#))
    #expect(SessionColumn.fastDecode(column) == session)
    let old = column.replacingOccurrences(of: #","flowVersion":"0123456789abcdef""#, with: "")
    #expect(!old.contains("flowVersion"))
    session.flowVersion = nil
    #expect(SessionColumn.fastDecode(old) == session)
    #expect(try JSONDecoder().decode(Session.self, from: Data(old.utf8)) == session)
}

/// A stored session that cannot be read is moved aside as it was, and the contact's message steps a new session
/// with the ledger's consent (hostile2 #5: every message of the contact was refused until Meta gave up); an
/// erasure deletes the row set aside.
@Test func anUnreadableSessionIsSetAsideAndTheMessageStartsANewOne() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.db")
    let store = try SQLiteStore(path: path)
    let t = Fixtures.monday
    _ = try await store.update(tenant: "t1", contact: "a", at: t) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        changes.ledger.append(Fixtures.entry(.consent(Fixtures.consent())))
        return changes
    }
    let pool = try DatabasePool(path: path)
    try await pool.write { db in
        try db.execute(
            sql:
                #"UPDATE sessions SET session = '{"bogus":1}', status = 'with_agent', agent = 'ana' WHERE contact = 'a'"#
        )
    }
    let seen = Mutex<Session?>(nil)
    let hadOne = Mutex<Bool?>(nil)
    let committed = try await store.handleInbound(
        tenant: "t1", contact: "a", aliases: [], messageID: "wamid.2", receivedAt: t + 60
    ) { session, transaction in
        seen.withLock { $0 = session }
        // A data request's revocation still finds the contact (review4 #2).
        hadOne.withLock { $0 = transaction.hasStoredSession }
        session.status = .waiting
        return ConversationChanges()
    }
    #expect(committed != nil)
    #expect(seen.withLock { $0?.status } == .new)
    #expect(seen.withLock { $0?.consent.acceptedVersion } == "2026-01")
    let kept = try await pool.read { db in
        try Row.fetchAll(db, sql: "SELECT contact, session, detail, found_at FROM unreadable_sessions")
    }
    #expect(kept.count == 1)
    #expect(kept.first?["session"] as String? == #"{"bogus":1}"#)
    #expect(kept.first?["found_at"] as Int64? == t + 60)
    #expect((kept.first?["detail"] as String?)?.isEmpty == false)
    #expect(try await store.session(tenant: "t1", contact: "a")?.status == .waiting)
    #expect(hadOne.withLock { $0 } == true)
    // The old conversation ends in the log: its agent unassigned, then closed (review4 #3).
    let events = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 9).compactMap {
        if case .event(let event) = $0.content { event } else { nil }
    }
    #expect(
        Array(events.suffix(3)) == [
            ConversationEvent(ConversationEvent.sessionSetAside),
            ConversationEvent(ConversationEvent.handoffEnded, detail: "ana"),
            ConversationEvent(ConversationEvent.closed, detail: ConversationEvent.sessionSetAside),
        ])

    let received = t + 120
    let claim = try await store.openDataRequest(
        tenant: "t1", contact: "a", kind: .claim, receivedAt: received, dueAt: received + 30 * 86_400,
        flagDueAt: received + 2 * 86_400, subject: "borrar mis datos", recordedAt: received)
    _ = try #require(try await store.eraseContactData(id: claim.id, at: received + 60))
    #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM unreadable_sessions") } == 0)
}
