import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowRuntime
import FlowSyntax
import Foundation

/// Runs transcript files against their flows on a `Simulator` and reports, for each, pass or fail with every
/// failure located in the transcript (`file:line:col`), plus what it exercised of the flow.
///
/// The rules (Docs/testing.md): after each input, the outputs are compared in order with the expectations
/// that follow it. In an exhaustive transcript each significant output must be expected (bookkeeping such as
/// steps entered and relays to the agent may be expected but need not be); with `exhaustive: false` outputs
/// without an expectation are skipped. A run stops at the first failure that puts the transcript out of step
/// with the conversation (an output missing or unexpected, an input that cannot be performed); an output of the
/// expected kind whose content differs is reported and the run goes on.
///
/// Flows are read, checked and compiled once per runner and reused by every transcript that names them.
public final class TranscriptRunner: @unchecked Sendable {
    /// Reads a file: its bytes, or why it cannot be read (lower-case, such as "no such file or directory").
    public typealias FileReader = @Sendable (String) -> Result<[UInt8], ReadFailure>

    /// Why a file could not be read.
    public struct ReadFailure: Error, Sendable, Hashable {
        public var message: String
        /// The file's size, when it was not read because it is larger than the loader's limit: the transcript is
        /// then reported as a flow is (`yaml_too_large` at 1:1), not as unreadable.
        public var tooLargeSize: Int?

        public init(_ message: String, tooLargeSize: Int? = nil) {
            self.message = message
            self.tooLargeSize = tooLargeSize
        }
    }

    private let read: FileReader
    private let lock = NSLock()
    private var flows: [String: FlowLoad] = [:]

    /// What loading a flow file gave.
    enum FlowLoad {
        case machine(StateMachine)
        case errors(FileDiagnostics)
        case unreadable(String)
    }

    /// A runner reading files with `read` (the CLI passes its hardened reader; the default reads with
    /// Foundation, refusing files over 16 MiB).
    public init(read: @escaping FileReader = TranscriptRunner.readFile) {
        self.read = read
    }

    /// Runs one transcript file with a fresh runner.
    public static func run(file path: String) -> TranscriptResult {
        TranscriptRunner().run(file: path)
    }

    /// Runs one transcript file.
    public func run(file path: String) -> TranscriptResult {
        let started = Date()
        let defaultName = Self.defaultName(path)
        switch read(path) {
        case .failure(let failure):
            if let size = failure.tooLargeSize {
                let loaded = YAMLLoader.tooLarge(size: size, limits: .default)
                return TranscriptResult(
                    path: path, name: defaultName, status: .failed,
                    failures: [FileDiagnostics(path: path, source: "", diagnostics: loaded.diagnostics)])
            }
            return TranscriptResult(
                path: path, name: defaultName, status: .unreadable, unreadableReason: failure.message)
        case .success(let bytes):
            var result = run(bytes: bytes, path: path)
            result.seconds = Date().timeIntervalSince(started)
            return result
        }
    }

    /// Runs a transcript given as bytes, as if read from `path` (its flow is found relative to `path`).
    public func run(bytes: [UInt8], path: String) -> TranscriptResult {
        let parsed = TranscriptParser.parse(bytes: bytes, defaultName: Self.defaultName(path))
        let source = String(decoding: parsed.source.bytes, as: UTF8.self)
        let name = parsed.transcript?.name ?? parsed.declaredName ?? Self.defaultName(path)
        let errors = parsed.diagnostics.filter { $0.severity == .error }
        var result: TranscriptResult
        if let transcript = parsed.transcript, errors.isEmpty {
            let flowPath = Self.resolve(transcript.flowPath, relativeTo: path)
            result = outcome(transcript, flowPath: flowPath, path: path, name: name, source: source)
            result.flowPath = flowPath
        } else {
            result = TranscriptResult(
                path: path, name: name, status: .failed,
                failures: [FileDiagnostics(path: path, source: source, diagnostics: errors)])
        }
        // Warnings fail nothing, whatever the verdict.
        result.warnings = parsed.diagnostics.filter { $0.severity == .warning }
        result.source = source
        return result
    }

