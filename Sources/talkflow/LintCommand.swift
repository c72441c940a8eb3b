import ArgumentParser
import FlowCompiler
import FlowDiagnostics
import Foundation

/// `talkflow lint PATH...`: checks flow files and reports every problem in one run, for people, scripts and CI.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check flow files and report every problem.",
        discussion: """
            Each PATH is a flow file or a folder. Folders are searched recursively for files ending in .yaml or \
            .yml, skipping hidden entries (names starting with '.', such as .git and .build); their files are \
            checked in path order. A broken file never stops the others: every file is checked and reported.

            Output goes to stdout in the chosen format. With --format text the diagnostics are followed by a \
            summary line ("2 errors, 1 warning in 1 file" or "no problems found in 3 files"); with json, sarif \
            and github stdout holds only the document and the summary line goes to stderr. A path that cannot \
            be read is reported on stderr as "talkflow: error: cannot read 'PATH': REASON".

            At most 1000 diagnostics are shown per file, the first by position; a note at the file's 1:1 \
            ([diagnostics_not_shown]) says how many more there are. The summary line and the exit status count \
            every diagnostic, shown or not.

            Exit status:
              0   no errors (warnings are allowed unless --strict)
              1   errors found, or warnings with --strict
              2   a path could not be read: missing, permission denied, not a regular
                  file, a folder without flow files or one that cannot be listed;
                  or, inside a folder, an entry that cannot be looked at (a path
                  too long, permission denied) or a *.yaml/*.yml link that points
                  nowhere (the other files are still checked and reported)
              64  usage error (unknown option, bad value, no PATH)
            When several apply, the highest wins: 64, then 2, then 1.
            """
    )

    @Argument(help: ArgumentHelp("Flow files or folders to check.", valueName: "path"))
    var paths: [String] = []

    @Option(
        help: ArgumentHelp(
            "Output format: text for people, json for scripts, sarif for code scanning, github for GitHub "
                + "Actions annotations. With --list-rules: text or json.",
            valueName: "format"))
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp(
            "When to colour text output: auto (only when stdout is a terminal and NO_COLOR is unset or empty), "
                + "always or never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(help: "Fail (exit 1) on warnings as well as errors.")
    var strict = false

    @Flag(help: "Print every rule (id, severity, summary) and exit; takes no PATH.")
    var listRules = false

    /// Rejects command lines that cannot mean anything (exit 64) before any file is touched.
    func validate() throws {
        if listRules {
            guard paths.isEmpty else { throw ValidationError("--list-rules takes no path") }
            guard format == .text || format == .json else {
                throw ValidationError("--list-rules prints text or json, not \(format.rawValue)")
            }
            return
        }
        guard !paths.isEmpty else { throw ValidationError("missing path: name at least one flow file or folder") }
    }

    /// Checks every input in order, streaming text and GitHub output, then exits with the documented status.
    func run() throws {
        if listRules {
            Console.out(
                format == .json ? RuleList.json(RuleRegistry.descriptors) : RuleList.text(RuleRegistry.descriptors))
            return
        }
        let colors = color.enabled(for: STDOUT_FILENO)
        var files: [FileDiagnostics] = []
        var unreadable = 0
        for input in FlowFinder.inputs(for: paths) {
            let check: FileCheck
            switch input {
            case .problem(let path, let message): check = .unreadable(path: path, message: message)
            case .file(let path): check = FileCheck.run(path: path, locks: true)
            }
            switch check {
            case .unreadable(let path, let message):
                Console.error("cannot read '\(path)': \(message)")
                unreadable += 1
            case .checked(let file, _, let lock):
                // Text and GitHub output stream file by file; the other formats need the whole run.
                for var checked in FileCheck.files(file, lock) {
                    switch format {
                    case .text: Console.out(TextRenderer.render(files: [checked], colors: colors))
                    case .github: Console.out(GitHubRenderer.render(files: [checked]))
                    case .json, .sarif: break
                    }
                    checked.source = nil
                    files.append(checked)
                }
            }
        }
        switch format {
        case .json: Console.out(JSONRenderer.render(files: files))
        case .sarif:
            Console.out(
                SARIFRenderer.render(files: files, rules: RuleRegistry.descriptors, toolVersion: Talkflow.version))
        case .text, .github: break
        }
        var summary = TextRenderer.summary(files: files)
        if unreadable > 0 { summary += "; \(unreadable) \(unreadable == 1 ? "path" : "paths") could not be read" }
        if format == .text { Console.out(summary + "\n") } else { Console.err(summary + "\n") }

        let errors = files.reduce(0) { $0 + $1.errorCount }
        let warnings = files.reduce(0) { $0 + $1.warningCount }
        if unreadable > 0 { throw Exit.unreadable }
        if errors > 0 || (strict && warnings > 0) { throw Exit.problems }
    }
}

/// The rule list of `--list-rules`, so that users can look up an id seen in a diagnostic or a suppression.
enum RuleList {
    /// One rule per line: id, severity and summary in aligned columns separated by at least two spaces.
    static func text(_ rules: [RuleDescriptor]) -> String {
        let idWidth = rules.map(\.id.count).max() ?? 0
        let severityWidth = Severity.allCases.map(\.rawValue.count).max() ?? 0
        return rules.map { rule in
            pad(rule.id, idWidth) + "  " + pad(rule.severity.rawValue, severityWidth) + "  " + rule.summary + "\n"
        }.joined()
    }

    /// A JSON array of `{id, severity, summary, fix, suppressible}`, keys sorted, ending with a newline.
    static func json(_ rules: [RuleDescriptor]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and booleans cannot fail.
        let data = try! encoder.encode(rules.map(Entry.init))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private struct Entry: Encodable {
        var id: String
        var severity: Severity
        var summary: String
        var fix: String
        var suppressible: Bool

        init(_ rule: RuleDescriptor) {
            id = rule.id
            severity = rule.severity
            summary = rule.summary
            fix = rule.fix
            suppressible = rule.suppressible
        }
    }

    /// Left-aligns `text` in a column of `width` characters.
    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(width - text.count, 0))
    }
}
