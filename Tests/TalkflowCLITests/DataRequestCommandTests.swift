import Foundation
import Storage
import Testing

extension TemporaryFolder {
    /// A new, empty talkflow store at `relativePath`, as `talkflow serve` makes one.
    func makeStore(_ relativePath: String) throws {
        _ = try SQLiteStore(path: url.appendingPathComponent(relativePath).path)
    }
}

/// `talkflow data-request`: cases with their deadlines, printed as JSON, refusals exit 1.
@Suite struct DataRequestCommandTests {
    /// Friday 5 December 2025, 10:00 in Bogotá (in the past: `open --at` refuses a time later than now).
    static let received = "1764946800"

    @Test func aCaseIsOpenedExtendedAnsweredAndListed() async throws {
        let folder = try TemporaryFolder()
        try folder.makeStore("store.sqlite")
        let open = try await folder.run(
            "data-request", "open", "573001112233", "--tenant", "ventas", "--kind", "claim", "--subject",
            "borrar mis datos", "--store", "sqlite:store.sqlite", "--at", Self.received)
        #expect(open.status == 0, "\(open.stderr)")
        let opened = try #require(try JSONSerialization.jsonObject(with: Data(open.stdout.utf8)) as? [String: Any])
        #expect(opened["id"] as? Int == 1)
        #expect(opened["kind"] as? String == "claim")
        // Judged now, past its deadline.
        #expect(opened["status"] as? String == "overdue")
        #expect(opened["received_at"] as? String == "2025-12-05T10:00:00-05:00")
        #expect(opened["due_at"] as? String == "2025-12-30T23:59:59-05:00")
        #expect(opened["flag_due_at"] as? String == "2025-12-10T23:59:59-05:00")

        let extend = try await folder.run(
            "data-request", "extend", "1", "--store", "sqlite:store.sqlite", "--at", Self.received)
        #expect(extend.status == 0)
        #expect(extend.stdout.contains("\"due_at\" : \"2026-01-13T23:59:59-05:00\""))
        let again = try await folder.run("data-request", "extend", "1", "--store", "sqlite:store.sqlite")
        #expect(again.status == 1)
        #expect(again.stderr == "talkflow: error: data request 1 is already extended\n")

        let late = "1768453200"  // 15 January 2026: past the deadline
        let list = try await folder.run(
            "data-request", "list", "--open", "--store", "sqlite:store.sqlite", "--at", late)
        #expect(list.status == 0)
        #expect(list.stdout.contains("\"status\" : \"overdue\""))

        let answer = try await folder.run(
            "data-request", "answer", "1", "--note", "datos suprimidos", "--store", "sqlite:store.sqlite", "--at", late)
        #expect(answer.status == 0)
        #expect(answer.stdout.contains("\"status\" : \"answered\""))
        #expect(try await folder.run("data-request", "answer", "1", "--store", "sqlite:store.sqlite").status == 1)
        #expect(
            try await folder.run("data-request", "answer", "7", "--store", "sqlite:store.sqlite").stderr
                == "talkflow: error: no data request 7\n")
        let empty = try await folder.run("data-request", "list", "--open", "--store", "sqlite:store.sqlite")
        #expect(empty.stdout == "[]\n")
    }

    /// `--at` is a time from 1970 to 9999; an extension must be told before the deadline; an empty subject is
    /// none; cases are listed by when they were received.
    @Test func timesAreCheckedAndCasesListedByReceipt() async throws {
        let folder = try TemporaryFolder()
        try folder.makeStore("store.sqlite")
        for at in ["9223372036854775807", "253402300800", "-1"] {
            let result = try await folder.run(
                "data-request", "open", "573000", "--tenant", "t", "--kind", "access", "--store", "sqlite:store.sqlite",
                "--at=\(at)")
            #expect(result.status == 64, "\(at): \(result.stderr)")
        }
        // A request is not received later than now (a typo in the year would leave a case no one could answer,
        // extend or erase before that date): a usage error, the store untouched.
        let tomorrow = Int64(Date().timeIntervalSince1970) + 86_400
        let future = try await folder.run(
            "data-request", "open", "573000", "--tenant", "t", "--kind", "claim", "--store", "sqlite:store.sqlite",
            "--at", String(tomorrow))
        #expect(future.status == 64, "\(future.stderr)")
        #expect(future.stderr.contains("--at \(tomorrow) ("), "\(future.stderr)")
        #expect(
            future.stderr.contains(
                "): a request is recorded when or after it was received; give the time it was received, or leave "
                    + "--at out for now"),
            "\(future.stderr)")
        #expect(try await folder.run("data-request", "list", "--store", "sqlite:store.sqlite").stdout == "[]\n")
        #expect(
            try await folder.run("data-request", "list", "--tenant", " ", "--store", "sqlite:missing.sqlite").status
                == 64)
        let later = try await folder.run(
            "data-request", "open", "573000", "--tenant", "t", "--kind", "access", "--subject", " ", "--store",
            "sqlite:store.sqlite", "--at", Self.received)
        #expect(!later.stdout.contains("subject"))
        // Opened second, received a year earlier: listed first, and overdue now.
        let earlier = try await folder.run(
            "data-request", "open", "573001", "--tenant", "t", "--kind", "access", "--store", "sqlite:store.sqlite",
            "--at", "1733324400")
        #expect(earlier.stdout.contains("\"status\" : \"overdue\""))
        let list = try await folder.run("data-request", "list", "--store", "sqlite:store.sqlite", "--at", Self.received)
        let ids = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            .map { $0["id"] as? Int }
        #expect(ids == [2, 1])
        let late = try await folder.run("data-request", "extend", "2", "--store", "sqlite:store.sqlite")
        #expect(late.status == 1)
        #expect(late.stderr.contains("an extension must be told before the deadline"))
        let early = try await folder.run(
            "data-request", "answer", "1", "--store", "sqlite:store.sqlite", "--at", "1733324400")
        #expect(early.status == 1)
        #expect(early.stderr.contains("the answer cannot be earlier"))
    }

    @Test func usageAndMissingStore() async throws {
        let folder = try TemporaryFolder()
        #expect(try await folder.run("data-request").status == 64)
        #expect(
            try await folder.run(
                "data-request", "open", "573000", "--tenant", "t", "--kind", "other", "--store", "sqlite:x"
            )
            .status == 64)
        #expect(try await folder.run("data-request", "list", "--store", "mysql:x").status == 64)
        // A contact no webhook would give: a control character, or longer than any id.
        for contact in ["5730\u{1}", "5730\t01", String(repeating: "5", count: 60_000)] {
            let refused = try await folder.run(
                "data-request", "open", contact, "--tenant", "t", "--kind", "access", "--store", "sqlite:x")
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("give the contact's WhatsApp id (wa_id) or business-scoped user id"))
        }
        let missing = try await folder.run("data-request", "list", "--store", "sqlite:none.sqlite")
        #expect(missing.status == 2)
        #expect(missing.stderr == "talkflow: error: cannot read 'none.sqlite': no such file or directory\n")
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("store.sqlite"), withIntermediateDirectories: false)
        let notAFile = try await folder.run("data-request", "list", "--store", "sqlite:store.sqlite")
        #expect(notAFile.status == 2)
        #expect(notAFile.stderr == "talkflow: error: cannot read 'store.sqlite': not a regular file (a folder)\n")
    }

    /// An empty file is no store: the commands that never create one refuse it, unchanged.
    @Test func anEmptyFileIsNoStore() async throws {
        let folder = try TemporaryFolder()
        try folder.write("empty.sqlite", "")
        let list = try await folder.run("data-request", "list", "--store", "sqlite:empty.sqlite")
        #expect(list.status == 2)
        #expect(list.stderr.hasPrefix("talkflow: error: cannot read 'empty.sqlite': not a talkflow store"))
        let size =
            try FileManager.default.attributesOfItem(
                atPath: folder.url.appendingPathComponent("empty.sqlite").path)[.size] as? Int
        #expect(size == 0)
    }

    /// `consent export` and `send-template` name a missing store the same way (cli.md's error lines).
    @Test func everyStoreCommandNamesAMissingStoreAlike() async throws {
        let folder = try TemporaryFolder()
        let export = try await folder.run("consent", "export", "573001112233", "--store", "sqlite:none.sqlite")
        #expect(export.status == 2)
        #expect(export.stderr == "talkflow: error: cannot read 'none.sqlite': no such file or directory\n")
    }
}
