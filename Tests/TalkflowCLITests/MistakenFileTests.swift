import Foundation
import Testing

/// Files named by mistake get a reason the user can act on: a consent lock where a flow belongs, a FIFO nobody
/// reads as an output, a store SQLite would not keep in a file.
@Suite struct MistakenFileTests {
    /// Tab completion offers `flow.consent.lock` right after `flow.`: every command that reads a flow says what
    /// the file is and names the flow, instead of a flow's worth of errors about keys a lock lacks.
    @Test func aConsentLockNamedAsTheFlowNamesItsFlow() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bot/flow.yaml", Flows.valid)
        #expect(try await folder.run("lock", "bot/flow.yaml").status == 0)
        let expected =
            "talkflow: error: cannot read 'bot/flow.consent.lock': it is a consent lock, not a flow; "
            + "name its flow, 'bot/flow.yaml'\n"
        for command in ["lock", "compile"] {
            let result = try await folder.run(command, "bot/flow.consent.lock")
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.hasSuffix(expected), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("missing_field"), "\(command)")
        }
        let repl = try await PipedRepl.run("", arguments: ["repl", "bot/flow.consent.lock"], in: folder.url)
        #expect(repl.status == 2)
        #expect(repl.stderr.hasSuffix(expected), "\(repl.stderr)")
        // A flow saved as `.yml` is the one named.
        try folder.write("yml/flow.yml", Flows.valid)
        #expect(try await folder.run("lock", "yml/flow.yml").status == 0)
        #expect(
            try await folder.run("compile", "yml/flow.consent.lock").stderr.hasSuffix("name its flow, 'yml/flow.yml'\n")
        )
        // `lint` still checks a lock named on the command line as a lock.
        #expect(try await folder.run("lint", "bot/flow.consent.lock").status == 0)
        // A transcript whose `flow:` names the lock.
        try folder.write("bot/t.test.yaml", "flow: flow.consent.lock\nsteps: []\n")
        let test = try await folder.run("test", "bot/t.test.yaml")
        #expect(test.status == 2)
        #expect(
            test.stdout.contains(
                "cannot read the flow file 'bot/flow.consent.lock': it is a consent lock, not a flow; name its flow, "
                    + "'bot/flow.yaml'"), "\(test.stdout)")
    }

    /// A FIFO no program reads cannot be opened for writing without blocking: the reason says so.
    @Test func aFIFOWithNoReaderIsNamedAsSuch() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        #expect(mkfifo(folder.url.appendingPathComponent("out.fifo").path, 0o600) == 0)
        let result = try await folder.run("compile", "flow.yaml", "-o", "out.fifo", timeout: 20)
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "talkflow: error: cannot write 'out.fifo': it is a FIFO with no reader; start the program that "
                + "reads it first, or name a regular file\n")
    }

    /// `sqlite::memory:` and a `file:` URI are not files: SQLite would keep the store in memory, or read a URI.
    @Test func aStoreThatIsNotAFilePathIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        let memory = try await folder.run("consent", "export", "573001112233", "--store", "sqlite::memory:")
        #expect(memory.status == 64)
        #expect(
            memory.stderr.contains(
                "invalid --store 'sqlite::memory:': the store must be a file path, such as sqlite:talkflow.sqlite; "
                    + "SQLite reads ':memory:' as a database kept in memory, lost when talkflow exits"),
            "\(memory.stderr)")
        let uri = try await folder.run("data-request", "list", "--store", "sqlite:file:x.db?mode=memory")
        #expect(uri.status == 64)
        #expect(uri.stderr.contains("SQLite reads a name starting with 'file:' as a URI"), "\(uri.stderr)")
    }
}
