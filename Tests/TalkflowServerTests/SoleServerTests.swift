import AsyncHTTPClient
import Foundation
import Testing

/// A SQLite store serves one `talkflow serve` at a time: a second server on the same store exits 1 with a clear
/// reason before it sends or releases anything (it would release the running server's outbox claims and send
/// their messages twice), and the first keeps serving.
@Suite("One server per SQLite store") struct SoleServerTests {
    @Test func aSecondServerOnTheSameStoreIsRefused() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        let first = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 1)

        let second = Process()
        second.executableURL = binary
        second.arguments = ["serve", "--config", config, "--color", "never"]
        second.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        second.environment = ProcessInfo.processInfo.environment.merging(EndToEnd.environment) { _, new in new }
        let errors = Pipe()
        second.standardError = errors
        second.standardOutput = FileHandle.nullDevice
        second.standardInput = FileHandle.nullDevice
        try second.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        #expect(stderr.contains("talkflow.yaml:6:10: error: cannot open the store: another talkflow serve (pid "))
        #expect(stderr.contains("is already serving this store"))

        // The first still answers.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let health = try? await client.execute(HTTPClientRequest(url: first.base + "/healthz"), timeout: .seconds(5))
        #expect(health?.status == .ok)
        try await client.shutdown()
        await first.terminate()
    }
}
