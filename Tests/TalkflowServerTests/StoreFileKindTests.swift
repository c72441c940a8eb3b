import Foundation
import Testing

/// `talkflow serve` refuses a `store:` that names something other than a regular file before SQLite opens it:
/// a FIFO would hang the open forever, and a folder or a device gave a bare "disk I/O error". The reason is
/// reported at `store:` with a hint, the server does not start (exit 1), and a missing file is still created.
@Suite("The store is a regular file", .hangGuard) struct StoreFileKindTests {
    @Test(arguments: [("fifo", "a FIFO"), ("folder", "a folder"), ("/dev/null", "a device")])
    func aStoreThatIsNotARegularFileIsRefusedAtStore(path: String, kind: String) async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: "http://127.0.0.1:9")
        if path == "fifo" {
            #expect(mkfifo(folder.file("data/fifo"), 0o600) == 0)
        } else if path == "folder" {
            try FileManager.default.createDirectory(
                atPath: folder.file("data/folder"), withIntermediateDirectories: true)
        }
        let store = path.hasPrefix("/") ? path : "data/\(path)"
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "store: sqlite:data/talkflow.sqlite", with: "store: sqlite:\(store)")
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let (status, stderr) = try await SoleServerTests.serveUntilExit(
            binary: binary, config: config, folder: folder, timeout: 30)
        #expect(status == 1, "\(stderr)")
        let reason =
            "not a regular file (\(kind)); the store must be a SQLite file, which talkflow serve creates when it is "
            + "missing"
        #expect(stderr.contains("talkflow.yaml:6:10: error: cannot open the store: \(reason) [config_invalid_value]"))
        let shown = path.hasPrefix("/") ? path : folder.file(store)
        #expect(
            stderr.hasSuffix(
                "talkflow: error: the server did not start: cannot open the store sqlite:\(shown): \(reason)\n"))
        // Nothing was made beside it.
        #expect(!FileManager.default.fileExists(atPath: folder.file("\(store)-wal")))
    }
}
