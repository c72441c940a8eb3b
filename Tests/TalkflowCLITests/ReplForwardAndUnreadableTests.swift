import Foundation
import Testing

/// `talkflow repl`'s `/forward TEXT` and `/unreadable TYPE`, driven through a pipe on the shipped default flow:
/// what they print, what they refuse, and how `/save` records them.
@Suite struct ReplForwardAndUnreadableTests {
    /// A forwarded "Acepto" shows the consent request again; an unreadable message at the menu is a wrong
    /// answer; with an agent both are relayed. Each is noted before what it caused, and `/save` writes them as
    /// `forwarded:` and `unreadable:` in a transcript that `talkflow test` passes.
    @Test func bothAreShownAndSaved() async throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "Flows/default.yaml", try String(contentsOfFile: ReplCommandTests.defaultFlow, encoding: .utf8))
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("tests"), withIntermediateDirectories: true)
        let input = """
            hola
            /forward Acepto
            acepto
            /unreadable order
            3
            /unreadable order
            /forward mira esto
            /save tests/reenviado.test.yaml

            """
        let result = try await PipedRepl.run(input, arguments: ["repl", "Flows/default.yaml"], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let out = result.stdout
        #expect(out.contains("· forwarded by the contact: Acepto\nbot › "), "\(out)")
        #expect(out.components(separatedBy: "[ Acepto ]  [ No acepto ]").count == 3, "\(out)")
        #expect(out.components(separatedBy: "· consent accepted").count == 2, "\(out)")
        #expect(
            out.contains(
                "· unreadable message from the contact: [order]\n"
                    + "bot › No entendimos tu respuesta. Elige una de las opciones del menú.\n"
                    + ReplCommandTests.mainMenu), "\(out)")
        #expect(
            out.hasSuffix(
                """
                · handoff requested: ventas → ana
                · unreadable message from the contact: [order]
                · message relayed to ana
                · forwarded by the contact: mira esto
                · message relayed to ana
                · saved 7 inputs to tests/reenviado.test.yaml; 'talkflow test tests/reenviado.test.yaml' replays it

                """), "\(out)")
        let transcript = try String(
            contentsOf: folder.url.appendingPathComponent("tests/reenviado.test.yaml"), encoding: .utf8)
        #expect(transcript.contains("  - forwarded: Acepto\n"), "\(transcript)")
        #expect(transcript.contains("  - unreadable: order\n"), "\(transcript)")
        #expect(transcript.contains("  - relayed: \"[order]\"\n"), "\(transcript)")
        #expect(transcript.contains("  - forwarded: mira esto\n  - relayed: mira esto\n"), "\(transcript)")
        let replay = try await folder.run("test", "tests/reenviado.test.yaml")
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }

    /// A type that is not one lowercase word, or a missing argument, is refused on stderr and nothing happens.
    @Test func malformedArgumentsAreRefused() async throws {
        let folder = try TemporaryFolder()
        let result = try await PipedRepl.run(
            "/unreadable Order\n/unreadable [order]\n/unreadable\n/forward\n",
            arguments: ["repl", ReplCommandTests.defaultFlow], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stdout == "")
        let rule =
            "TYPE must be a WhatsApp message type: lowercase letters, digits and '_', such as order, "
            + "nfm_reply or poll_creation"
        #expect(
            result.stderr == """
                error: \(rule); found 'Order'; did you mean 'order'?
                error: \(rule); found '[order]'
                error: missing argument; usage: /unreadable TYPE
                error: missing argument; usage: /forward TEXT

                """)
    }

    /// The types the channel acknowledges without stepping the flow are refused with the article each needs.
    @Test func acknowledgedTypesAreNamedWithTheirArticle() async throws {
        let folder = try TemporaryFolder()
        let result = try await PipedRepl.run(
            "/unreadable edit\n/unreadable reaction\n/unreadable system\n",
            arguments: ["repl", ReplCommandTests.defaultFlow], in: folder.url)
        #expect(result.stdout == "")
        let rest = "without stepping the flow, so the flow never sees it; leave it out"
        #expect(
            result.stderr == """
                error: TYPE cannot be 'edit': WhatsApp's channel acknowledges an edit \(rest)
                error: TYPE cannot be 'reaction': WhatsApp's channel acknowledges a reaction \(rest)
                error: TYPE cannot be 'system': WhatsApp's channel acknowledges a system message \(rest)

                """)
    }
}
