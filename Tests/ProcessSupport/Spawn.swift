import FlowDiagnostics
import Foundation

/// Starts a process with `posix_spawn` itself rather than Foundation's `Process`, which on Linux reads past a
/// buffer inside `Process.run` (`findMaximumOpenFromProcSelfFD`, found by AddressSanitizer): that read can fault
/// at a page end, and it once crashed the test process while the server tests held about 1,400 descriptors. Only the
/// descriptors the child is given reach it: pipes are made close-on-exec, and glibc's `closefrom` action
/// closes any other descriptor another test opened meanwhile, so a pipe's reader sees the end of file as
/// soon as the writers the test knows about close theirs.
public enum Spawn {
    /// A call that failed, with the C library's reason.
    public struct Failed: Error, CustomStringConvertible {
        public var call: String
        public var code: Int32
        public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }

        public init(call: String, code: Int32) {
            self.call = call
            self.code = code
        }
    }

    /// Where one of the child's standard descriptors (0, 1 or 2) comes from.
    public enum Stream: Sendable {
        /// The test process's own descriptor, as `Process` leaves it by default.
        case inherit
        /// `/dev/null`.
        case null
        /// A file, read (stdin) or created and truncated (stdout, stderr).
        case file(String)
        /// A new pipe; the test keeps the other end (`Started.pipes`).
        case pipe
        /// A descriptor the test holds (a file both stdout and stderr write to, a pseudo-terminal's side); the
        /// test closes its copy after the start.
        case descriptor(Int32)
    }

    /// A started child: its id and the test's ends of the pipes it was given, by the child's descriptor number
    /// (the write end for 0, the read ends for 1 and 2). The test closes them.
    public struct Started: Sendable {
        public var pid: pid_t
        public var pipes: [Int32: Int32]
    }

    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>)
        -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// glibc's extensions (2.29 and 2.34, and `pipe2`), which Swift's Glibc module does not declare.
    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    private static func check(_ call: String, _ result: Int32) throws {
        if result != 0 { throw Failed(call: call, code: result) }
    }

    /// Starts `path` with `arguments` in `directory` (nil: the test process's own) and exactly `environment`.
    public static func start(
        _ path: String, arguments: [String], directory: String? = nil, environment: [String: String],
        stdin: Stream = .null, stdout: Stream, stderr: Stream
    ) throws -> Started {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Both ends of every pipe made here: the child's ends are closed once it has its copies, the test's ends
        // are returned, and all of them are closed if the start fails.
        var childEnds: [Int32] = []
        var pipes: [Int32: Int32] = [:]
        defer { childEnds.forEach { close($0) } }
        do {
            for (number, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
                switch stream {
                case .inherit:
                    break
                case .null:
                    let mode = number == 0 ? O_RDONLY : O_WRONLY
                    try check(
                        "addopen \(number)", posix_spawn_file_actions_addopen(&actions, number, "/dev/null", mode, 0))
                case .file(let file):
                    let mode = number == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
                    let result = SystemPath.withCString(file) {
                        posix_spawn_file_actions_addopen(&actions, number, $0, mode, 0o644)
                    }
                    try check("addopen \(number)", result)
                case .pipe:
                    // Close-on-exec from the start: a child another test starts meanwhile gets no copy of it.
                    guard let pipe2 = symbol("pipe2", as: Pipe2.self) else { throw Failed(call: "pipe2", code: ENOSYS) }
                    var ends: [Int32] = [-1, -1]
                    guard pipe2(&ends, O_CLOEXEC) == 0 else { throw Failed(call: "pipe2", code: errno) }
                    let (child, test) = number == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                    childEnds.append(child)
                    pipes[number] = test
                    // dup2 clears close-on-exec on the copy, so the child keeps exactly this one.
                    try check("adddup2 \(number)", posix_spawn_file_actions_adddup2(&actions, child, number))
                case .descriptor(let descriptor):
                    try check("adddup2 \(number)", posix_spawn_file_actions_adddup2(&actions, descriptor, number))
                }
            }
            if let directory {
                guard let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) else {
                    throw Failed(call: "posix_spawn_file_actions_addchdir_np", code: ENOSYS)
                }
                try check("addchdir", SystemPath.withCString(directory) { addChdir(&actions, $0) })
            }
            if let addCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) {
                try check("addclosefrom", addCloseFrom(&actions, 3))
            }
            // An argument may hold a file name's bytes that are not UTF-8 (`SystemPath`): passed as those bytes.
            let argv =
                ([path] + arguments).map { argument in
                    SystemPath.withCString(argument) { strdup($0) }
                } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            // Every signal at its default and none blocked, as from a shell: a child inherits the calling thread's
            // mask (libdispatch's threads, which run Swift's tasks on Linux, block most signals, SIGTERM too) and
            // the signals the test process ignores (SIGPIPE).
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t()
            sigfillset(&defaults)
            sigdelset(&defaults, SIGKILL)
            sigdelset(&defaults, SIGSTOP)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            try check("setsigdefault", posix_spawnattr_setsigdefault(&attributes, &defaults))
            try check("setsigmask", posix_spawnattr_setsigmask(&attributes, &unblocked))
            try check(
                "setflags", posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            )
            var pid: pid_t = 0
            try check(
                "posix_spawn", SystemPath.withCString(path) { posix_spawn(&pid, $0, &actions, &attributes, argv, envp) }
            )
            return Started(pid: pid, pipes: pipes)
        } catch {
            pipes.values.forEach { close($0) }
            throw error
        }
    }
}
