import Foundation
import Testing

/// An output option naming a file the command reads (`compile f.yaml -o f.yaml`, `test t.test.yaml --junit
/// t.test.yaml`, `/save` of the flow in use) is refused and writes nothing: one mistyped extension used to
/// replace the flow whole, exit 0.
@Suite struct OwnInputOverwriteTests {
    static func refusal(_ file: String, _ what: String) -> String {
        "talkflow: error: cannot write '\(file)': it is \(what); choose another file\n"
    }

    @Test(arguments: [
        (["-o", "f.yaml"], "f.yaml", "the flow being compiled"),
        (["--emit", "dot", "-o", "./sub/../f.yaml"], "./sub/../f.yaml", "the flow being compiled"),
        (["-o", "link.yaml"], "link.yaml", "the flow being compiled"),
        (["-o", "f.consent.lock"], "f.consent.lock", "the consent lock of the flow being compiled"),
    ])
    func compileDoesNotWriteItsFlowOrItsLock(options: [String], file: String, what: String) async throws {
        let folder = try TemporaryFolder()
        try folder.write("f.yaml", Flows.valid)
        try folder.write("sub/.keep", "")
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.path + "/link.yaml", withDestinationPath: "f.yaml")
        let run = try await TalkflowProcess.run(["compile", "f.yaml"] + options, in: folder.url)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == Self.refusal(file, what))
        #expect(try String(contentsOf: folder.url.appendingPathComponent("f.yaml"), encoding: .utf8) == Flows.valid)
        // The lock that did not exist was not made either.
        #expect(!FileManager.default.fileExists(atPath: folder.url.path + "/f.consent.lock"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(!names.contains { $0.contains(".tmp") })
    }

    @Test func compileStillWritesAnotherFile() async throws {
        let folder = try TemporaryFolder()
        try folder.write("f.yaml", Flows.valid)
        let run = try await folder.run("compile", "f.yaml", "-o", "f.json")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent("f.json"), encoding: .utf8).hasPrefix("{"))
    }

    @Test(arguments: [
        ("t.test.yaml", "a transcript being run"), ("flow.yaml", "a flow being run"),
        ("flow.consent.lock", "the consent lock of a flow being run"),
    ])
    func junitDoesNotWriteATranscriptOrAFlowOfTheRun(file: String, what: String) async throws {
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let transcript = "flow: flow.yaml\nsteps: []\n"
        try folder.write("t.test.yaml", transcript)
        let run = try await folder.run("test", "t.test.yaml", "--junit", file, "--color", "never")
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("PASS t.test.yaml"))
        #expect(run.stderr == Self.refusal(file, what))
        #expect(try String(contentsOf: folder.url.appendingPathComponent("t.test.yaml"), encoding: .utf8) == transcript)
        #expect(try String(contentsOf: folder.url.appendingPathComponent("flow.yaml"), encoding: .utf8) == Flows.valid)
    }

    @Test func saveDoesNotWriteTheFlowInUseAndTheSessionGoesOn() async throws {
        let folder = try TemporaryFolder()
        try folder.write("d.yaml", Flows.valid)
        try FileManager.default.createSymbolicLink(atPath: folder.url.path + "/dl.yaml", withDestinationPath: "d.yaml")
        let run = try await PipedRepl.run(
            "hola\n/save d.yaml\n/save dl.yaml\n/save d.consent.lock\n/save d.test.yaml\n",
            arguments: ["repl", "d.yaml"],
            in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write 'd.yaml': it is the flow being run; choose another file"))
        #expect(run.stderr.contains("error: cannot write 'dl.yaml': it is the flow being run; choose another file"))
        #expect(
            run.stderr.contains(
                "error: cannot write 'd.consent.lock': it is the consent lock of the flow being run; choose another file"
            ))
        #expect(run.stdout.contains("saved 1 input to d.test.yaml"), "\(run.stdout)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent("d.yaml"), encoding: .utf8) == Flows.valid)
        #expect(!FileManager.default.fileExists(atPath: folder.url.path + "/d.consent.lock"))
    }
}
