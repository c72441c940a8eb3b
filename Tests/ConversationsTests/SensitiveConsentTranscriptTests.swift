import Conversations
import FlowCompiler
import Foundation
import Testing

/// A transcript's failures as `line:col id message`.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// The shop flow with a sensitive-data consent before its question for a document: "Enviar factura" asks for
/// it, "Autorizo" leads to the question, "No autorizo" back to the menu.
private let sensitiveFlow = TranscriptSamples.tiendaFlow.replacingOccurrences(
    of: "{ id: factura, title: Enviar factura, next: factura }",
    with: "{ id: factura, title: Enviar factura, next: consentimiento_foto }"
).replacingOccurrences(
    of: "\n  factura:\n",
    with: """

          consentimiento_foto:
            type: consent
            sensitive: true
            data: [foto de tu documento]
            text: >-
              {{policy.responsible}} te pide una foto de tu documento, un dato sensible, para
              {{policy.purposes}}. No estas obligado a autorizar su tratamiento. Politica: {{policy.url}}
            accept: { title: Autorizo, next: factura }
            decline: { title: No autorizo, next: menu }
          factura:

        """)

/// Runs a transcript that starts at the sensitive consent as a contact who gave the general one, then
/// `answer` is tapped and `consent` is the expectation line that follows.
private func runSensitive(tapping answer: String, expecting consent: String, then rest: String) throws
    -> TranscriptResult
{
    let folder = try TranscriptFolder()
    try folder.write("tienda.yaml", sensitiveFlow)
    let path = try folder.write(
        "t.test.yaml",
        """
        flow: tienda.yaml
        fixtures: { consent: accepted, step: consentimiento_foto }
        steps:
          - bot: { contains: un dato sensible, buttons: [Autorizo, No autorizo] }
          - tap: \(answer)
          - consent: \(consent)
        \(rest)
        """)
    return TranscriptRunner.run(file: path)
}

/// A consent expectation may say which kind of consent it is (`sensitive`), as the evidence does
/// (Docs/testing.md, expectations; Docs/runtime.md, consent evidence).
@Suite("Sensitive-data consent in transcripts")
struct SensitiveConsentTranscriptTests {
    /// The flow the tests drive checks clean, so a failure below is the transcript's.
    @Test func theSensitiveFlowChecksClean() throws {
        let checked = FlowChecker.check(sensitiveFlow)
        #expect(!checked.diagnostics.contains { $0.severity == .error }, "\(checked.diagnostics)")
    }

    /// `sensitive: true` matches a sensitive-data consent, accepted or declined; without `sensitive` either kind
    /// matches, so transcripts written before keep passing.
    @Test(arguments: [
        ("Autorizo", "{ choice: accepted, sensitive: true }", "  - bot: Envía tu factura en PDF."),
        (
            "Autorizo", "{ choice: accepted, purposes: [atencion], sensitive: true }",
            "  - bot: Envía tu factura en PDF."
        ),
        ("Autorizo", "accepted", "  - bot: Envía tu factura en PDF."),
        ("No autorizo", "{ choice: declined, sensitive: true }", "  - bot: { body: ¿Qué quieres hacer? }"),
    ])
    func aSensitiveConsentMatches(_ answer: String, _ consent: String, _ rest: String) throws {
        let result = try runSensitive(tapping: answer, expecting: consent, then: rest)
        #expect(result.status == .passed, "\(failures(result))")
    }

    /// A sensitive-data consent where a general one is expected fails, and the failure names both kinds.
    @Test func aSensitiveConsentWhereAGeneralOneBelongsFails() throws {
        let result = try runSensitive(
            tapping: "Autorizo", expecting: "{ choice: accepted, sensitive: false }",
            then: "  - bot: Envía tu factura en PDF.")
        #expect(
            failures(result) == [
                "6:5 transcript_mismatch expected general consent accepted, got sensitive-data consent accepted with "
                    + "purposes [atencion]"
            ])
    }

    /// A general consent where a sensitive-data one is expected fails: the regression of recording the general
    /// kind for a sensitive step is caught.
    @Test func aGeneralConsentWhereASensitiveOneBelongsFails() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader.replacingOccurrences(
                of: "  - consent: accepted\n", with: "  - consent: { choice: accepted, sensitive: true }\n"))
        #expect(
            failures(result) == [
                "8:5 transcript_mismatch expected sensitive-data consent accepted, got consent accepted with purposes "
                    + "[atencion, asesor]"
            ])
    }

    /// A recorded sensitive-data consent is written with `sensitive: true`, so its replay pins the kind; a general
    /// one is written as before.
    @Test func theWriterPinsASensitiveConsent() throws {
        let machine = MachineCompiler.compile(try #require(FlowChecker.check(sensitiveFlow).flow))
        let fixtures = TranscriptFixtures(step: "consentimiento_foto", consent: ConsentFixture())
        let (simulator, start) = try TranscriptDriver.makeSimulator(machine: machine, fixtures: fixtures).get()
        var writer = TranscriptWriter(flowPath: "tienda.yaml", name: "grabada", fixtures: fixtures)
        writer.record(nil, outcome: start)
        _ = try writer.perform(.tap("Autorizo"), on: simulator).get()
        let yaml = writer.yaml()
        #expect(yaml.contains("  - consent: { choice: accepted, sensitive: true }\n"), "\(yaml)")
        let folder = try TranscriptFolder()
        try folder.write("tienda.yaml", sensitiveFlow)
        let result = TranscriptRunner.run(file: try folder.write("grabada.test.yaml", yaml))
        #expect(result.status == .passed, "\(failures(result))\n\(yaml)")
    }
}
