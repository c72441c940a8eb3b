import ArgumentParser
import Conversations
import FlowDiagnostics
import FlowSyntax
import Foundation

/// `talkflow test PATH...`: runs transcript tests, so that tenants and their CI keep flows from regressing.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run transcript tests of flows.",
        // At least one path is required; `validate` says so in its own words instead of ArgumentParser's.
        usage: "talkflow test <path> ... [--junit <file>] [--coverage] [--min-coverage <n>] [--color <when>]",
        discussion: """
            Each PATH is a transcript file or a folder. Folders are searched recursively for files ending in \
            .test.yaml (or .test.yml), skipping hidden entries; a file named on the command line is run \
            whatever its name. Docs/testing.md describes the transcript format.

            Each transcript prints "PASS path (name)", "FAIL path (name)" or, when it or its flow cannot be read, \
            "ERROR path (name)", followed by its failures as \
            "path:line:col: error: expected ..., got ... [id]" with the source line, and any warning about the \
            transcript file (a text cut by an unquoted " #", text_cut_by_comment), which fails nothing; a \
            summary line ends the \
            output ("3 passed, 1 failed, 4 transcripts in 0.02s"). With --coverage, each flow's steps and transitions \
            follow, marked + (exercised) or - (not). Coverage percentages count the steps entered and the \
            transitions (from step -> to step) taken, against all of the flow's; --min-coverage checks steps \
            and transitions together, for every flow the transcripts ran.

            Exit status:
              0   every transcript passed (and coverage is at least --min-coverage)
              1   a transcript failed (or is malformed, or its flow has errors), or a
                  flow's coverage is below --min-coverage
              2   a path, a transcript or its flow file could not be read, or the
                  --junit report could not be written (the other transcripts still run)
              64  usage error (unknown option, bad value, no PATH)
            When several apply, the highest wins: 64, then 2, then 1.
            """
    )

    @Argument(help: ArgumentHelp("Transcript files or folders.", valueName: "path"))
    var paths: [String] = []

    @Option(
        name: .customLong("junit"),
        help: ArgumentHelp(
            "Also write a JUnit XML report to FILE (never a transcript or flow of the run: refused, exit 2).",
            valueName: "file"))
    var junit: String?

    @Flag(help: "Print, per flow, the steps and transitions the transcripts exercised and those they did not.")
    var coverage = false

    @Option(
        name: .customLong("min-coverage"),
        help: ArgumentHelp(
            "Fail (exit 1) when a flow's coverage of steps and transitions together is below N percent (0-100).",
            valueName: "n"))
    var minCoverage: Double?

    @Option(
        help: ArgumentHelp(
            "When to colour text output: auto (only when stdout is a terminal and NO_COLOR is unset or empty), "
                + "always or never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    /// Rejects command lines that cannot mean anything (exit 64) before any file is touched.
    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("missing path: name at least one transcript or folder") }
        if let minCoverage, !(0...100).contains(minCoverage) {
            throw ValidationError("--min-coverage must be between 0 and 100")
        }
    }

    /// Runs every transcript in order, printing each verdict as it comes, then the summary and the reports.
    func run() throws {
        let colors = color.enabled(for: STDOUT_FILENO)
        let runner = TranscriptRunner(read: Self.read)
        var results: [TranscriptResult] = []
        var unreadable = 0
        let started = Date()
        for entry in TranscriptFiles.find(paths) {
            switch entry {
            case .problem(let path, let message):
                Console.error("cannot read '\(path)': \(message)")
                unreadable += 1
            case .file(let path):
                let result = runner.run(file: path)
                results.append(result)
                Console.out(Self.verdict(result, colors: colors))
            }
        }
        let passed = results.count(where: \.passed)
        let failed = results.count(where: { $0.status == .failed })
        let unreadableResults = results.count(where: { $0.status == .unreadable })
        var summary = "\(passed) passed, \(failed) failed"
        if unreadableResults > 0 { summary += ", \(unreadableResults) unreadable" }
        summary += ", \(results.count) \(results.count == 1 ? "transcript" : "transcripts")"
        summary += String(format: " in %.2fs", Date().timeIntervalSince(started))
        if unreadable > 0 { summary += "; \(unreadable) \(unreadable == 1 ? "path" : "paths") could not be read" }
        Console.out(summary + "\n")

        let coverages = FlowCoverage.merged(results)
        if coverage { Console.out(coverages.map(\.report).joined()) }
        var belowMinimum = false
        if let minCoverage {
            for flow in coverages where flow.totalPercent < minCoverage {
                belowMinimum = true
                Console.error(
                    "coverage of \(flow.flowPath) is \(FlowCoverage.format(flow.totalPercent))% "
                        + "(steps and transitions), below --min-coverage \(FlowCoverage.format(minCoverage))%")
            }
        }
        var junitFailed = false
        if let junit {
            let inputs =
                results.map { OwnInput(path: $0.path, role: "a transcript being run") }
                + results.compactMap(\.flowPath).flatMap { OwnInput.flow($0, being: "run", article: "a") }
            if let failure = FileSystem.writeAtomically(TranscriptJUnit.xml(results), to: junit, sparing: inputs) {
                Console.error("cannot write '\(junit)': \(failure)")
                junitFailed = true
            }
        }
        if unreadable > 0 || unreadableResults > 0 || junitFailed { throw Exit.unreadable }
        if failed > 0 || belowMinimum { throw Exit.problems }
    }

    /// `PASS path (name)` or `FAIL path (name)` and the failures.
    static func verdict(_ result: TranscriptResult, colors: Bool) -> String {
        let label: String
        switch result.status {
        case .passed: label = colors ? "\u{1B}[32mPASS\u{1B}[0m" : "PASS"
        case .failed: label = colors ? "\u{1B}[31mFAIL\u{1B}[0m" : "FAIL"
        case .unreadable: label = colors ? "\u{1B}[31mERROR\u{1B}[0m" : "ERROR"
        }
        var out = "\(label) \(TextRenderer.sanitized(result.path)) (\(TextRenderer.sanitized(result.name)))\n"
        out += result.renderedReport(colors: colors)
        return out
    }

    /// Reads transcripts and flows with the hardened reader `lint` uses (no FIFOs, no files over the limit).
    static let read: TranscriptRunner.FileReader = { path in
        let limit = LoaderLimits.default.maxBytes
        switch BoundedFileReader.read(path, limit: limit) {
        case .bytes(let bytes): return .success(bytes)
        case .tooLarge(let size):
            return .failure(
                TranscriptRunner.ReadFailure("file is \(size) bytes; the limit is \(limit) bytes", tooLargeSize: size))
        case .failure(let message): return .failure(TranscriptRunner.ReadFailure(message))
        }
    }
}
