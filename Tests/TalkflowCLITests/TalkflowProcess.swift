import Foundation
import ProcessTestSupport
import Testing

/// Runs the built `talkflow` executable as a subprocess, the way users and CI run it, so that these tests cover
/// argument parsing, exit codes and the exact bytes on stdout and stderr rather than library calls.
///
/// Finding the binary: SwiftPM puts every product of the package in one products folder (`.build/debug`, or
/// `<scratch-path>/debug`), the test runner included. On Linux the runner is an executable
/// (`talkflowPackageTests.xctest`), so `CommandLine.arguments[0]` is inside that folder; on macOS the runner is
/// a bundle loaded by `xctest`, so the folder holding the `.xctest` bundle is used instead. The environment
/// variable `TALKFLOW_BINARY` overrides both. `swift test` (and `swift build --build-tests`) builds the
/// `talkflow` executable together with the tests, so it is always there and current.
struct TalkflowProcess {
    /// What one run produced.
    struct Output {
        var status: Int32
        /// Whether the process died from a signal (a crash) instead of exiting.
        var signaled: Bool
        /// Whether the run was killed for exceeding its time limit (a hang).
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// The path of the built `talkflow` executable.
    static let binary: URL? = {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["TALKFLOW_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        var folders = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent()
        ]
        folders += Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
            .map { $0.deletingLastPathComponent() }
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return folders.map { $0.appendingPathComponent("talkflow") }
            .first { fileManager.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `talkflow` with `arguments` in `directory`, killing it after `timeout` seconds. Output goes through
    /// files rather than pipes, so a large output can never deadlock the test. Asynchronous, so that waiting for the
    /// process holds no thread of the cooperative pool.
    static func run(
        _ arguments: [String],
        in directory: URL,
        environment: [String: String] = [:],
        timeout: Double = 60
    ) async throws -> Output {
        let binary = try #require(binary, "the talkflow executable was not found next to the test runner")
        // At most a few processes at once: the tests no longer hold a thread while they wait, so without a bound
        // every command-line test would start its process at the same moment on CI's two cores.
        await running.acquire()
        defer { Task { await running.release() } }
        let capture = directory.appendingPathComponent(".capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout")
        let errURL = capture.appendingPathComponent("stderr")
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        env.merge(environment) { _, new in new }

        let start = Date()
        let process = try ChildProcess(
            binary.path, arguments: arguments, directory: directory.path, environment: env, stdout: .file(outURL.path),
            stderr: .file(errURL.path))
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                process.signal(SIGKILL)
                await process.waitUntilExit()
                break
            }
            // A sleep that frees the thread: tests share Swift's cooperative pool (one thread per core), and a
            // blocked thread starves the async tests' deadlines beside it.
            try await Task.sleep(for: .milliseconds(5))
        }
        let seconds = Date().timeIntervalSince(start)
        return Output(
            status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal,
            timedOut: timedOut,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
            seconds: seconds
        )
    }
}

/// The processes `TalkflowProcess.run` may have running at once.
private let running = ProcessSlots(4)

/// A counting semaphore for tasks: `acquire` waits (without holding a thread) until a slot is free.
actor ProcessSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// A fresh folder for one test's flow files, removed when the test ends.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("talkflow-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes a file (creating its folders) and returns its path relative to the folder.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        try write(relativePath, bytes: Array(text.utf8))
    }

    /// Writes raw bytes, for files that are not valid text on purpose.
    @discardableResult
    func write(_ relativePath: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return relativePath
    }

    /// Runs `talkflow` inside this folder.
    func run(_ arguments: String..., environment: [String: String] = [:], timeout: Double = 60) async throws
        -> TalkflowProcess.Output
    {
        try await TalkflowProcess.run(arguments, in: url, environment: environment, timeout: timeout)
    }
}

/// Flows shared by the tests, derived from the compiler's `valid_minimal` fixture (a flow that passes every
/// check), read from the source tree so that the command line is always tested against the current language.
enum Flows {
    /// The text of `Tests/FlowCompilerTests/Fixtures/valid_minimal/flow.yaml`.
    static let valid: String = {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FlowCompilerTests/Fixtures/valid_minimal/flow.yaml")
        return (try? String(contentsOf: fixture, encoding: .utf8)) ?? ""
    }()

    /// The end of the `info` step and the start of `despedida`, the place the variants below change.
    private static let infoEnd = "    next: despedida\n  despedida:"

    /// The valid flow with one misspelt step reference (`unknown_step`, an error, with a suggestion).
    static let unknownStep = valid.replacingOccurrences(of: infoEnd, with: "    next: despedda\n  despedida:")

    /// The 1-based line of `unknownStep` that holds the misspelt reference.
    static let unknownStepLine =
        unknownStep.split(separator: "\n", omittingEmptySubsequences: false)
        .firstIndex { $0.hasSuffix("next: despedda") }.map { $0 + 1 } ?? 0

    /// The valid flow with a suppression of an unknown id: exactly one warning (`invalid_suppression`).
    static let warningOnly = valid.replacingOccurrences(
        of: infoEnd, with: "    next: despedida\n    suppress: [no_such_rule]\n  despedida:")

    /// Not YAML at all (`yaml_syntax`).
    static let brokenYAML = "flow: [unclosed\nsteps: {\n"

    /// Fails the test early when the fixture changed shape and a variant no longer differs from it.
    static func requireVariants() throws {
        try #require(!valid.isEmpty, "valid_minimal/flow.yaml could not be read")
        try #require(unknownStep != valid && warningOnly != valid, "valid_minimal changed: update Flows")
    }
}
