import Foundation

/// A process a test started (`Spawn`), with the part of `Process`'s interface the tests use, so that they read
/// as before: whether it runs, its status once it ended, a signal, a wait that holds no thread. Asking whether it
/// runs reaps it once it ended (`waitpid` with `WNOHANG`); a signal is never sent to a reaped id, which the
/// system may have given to another process.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: the wait status is behind `lock`; the rest is set once.
    /// How the process ended.
    public enum TerminationReason: Sendable {
        case exit
        case uncaughtSignal
    }

    public let processIdentifier: pid_t
    /// The test's end of the child's stdin pipe, until `closeInput` (`Spawn.Stream.pipe`).
    private var input: Int32?
    /// The test's ends of the child's stdout and stderr pipes, by descriptor number; `readToEnd` closes them.
    private var outputs: [Int32: Int32]
    private let lock = NSLock()
    /// The wait status, once reaped.
    private var status: Int32?

    /// Starts `path` (see `Spawn.start`); by default in the test process's folder and environment, with stdin
    /// /dev/null and stdout and stderr the test process's own.
    public init(
        _ path: String, arguments: [String], directory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, stdin: Spawn.Stream = .null,
        stdout: Spawn.Stream = .inherit, stderr: Spawn.Stream = .inherit
    ) throws {
        let started = try Spawn.start(
            path, arguments: arguments, directory: directory, environment: environment, stdin: stdin, stdout: stdout,
            stderr: stderr)
        processIdentifier = started.pid
        input = started.pipes[0]
        outputs = started.pipes.filter { $0.key != 0 }
    }

    /// A child nobody waited for is reaped in the background, so that no zombie stays behind.
    deinit {
        if let input { close(input) }
        outputs.values.forEach { close($0) }
        guard status == nil else { return }
        let pid = processIdentifier
        Task.detached {
            while waitpid(pid, nil, WNOHANG) == 0 { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }

    /// Reaps the process if it ended (or, `blocking`, once it ends); its wait status then.
    @discardableResult
    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if status == nil {
                var result: Int32 = 0
                var reaped: pid_t
                repeat {
                    reaped = waitpid(processIdentifier, &result, blocking ? 0 : WNOHANG)
                } while reaped == -1 && errno == EINTR
                if reaped == processIdentifier { status = result }
            }
            return status
        }
    }

    public var isRunning: Bool { reap(blocking: false) == nil }

    /// The exit code, or the number of the signal that ended the process; 0 while it runs.
    public var terminationStatus: Int32 {
        guard let status = reap(blocking: false) else { return 0 }
        // The low 7 bits are the signal that ended the process (0 when it exited), the next byte its exit code.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    public var terminationReason: TerminationReason {
        guard let status = reap(blocking: false), status & 0x7f != 0 else { return .exit }
        return .uncaughtSignal
    }

    /// Sends `number` unless the process was already reaped.
    public func signal(_ number: Int32) {
        lock.withLock {
            if status == nil { _ = kill(processIdentifier, number) }
        }
    }

    /// Waits for the process to end, polling, with a sleep that frees the thread: tests share Swift's cooperative
    /// pool (one thread per core), and a blocked thread starves the async tests' deadlines beside it. A cancelled
    /// task waits blocking instead of spinning.
    public func waitUntilExit() async {
        while isRunning {
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                reap(blocking: true)
                return
            }
        }
    }

    /// Writes `bytes` to the child's stdin pipe.
    public func write(_ bytes: [UInt8]) throws {
        guard let input else { throw Spawn.Failed(call: "write to stdin", code: EBADF) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { systemWrite(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Spawn.Failed(call: "write to stdin", code: errno)
            }
            offset += count
        }
    }

    /// Closes the stdin pipe: the child reads the end of its input.
    public func closeInput() {
        if let input { close(input) }
        input = nil
    }

    /// Reads the child's stdout (1) or stderr (2) pipe until every writer closed it, then closes it.
    public func readToEnd(_ number: Int32 = 1) throws -> [UInt8] {
        guard let output = outputs.removeValue(forKey: number) else {
            throw Spawn.Failed(call: "read from \(number)", code: EBADF)
        }
        defer { close(output) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Spawn.Failed(call: "read from \(number)", code: errno)
            }
            bytes += buffer[0..<count]
        }
    }

    /// Runs `path` to its end with `input` on its stdin (nothing: /dev/null) and returns its stdout; for quick
    /// tools such as `sha256sum`, so it blocks. stderr is the test process's own.
    public static func output(of path: String, _ arguments: [String] = [], input: [UInt8]? = nil) throws -> [UInt8] {
        let child = try ChildProcess(path, arguments: arguments, stdin: input == nil ? .null : .pipe, stdout: .pipe)
        if let input {
            try child.write(input)
            child.closeInput()
        }
        let output = try child.readToEnd()
        child.reap(blocking: true)
        return output
    }
}

/// The C library's `write`, which `ChildProcess.write` hides inside the class.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