    /// The result of running `transcript` against the flow at `flowPath`.
    private func outcome(_ transcript: Transcript, flowPath: String, path: String, name: String, source: String)
        -> TranscriptResult
    {
        switch load(flowPath) {
        case .unreadable(let reason):
            let diagnostic = TranscriptRules.flow.diagnostic(
                "cannot read the flow file '\(flowPath)': \(reason)", at: transcript.flowRange)
            return TranscriptResult(
                path: path, name: name, status: .unreadable,
                failures: [FileDiagnostics(path: path, source: source, diagnostics: [diagnostic])],
                unreadableReason: "cannot read the flow file '\(flowPath)': \(reason)")
        case .errors(let flowDiagnostics):
            let count = flowDiagnostics.errorCount
            let diagnostic = TranscriptRules.flow.diagnostic(
                "the flow '\(flowPath)' has \(count) \(count == 1 ? "error" : "errors"); fix it before testing it",
                at: transcript.flowRange)
            return TranscriptResult(
                path: path, name: name, status: .failed,
                failures: [FileDiagnostics(path: path, source: source, diagnostics: [diagnostic]), flowDiagnostics])
        case .machine(let machine):
            var execution = Execution(transcript: transcript, machine: machine, flowPath: flowPath)
            execution.run()
            return TranscriptResult(
                path: path, name: name, status: execution.failures.isEmpty ? .passed : .failed,
                failures: execution.failures.isEmpty
                    ? [] : [FileDiagnostics(path: path, source: source, diagnostics: execution.failuresInFileOrder)],
                coverage: execution.coverage, stepsRun: execution.stepsRun)
        }
    }

    /// Runs a parsed transcript against a compiled machine (tests, the REPL); failures carry `path`.
    public static func run(_ transcript: Transcript, machine: StateMachine, path: String = "transcript")
        -> TranscriptResult
    {
        var execution = Execution(transcript: transcript, machine: machine, flowPath: transcript.flowPath)
        execution.run()
        return TranscriptResult(
            path: path, name: transcript.name, status: execution.failures.isEmpty ? .passed : .failed,
            failures: execution.failures.isEmpty
                ? [] : [FileDiagnostics(path: path, source: nil, diagnostics: execution.failuresInFileOrder)],
            coverage: execution.coverage, stepsRun: execution.stepsRun)
    }

    /// The test name of a file without `name:`: its file name without `.test.yaml` (or `.yaml`, `.yml`).
    public static func defaultName(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".test.yaml", ".test.yml", ".yaml", ".yml"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name
    }

    /// The flow file of a transcript: its `flow:` relative to the transcript's folder (an absolute path as is).
    public static func resolve(_ flowPath: String, relativeTo transcriptPath: String) -> String {
        if flowPath.hasPrefix("/") { return (flowPath as NSString).standardizingPath }
        let folder = SystemPath.folder(of: transcriptPath)
        let joined = folder.isEmpty ? flowPath : (folder as NSString).appendingPathComponent(flowPath)
        return Self.normalize(joined)
    }

