import GRDB
import Testing

@testable import Storage

// DirectStatement binds and reads through SQLite's C API: what it writes must read back through GRDB exactly
// (a text ends at its first NUL both ways, as GRDB binds and reads it), the empty string must stay a string
// (not NULL), and a failing statement must throw as GRDB would.

@Suite("DirectStatement: the hot path's statements through SQLite's C API")
struct DirectStatementTests {
    let queue: DatabaseQueue

    init() throws {
        queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(
                sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT, number INTEGER, CHECK (number >= 0))")
        }
    }

    @Test func textsAndIntegersReadBackThroughGRDBAndThroughTheStatement() throws {
        let texts: [String?] = [
            "", "plain", "línea\nnueva", "\u{0}inner nul\u{0}", "wamid.HBgMNTczMDA=",
            String(repeating: "ñ", count: 5_000),
            nil,
        ]
        try queue.write { db in
            for (index, text) in texts.enumerated() {
                let insert = try DirectStatement(db, "INSERT INTO t (id, text, number) VALUES (?, ?, ?)")
                insert.bind(1, Int64(index))
                insert.bind(2, text)
                insert.bind(3, index == 0 ? nil : Int64.max - Int64(index))
                try insert.run()
            }
            for (index, written) in texts.enumerated() {
                let text = written.map { String($0.prefix { $0 != "\u{0}" }) }
                let row = try Row.fetchOne(db, sql: "SELECT text, number FROM t WHERE id = ?", arguments: [index])
                #expect(row?[0] as String? == text, "row \(index) through GRDB")
                #expect(row?.hasNull(atIndex: 0) == (text == nil), "empty is text, not NULL: row \(index)")
                let query = try DirectStatement(db, "SELECT text, number FROM t WHERE id = ?")
                query.bind(1, index)
                #expect(try query.step())
                #expect(query.text(0) == text, "row \(index) through the statement")
                #expect(query.int64(1) == (index == 0 ? nil : Int64.max - Int64(index)))
                #expect(try !query.step())
            }
        }
    }

    @Test func aStatementRunsAgainWithFreshBindingsAfterAnEarlierRunStoppedMidway() throws {
        try queue.write { db in
            for index in 1...3 {
                let insert = try DirectStatement(db, "INSERT INTO t (id, text) VALUES (?, ?)")
                insert.bind(1, Int64(index))
                insert.bind(2, "row \(index)")
                try insert.run()
            }
            do {
                let query = try DirectStatement(db, "SELECT id FROM t WHERE text IS NOT ? ORDER BY id")
                query.bind(1, "none")
                #expect(try query.step())
                #expect(query.int64(0) == 1)
            }  // left at its first row: ended here, reset
            let again = try DirectStatement(db, "SELECT id FROM t WHERE text IS NOT ? ORDER BY id")
            // No binding carried over: `text IS NOT NULL` holds for all three rows.
            var ids: [Int64?] = []
            while try again.step() { ids.append(again.int64(0)) }
            #expect(ids == [1, 2, 3])
        }
    }

    @Test func aFailingStatementThrowsGRDBsErrorWithItsCodeAndChangesNothing() throws {
        try queue.write { db in
            let insert = try DirectStatement(db, "INSERT INTO t (id, number) VALUES (?, ?)")
            insert.bind(1, Int64(1))
            insert.bind(2, Int64(-1))
            do {
                try insert.run()
                Issue.record("a CHECK violation must throw")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT)
                #expect(error.message?.contains("CHECK") == true)
                #expect(error.sql?.contains("INSERT INTO t") == true)
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 0)
        }
    }
}
