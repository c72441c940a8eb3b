import Foundation
import Testing

/// Names of one character, which people type in a scratch folder (`talkflow test x`, `--config k`), and a link of
/// one character to a file not written yet. Foundation's `deletingLastPathComponent` traps on such a name (the
/// process died with SIGILL); every command reads its folder with `SystemPath.folder(of:)` instead.
@Suite("One-character file names")
struct OneCharacterNameTests {
    static let transcript = """
        flow: default.yaml
        steps:
          - contact: hola
          - bot: { contains: Antes de continuar, buttons: [Acepto, No acepto] }

        """

    @Test func aTranscriptNamedWithOneCharacterRuns() async throws {
        let folder = try TemporaryFolder()
        try folder.write("default.yaml", ShippedFlow.defaultFlow)
        try folder.write("x", Self.transcript)
        let output = try await folder.run("test", "x")
        #expect(!output.signaled, "\(output.stderr)")
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.hasPrefix("PASS x (x)\n1 passed, 0 failed, 1 transcript in "), "\(output.stdout)")
    }

    @Test func aCompiledMachineIsWrittenThroughALinkOfOneCharacter() async throws {
        let folder = try TemporaryFolder()
        try folder.write("default.yaml", ShippedFlow.defaultFlow)
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appending(path: "L").path, withDestinationPath: "machine.json")
        let output = try await folder.run("compile", "default.yaml", "-o", "L")
        #expect(!output.signaled, "\(output.stderr)")
        #expect(output.status == 0, "\(output.stderr)")
        let written = try String(contentsOf: folder.url.appending(path: "machine.json"), encoding: .utf8)
        #expect(written.hasPrefix("{"))
    }

    /// The configuration `k` names a flow beside it that is not there: the server reports it at `k`'s line and
    /// exits 1 (before, it crashed while finding the flow's folder).
    @Test func aConfigurationNamedWithOneCharacterIsRead() async throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "k",
            """
            server:
              store: sqlite:store.sqlite
            tenants:
              - id: ventas
                phone_number_id: "106540352242922"
                app_secret_env: VENTAS_APP_SECRET
                verify_token_env: VENTAS_VERIFY_TOKEN
                access_token_env: VENTAS_ACCESS_TOKEN
                flow: missing.yaml

            """)
        let environment = [
            "VENTAS_APP_SECRET": "s", "VENTAS_VERIFY_TOKEN": "v", "VENTAS_ACCESS_TOKEN": "a",
        ]
        let output = try await folder.run(
            "serve", "--config", "k", "--color", "never", environment: environment, timeout: 30)
        #expect(!output.signaled, "\(output.stderr)")
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stderr.contains("k:9:"), "\(output.stderr)")
        #expect(output.stderr.contains("missing.yaml"), "\(output.stderr)")
    }
}