    /// Removes `.` and resolves `..` textually, keeping a relative path relative (so messages show the path
    /// the way the user named it).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    func load(_ flowPath: String) -> FlowLoad {
        lock.lock()
        if let cached = flows[flowPath] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let outcome: FlowLoad
        // A `flow:` naming the flow's consent lock would be read as a flow and fail on keys it lacks.
        let bytes = ConsentLockFile.notAFlow(flowPath).map { .failure(ReadFailure($0)) } ?? read(flowPath)
        switch bytes {
        case .failure(let failure):
            outcome = .unreadable(failure.message)
        case .success(let bytes):
            // The consent lock beside the flow, as `talkflow lint` reads it; no readable file is no lock.
            let lockPath = ConsentLock.path(forFlow: flowPath)
            var consentLock: ConsentLock.Loaded?
            if case .success(let lockBytes) = read(lockPath) { consentLock = ConsentLock.load(bytes: lockBytes) }
            let checked = FlowChecker.check(bytes: bytes, consentLock: consentLock?.lock)
            let errors = checked.diagnostics.filter { $0.severity == .error }
            let lockErrors = consentLock?.diagnostics.filter { $0.severity == .error } ?? []
            if let flow = checked.flow, errors.isEmpty, lockErrors.isEmpty {
                outcome = .machine(MachineCompiler.compile(flow))
            } else if errors.isEmpty, var problems = consentLock?.problems(path: lockPath) {
                problems.diagnostics = lockErrors
                outcome = .errors(problems)
            } else {
                outcome = .errors(
                    FileDiagnostics(
                        path: flowPath, source: String(decoding: checked.source.bytes, as: UTF8.self),
                        diagnostics: errors))
            }
        }
        lock.lock()
        flows[flowPath] = outcome
        lock.unlock()
        return outcome
    }

    /// Reads a regular file of at most 16 MiB with Foundation.
    public static let readFile: FileReader = { path in
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            return .failure(ReadFailure("no such file or directory"))
        }
        if isFolder.boolValue { return .failure(ReadFailure("not a regular file (a folder)")) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ReadFailure("permission denied"))
        }
        defer { try? handle.close() }
        let limit = LoaderLimits.default.maxBytes
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit {
                return .failure(ReadFailure("larger than the limit of \(limit) bytes", tooLargeSize: data.count))
            }
            return .success([UInt8](data))
        } catch {
            return .failure(ReadFailure(error.localizedDescription))
        }
    }
}

/// One run of one transcript: the simulator, where the transcript stands, and what failed so far.
private struct Execution {
    let transcript: Transcript
    let machine: StateMachine
    var failures: [Diagnostic] = []
    /// The failures as a report shows them: in the file's order, so that an unexpected output comes before the
    /// expectation it displaced (they are found in the order the outputs come).
    var failuresInFileOrder: [Diagnostic] { Diagnostic.sortedByPosition(failures) }
    var coverage: FlowCoverage
    var stepsRun = 0
    /// The outputs of the last input not yet matched, from `cursor` on.
    var outputs: [ObservedEffect] = []
    var cursor = 0
    /// Where the last input is written (the outputs' origin), and how it reads in messages.
    var origin: SourceRange
    var originText = "the start of the conversation"
    var stopped = false

    init(transcript: Transcript, machine: StateMachine, flowPath: String) {
        self.transcript = transcript
        self.machine = machine
        coverage = FlowCoverage(machine: machine, flowPath: flowPath)
        origin = transcript.fixturesRange
    }

    mutating func fail(_ rule: RuleDescriptor, _ message: String, at range: SourceRange, stop: Bool) {
        failures.append(rule.diagnostic(message, at: range))
        if stop { stopped = true }
    }

