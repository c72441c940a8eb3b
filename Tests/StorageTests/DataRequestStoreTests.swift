import Foundation
import GRDB
import Testing

@testable import Storage

// Data subjects' requests in a real SQLite store: opened, extended once, answered once, never deleted.

@Test func aCaseIsOpenedExtendedOnceAnsweredOnceAndKept() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.sqlite")
    let store = try SQLiteStore(path: path)
    let received: Int64 = 1_796_396_400
    let (due, flag) = (received + 30 * 86_400, Int64?(received + 5 * 86_400))
    let opened = try await store.openDataRequest(
        tenant: "ventas", contact: "573001112233", kind: .claim, receivedAt: received, dueAt: due, flagDueAt: flag,
        subject: "borrar mis datos", recordedAt: received)
    _ = try await store.openDataRequest(
        tenant: "soporte", contact: "573009", kind: .access, receivedAt: received, dueAt: due, flagDueAt: nil,
        subject: nil, recordedAt: received)
    #expect(try await store.dataRequest(id: opened.id) == opened)
    #expect(try await store.dataRequests(tenant: "ventas", open: true).map(\.id) == [opened.id])
    #expect(try await store.dataRequests(tenant: nil, open: nil).count == 2)

    let later = due + 12 * 86_400
    let extended = try #require(try await store.extendDataRequest(id: opened.id, at: received + 60, dueAt: later))
    #expect(extended.dueAt == later && extended.extendedAt == received + 60)
    #expect(try await store.extendDataRequest(id: opened.id, at: received + 120, dueAt: later + 86_400) == nil)

    let answered = try #require(try await store.answerDataRequest(id: opened.id, at: received + 600, answer: "hecho"))
    #expect(answered.status == .answered && answered.answer == "hecho")
    #expect(try await store.answerDataRequest(id: opened.id, at: received + 900, answer: "otra") == nil)
    #expect(try await store.extendDataRequest(id: 999, at: received, dueAt: later) == nil)
    #expect(try await store.dataRequests(tenant: "ventas", open: true).isEmpty)
    // `open: false` is the answered cases only, of the tenant asked for.
    #expect(try await store.dataRequests(tenant: "ventas", open: false).map(\.id) == [opened.id])
    #expect(try await store.dataRequests(tenant: "soporte", open: false).isEmpty)
    #expect(try await store.dataRequests(tenant: nil, open: false).map(\.id) == [opened.id])

    // Any client: an answered case never changes and no case is deleted.
    let raw = try DatabaseQueue(path: path)
    func execute(_ sql: String) throws { try raw.inDatabase { try $0.execute(sql: sql) } }
    #expect(throws: (any Error).self) { try execute("UPDATE data_requests SET answer = 'x' WHERE id = 1") }
    #expect(throws: (any Error).self) { try execute("DELETE FROM data_requests WHERE id = 2") }
    // An open case may still be extended or answered by any client; only answered ones are final.
    try execute("UPDATE data_requests SET subject = 'consulta' WHERE id = 2")
}

/// `INSERT OR REPLACE` deletes the row it displaces without firing delete triggers, and an upsert turns an
/// insert into an update: neither may replace a case, answered or open, nor may a case be given another number
/// (`UPDATE OR REPLACE` onto another case's id would delete that one). The store's own paths still work.
@Test func noClientReplacesOrRenumbersACase() async throws {
    let folder = try TestFolder()
    let path = folder.path("store.sqlite")
    let store = try SQLiteStore(path: path)
    let received: Int64 = 1_796_396_400
    let answered = try await store.openDataRequest(
        tenant: "ventas", contact: "573001112233", kind: .access, receivedAt: received, dueAt: received + 100,
        flagDueAt: nil, subject: "s", recordedAt: received)
    _ = try #require(try await store.answerDataRequest(id: answered.id, at: received + 50, answer: "hecho"))
    let open = try await store.openDataRequest(
        tenant: "ventas", contact: "573009", kind: .claim, receivedAt: received, dueAt: received + 100,
        flagDueAt: received + 20, subject: nil, recordedAt: received)
    let before = try await store.dataRequests(tenant: nil, open: nil)

    let raw = try DatabaseQueue(path: path)
    let columns = "(id, tenant, contact, kind, received_at, due_at, answered_at, subject, answer)"
    for id in [answered.id, open.id] {
        let forged = "(\(id), 'ventas', '573001112233', 'access', 1, 2, NULL, 's', 'forged')"
        for sql in [
            "INSERT OR REPLACE INTO data_requests \(columns) VALUES \(forged)",
            "REPLACE INTO data_requests \(columns) VALUES \(forged)",
            "INSERT INTO data_requests \(columns) VALUES \(forged) ON CONFLICT (id) DO UPDATE SET answer = 'forged'",
            "INSERT INTO data_requests \(columns) VALUES \(forged) ON CONFLICT DO NOTHING",
        ] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
            #expect(error?.message == "data_requests are kept", "\(sql)")
        }
    }
    for sql in [
        "UPDATE OR REPLACE data_requests SET id = \(answered.id) WHERE id = \(open.id)",
        "UPDATE data_requests SET id = 99 WHERE id = \(open.id)",
    ] {
        let error = #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
        #expect(error?.message == "data_requests are kept", "\(sql)")
    }
    #expect(try await store.dataRequests(tenant: nil, open: nil) == before)

    // Opening, extending and answering go on as before, and a new case takes the next number.
    let third = try await store.openDataRequest(
        tenant: "soporte", contact: "573007", kind: .access, receivedAt: received + 60, dueAt: received + 160,
        flagDueAt: nil, subject: nil, recordedAt: received + 60)
    #expect(third.id == open.id + 1)
    #expect(try await store.extendDataRequest(id: open.id, at: received + 70, dueAt: received + 200) != nil)
    let answeredNow = try #require(try await store.answerDataRequest(id: open.id, at: received + 80, answer: "ok"))
    #expect(answeredNow.answeredAt == received + 80)
    try await raw.write {
        try $0.execute(sql: "UPDATE data_requests SET subject = 'consulta' WHERE id = \(third.id)")
    }
}
