import Foundation
import Testing

/// Files that try to crash, hang or exhaust `talkflow lint`: each must end in an ordinary exit (0, 1 or 2),
/// quickly, with the documented diagnostic where one is promised.
@Suite struct HostileInputTests {
    /// A hostile file, the rule id it must be reported under (if one is promised) and the exit code.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: @Sendable () -> [UInt8]
        var id: String?
        var status: Int32?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty file", bytes: { [] }, id: nil, status: 1),
        Case(name: "random bytes", bytes: { randomBytes(count: 64 * 1024) }, id: nil, status: nil),
        Case(
            name: "invalid UTF-8", bytes: { Array("flow: caf".utf8) + [0xE9] + Array("\n".utf8) },
            id: "yaml_invalid_utf8", status: 1),
        Case(name: "NUL bytes", bytes: { Array("flow: a\u{0}b\n".utf8) }, id: "yaml_nul_byte", status: 1),
        Case(name: "alias bomb", bytes: { Array(aliasBomb.utf8) }, id: "yaml_anchor", status: 1),
        Case(
            name: "200,000-deep nesting", bytes: { Array((String(repeating: "[", count: 200_000) + "\n").utf8) },
            id: "yaml_too_deep", status: 1),
        Case(
            name: "200,000-deep block nesting",
            bytes: { Array((0..<200_000).map { String(repeating: " ", count: $0 % 50) + "- \n" }.joined().utf8) },
            id: nil, status: nil),
    ]

    /// Every hostile file ends in exit 0, 1 or 2 with valid JSON on stdout, never a crash or a hang.
    @Test(arguments: cases)
    func endsWithAnOrdinaryExit(_ hostile: Case) async throws {
        let folder = try TemporaryFolder()
        try folder.write("hostile.yaml", bytes: hostile.bytes())
        let result = try await folder.run("lint", "--format", "json", "hostile.yaml", timeout: 60)
        #expect(!result.timedOut)
        #expect(!result.signaled, "talkflow crashed: \(result.stderr)")
        #expect([0, 1, 2].contains(result.status))
        if let status = hostile.status { #expect(result.status == status) }
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
            "stdout stays valid JSON")
        if let id = hostile.id { #expect(entries.contains { $0["id"] as? String == id }) }
    }

    /// A file over the 16 MiB limit gets yaml_too_large at 1:1 from its size, and the next file is still checked.
    /// The run's bound (30 s) catches a hang; a duration asserted here failed on a loaded machine (33 s beside a
    /// build) without saying anything about the file.
    @Test func fiftyMegabyteFileIsReportedWithoutBeingRead() async throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("huge.yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50 * 1024 * 1024)
        try handle.close()
        try folder.write("ok.yaml", Flows.valid)

        let result = try await folder.run("lint", "huge.yaml", "ok.yaml", timeout: 30)
        #expect(result.status == 1)
        #expect(!result.timedOut)
        #expect(
            result.stdout.hasPrefix(
                "huge.yaml:1:1: error: file is 52428800 bytes; the limit is 16777216 bytes [yaml_too_large]\n"))
        #expect(result.stdout.hasSuffix("1 error in 1 file\n"))
    }

    /// A FIFO named on the command line would block a naive read forever: it must be refused (exit 2).
    @Test func fifoIsRefusedWithoutHanging() async throws {
        let folder = try TemporaryFolder()
        #expect(mkfifo(folder.url.appendingPathComponent("pipe.yaml").path, 0o644) == 0)
        try folder.write("ok.yaml", Flows.valid)
        let result = try await folder.run("lint", "pipe.yaml", "ok.yaml", timeout: 20)
        #expect(!result.timedOut, "talkflow blocked on a FIFO")
        #expect(result.status == 2)
        #expect(result.stderr == "talkflow: error: cannot read 'pipe.yaml': not a regular file (a FIFO)\n")
        #expect(result.stdout == "no problems found in 1 file; 1 path could not be read\n")
    }

    /// A FIFO with a flow name inside a searched folder is refused too.
    @Test func fifoInsideAFolderIsRefusedWithoutHanging() async throws {
        let folder = try TemporaryFolder()
        try folder.write("flows/ok.yaml", Flows.valid)
        #expect(mkfifo(folder.url.appendingPathComponent("flows/pipe.yaml").path, 0o644) == 0)
        let result = try await folder.run("lint", "flows", timeout: 20)
        #expect(!result.timedOut)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read 'flows/pipe.yaml': not a regular file (a FIFO)"))
    }

    /// A device is not a flow: /dev/zero would never end.
    @Test func deviceIsRefused() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("lint", "/dev/zero", timeout: 20)
        #expect(!result.timedOut)
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a regular file (a device)"))
    }

    /// A link back to its own folder must not make the search loop or count files twice.
    @Test func symbolicLinkCycleDoesNotLoop() async throws {
        let folder = try TemporaryFolder()
        try folder.write("flows/ok.yaml", Flows.valid)
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("flows/loop").path, withDestinationPath: ".")
        let result = try await folder.run("lint", "flows", timeout: 20)
        #expect(!result.timedOut)
        #expect(result.status == 0)
        #expect(result.stdout == "no problems found in 1 file\n")
    }

    /// A link to itself, and two links to each other, point nowhere: skipped as a dangling link is, by `lint` and
    /// by `test`, unless named like a file they read, which is then reported as unreadable.
    @Test func aLoopOfLinksIsSkippedLikeADanglingLink() async throws {
        let folder = try TemporaryFolder()
        try folder.write("flows/ok.yaml", Flows.valid)
        let path = { (name: String) in folder.url.appendingPathComponent("flows/" + name).path }
        try FileManager.default.createSymbolicLink(atPath: path("self"), withDestinationPath: "self")
        try FileManager.default.createSymbolicLink(atPath: path("a"), withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: path("b"), withDestinationPath: "a")
        let lint = try await folder.run("lint", "flows", timeout: 20)
        #expect(lint.status == 0 && lint.stdout == "no problems found in 1 file\n", "\(lint.stderr)")
        let tests = try await folder.run("test", "flows", timeout: 20)
        #expect(!tests.stderr.contains("self") && !tests.stderr.contains("flows/a"), "\(tests.stderr)")
        try FileManager.default.createSymbolicLink(atPath: path("loop.yaml"), withDestinationPath: "loop.yaml")
        let named = try await folder.run("lint", "flows", timeout: 20)
        #expect(named.status == 2, "\(named.stdout)\(named.stderr)")
        #expect((named.stdout + named.stderr).contains("loop.yaml"))
    }

    /// Nine levels of ten aliases each: a billion nodes if expanded.
    static let aliasBomb = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

        """

    /// Deterministic pseudo-random bytes (a fixed-seed xorshift), so a failure can be reproduced.
    static func randomBytes(count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