    mutating func run() {
        // Every way the fixtures and the expectations do not fit the flow is reported in one run, in file order.
        // A start past the latest time the clock reaches is a value the transcript cannot have, known only now
        // that the flow's time zone is.
        var problems: [Diagnostic] = []
        if let time = transcript.fixtures.time,
            let problem = TranscriptDriver.startTimeProblem(
                time, calendar: BusinessCalendar(settings: machine.settings))
        {
            problems.append(SchemaRules.invalidValue.diagnostic(problem, at: transcript.fixturesTimeRange))
        }
        for problem in TranscriptDriver.fixtureProblems(machine: machine, fixtures: transcript.fixtures) {
            problems.append(
                TranscriptRules.flow.diagnostic(
                    "fixtures: " + problem.message, at: problem.range ?? transcript.fixturesRange))
        }
        problems += TranscriptDriver.expectationProblems(machine: machine, steps: transcript.steps)
        guard problems.isEmpty else {
            failures += Diagnostic.sortedByPosition(problems)
            stopped = true
            return
        }
        let simulator: Simulator
        switch TranscriptDriver.makeSimulator(machine: machine, fixtures: transcript.fixtures) {
        case .failure(let misfit):
            for problem in misfit.problems {
                fail(
                    TranscriptRules.flow, "fixtures: " + problem.message,
                    at: problem.range ?? transcript.fixturesRange, stop: true)
            }
            return
        case .success(let (made, outcome)):
            simulator = made
            outputs = ObservedEffect.observe(outcome)
            if let step = transcript.fixtures.step { originText = "the start at step '\(step)'" }
        }
        defer { coverage.record(simulator.transitions) }
        for step in transcript.steps {
            switch step.kind {
            case .input(let input):
                finishOutputs()
                if stopped { return }
                stepsRun += 1
                switch TranscriptDriver.perform(input, on: simulator) {
                case .failure(let failure):
                    fail(TranscriptRules.input, failure.message, at: step.range, stop: true)
                    return
                case .success(let outcome):
                    outputs = ObservedEffect.observe(outcome)
                    cursor = 0
                    origin = step.range
                    originText = "the input at line \(step.range.start.line)"
                }
            case .expect(let expectation):
                stepsRun += 1
                expect(expectation, at: step.range)
                if stopped { return }
            }
        }
        finishOutputs()
    }

    /// Checks one expectation against the outputs left.
    ///
    /// In an exhaustive transcript the first required output not yet matched bounds the search: nothing after
    /// it can be listed before it. An output of the expected kind within the search that differs (another text,
    /// another step entered) is a difference of content: reported, counted as matched, and the run goes on, so
    /// one run shows every changed text, saved variable and step.
    mutating func expect(_ expected: TranscriptExpectation, at range: SourceRange) {
        let bound = transcript.exhaustive ? outputs[cursor...].firstIndex(where: \.isRequired) : nil
        let searched = outputs[cursor..<(bound.map { $0 + 1 } ?? outputs.count)]
        if let match = searched.firstIndex(where: { TranscriptMatching.matches(expected, $0) }) {
            cursor = match + 1
            return
        }
        if let same = searched.firstIndex(where: { TranscriptMatching.sameKind(expected, $0) }) {
            let message = TranscriptMatching.mismatch(expected, outputs[same])
            fail(TranscriptRules.mismatch, message, at: range, stop: false)
            // In an exhaustive transcript the compared output is the one this line stands for. Without that
            // bound it may lie past outputs later lines expect: nothing is used up, so they still find theirs.
            if transcript.exhaustive { cursor = same + 1 }
            return
        }
        if let bound {
            // A required output of another kind where this one was expected: out of step.
            let message = TranscriptMatching.mismatch(expected, outputs[bound])
            fail(TranscriptRules.mismatch, message, at: range, stop: true)
            return
        }
        let skipped = outputs[cursor...].filter { $0.isRequired || !transcript.exhaustive }
        var message = "expected \(TranscriptMatching.describe(expected)), got "
        if skipped.isEmpty {
            message += "nothing more after \(originText)"
        } else {
            let shown = skipped.prefix(3).map(TranscriptMatching.describe).joined(separator: "; ")
            message += "only: " + shown + (skipped.count > 3 ? "; and \(skipped.count - 3) more" : "")
        }
        fail(TranscriptRules.missing, message, at: range, stop: true)
    }

    /// At the next input or the end: in an exhaustive transcript, no significant output may be left unlisted.
    mutating func finishOutputs() {
        defer {
            outputs = []
            cursor = 0
        }
        guard transcript.exhaustive, !stopped else { return }
        let left = outputs[cursor...].filter(\.isRequired)
        guard let first = left.first else { return }
        var message = "unexpected \(TranscriptMatching.describe(first)) after \(originText); every output must be "
        message += "listed (or set 'exhaustive: false')"
        if left.count > 1 { message += "; \(left.count - 1) more unlisted" }
        fail(TranscriptRules.unexpected, message, at: origin, stop: true)
    }
}
