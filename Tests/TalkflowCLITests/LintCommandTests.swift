import Foundation
import Testing

/// `talkflow lint`: output formats, exit codes and file discovery, as documented in Docs/cli.md.
@Suite struct LintCommandTests {
    /// A clean file exits 0 and prints only the summary line.
    @Test func validFlowExitsZeroWithSummary() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("ok.yaml", Flows.valid)
        let result = try await folder.run("lint", "ok.yaml")
        #expect(result.status == 0)
        #expect(result.stdout == "no problems found in 1 file\n")
        #expect(result.stderr == "")
    }

    /// The text format is exactly the compiler layout: header, source line, caret, help, summary.
    @Test func errorIsPrintedLikeACompilerAndExitsOne() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "bad.yaml")
        #expect(result.status == 1)
        let line = Flows.unknownStepLine
        let expected = """
            bad.yaml:\(line):11: error: 'next' of step 'info' names step 'despedda', which does not exist \
            [unknown_step]
                next: despedda
                      ^~~~~~~~
              help: did you mean 'despedida'?
            1 error in 1 file

            """
        #expect(result.stdout == expected)
        #expect(result.stderr == "")
        #expect(!result.stdout.contains("\u{1B}["), "no colours when stdout is not a terminal")
    }

    /// --color always forces ANSI colours; never and NO_COLOR keep them out.
    @Test func colorAlwaysAddsEscapesAndNeverRemovesThem() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        #expect(try await folder.run("lint", "--color", "always", "bad.yaml").stdout.contains("\u{1B}[1;31merror:"))
        #expect(!(try await folder.run("lint", "--color", "never", "bad.yaml").stdout.contains("\u{1B}[")))
        #expect(!(try await folder.run("lint", "bad.yaml", environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}[")))
    }

    /// JSON output parses, carries every documented field, and the summary goes to stderr.
    @Test func jsonFormatIsOnlyJSONOnStdout() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "--format", "json", "bad.yaml")
        #expect(result.status == 1)
        #expect(result.stderr == "1 error in 1 file\n")
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        try #require(entries.count == 1)
        let entry = entries[0]
        #expect(entry["file"] as? String == "bad.yaml")
        #expect(entry["id"] as? String == "unknown_step")
        #expect(entry["severity"] as? String == "error")
        #expect(entry["line"] as? Int == Flows.unknownStepLine)
        #expect(entry["column"] as? Int == 11)
        #expect(entry["endLine"] as? Int == Flows.unknownStepLine)
        #expect(entry["endColumn"] as? Int == 19)
        #expect((entry["message"] as? String)?.contains("'despedda'") == true)
        #expect(entry["suggestion"] as? String == "did you mean 'despedida'?")
        #expect((entry["notes"] as? [Any])?.isEmpty == true)
    }

    /// A clean run in JSON is `[]`, so scripts need no special case.
    @Test func jsonFormatOfACleanRunIsAnEmptyArray() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("ok.yaml", Flows.valid)
        let result = try await folder.run("lint", "--format", "json", "ok.yaml")
        #expect(result.status == 0)
        #expect(result.stdout == "[]\n")
        #expect(result.stderr == "no problems found in 1 file\n")
    }

    /// SARIF output is a 2.1.0 log with the rule catalogue and one result per diagnostic.
    @Test func sarifFormatIsVersion210WithRulesAndResults() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "--format", "sarif", "bad.yaml")
        #expect(result.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "talkflow")
        let ruleIds = (driver["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(ruleIds.contains("unknown_step"))
        #expect(ruleIds.contains("yaml_syntax"))
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results.first?["ruleId"] as? String == "unknown_step")
        #expect(results.first?["level"] as? String == "error")
    }

    /// GitHub output is one `::error` workflow command per diagnostic.
    @Test func githubFormatPrintsWorkflowCommands() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "--format", "github", "bad.yaml")
        #expect(result.status == 1)
        let line = Flows.unknownStepLine
        #expect(
            result.stdout
                == "::error file=bad.yaml,line=\(line),col=11,endLine=\(line),endColumn=19,title=unknown_step::"
                + "'next' of step 'info' names step 'despedda', which does not exist%0Ahelp: did you mean "
                + "'despedida'?\n")
        #expect(result.stderr == "1 error in 1 file\n")
    }

    /// Warnings alone exit 0; --strict makes them fail with exit 1.
    @Test func warningsPassUnlessStrict() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("warn.yaml", Flows.warningOnly)
        let relaxed = try await folder.run("lint", "warn.yaml")
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.contains("warning: "))
        #expect(relaxed.stdout.contains("[invalid_suppression]"))
        #expect(relaxed.stdout.hasSuffix("1 warning in 1 file\n"))
        #expect(try await folder.run("lint", "--strict", "warn.yaml").status == 1)
    }

    /// --list-rules prints one row per rule: id, severity, summary.
    @Test func listRulesPrintsIdSeveritySummary() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("lint", "--list-rules")
        #expect(result.status == 0)
        let rows = result.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true)
        }
        for id in ["unknown_step", "yaml_syntax", "unknown_key"] {
            let row = try #require(rows.first { $0.first.map(String.init) == id }, "\(id) is listed")
            #expect(row.count > 2, "\(id) has a summary")
            #expect(row[1] == "error")
        }
        #expect(rows.allSatisfy { ["error", "warning", "note"].contains(String($0[1])) })
    }

    /// --list-rules --format json gives every rule with id, severity, summary, fix and suppressible.
    @Test func listRulesAsJSONHasEveryField() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("lint", "--list-rules", "--format", "json")
        #expect(result.status == 0)
        let rules = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(Set(["unknown_step", "yaml_syntax", "unknown_key"]).isSubset(of: ids))
        #expect(Set(ids).count == ids.count, "ids are unique")
        for rule in rules {
            #expect(rule["severity"] is String)
            #expect((rule["summary"] as? String)?.isEmpty == false)
            #expect((rule["fix"] as? String)?.isEmpty == false)
            #expect(rule["suppressible"] as? Bool == (rule["severity"] as? String == "warning"))
        }
    }

    /// Malformed command lines exit 64 (EX_USAGE) with nothing on stdout.
    @Test(arguments: [
        ["lint"],
        ["lint", "--list-rules", "flow.yaml"],
        ["lint", "--list-rules", "--format", "sarif"],
        ["lint", "--format", "xml", "flow.yaml"],
        ["lint", "--color", "sometimes", "flow.yaml"],
        ["lint", "--no-such-option", "flow.yaml"],
        [],
        ["frobnicate"],
        ["help", "frobnicate"],
        ["help", "consent", "frob"],
        ["help", "lint", "extra"],
        ["consent"],
        ["consent", "export", "", "--store", "sqlite:x.sqlite"],
        ["consent", "export", "573001112233", "--tenant", " ", "--store", "sqlite:x.sqlite"],
    ])
    func usageErrorsExit64(arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        let result = try await TalkflowProcess.run(arguments, in: folder.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(!result.stderr.isEmpty)
    }

    /// `help` naming no subcommand prints the three lines of a usage error, the usage of the last command it
    /// named, not the whole help.
    @Test func helpOfAnUnknownSubcommandPrintsTheUsageLines() async throws {
        let folder = try TemporaryFolder()
        let root = try await folder.run("help", "frobnicate")
        #expect(root.status == 64)
        #expect(
            root.stderr
                == "Error: unknown subcommand 'frobnicate'\nUsage: talkflow <subcommand>\n"
                + "  See 'talkflow --help' for more information.\n")
        let nested = try await folder.run("help", "consent", "frob")
        #expect(nested.status == 64)
        #expect(
            nested.stderr.hasPrefix("Error: unknown subcommand 'frob'\nUsage: talkflow consent "), "\(nested.stderr)")
        #expect(nested.stderr.hasSuffix("  See 'talkflow consent --help' for more information.\n"), "\(nested.stderr)")
    }

    /// --help documents every exit code, so users need not open the docs.
    @Test func helpDocumentsTheExitCodes() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("lint", "--help")
        #expect(result.status == 0)
        for code in ["0 ", "1 ", "2 ", "64 "] {
            #expect(result.stdout.contains("\n  \(code)"), "exit code \(code) is documented")
        }
    }

    /// --version prints a plain semantic version.
    @Test func versionPrintsAVersionNumber() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("--version")
        #expect(result.status == 0)
        #expect(result.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil)
    }

    /// A missing path exits 2 and is reported on stderr, but the other files are still checked.
    @Test func missingPathExitsTwoAndTheOthersAreStillChecked() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "missing.yaml", "bad.yaml")
        #expect(result.status == 2)
        #expect(result.stderr == "talkflow: error: cannot read 'missing.yaml': no such file or directory\n")
        #expect(result.stdout.hasPrefix("bad.yaml:\(Flows.unknownStepLine):11: error: "))
        #expect(result.stdout.hasSuffix("1 error in 1 file; 1 path could not be read\n"))
    }

    /// A folder with no flow files is almost certainly a mistake: exit 2.
    @Test func folderWithoutFlowsExitsTwo() async throws {
        let folder = try TemporaryFolder()
        try folder.write("empty/readme.txt", "not a flow")
        let result = try await folder.run("lint", "empty")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read 'empty': no flow files (*.yaml, *.yml) in this folder"))
    }

    /// A file libyaml cannot parse does not stop the files after it.
    @Test func aBrokenFileDoesNotStopTheOthers() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flows/a.yaml", Flows.brokenYAML)
        try folder.write("flows/b.yaml", Flows.valid)
        try folder.write("flows/c.yaml", Flows.unknownStep)
        let result = try await folder.run("lint", "--format", "json", "flows")
        #expect(result.status == 1)
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["file"] as? String }.first == "flows/a.yaml")
        #expect(entries.contains { $0["file"] as? String == "flows/a.yaml" && $0["id"] as? String == "yaml_syntax" })
        #expect(entries.contains { $0["file"] as? String == "flows/c.yaml" && $0["id"] as? String == "unknown_step" })
        #expect(!entries.contains { $0["file"] as? String == "flows/b.yaml" })

        // The valid file was checked too: with the broken ones removed, the summary counts it.
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("flows/a.yaml"))
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("flows/c.yaml"))
        try folder.write("flows/d.yml", Flows.valid)
        #expect(try await folder.run("lint", "flows").stdout == "no problems found in 2 files\n")
    }

    /// Folder search is recursive, sorted by path, limited to .yaml/.yml, and skips hidden entries.
    @Test func foldersAreSearchedRecursivelyInPathOrderSkippingHiddenEntries() async throws {
        let folder = try TemporaryFolder()
        for path in [
            "flows/z.yaml", "flows/a.yml", "flows/sub/m.yaml", "flows/sub/deeper/b.yaml",
            "flows/.hidden/x.yaml", "flows/.build-cache/x.yaml", "flows/.dot.yaml", "flows/notes.txt",
            "flows/a.yaml.bak",
        ] {
            try folder.write(path, Flows.brokenYAML)
        }
        let result = try await folder.run("lint", "--format", "json", "flows/")
        #expect(result.status == 1)
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        var files: [String] = []
        for case let file as String in entries.map({ $0["file"] }) where files.last != file {
            files.append(file)
        }
        #expect(files == ["flows/a.yml", "flows/sub/deeper/b.yaml", "flows/sub/m.yaml", "flows/z.yaml"])
    }

    /// Files named explicitly are checked whatever their extension, in command-line order.
    @Test func namedFilesAreCheckedWhateverTheirNameInCommandLineOrder() async throws {
        let folder = try TemporaryFolder()
        try folder.write("z.txt", Flows.brokenYAML)
        try folder.write("a.yaml", Flows.brokenYAML)
        let result = try await folder.run("lint", "--format", "github", "z.txt", "a.yaml")
        #expect(result.status == 1)
        let files = result.stdout.split(separator: "\n").compactMap { $0.firstMatch(of: /file=([^,]+),/)?.1 }
        #expect(files.first == "z.txt")
        #expect(files.last == "a.yaml")
    }

    /// A file without read permission exits 2 with the reason.
    @Test(.disabled(if: getuid() == 0, "root reads files whatever their permissions"))
    func unreadableFileExitsTwo() async throws {
        let folder = try TemporaryFolder()
        try folder.write("secret.yaml", Flows.valid)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o000], ofItemAtPath: folder.url.appendingPathComponent("secret.yaml").path)
        let result = try await folder.run("lint", "secret.yaml")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read 'secret.yaml': permission denied"))
    }

    /// A file with more than 1,000 diagnostics shows the first 1,000 and a note, in every format; the summary counts
    /// them all, and an error past the cap still fails the run although every diagnostic shown is a warning.
    @Test func diagnosticsPastTheCapAreCountedNotShown() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        var flow = Flows.valid
        for i in 0..<1200 { flow += "  p\(i):\n    type: message\n    text: Hola\n    next: despedida\n" }
        flow += "extra: 1\n"
        try folder.write("big.yaml", flow)
        let note =
            "big.yaml:1:1: note: … and 201 more diagnostics not shown (1 error, 200 warnings): only the first 1000 "
            + "of a file are shown [diagnostics_not_shown]\n"
        let text = try await folder.run("lint", "big.yaml")
        #expect(text.status == 1)
        #expect(text.stdout.hasSuffix(note + "1 error, 1200 warnings in 1 file\n"))
        #expect(text.stdout.components(separatedBy: ": warning: ").count == 1001)
        #expect(!text.stdout.contains(": error: "))

        for format in ["json", "sarif", "github"] {
            let result = try await folder.run("lint", "--format", format, "big.yaml")
            #expect(result.status == 1, "\(format)")
            #expect(result.stderr == "1 error, 1200 warnings in 1 file\n", "\(format)")
            #expect(result.stdout.contains("diagnostics_not_shown"), "\(format)")
        }
        let json = try await folder.run("lint", "--format", "json", "big.yaml")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1001)
        #expect(entries.last?["notShown"] as? [String: Int] == ["errors": 1, "warnings": 200, "notes": 0])
        let github = try await folder.run("lint", "--format", "github", "big.yaml")
        #expect(github.stdout.split(separator: "\n").count == 1001)
    }
}
