import Foundation
import Testing

/// `talkflow compile`: lints first, then prints the machine as JSON, DOT or Mermaid.
@Suite struct CompileCommandTests {
    /// Without --emit the machine is JSON on stdout, one state per step in file order.
    @Test func emitsTheMachineAsJSONByDefault() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let result = try await folder.run("compile", "flow.yaml")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let machine = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(machine["flow"] as? String == "minimal")
        #expect(machine["language"] as? String == "es")
        let strings = try #require(machine["strings"] as? [String])
        let states = try #require(machine["states"] as? [[String: Any]])
        let names = states.compactMap { ($0["name"] as? Int).map { strings[$0] } }
        #expect(names == ["consentimiento", "menu", "nombre", "asesor", "info", "despedida"])
        #expect(machine["start"] as? Int == 0)
    }

    /// DOT output is a complete digraph with labelled edges, ready for `dot -Tsvg`.
    @Test func emitsGraphvizDot() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let result = try await folder.run("compile", "flow.yaml", "--emit", "dot")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("digraph \"minimal\" {\n"))
        #expect(result.stdout.hasSuffix("}\n"))
        #expect(result.stdout.contains("s0 -> s1 [label=\"Acepto\"]"))
        #expect(result.stdout.contains("despedida"))
    }

    /// Mermaid output is a flowchart with labelled edges, ready to paste into Markdown.
    @Test func emitsMermaid() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let result = try await folder.run("compile", "flow.yaml", "--emit", "mermaid")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("flowchart TD\n"))
        #expect(result.stdout.contains("s0 -->|\"Acepto\"| s1"))
        #expect(result.stdout.hasSuffix("\n"))
    }

    /// --output replaces stdout, is never written for a broken flow, and a bad path exits 2.
    @Test func writesTheOutputFileOnlyOnSuccess() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try folder.write("bad.yaml", Flows.unknownStep)
        let written = try await folder.run("compile", "flow.yaml", "--emit", "dot", "--output", "out/flow.dot")
        #expect(written.status == 2, "the folder 'out' does not exist")
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("out"), withIntermediateDirectories: true)
        let ok = try await folder.run("compile", "flow.yaml", "--emit", "dot", "-o", "out/flow.dot")
        #expect(ok.status == 0)
        #expect(ok.stdout == "")
        let text = try String(contentsOf: folder.url.appendingPathComponent("out/flow.dot"), encoding: .utf8)
        #expect(text.hasPrefix("digraph"))
        #expect(try await folder.run("compile", "bad.yaml", "-o", "out/bad.json").status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("out/bad.json").path))
        let intoFolder = try await folder.run("compile", "flow.yaml", "-o", "out")
        #expect(intoFolder.status == 2)
        #expect(intoFolder.stderr.hasPrefix("talkflow: error: cannot write 'out': "))
    }

    /// `-o` never replaces what the path names with a regular file: a symbolic link stays a link (its target is
    /// written) and a pipe stays a pipe (written in place), as a device such as /dev/null must.
    @Test func theOutputKeepsLinksAndPipes() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let target = folder.url.appendingPathComponent("target.dot").path
        let link = folder.url.appendingPathComponent("link.dot").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(try await folder.run("compile", "flow.yaml", "--emit", "dot", "-o", "link.dot").status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("digraph"))

        let pipe = folder.url.appendingPathComponent("pipe.dot").path
        #expect(mkfifo(pipe, 0o600) == 0)
        // A reader keeps the pipe open for the writer, and collects what it wrote.
        let reader = Thread { _ = FileHandle(forReadingAtPath: pipe)?.readDataToEndOfFile() }
        reader.start()
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await folder.run("compile", "flow.yaml", "--emit", "dot", "-o", "pipe.dot").status == 0)
        var info = stat()
        #expect(lstat(pipe, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFIFO)
    }

    /// A file replaced whole (`compile -o`, also through a link, `test --junit`, the REPL's `/save`) keeps its mode:
    /// a 0600 file came back 0644, readable by everyone (contract2 #3). A new file gets the usual mode.
    @Test func aReplacedFileKeepsItsMode() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try folder.write("t.test.yaml", "flow: flow.yaml\nsteps: []\n")
        func mode(_ name: String) -> mode_t {
            var info = stat()
            _ = stat(folder.url.appendingPathComponent(name).path, &info)
            return info.st_mode & 0o777
        }
        for (name, permissions) in [("m.json", 0o600), ("j.xml", 0o640), ("s.test.yaml", 0o600), ("t.json", 0o660)] {
            try folder.write(name, "x")
            #expect(chmod(folder.url.appendingPathComponent(name).path, mode_t(permissions)) == 0)
        }
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("l.json").path, withDestinationPath: "t.json")
        #expect(try await folder.run("compile", "flow.yaml", "-o", "m.json").status == 0)
        #expect(try await folder.run("compile", "flow.yaml", "-o", "l.json").status == 0)
        #expect(try await folder.run("compile", "flow.yaml", "-o", "new.json").status == 0)
        #expect(try await folder.run("test", "t.test.yaml", "--junit", "j.xml").status == 0)
        let repl = try await PipedRepl.run(
            "hola\n/save s.test.yaml\n", arguments: ["repl", "flow.yaml"], in: folder.url)
        #expect(repl.status == 0, "\(repl.stderr)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent("m.json"), encoding: .utf8).hasPrefix("{"))
        #expect(try String(contentsOf: folder.url.appendingPathComponent("s.test.yaml"), encoding: .utf8) != "x")
        #expect([mode("m.json"), mode("t.json"), mode("j.xml"), mode("s.test.yaml")] == [0o600, 0o660, 0o640, 0o600])
        // A new file is created as before, with the mode the umask leaves (it has no earlier mode to keep).
        #expect(mode("new.json") & 0o600 == 0o600)
    }

    /// A flow with errors exits 1 with the text diagnostics on stderr and nothing on stdout.
    @Test func errorsArePrintedToStderrAndNothingIsCompiled() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("compile", "bad.yaml")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("bad.yaml:\(Flows.unknownStepLine):11: error: "))
        #expect(result.stderr.contains("[unknown_step]\n"))
        #expect(result.stderr.hasSuffix("1 error in 1 file\n"))
    }

    /// Warnings are shown on stderr but the machine is still printed.
    @Test func warningsAreShownButDoNotStopCompilation() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("warn.yaml", Flows.warningOnly)
        let result = try await folder.run("compile", "warn.yaml")
        #expect(result.status == 0)
        #expect(result.stderr.contains("[invalid_suppression]"))
        #expect(result.stdout.hasPrefix("{"))
    }

    /// A missing flow is an I/O failure (2), not a lint failure (1).
    @Test func unreadableFlowExitsTwo() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("compile", "missing.yaml")
        #expect(result.status == 2)
        #expect(result.stderr == "talkflow: error: cannot read 'missing.yaml': no such file or directory\n")
    }

    /// Malformed command lines exit 64 (EX_USAGE) with nothing on stdout.
    @Test(arguments: [["compile"], ["compile", "flow.yaml", "--emit", "png"], ["compile", "a.yaml", "b.yaml"]])
    func usageErrorsExit64(arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let result = try await TalkflowProcess.run(arguments, in: folder.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
    }
}
