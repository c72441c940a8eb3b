import Foundation
import ProcessTestSupport
import Testing

/// The tests' own way of starting programs (`ChildProcess`, posix_spawn): a child gets exactly the descriptors
/// it is given, so a pipe's reader sees the end of file when the test closes its end, even while other
/// children run.
@Suite struct ChildProcessTests {
    /// A descriptor the test process opened without close-on-exec (as a library might) does not reach a child.
    @Test func aChildHasOnlyItsThreeDescriptors() throws {
        let open = Foundation.open("/dev/null", O_RDONLY)
        defer { close(open) }
        let listing = try ChildProcess.output(of: "/bin/sh", ["-c", "ls /proc/$$/fd"])
        let numbers = String(decoding: listing, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        #expect(!numbers.contains(open))
        #expect(numbers.sorted() == [0, 1, 2], "\(numbers)")
    }

    /// `cat` ends at the end of its input although another child, started while its pipes were open, still
    /// runs: that child holds no copy of them.
    @Test func aPipeEndsWhileAnotherChildRuns() async throws {
        let cat = try ChildProcess("/bin/cat", arguments: [], stdin: .pipe, stdout: .pipe)
        let sleeper = try ChildProcess("/bin/sleep", arguments: ["30"])
        defer { sleeper.signal(SIGKILL) }
        try cat.write(Array("hola\n".utf8))
        cat.closeInput()
        // A leaked copy would keep the pipes open for ever: the two are killed after 20 seconds, so that a
        // regression fails the test instead of hanging it.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            cat.signal(SIGKILL)
            sleeper.signal(SIGKILL)
        }
        defer { watchdog.cancel() }
        let start = ContinuousClock.now
        #expect(try cat.readToEnd() == Array("hola\n".utf8))
        #expect(ContinuousClock.now - start < .seconds(20))
        await cat.waitUntilExit()
        #expect(cat.terminationReason == .exit && cat.terminationStatus == 0)
        #expect(sleeper.isRunning)
    }

    /// A child starts with no signal blocked or ignored, whatever the test's thread blocks (libdispatch's threads,
    /// which run the tests' tasks, block most signals) and the test process ignores (SIGPIPE).
    @Test func aChildStartsWithEverySignalAtItsDefault() throws {
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        // Blocked on this thread only, and only while the child starts: nothing else runs on it meanwhile.
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let status = Result { try ChildProcess.output(of: "/bin/grep", ["-E", "^Sig(Blk|Ign):", "/proc/self/status"]) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        // Each line holds a hex mask, bit n-1 for signal n; signals 32 and up are the C library's own.
        let masks = String(decoding: try status.get(), as: UTF8.self).split(separator: "\n")
            .compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2)
        #expect(masks.allSatisfy { $0 & 0x7fff_ffff == 0 }, "\(masks.map { String($0, radix: 16) })")
    }

    /// SIGTERM ends a child started from a task, and its status names the signal, as `Process`'s did.
    @Test func aSignalledChildReportsItsSignal() async throws {
        let sleeper = try ChildProcess("/bin/sleep", arguments: ["30"])
        sleeper.signal(SIGTERM)
        await sleeper.waitUntilExit()
        #expect(sleeper.terminationReason == .uncaughtSignal)
        #expect(sleeper.terminationStatus == SIGTERM)
    }
}
