import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import ProcessTestSupport
import Storage
import Testing

/// A SQLite store serves one `talkflow serve` at a time: a second server on the same store exits 1 with a clear
/// reason before it sends or releases anything (it would release the running server's outbox claims and send
/// their messages twice), and the first keeps serving.
@Suite("One server per SQLite store", .hangGuard) struct SoleServerTests {
    @Test func aSecondServerOnTheSameStoreIsRefused() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let first = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 1)

        let (status, stderr) = try await Self.serveUntilExit(binary: binary, config: config, folder: folder)
        #expect(status == 1)
        #expect(stderr.contains("talkflow.yaml:6:10: error: cannot open the store: another talkflow serve (pid "))
        #expect(stderr.contains("is already serving this store"))

        // The first still answers.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let health = try? await client.execute(HTTPClientRequest(url: first.base + "/healthz"), timeout: .seconds(5))
        #expect(health?.status == .ok)
        try await client.shutdown()
        await first.terminate()
    }

    /// A SIGHUP that comes while the server is still starting (`systemctl start` then `systemctl reload`) is
    /// dropped instead of ending the process: the flows are being read then anyway. SIGTERM still stops it with 0.
    @Test func aHangupWhileStartingDoesNotEndTheServer() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let log = folder.file("serve.log")
        let process = try ServeProcess.launch(
            binary: binary, ["serve", "--config", config, "--color", "never"], in: folder, log: log)
        defer { if process.isRunning { process.signal(SIGKILL) } }
        // Signals from "configuration loaded" (before the store is opened) until the server listens.
        var sent = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("talkflow serve listening") { break }
            if text.contains("configuration loaded") {
                process.signal(SIGHUP)
                sent += 1
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        try await Task.sleep(for: .milliseconds(300))
        // (When the whole suite runs, this task may first run after the server listens: then no signal fell in
        // the window and the test shows only that the server starts and stops cleanly. Alone, it always sends.)
        if sent == 0 { process.signal(SIGHUP) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(process.isRunning, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        // Once it listens, SIGHUP reloads the flows as before: the start-up handler does not swallow it.
        _ = try await poll(within: .seconds(30)) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("talkflow serve listening")
        }
        process.signal(SIGHUP)
        var text = ""
        _ = try await poll(within: .seconds(30)) {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.contains("SIGHUP received: reloading flows")
        }
        #expect(text.contains("SIGHUP received: reloading flows"), "\(text)")
        process.signal(SIGTERM)
        _ = try await poll(within: .seconds(20), every: .milliseconds(10)) { !process.isRunning }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    /// A store file this user may not open (a first run as root, then the service's own user) is named with its
    /// owner and mode and the fix, not SQLite's "unable to open database file". As root, the server runs as
    /// `nobody` (setpriv); as another user, the file is made unreadable to them.
    @Test func aStoreFileThisUserMayNotOpenIsNamedWithItsOwner() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let store = folder.file("data/talkflow.sqlite")
        _ = try SQLiteStore(path: store)
        let asRoot = geteuid() == 0
        if asRoot {
            // Everything but the store is open to nobody.
            for path in [folder.path, folder.file("data"), folder.file("flows")] { chmod(path, 0o777) }
            for path in [config, folder.file("flows/default.yaml")] { chmod(path, 0o644) }
            for side in ["-wal", "-shm"] { unlink(store + side) }
        } else {
            chmod(store, 0)
        }
        // As nobody, a copy of the executable in the folder: the build folder may be inside one nobody cannot
        // enter (a clone under /root).
        var executable = binary.path
        if asRoot {
            executable = folder.file("talkflow")
            try FileManager.default.copyItem(atPath: binary.path, toPath: executable)
            chmod(executable, 0o755)
        }
        let serve = ["serve", "--config", config, "--color", "never"]
        let log = folder.file("denied.log")
        let server = try ChildProcess(
            asRoot ? "/usr/bin/setpriv" : executable,
            arguments: asRoot ? ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + serve : serve,
            directory: folder.path,
            environment: ProcessInfo.processInfo.environment.merging(EndToEnd.environment) { _, new in new },
            stdin: .null, stdout: .null, stderr: .file(log))
        let deadline = ContinuousClock.now + .seconds(60)
        while server.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if server.isRunning { server.signal(SIGKILL) }
        await server.waitUntilExit()
        let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(server.terminationStatus == 1, "\(stderr)")
        let owner = asRoot ? "root" : StoreAccess.userName(geteuid())
        let user = asRoot ? "nobody" : owner
        #expect(
            stderr.contains(
                "cannot open the store: permission denied on '\(store)' (owner \(owner), mode "
                    + (asRoot ? "0600" : "0000") + ") for the user \(user): give the store's files to that user"),
            "\(stderr)")
    }

    /// A server whose port is taken says so and exits 1 before it opens anything: no store file is created.
    @Test func aTakenPortIsReportedBeforeTheStoreIsCreated() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "  port: 0\n", with: "  port: \(port)\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let (status, stderr) = try await Self.serveUntilExit(binary: binary, config: config, folder: folder)
        try await listener.close()
        #expect(status == 1)
        #expect(stderr.contains("the server did not start: 127.0.0.1:\(port) is already in use by another process"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("data/talkflow.sqlite")))
    }

    /// A host that is not this machine's, with port 0 (any free port), is reported before the store is opened too,
    /// with a hint; it was found only when the server bound, after it had created the store.
    @Test func anAddressNotOfThisMachineIsReportedBeforeTheStoreIsCreated() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "  host: 127.0.0.1\n", with: "  host: 192.0.2.7\n")
        #expect(text.contains("host: 192.0.2.7"))
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let (status, stderr) = try await Self.serveUntilExit(binary: binary, config: config, folder: folder)
        #expect(status == 1)
        #expect(
            stderr.contains(
                "the server did not start: cannot listen on 192.0.2.7: the address is not one of this machine's; "
                    + "set another 'host' under 'server' in"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("data/talkflow.sqlite")))
    }

    /// A webhook field written into a log line (an unknown message type) cannot forge another line: its line feed
    /// and control characters are U+FFFD, and a very long value is cut.
    @Test func aMessageTypeWithALineFeedOrAnInvisibleCharacterCannotForgeALogLine() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let server = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 1)
        let forged = #"evil\n2026-11-27T00:00:00+0000 error talkflow.server: FAKE [TalkflowServer] forged"#
        let long = String(repeating: "x", count: 5000)
        // U+202E would show the rest of the line reversed; a no-break space and ñ are ordinary text.
        let hidden = #"img\u202Egnp.exe\u00a0ñ"#
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        for (id, type) in [("wamid.L1", forged), ("wamid.L2", long), ("wamid.L3", hidden)] {
            let body = EndToEnd.webhook(
                from: EndToEnd.ana,
                message: #"{"from":"\#(EndToEnd.ana)","id":"\#(id)","timestamp":"1750000000","type":"\#(type)"}"#)
            #expect(try await CrashTests.post(body, to: server.base, client: client) == 200)
        }
        try await client.shutdown()
        await server.terminate()
        let log = try String(contentsOfFile: folder.file("serve-1.log"), encoding: .utf8)
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("2026-11-27T00:00:00+0000 error") })
        #expect(log.contains("type=evil\u{FFFD}2026-11-27T00:00:00+0000"))
        #expect(!log.contains(long))
        #expect(log.contains("type=" + String(repeating: "x", count: 1024) + "…"))
        #expect(log.contains(#"type=img\u{202E}gnp.exe\u{A0}ñ"#), "\(log)")
        #expect(!log.unicodeScalars.contains("\u{202E}"))
    }

    /// Runs `talkflow serve` on `config` until it exits (a server that does not start); its status and stderr.
    /// A server still running after `timeout` seconds (one that hangs instead of refusing) is killed and
    /// reported as status -1, so that a regression fails the test instead of hanging the suite.
    /// It polls with `Task.sleep`: blocking a thread of Swift's cooperative pool, which has one per core (two in
    /// CI), starved the other tests' waits until their deadlines passed.
    static func serveUntilExit(binary: URL, config: String, folder: TestFolder, timeout: Double = 60) async throws
        -> (Int32, String)
    {
        // A file, not a pipe: a server that hangs holds a pipe open, and reading it would hang too.
        let server = try ChildProcess(
            binary.path, arguments: ["serve", "--config", config, "--color", "never"], directory: folder.path,
            environment: ProcessInfo.processInfo.environment.merging(EndToEnd.environment) { _, new in new },
            stdin: .null, stdout: .null, stderr: .file(folder.file("serve-stderr.log")))
        let deadline = Date().addingTimeInterval(timeout)
        while server.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let timedOut = server.isRunning
        if timedOut { server.signal(SIGKILL) }
        await server.waitUntilExit()
        let stderr = (try? String(contentsOfFile: folder.file("serve-stderr.log"), encoding: .utf8)) ?? ""
        return (timedOut ? -1 : server.terminationStatus, stderr)
    }
}
