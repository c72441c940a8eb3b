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
        subject: "borrar mis datos")
    _ = try await store.openDataRequest(
        tenant: "soporte", contact: "573009", kind: .access, receivedAt: received, dueAt: due, flagDueAt: nil,
        subject: nil)
    #expect(try await store.dataRequest(id: opened.id) == opened)
    #expect(try await store.dataRequests(tenant: "ventas", openOnly: true).map(\.id) == [opened.id])
    #expect(try await store.dataRequests(tenant: nil, openOnly: false).count == 2)

    let later = due + 12 * 86_400
    let extended = try #require(try await store.extendDataRequest(id: opened.id, at: received + 60, dueAt: later))
    #expect(extended.dueAt == later && extended.extendedAt == received + 60)
    #expect(try await store.extendDataRequest(id: opened.id, at: received + 120, dueAt: later + 86_400) == nil)

    let answered = try #require(try await store.answerDataRequest(id: opened.id, at: received + 600, answer: "hecho"))
    #expect(answered.status == .answered && answered.answer == "hecho")
    #expect(try await store.answerDataRequest(id: opened.id, at: received + 900, answer: "otra") == nil)
    #expect(try await store.extendDataRequest(id: 999, at: received, dueAt: later) == nil)
    #expect(try await store.dataRequests(tenant: "ventas", openOnly: true).isEmpty)

    // Any client: an answered case never changes and no case is deleted.
    let raw = try DatabaseQueue(path: path)
    func execute(_ sql: String) throws { try raw.inDatabase { try $0.execute(sql: sql) } }
    #expect(throws: (any Error).self) { try execute("UPDATE data_requests SET answer = 'x' WHERE id = 1") }
    #expect(throws: (any Error).self) { try execute("DELETE FROM data_requests WHERE id = 2") }
    // An open case may still be extended or answered by any client; only answered ones are final.
    try execute("UPDATE data_requests SET subject = 'consulta' WHERE id = 2")
}
