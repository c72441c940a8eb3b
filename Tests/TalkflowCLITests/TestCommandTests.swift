import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The repository's root, found from this file's place (`Tests/TalkflowCLITests/`).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Transcripts against a copy of the shipped default flow.
private enum Transcripts {
    /// The shipped default flow's text.
    static let defaultFlow = ShippedFlow.defaultFlow

    /// Hello, the consent, acceptance and the main menu: passes against `default.yaml` in the same folder.
    static let passing = """
        flow: default.yaml
        steps:
          - contact: hola
          - bot: { contains: Antes de continuar, buttons: [Acepto, No acepto] }
          - tap: Acepto
          - consent: accepted
          - bot: { body: ¿En qué te podemos ayudar?, buttons: [Comprar, Preguntas frecuentes, Hablar con un asesor] }

        """

    /// `passing` plus a wrong text at line 9, column 5.
    static let failing =
        passing + """
              - contact: compra
              - bot: ¿Cómo te llamas?

            """

    /// A folder with the default flow and the named transcripts.
    static func folder(_ files: [String: String]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("default.yaml", defaultFlow)
        for (name, text) in files { try folder.write(name, text) }
        return folder
    }
}

@Suite("talkflow test")
struct TestCommandTests {
    /// An unquoted ` #` that cuts a transcript's text is warned of under the PASS line, at the `#` with lint's
    /// quoting help, and fails nothing: the exit status stays 0 (contract3 #5).
    @Test func aTextCutByACommentIsWarnedOfAndPasses() async throws {
        let transcript =
            "exhaustive: false\n" + Transcripts.passing + "  - contact: compra\n  - contact: Calle 100 # 10-20\n"
            + "  - bot: \"Gracias, Calle 100. Te comunicamos con un asesor de ventas.\"\n"
        let folder = try Transcripts.folder(["cut.test.yaml": transcript])
        let output = try await folder.run("test", "cut.test.yaml", timeout: 30)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let expected =
            "PASS cut.test.yaml (cut)\n"
            + "cut.test.yaml:10:24: warning: ' #' in 'contact' starts a YAML comment, so the flow receives only "
            + "'Calle 100', without '# 10-20' [text_cut_by_comment]\n"
            + "  - contact: Calle 100 # 10-20\n"
            + String(repeating: " ", count: 23) + "^~~~~~~\n"
            + "  help: if the '#' belongs to the text, quote the whole text, \"Calle 100 # 10-20\", or write it as a "
            + "block scalar (>-); put a comment meant for the file on a line of its own\n"
            + "1 passed, 0 failed, 1 transcript in "
        #expect(output.stdout.hasPrefix(expected), "\(output.stdout)")
    }

    /// A link to the folder itself, or to its parent, is a folder reached a second time: not searched again, so
    /// each transcript runs once and the walk ends (it had run one transcript 41 times, or never ended).
    @Test func aFolderLinkCycleRunsEachTranscriptOnce() async throws {
        let folder = try Transcripts.folder([:])
        try folder.write("v/default.yaml", Transcripts.defaultFlow)
        try folder.write("v/a.test.yaml", Transcripts.passing)
        try folder.write("v/w/default.yaml", Transcripts.defaultFlow)
        try folder.write("v/w/b.test.yaml", Transcripts.passing)
        let path = { (name: String) in folder.url.appending(path: name).path }
        try FileManager.default.createSymbolicLink(atPath: path("v/self"), withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: path("v/w/up"), withDestinationPath: "..")
        let output = try await folder.run("test", "v", timeout: 30)
        #expect(!output.timedOut)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("2 passed, 0 failed, 2 transcripts"), "\(output.stdout)")
    }

