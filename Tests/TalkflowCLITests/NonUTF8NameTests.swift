import FlowDiagnostics
import Foundation
import Storage
import Testing

/// A file whose name is not valid UTF-8 (Latin-1 `caf\xE9.yaml`, from an old editor or an archive) is opened by
/// its own bytes, named on the command line or found in a folder, and printed with U+FFFD in its place. Before,
/// the bytes became U+FFFD and that other name was opened: "no such file or directory" for a file that exists.
@Suite struct NonUTF8NameTests {
    /// `caf` and the Latin-1 byte 0xE9, as `SystemPath` holds it, then `suffix`.
    static func latin1(_ suffix: String) -> String { "caf\u{10FEE9}" + suffix }

    /// Writes `text` under the name's own bytes.
    static func write(_ text: String, to path: String) throws {
        let descriptor = SystemPath.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count)
    }

    /// Removes what the tests wrote under such names, which Foundation's removal cannot name.
    static func remove(_ paths: [String]) {
        for path in paths { SystemPath.unlink(path) }
    }

    @Test func lintCompileAndLockOpenTheFileByItsBytes() async throws {
        let folder = try TemporaryFolder()
        let flow = folder.url.path + "/l1/" + Self.latin1(".yaml")
        try FileManager.default.createDirectory(
            atPath: folder.url.path + "/l1", withIntermediateDirectories: true)
        try Self.write(Flows.valid, to: flow)
        defer { Self.remove([flow, folder.url.path + "/l1/" + Self.latin1(".consent.lock")]) }

        let walked = try await folder.run("lint", "l1")
        #expect(walked.status == 0, "\(walked.stdout)\(walked.stderr)")
        #expect(walked.stderr.isEmpty)
        #expect(walked.stdout.contains("in 1 file"), "\(walked.stdout)")

        let named = try await folder.run("lint", "l1/" + Self.latin1(".yaml"))
        #expect(named.status == 0, "\(named.stdout)\(named.stderr)")
        let compiled = try await folder.run("compile", "l1/" + Self.latin1(".yaml"))
        #expect(compiled.status == 0, "\(compiled.stderr)")
        #expect(compiled.stdout.hasPrefix("{"))
        let locked = try await folder.run("lock", "l1/" + Self.latin1(".yaml"))
        #expect(locked.status == 0, "\(locked.stdout)\(locked.stderr)")
        // The lock is written beside the flow, under the flow's bytes; the name is printed with U+FFFD.
        var info = stat()
        #expect(SystemPath.stat(folder.url.path + "/l1/" + Self.latin1(".consent.lock"), &info) == 0)
        #expect(!(locked.stdout + locked.stderr).contains("\u{10FEE9}"))
        #expect((locked.stdout + locked.stderr).contains("caf\u{FFFD}"))
    }

    @Test func aMissingFileIsStillReportedWithUFFFD() async throws {
        let folder = try TemporaryFolder()
        let run = try await folder.run("lint", Self.latin1(".yaml"))
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("talkflow: error: cannot read 'caf\u{FFFD}.yaml': no such file or directory\n"))
    }

    @Test func transcriptsFoundInAFolderRun() async throws {
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try FileManager.default.createDirectory(
            atPath: folder.url.path + "/t1", withIntermediateDirectories: true)
        let transcript = folder.url.path + "/t1/" + Self.latin1(".test.yaml")
        try Self.write("flow: ../flow.yaml\nsteps: []\n", to: transcript)
        defer { Self.remove([transcript]) }
        let run = try await folder.run("test", "t1", "--color", "never")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("PASS t1/caf\u{FFFD}.test.yaml (caf\u{FFFD})\n"), "\(run.stdout)")
    }

    @Test func aStoreIsOpenedByItsBytes() async throws {
        let folder = try TemporaryFolder()
        let store = folder.url.path + "/" + Self.latin1(".db")
        _ = try SQLiteStore(path: store)
        defer { Self.remove([store, store + "-wal", store + "-shm"]) }
        let run = try await folder.run("data-request", "list", "--store", "sqlite:" + Self.latin1(".db"))
        #expect(run.status == 0, "\(run.stderr)")
        // Neither the store nor SQLite's side files were made under the name with U+FFFD.
        // (Listed by their bytes: Foundation's listing would show the real name with U+FFFD too.)
        let names = try SystemPath.names(inFolder: folder.url.path).get()
        #expect(!names.contains { $0.contains("\u{FFFD}") && !$0.hasPrefix(".capture") }, "\(names)")
        var info = stat()
        #expect(SystemPath.stat(store, &info) == 0)
    }
}
