import Foundation
import Testing

/// Paths no file can have, or that the system cannot reach, get a clear error at once: they are never cut short,
/// read as another file, taken for the transcript's own folder, or skipped in silence.
@Suite struct HostilePathTests {
    /// An empty `--config` names no file: a usage error (64), as an empty required value is for every command.
    @Test(arguments: [
        ["serve", "--config", ""],
        ["send-template", "--config", "", "--tenant", "ventas", "--to", "573001112233", "promo"],
    ])
    func anEmptyConfigurationPathIsAUsageError(arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = try await TalkflowProcess.run(arguments, in: folder.url, timeout: 30)
        #expect(!run.timedOut)
        #expect(run.status == 64)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr.hasPrefix(
                "Error: the configuration path is empty: name the file, e.g. --config config.yaml\n"))
    }

    /// `flow: ""` would name the transcript's own folder; a NUL would cut the path, and the flow before it would
    /// be read again as its own consent lock. Both are `invalid_value` at the value, and nothing is read.
    @Test(arguments: [
        ("\"\"", "'flow' must name a flow file"),
        (
            "\"../flow.yaml\\0x\"",
            "'flow' must name a flow file; it contains a NUL character, which no file name can"
        ),
    ])
    func aFlowPathThatNamesNoFileIsAnInvalidValue(flow: String, message: String) async throws {
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try folder.write("tests/t.test.yaml", "flow: \(flow)\nsteps: []\n")
        let run = try await folder.run("test", "tests/t.test.yaml", "--color", "never", timeout: 30)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("tests/t.test.yaml:1:7: error: \(message) [invalid_value]\n"), "\(run.stdout)")
        #expect(!run.stdout.contains("consent.lock"))
        #expect(!run.stdout.contains("cannot read the flow file"))
        #expect(run.stderr.isEmpty)
    }

    /// A folder whose path is over the system's limit cannot be looked at: it is unreadable (exit 2), never
    /// skipped, whether a valid flow is beside it or not.
    @Test func aFolderBeyondThePathLimitIsUnreadable() async throws {
        let folder = try TemporaryFolder()
        try folder.write("flows/ok.yaml", Flows.valid)
        let name = String(repeating: "d", count: 200)
        for root in ["flows", "only"] {
            try DeepFolder.make(in: folder.url.appendingPathComponent(root).path, name: name, levels: 21)
        }
        defer {
            for root in ["flows", "only"] {
                DeepFolder.remove(in: folder.url.appendingPathComponent(root).path, name: name, levels: 21)
            }
        }
        // "flows/" and 21 names of 200 bytes joined by "/": 4,226 bytes, over the 4,096 of PATH_MAX.
        let deep = "flows/" + Array(repeating: name, count: 21).joined(separator: "/")
        let reason = "the path is \(deep.utf8.count) bytes, longer than the system allows (4096 bytes)"

        let beside = try await folder.run("lint", "flows", timeout: 60)
        #expect(beside.status == 2)
        #expect(beside.stdout == "no problems found in 1 file; 1 path could not be read\n")
        #expect(beside.stderr == "talkflow: error: cannot read '\(deep)': \(reason)\n")

        let alone = try await folder.run("lint", "only", timeout: 60)
        #expect(alone.status == 2)
        #expect(!alone.stderr.contains("no flow files"))
        #expect(alone.stderr.contains("longer than the system allows"))

        // `talkflow test` searches folders the same way.
        let transcripts = try await folder.run("test", "only", timeout: 60)
        #expect(transcripts.status == 2)
        #expect(!transcripts.stderr.contains("no transcript files"))
        #expect(transcripts.stderr.contains("longer than the system allows"), "\(transcripts.stderr)")
    }
}

/// Nested folders deeper than a path can name, made and removed through descriptors (`mkdirat`, `openat`), as no
/// single path reaches the deepest; a flow file sits in the deepest.
enum DeepFolder {
    static func make(in root: String, name: String, levels: Int) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var descriptors = [open(root, O_RDONLY | O_DIRECTORY)]
        defer { descriptors.forEach { close($0) } }
        for _ in 0..<levels {
            try #require(mkdirat(descriptors[descriptors.count - 1], name, 0o755) == 0)
            descriptors.append(openat(descriptors[descriptors.count - 1], name, O_RDONLY | O_DIRECTORY))
            try #require(descriptors[descriptors.count - 1] >= 0)
        }
        let file = openat(descriptors[descriptors.count - 1], "hidden.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(file >= 0)
        _ = Flows.valid.withCString { write(file, $0, strlen($0)) }
        close(file)
    }

    /// Removes what `make` made, deepest first (Foundation cannot remove it by path).
    static func remove(in root: String, name: String, levels: Int) {
        var descriptors = [open(root, O_RDONLY | O_DIRECTORY)]
        for _ in 0..<levels {
            descriptors.append(openat(descriptors[descriptors.count - 1], name, O_RDONLY | O_DIRECTORY))
        }
        unlinkat(descriptors[levels], "hidden.yaml", 0)
        for level in stride(from: levels, to: 0, by: -1) {
            close(descriptors[level])
            unlinkat(descriptors[level - 1], name, AT_REMOVEDIR)
        }
        close(descriptors[0])
    }
}