    /// A passing transcript: exit 0, its verdict and the summary on stdout.
    @Test func passingTranscriptsExitZero() async throws {
        let folder = try Transcripts.folder(["bien.test.yaml": Transcripts.passing])
        let output = try await folder.run("test", "bien.test.yaml")
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasPrefix("PASS bien.test.yaml (bien)\n1 passed, 0 failed, 1 transcript in "))
        #expect(output.stderr.isEmpty)
    }

    /// A control character in a transcript's path or name is shown as U+FFFD in its verdict, as in diagnostics.
    @Test func verdictLinesShowControlCharactersAsReplacements() async throws {
        let folder = try Transcripts.folder(["x\u{1}y.test.yaml": Transcripts.passing])
        let output = try await folder.run("test", "x\u{1}y.test.yaml")
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasPrefix("PASS x\u{FFFD}y.test.yaml (x\u{FFFD}y)\n"))
        #expect(!output.stdout.unicodeScalars.contains("\u{1}"))
    }

    /// A failing transcript: exit 1, the failure at the transcript's own line and column with expected and actual.
    @Test func failingTranscriptsExitOneWithTheLocation() async throws {
        let folder = try Transcripts.folder([
            "bien.test.yaml": Transcripts.passing, "mal.test.yaml": Transcripts.failing,
        ])
        let output = try await folder.run("test", "bien.test.yaml", "mal.test.yaml", "--color", "never")
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "PASS bien.test.yaml (bien)")
        #expect(lines.dropFirst().first == "FAIL mal.test.yaml (mal)")
        let expected =
            "mal.test.yaml:9:5: error: expected bot text \"¿Cómo te llamas?\", got bot text \"Con gusto te "
            + "ayudamos con tu compra. ¿Cómo te llamas?\" [transcript_mismatch]"
        #expect(lines.dropFirst(2).first.map(String.init) == expected)
        #expect(output.stdout.contains("\n1 passed, 1 failed, 2 transcripts in "))
    }

    /// Folders are searched recursively for `*.test.yaml` only, in path order; flows beside them are not run.
    @Test func foldersAreSearchedForTranscripts() async throws {
        let folder = try Transcripts.folder([
            "tests/b.test.yaml": Transcripts.passing.replacingOccurrences(of: "default.yaml", with: "../default.yaml"),
            "tests/a/c.test.yaml": Transcripts.passing.replacingOccurrences(
                of: "default.yaml", with: "../../default.yaml"),
            "tests/.oculto.test.yaml": "roto",
            "tests/notas.yaml": "no es un transcript",
        ])
        let output = try await folder.run("test", "tests")
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let verdicts = output.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS") || $0.hasPrefix("FAIL") }
        #expect(verdicts == ["PASS tests/a/c.test.yaml (c)", "PASS tests/b.test.yaml (b)"])
    }

    /// `--junit FILE` writes a JUnit report that parses, with the failure's location in it.
    @Test func junitReportsAreWritten() async throws {
        let folder = try Transcripts.folder([
            "bien.test.yaml": Transcripts.passing, "mal.test.yaml": Transcripts.failing,
        ])
        let output = try await folder.run("test", ".", "--junit", "reports/junit.xml")
        #expect(output.status == 2, "the reports folder does not exist: \(output.stderr)")
        #expect(output.stderr.contains("talkflow: error: cannot write 'reports/junit.xml': "))
        let written = try await folder.run("test", ".", "--junit", "junit.xml")
        #expect(written.status == 1)
        let xml = try String(contentsOf: folder.url.appendingPathComponent("junit.xml"), encoding: .utf8)
        let document = try XMLDocument(xmlString: xml, options: [])
        #expect(document.rootElement()?.attribute(forName: "tests")?.stringValue == "2")
        #expect(document.rootElement()?.attribute(forName: "failures")?.stringValue == "1")
        let failure = try #require(try document.nodes(forXPath: "//failure").first as? XMLElement)
        #expect(
            failure.attribute(forName: "message")?.stringValue?.hasPrefix("./mal.test.yaml:9:5: expected bot text")
                == true)
    }

    /// `--coverage` prints each flow's steps and transitions on stdout; `--min-coverage` fails below the threshold,
    /// saying so on stderr.
    @Test func coverageIsReportedAndEnforced() async throws {
        let folder = try Transcripts.folder(["bien.test.yaml": Transcripts.passing])
        let report = try await folder.run("test", "bien.test.yaml", "--coverage")
        #expect(report.status == 0)
        #expect(report.stderr.isEmpty, "\(report.stderr)")
        #expect(
            report.stdout.contains(
                "coverage of default.yaml (flow 'default'): steps 2/16 (12.5%), transitions 1/31 (3.2%), total 6.3%\n"
                    + "  steps:\n    + consentimiento\n    + menu_principal\n    - pedir_nombre\n"))
        #expect(report.stdout.contains("    + consentimiento -> menu_principal\n    - datos -> volver\n"))
        let below = try await folder.run("test", "bien.test.yaml", "--min-coverage", "50")
        #expect(below.status == 1)
        #expect(
            below.stderr
                == "talkflow: error: coverage of default.yaml is 6.3% (steps and transitions), below --min-coverage 50%\n"
        )
        let above = try await folder.run("test", "bien.test.yaml", "--min-coverage", "6")
        #expect(above.status == 0, "\(above.stderr)")
    }

    /// The shipped transcripts pass and cover every step and transition of the shipped flows.
    @Test func shippedTranscriptsPassWithFullCoverage() async throws {
        let output = try await TalkflowProcess.run(["test", "Flows", "--min-coverage", "100"], in: repositoryRoot)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(!output.stdout.contains("FAIL"))
        #expect(output.stdout.contains(" passed, 0 failed, "))
    }

    /// Unreadable inputs exit 2 (the rest still runs); usage errors exit 64.
    @Test func unreadableInputsAndUsageErrors() async throws {
        let folder = try Transcripts.folder([
            "bien.test.yaml": Transcripts.passing, "sin_flujo.test.yaml": "flow: nada.yaml\nsteps: []\n",
        ])
        let missing = try await folder.run("test", "nada.test.yaml", "bien.test.yaml")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("talkflow: error: cannot read 'nada.test.yaml': no such file or directory\n"))
        #expect(missing.stdout.contains("PASS bien.test.yaml (bien)"))
        let noFlow = try await folder.run("test", "sin_flujo.test.yaml")
        #expect(noFlow.status == 2)
        #expect(
            noFlow.stdout.contains(
                "ERROR sin_flujo.test.yaml (sin_flujo)\nsin_flujo.test.yaml:1:7: error: cannot read the flow file 'nada.yaml'"
            ))
        let none = try await folder.run("test")
        #expect(none.status == 64)
        #expect(none.stderr.contains("missing path: name at least one transcript or folder"))
        // The usage line says a path is required, as cli.md writes it.
        #expect(
            try await folder.run("test", "--help").stdout.contains("USAGE: talkflow test <path> ... [--junit <file>]"))
        #expect(try await folder.run("test", "bien.test.yaml", "--min-coverage", "101").status == 64)
        #expect(try await folder.run("test", "bien.test.yaml", "--no-such-option").status == 64)
    }

    /// A malformed transcript fails (exit 1) with a located diagnostic, not a crash.
    @Test func malformedTranscriptsFail() async throws {
        let folder = try Transcripts.folder(["roto.test.yaml": "flow: default.yaml\nsteps:\n  - contcat: hola\n"])
        let output = try await folder.run("test", "roto.test.yaml")
        #expect(output.status == 1)
        #expect(!output.signaled)
        #expect(output.stdout.contains("roto.test.yaml:3:5: error: unknown key 'contcat' in a step; allowed: "))
        #expect(output.stdout.contains("  help: did you mean 'contact'?\n"))
    }

    /// A transcript over the loader's 16 MiB is not read, and is reported as a flow is: `yaml_too_large` at 1:1,
    /// a failure (exit 1), not an unreadable file.
    @Test func aTranscriptOverTheLimitIsYamlTooLarge() async throws {
        let folder = try TemporaryFolder()
        let head = Array("flow: f.yaml\nsteps:\n  - contact: hola\n#".utf8)
        try folder.write("big.test.yaml", bytes: head + [UInt8](repeating: 0x78, count: 16_777_217 - head.count))
        let output = try await folder.run("test", "big.test.yaml")
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        #expect(
            output.stdout.contains(
                "FAIL big.test.yaml (big)\nbig.test.yaml:1:1: error: file is 16777217 bytes; the limit is 16777216 "
                    + "bytes [yaml_too_large]\n"), "\(output.stdout)")
    }
}
