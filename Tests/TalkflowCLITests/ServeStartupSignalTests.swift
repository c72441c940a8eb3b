import Foundation
import ProcessTestSupport
import Testing

/// `talkflow serve` stopped by SIGTERM while it is still starting (reading its configuration, linting the flows,
/// opening the store) exits 0, as a stop after the start does (cli.md, Exit status), instead of dying by the
/// signal's default action (status 143, which a supervisor reads as a failure).
@Suite("serve: SIGTERM while starting")
struct ServeStartupSignalTests {
    /// The signals `pid` catches with a handler of its own (`SigCgt` in /proc), as a bit set (bit n-1 for signal n).
    static func caughtSignals(_ pid: pid_t) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("SigCgt:") {
            return UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        }
        return nil
    }

    /// Whether `pid` is stopped (`State: T`).
    static func isStopped(_ pid: pid_t) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").contains { $0.hasPrefix("State:") && $0.contains("T") }
    }

    @Test func aStopWhileStartingExitsZero() async throws {
        let binary = try #require(TalkflowProcess.binary, "the talkflow executable was not found")
        let folder = try TemporaryFolder()
        // Thirty tenants, each with its own copy of the default flow to lint: a start-up of a few hundred
        // milliseconds, so that the test, however loaded the machine, holds the process while it starts.
        var configuration = """
            server:
              port: 0
              graph_api_url: http://127.0.0.1:9
              store: sqlite:store.sqlite
            tenants:

            """
        for tenant in 0..<30 {
            try folder.write("flow\(tenant).yaml", ShippedFlow.defaultFlow)
            configuration += """
                  - id: t\(tenant)
                    phone_number_id: "1065403522\(10_000 + tenant)"
                    app_secret_env: VENTAS_APP_SECRET
                    verify_token_env: VENTAS_VERIFY_TOKEN
                    access_token_env: VENTAS_ACCESS_TOKEN
                    flow: flow\(tenant).yaml

                """
        }
        try folder.write("talkflow.yaml", configuration)
        var environment = ProcessInfo.processInfo.environment
        environment.merge(["VENTAS_APP_SECRET": "s", "VENTAS_VERIFY_TOKEN": "v", "VENTAS_ACCESS_TOKEN": "a"]) {
            _, new in new
        }
        let stderr = folder.url.appending(path: "serve.err").path
        let pid = try Spawn.start(
            binary.path, arguments: ["serve", "--config", "talkflow.yaml", "--color", "never"],
            directory: folder.url.path, environment: environment, stdout: .null, stderr: .file(stderr)
        ).pid
        var status: Int32 = 0
        defer {
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
            }
        }
        // The start-up handler is in place once SIGTERM is caught: the process is held there (SIGSTOP), so that the
        // signal comes while it is starting. The server's own handling catches SIGTERM too, but only after
        // "configuration loaded" is logged (the store is open then), so a process held before that line is in the
        // start-up handler's hands. Watched from a thread of its own: on a loaded machine Swift's cooperative pool may not run this test's task
        // for longer than the whole start-up, and the window would pass unseen.
        let held = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            Thread {
                let deadline = Date().addingTimeInterval(60)
                var exited: Int32 = 0
                while Date() < deadline, waitpid(pid, &exited, WNOHANG) == 0 {
                    if let caught = Self.caughtSignals(pid), caught & (1 << UInt64(SIGTERM - 1)) != 0 {
                        kill(pid, SIGSTOP)
                        done.resume(returning: true)
                        return
                    }
                    usleep(500)
                }
                done.resume(returning: false)
            }.start()
        }
        let text = { (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "" }
        try #require(held, "serve never caught SIGTERM while starting: \(text())")
        let deadline = ContinuousClock.now + .seconds(60)
        while !Self.isStopped(pid), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        try #require(!text().contains("configuration loaded"), "held too late to tell the handlers apart: \(text())")
        kill(pid, SIGTERM)
        kill(pid, SIGCONT)
        while waitpid(pid, &status, WNOHANG) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let signal = status & 0x7f
        #expect(signal == 0, "ended by signal \(signal): \(text())")
        #expect((status >> 8) & 0xff == 0, "\(text())")
        #expect(text() == "talkflow: stopped before the server started\n")
    }
}
