import Conversations
import FlowRuntime
import Foundation
import Testing

/// The transcript's failures as `line:col id message`, for compact assertions.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// The consent request of `default.yaml`, as a transcript expects it.
private let consentRequest = """
      - bot:
          contains: Antes de continuar necesitamos tu autorización
          buttons: [Acepto, No acepto]

    """

/// The main menu of `default.yaml`, as a transcript expects it.
private let mainMenu = """
      - bot:
          body: ¿En qué te podemos ayudar?
          buttons: [Comprar, Preguntas frecuentes, Hablar con un asesor]

    """

/// `forwarded:` and `unreadable:` transcript inputs: a message the contact forwarded from another chat, and one
/// the flow cannot read (Docs/testing.md, "Inputs").
@Suite("Forwarded and unreadable transcript inputs")
struct ForwardedAndUnreadableInputTests {
    // MARK: Parsing

    /// Both inputs are read as the inputs they name; a forwarded text may be empty, as a typed one may.
    @Test func bothInputsParse() throws {
        let parsed = TranscriptParser.parse(
            """
            flow: a.yaml
            steps:
              - forwarded: Acepto
              - forwarded: ""
              - unreadable: nfm_reply
              - unreadable: poll_creation

            """)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let transcript = try #require(parsed.transcript)
        #expect(
            transcript.steps.map(\.kind) == [
                .input(.forwarded("Acepto")), .input(.forwarded("")), .input(.unreadable("nfm_reply")),
                .input(.unreadable("poll_creation")),
            ])
    }

    /// Wrong values are refused where they are written: a type that is not one lowercase word (with the
    /// lowercase word suggested when only the case is wrong), and values that are not text.
    @Test func wrongValuesAreRefusedWhereTheyAre() throws {
        let text = """
            flow: a.yaml
            steps:
              - unreadable: Order
              - unreadable: nfm reply
              - unreadable: ""
              - unreadable: [order]
              - forwarded: { text: hola }
              - unreadable:
              - unreadable: reaction
              - unreadable: text
              - unreadable: button

            """
        let result = TranscriptRunner().run(bytes: Array(text.utf8), path: "t.test.yaml")
        #expect(result.status == .failed)
        let rule =
            "must be a WhatsApp message type: lowercase letters, digits and '_', such as order, nfm_reply "
            + "or poll_creation"
        #expect(
            failures(result) == [
                "3:17 invalid_value 'unreadable' \(rule); found 'Order'",
                "4:17 invalid_value 'unreadable' \(rule); found 'nfm reply'",
                "5:17 invalid_value 'unreadable' \(rule); found ''",
                "6:17 wrong_type 'unreadable' must be text, found a list",
                "7:16 wrong_type 'forwarded' must be text, found a mapping",
                "8:16 wrong_type 'unreadable' must be text, found nothing (null)",
                "9:17 invalid_value 'unreadable' cannot be 'reaction': WhatsApp's channel acknowledges a reaction "
                    + "without stepping the flow, so the flow never sees it; leave it out",
                "10:17 invalid_value 'unreadable' cannot be 'text': a text is read; write it as the contact's "
                    + "words (contact:, or a typed line in the REPL)",
                // The server reads a template's quick-reply tap as the text of its label (review4 #6).
                "11:17 invalid_value 'unreadable' cannot be 'button': a tapped template button is read as the text "
                    + "of its label; write the label as the contact's words (contact:, or a typed line in the REPL)",
            ])
        #expect(result.allFailures.first?.suggestion == "did you mean 'order'?")
        #expect(result.allFailures[1].suggestion == nil)
    }

    // MARK: Running

    /// A forwarded "Acepto" is never consent: the request is shown again and nothing is recorded (an unlisted
    /// consent would fail this exhaustive transcript); the same word typed accepts.
    @Test func aForwardedAcceptanceIsNotConsent() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nsteps:\n  - contact: hola\n" + consentRequest + "  - forwarded: Acepto\n"
                + consentRequest + "  - contact: Acepto\n  - consent: accepted\n" + mainMenu)
        #expect(result.status == .passed, "\(failures(result))")
        let accepted = try folder.runAgainstDefault(
            "flow: default.yaml\nsteps:\n  - contact: hola\n" + consentRequest
                + "  - forwarded: Acepto\n  - consent: accepted\n", name: "f.test.yaml")
        #expect(
            failures(accepted).first?.hasPrefix("8:5 transcript_mismatch expected consent accepted, got bot") == true)
    }

    /// At a menu an unreadable message is a wrong answer: the invalid text, then the menu again.
    @Test func anUnreadableMessageAtAMenuIsAWrongAnswer() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - unreadable: order
                  - bot: No entendimos tu respuesta. Elige una de las opciones del menú.

                """ + mainMenu)
        #expect(result.status == .passed, "\(failures(result))")
        #expect(result.stepsRun == 8)
    }

    /// With an agent, an unreadable message is relayed as its type in brackets and a forwarded text as written;
    /// neither sends anything to the contact.
    @Test func anAgentGetsBothMessages() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.withAgentHeader + """
                  - unreadable: order
                  - relayed: "[order]"
                  - forwarded: mira esta oferta
                  - relayed: mira esta oferta

                """)
        #expect(result.status == .passed, "\(failures(result))")
        let other = try folder.runAgainstDefault(
            TranscriptSamples.withAgentHeader + "  - unreadable: nfm_reply\n  - relayed: \"[order]\"\n",
            name: "o.test.yaml")
        #expect(
            failures(other) == ["16:5 transcript_mismatch expected relayed \"[order]\", got relayed \"[nfm_reply]\""])
    }

    /// An unreadable message is the contact's: it renews the 24-hour window, so an agent's message a day after
    /// the handoff is delivered, not held back.
    @Test func anUnreadableMessageRenewsTheWindow() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.withAgentHeader + """
                  - wait: 25h
                  - unreadable: poll_creation
                  - agent: ¿Qué encuesta nos enviaste?
                  - agent_close: true
                  - bot: Gracias por escribirnos. Cuando nos necesites, aquí estaremos.
                  - closed: end

                """)
        #expect(result.status == .passed, "\(failures(result))")
    }

    /// A type built in code that is not one lowercase word cannot be performed (the parser never makes one).
    @Test func theDriverRefusesAMalformedType() throws {
        let (simulator, _) = try TranscriptDriver.makeSimulator(
            machine: try TranscriptSamples.defaultMachine(), fixtures: TranscriptFixtures()
        ).get()
        guard case .failure(let failure) = TranscriptDriver.perform(.unreadable("[order]"), on: simulator) else {
            Issue.record("a malformed type was performed")
            return
        }
        #expect(failure.message.hasSuffix("found '[order]'"))
        #expect(simulator.history.isEmpty)
    }

    // MARK: Writing

    /// Recorded with the writer, both inputs are written back as `forwarded:` and `unreadable:`, with the
    /// relayed `"[order]"`; the text replays as a passing transcript and parses to what was written.
    @Test func recordedInputsRoundTrip() throws {
        let folder = try TranscriptFolder()
        try folder.copyDefaultFlow()
        let (simulator, _) = try TranscriptDriver.makeSimulator(
            machine: try TranscriptSamples.defaultMachine(), fixtures: TranscriptFixtures()
        ).get()
        var writer = TranscriptWriter(flowPath: "default.yaml", name: "reenviado e ilegible")
        for input: TranscriptInput in [
            .contact("hola"), .forwarded("Acepto"), .contact("Acepto"), .unreadable("order"),
            .tap("Hablar con un asesor"),
            .unreadable("order"), .forwarded("mira: esta oferta"),
        ] {
            _ = try writer.perform(input, on: simulator).get()
        }
        let yaml = writer.yaml()
        #expect(yaml.contains("  - forwarded: Acepto\n"), "\(yaml)")
        #expect(yaml.contains("  - unreadable: order\n"), "\(yaml)")
        #expect(yaml.contains("  - relayed: \"[order]\"\n"), "\(yaml)")
        #expect(yaml.contains("  - forwarded: \"mira: esta oferta\"\n"), "\(yaml)")
        #expect(yaml.components(separatedBy: "  - consent: accepted\n").count == 2, "\(yaml)")
        let path = try folder.write("grabada.test.yaml", yaml)
        let result = TranscriptRunner.run(file: path)
        #expect(result.status == .passed, "\(failures(result))\n\(yaml)")
        let parsed = try #require(TranscriptParser.parse(yaml).transcript)
        #expect(TranscriptWriter.yaml(parsed) == yaml)
    }
}
