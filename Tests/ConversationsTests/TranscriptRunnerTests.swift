import FlowCompiler
import FlowDiagnostics
import FlowRuntime
import Foundation
import Testing

@testable import Conversations

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The transcript's failures as `line:col id message`, for compact assertions.
private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

/// A transcript value with every source range reset, to compare what two parses mean.
private func withoutRanges(_ transcript: Transcript) -> Transcript {
    var copy = transcript
    copy.flowRange = .fileStart
    copy.fixturesRange = .fileStart
    copy.fixturesTimeRange = .fileStart
    copy.fixtures.stepRange = nil
    copy.fixtures.variables = copy.fixtures.variables.map { TranscriptVariable(name: $0.name, value: $0.value) }
    copy.fixtures.rotation = copy.fixtures.rotation.map { TranscriptRotation(queue: $0.queue, agent: $0.agent) }
    copy.steps = copy.steps.map { TranscriptStep($0.kind) }
    return copy
}

@Suite("Transcript runner")
struct TranscriptRunnerTests {
    // MARK: Passing and failing

    /// A transcript that lists every output passes, and counts its steps.
    @Test func anExhaustiveTranscriptPasses() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - contact: compra
                  - bot: Con gusto te ayudamos con tu compra. ¿Cómo te llamas?
                  - contact: Laura
                  - bot: Gracias, Laura. Te comunicamos con un asesor de ventas.
                  - bot: Un asesor de ventas te atenderá en un momento por este mismo chat.
                  - handoff: { queue: ventas, agent: ana }

                """)
        #expect(result.status == .passed, "\(failures(result))")
        #expect(result.stepsRun == 11)
        #expect(result.name == "t")
    }

    /// A malformed transcript is reported under the `name` it declares, as a well-formed one is.
    @Test func aMalformedTranscriptKeepsItsDeclaredName() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            name: nombre declarado
            flow: default.yaml
            steps:
              - contact: hola
                texto: sobra

            """)
        #expect(result.status == .failed)
        #expect(result.name == "nombre declarado")
        #expect(!result.allFailures.isEmpty)
    }

    /// `contains` and `pattern` qualify the message as a whole in a failure: "buttons [A, B] containing "x"",
    /// written as the expectation is.
    @Test func aContainsExpectationIsDescribedAsWritten() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            steps:
              - contact: hola
              - bot: { contains: "no figura", buttons: [Acepto, No acepto] }

            """)
        let failure = try #require(result.allFailures.first)
        #expect(
            failure.message.hasPrefix(#"expected bot buttons [Acepto, No acepto] containing "no figura", got bot "#))
    }

    /// A wrong bot text fails at the expectation's line and column, saying what was expected and what came.
    @Test func aWrongBotTextFailsAtItsLocation() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - contact: compra
                  - bot: Con gusto te ayudamos. ¿Cómo te llamas?

                """)
        #expect(result.status == .failed)
        let failure = try #require(result.allFailures.first)
        #expect(result.allFailures.count == 1)
        #expect(failure.range.start.line == 13 && failure.range.start.column == 5)
        #expect(failure.id == "transcript_mismatch")
        #expect(
            failure.message
                == "expected bot text \"Con gusto te ayudamos. ¿Cómo te llamas?\", got bot text \"Con gusto te ayudamos "
                + "con tu compra. ¿Cómo te llamas?\"")
        let rendered = result.renderedFailures()
        #expect(rendered.hasPrefix("\(result.path):13:5: error: expected bot text"))
        #expect(rendered.contains("  - bot: Con gusto te ayudamos. ¿Cómo te llamas?\n    ^~~\n"))
    }

    /// A difference of content is reported and the run goes on, so one run shows every wrong text.
    @Test func theRunGoesOnAfterADifferenceOfContent() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - contact: compra
                  - bot: Otro texto
                  - contact: Laura
                  - bot: Gracias, Laura. Te comunicamos con un asesor de ventas.
                  - bot: Un asesor de ventas te atenderá pronto.
                  - handoff: { queue: ventas, agent: bruno }

                """)
        #expect(
            failures(result).map { String($0.prefix(25)) } == [
                "13:5 transcript_mismatch ", "16:5 transcript_mismatch ", "17:5 transcript_mismatch ",
            ])
        #expect(
            result.allFailures.last?.message == "expected handoff to queue 'ventas', agent 'bruno', got handoff "
                + "to queue 'ventas', agent 'ana'")
    }

    /// In an exhaustive transcript an output nobody listed fails, located at the input that caused it.
    @Test func anUnlistedBotMessageFails() throws {
        let folder = try TranscriptFolder()
        let text =
            TranscriptSamples.acceptedHeader + """
                  - contact: compra
                  - contact: Laura
                  - bot: Gracias, Laura. Te comunicamos con un asesor de ventas.

                """
        let result = try folder.runAgainstDefault(text)
        #expect(result.status == .failed)
        #expect(
            failures(result) == [
                "12:5 transcript_unexpected unexpected bot text \"Con gusto te ayudamos con tu compra. ¿Cómo te llamas?\""
                    + " after the input at line 12; every output must be listed (or set 'exhaustive: false')"
            ])
        // The same transcript passes when it is not exhaustive: the handoff after the last text is skipped too.
        let relaxed = try folder.runAgainstDefault(
            text.replacingOccurrences(of: "flow: default.yaml\n", with: "flow: default.yaml\nexhaustive: false\n"),
            name: "relaxed.test.yaml")
        #expect(relaxed.status == .passed, "\(failures(relaxed))")
    }

    /// Failures are reported in the file's order: the handoff nobody listed, located at the input that caused it,
    /// comes before the mismatch of the expectation after that input (newcomer5 #6: the consequence came first).
    @Test func failuresComeInTheFilesOrder() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: asesor
                  - bot: { contains: "no dice esto" }

                """)
        #expect(
            failures(result).map { String($0.prefix(27)) } == [
                "12:5 transcript_unexpected ", "13:5 transcript_mismatch ex",
            ])
    }

    /// An output left over after the last step fails too, and so does a significant effect such as a handoff.
    @Test func anUnlistedEffectAtTheEndFails() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: asesor
                  - bot: Un asesor de ventas te atenderá en un momento por este mismo chat.

                """)
        #expect(failures(result).count == 1)
        #expect(
            failures(result).first?.hasPrefix(
                "12:5 transcript_unexpected unexpected handoff to queue 'ventas', agent 'ana'") == true)
    }

    /// An expectation with nothing left to match fails as missing, and stops the run.
    @Test func aMissingOutputFails() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - bot: Hola otra vez
                  - contact: compra
                  - bot: nunca se compara

                """)
        #expect(
            failures(result) == [
                "12:5 transcript_missing expected bot text \"Hola otra vez\", got nothing more after the input at line 7"
            ])
        #expect(result.stepsRun == 6)
    }

    /// A non-exhaustive transcript still fails when an expectation finds nothing of its content, and says what
    /// came instead: an output of the same kind with other content is a mismatch (the run goes on).
    @Test func aNonExhaustiveTranscriptStillChecksWhatItLists() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustive: false
            steps:
              - contact: hola
              - tap: Acepto
              - consent: declined

            """)
        #expect(failures(result).count == 1)
        #expect(
            failures(result).first?.hasPrefix(
                "6:5 transcript_mismatch expected consent declined, got consent accepted") == true,
            "\(failures(result))")
    }

    /// Every text contains the empty text.
    @Test func containingNothingMatchesAnyMessage() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nfixtures: { step: despedida }\nsteps:\n  - bot: { contains: \"\" }\n  - closed: end\n")
        #expect(result.status == .passed, "\(failures(result))")
    }

    /// A relayed message with other content is a mismatch, and the run goes on to the next input.
    @Test func aDifferentRelayIsAMismatchAndTheRunGoesOn() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.withAgentHeader + """
                  - contact: Busco zapatos
                  - relayed: Busco zapatillas
                  - contact: otra cosa
                  - relayed: otra cosa

                """)
        let found = failures(result)
        #expect(found.count == 1, "\(found)")
        #expect(
            found.first?.hasSuffix(
                "transcript_mismatch expected relayed \"Busco zapatillas\", got relayed \"Busco zapatos\"") == true)
    }

    /// Steps entered, saved variables and relayed messages need not be listed, but are checked when they are.
    @Test func optionalExpectationsAreCheckedWhenListed() throws {
        let folder = try TranscriptFolder()
        let passing = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: Comprar
                  - step: pedir_nombre
                  - bot: { pattern: "^Con gusto" }
                  - contact: Laura
                  - saved: nombre
                  - step: gracias_nombre
                  - bot: { contains: "Laura" }
                  - step: asesor
                  - bot: { contains: asesor }
                  - handoff: { agent: ana }
                  - contact: hola Ana
                  - relayed: { contains: Ana }
                  - agent: Hola Laura
                  - contact: revocar
                  - revoked: true
                  - handoff_ended: true
                  - bot: { contains: revocatoria }
                  - bot: { buttons: [Acepto, No acepto] }

                """)
        #expect(passing.status == .passed, "\(failures(passing))")
        let failing = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: Comprar
                  - step: gracias_nombre
                  - bot: { pattern: "^Con gusto" }

                """, name: "f.test.yaml")
        #expect(
            failures(failing) == ["13:5 transcript_mismatch expected step 'gracias_nombre', got step 'pedir_nombre'"])
        // Listed after the message its step sent, a step cannot match it: nothing of its kind is left.
        let late = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: Comprar
                  - bot: { pattern: "^Con gusto" }
                  - step: pedir_nombre
                  - contact: Laura

                """, name: "l.test.yaml")
        #expect(
            failures(late) == [
                "14:5 transcript_missing expected step 'pedir_nombre', got nothing more after the input at line 12"
            ])
    }

    /// A saved variable and a step entered that differ from the ones listed (both of the flow) are both
    /// reported, each compared with the first output of its kind, and the run goes on to the message that
    /// follows them.
    @Test func wrongSavedVariableAndStepAreBothReported() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstVariant(
            """
            flow: variant.yaml
            fixtures: { consent: accepted, step: pedir_nombre }
            steps:
              - bot: { contains: "¿Cómo te llamas?" }
              - contact: Ana
              - saved: apellido
              - step: pedir_apellido
              - bot: Gracias, Ana. Te comunicamos con un asesor de ventas.
              - bot: { contains: asesor }
              - handoff: { queue: ventas, agent: ana }

            """)
        #expect(
            failures(result) == [
                "6:5 transcript_mismatch expected saved 'apellido', got saved 'nombre'",
                "7:5 transcript_mismatch expected step 'pedir_apellido', got step 'gracias_nombre'",
            ])
        #expect(result.stepsRun == 7)
    }

    /// Without `exhaustive`, a wrong step compared with an output uses nothing up: the lines after it still
    /// find their outputs (that very one too), and the run reports that one failure alone.
    @Test func aWrongOptionalExpectationInANonExhaustiveTranscriptFailsAlone() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustive: false
            fixtures: { consent: accepted, step: pedir_nombre }
            steps:
              - contact: Ana
              - step: despedida
              - step: gracias_nombre
              - bot: Gracias, Ana. Te comunicamos con un asesor de ventas.
              - bot: { contains: asesor }
              - handoff: { queue: ventas, agent: ana }

            """)
        // The wrong step is compared with the nearest step, which the next line expects: it still finds it.
        #expect(failures(result) == ["6:5 transcript_mismatch expected step 'despedida', got step 'gracias_nombre'"])
        #expect(result.stepsRun == 6)
    }

    /// In an exhaustive transcript an optional expectation does not reach past a required output not yet listed:
    /// with nothing of its kind before it, the run is out of step there.
    @Test func anOptionalExpectationStopsAtAnUnlistedRequiredOutput() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: Comprar
                  - step: pedir_nombre
                  - saved: nombre
                  - bot: { pattern: "^Con gusto" }

                """)
        #expect(
            failures(result) == [
                "14:5 transcript_mismatch expected saved 'nombre', got bot text \"Con gusto te ayudamos con tu compra. "
                    + "¿Cómo te llamas?\""
            ])
        // Without exhaustive checking the search goes on to the outputs after it, and finds none of its kind.
        let relaxed = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - tap: Acepto\n  - tap: Comprar\n"
                + "  - saved: nombre\n", name: "r.test.yaml")
        #expect(failures(relaxed).first?.contains("transcript_missing expected saved 'nombre', got only: ") == true)
    }

    /// A clock moved millions of years ahead stops at 9999-12-31T23:59:59Z; the conversation (with an attachment,
    /// which counts against a month) still runs.
    @Test func aClockMovedPastTheYear9999StopsThere() throws {
        let folder = try TranscriptFolder()
        let waits = String(repeating: "  - wait: 999999999d\n", count: 8)
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n" + waits
                + "  - contact: hola\n  - tap: Acepto\n  - attachment: { type: pdf, size: 1B }\n", name: "w.test.yaml")
        #expect(result.status == .passed, "\(failures(result))")
        try folder.copyDefaultFlow()
        let flowText = try String(
            contentsOfFile: folder.url.appendingPathComponent("default.yaml").path, encoding: .utf8)
        let simulator = Simulator(
            machine: MachineCompiler.compile(try #require(FlowChecker.check(flowText).flow)), startAt: 0)
        simulator.advance(by: .max)
        #expect(simulator.now == Simulator.lastUTCInstant)
    }

    /// A pattern that backtracks without end fails its expectation at the search budget instead of hanging.
    @Test func aRunawayPatternFailsInsteadOfHanging() throws {
        let folder = try TranscriptFolder()
        let started = ContinuousClock.now
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - tap: Comprar
                  - bot: { pattern: "(.*){12}Z" }

                """, name: "r.test.yaml")
        #expect(result.status == .failed)
        #expect(failures(result).first?.contains("transcript_mismatch") == true, "\(failures(result))")
        // A bound against a hang (hours), not a speed measure.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// A contact whose consent is of an older policy version (a flow changed since) asks for an agent at the
    /// menu: the current policy is asked for before the handoff, and accepting it goes on to the handoff.
    @Test func aHandoffUnderAnOlderPolicyVersionAsksForTheCurrentOneFirst() throws {
        let folder = try TranscriptFolder()
        let fixtures = """
            flow: default.yaml
            fixtures:
              consent: { version: "2025-01" }
              step: menu_principal
            steps:
              - bot:
                  body: ¿En qué te podemos ayudar?
                  buttons: [Comprar, Preguntas frecuentes, Hablar con un asesor]
              - tap: Hablar con un asesor
              - bot:
                  contains: Antes de continuar necesitamos tu autorización
                  buttons: [Acepto, No acepto]

            """
        let accepted = try folder.runAgainstDefault(
            fixtures + """
                  - tap: Acepto
                  - consent: accepted
                  - bot: Un asesor de ventas te atenderá en un momento por este mismo chat.
                  - handoff: { queue: ventas, agent: ana }

                """)
        #expect(accepted.status == .passed, "\(failures(accepted))")
        let declined = try folder.runAgainstDefault(
            fixtures + """
                  - tap: No acepto
                  - consent: declined
                  - bot: { contains: no trataremos tus datos personales }

                """, name: "d.test.yaml")
        #expect(declined.status == .passed, "\(failures(declined))")
    }

    // MARK: The rest of the format

    /// Opt-in, files and templates the bot sends, a refused template and a file that is not the answer asked for.
    @Test func templatesFilesAndOptInsAreExpected() throws {
        let folder = try TranscriptFolder()
        try folder.write("flows/tienda.yaml", TranscriptSamples.tiendaFlow)
        let path = try folder.write(
            "tests/tienda.test.yaml",
            """
            name: tienda completa
            flow: ../flows/tienda.yaml
            fixtures:
              contact: { name: Ana 🌸 }
            steps:
              - contact: hola
              - bot: { buttons: [Acepto, No acepto], contains: Tienda SAS }
              - tap: Acepto
              - consent: { choice: accepted, purposes: [atencion] }
              - bot: { body: ¿Quieres recibir promociones?, buttons: ["Sí, quiero", "No, gracias"] }
              - tap: "no, GRACIAS"
              - consent: { choice: opt_in_declined, purposes: [promociones] }
              - bot: { body: ¿Qué quieres hacer? }
              - tap: catalogo
              - bot: Este es nuestro catálogo.
              - bot: { attachment: { url: https://example.co/catalogo.pdf, name: catalogo.pdf, caption: Catálogo de marzo } }
              - bot: { body: ¿Qué quieres hacer? }
              - contact: "2"
              - refused: { template: oferta_mensual }
              - bot: { body: ¿Qué quieres hacer? }
              - tap: Estado del pedido
              - bot: { template: { name: aviso_pedido, language: es, parameters: ["Ana"] } }
              - bot: { body: ¿Qué quieres hacer? }
              - tap: Enviar factura
              - bot: Envía tu factura en PDF.
              - attachment: { type: jpg, size: 100KB, name: foto.jpg }
              - bot: { contains: no es válida }
              - attachment: { type: application/pdf, size: 1.5MB, name: factura.pdf }
              - saved: factura
              - bot: Recibimos factura.pdf.
              - bot: Gracias por escribirnos.
              - closed: end

            """)
        let result = TranscriptRunner.run(file: path)
        #expect(result.status == .passed, "\(failures(result))")
        #expect(result.name == "tienda completa")
        let coverage = try #require(result.coverage)
        #expect(coverage.flow == "tienda")
        #expect(coverage.flowPath.hasSuffix("flows/tienda.yaml"))
        #expect(!coverage.flowPath.contains(".."))
        #expect(coverage.missedSteps.isEmpty)
    }

    /// A marketing template's opt-out (`opt_out`) typed by a contact with the opt-in is expected as
    /// `consent: opt_in_withdrawn`, followed by the language's confirmation; at a menu the menu still waits, and
    /// the offer is then refused. As a conversation's first message it only confirms, and the conversation closes.
    @Test func theOptOutIsExpectedAsAnOptInWithdrawn() throws {
        let folder = try TranscriptFolder()
        try folder.write("flows/tienda.yaml", TranscriptSamples.tiendaFlow)
        let header = """
            flow: ../flows/tienda.yaml
            fixtures:
              contact: { name: Ana }
            steps:
              - contact: hola
              - bot: { buttons: [Acepto, No acepto] }
              - tap: Acepto
              - consent: accepted
              - bot: { body: ¿Quieres recibir promociones? }
              - tap: Sí, quiero
              - consent: opt_in_accepted
              - bot: { body: ¿Qué quieres hacer? }

            """
        let atTheMenu = try folder.write(
            "tests/menu.test.yaml",
            header + """
                  - tap: Ofertas
                  - bot: { template: { name: oferta_mensual, parameters: [Ana] } }
                  - bot: { body: ¿Qué quieres hacer? }
                  - contact: no recibir MAS
                  - consent: { choice: opt_in_withdrawn, purposes: [promociones] }
                  - bot: Listo, no te enviaremos más promociones. Seguiremos atendiendo tus consultas por este medio.
                  - tap: Ofertas
                  - refused: { template: oferta_mensual }
                  - bot: { body: ¿Qué quieres hacer? }

                """)
        let menu = TranscriptRunner.run(file: atTheMenu)
        #expect(menu.status == .passed, "\(failures(menu))")
        let first = try folder.write(
            "tests/primero.test.yaml",
            header + """
                  - wait: 31m
                  - bot: Cerramos por inactividad.
                  - closed: inactivity
                  - contact: No recibir más
                  - consent: opt_in_withdrawn
                  - bot: Listo, no te enviaremos más promociones. Seguiremos atendiendo tus consultas por este medio.
                  - closed: end
                  - contact: hola
                  - bot: { body: ¿Qué quieres hacer? }

                """)
        let opening = TranscriptRunner.run(file: first)
        #expect(opening.status == .passed, "\(failures(opening))")
    }

    /// A template whose parameter is empty once filled in (a contact name made only of emoji, stripped) is not
    /// sent, and a transcript expects the refusal as it expects a marketing template's without the opt-in.
    @Test func aTemplateWithAParameterEmptyOnceFilledInIsExpectedRefused() throws {
        let folder = try TranscriptFolder()
        try folder.write("flows/tienda.yaml", TranscriptSamples.tiendaFlow)
        func run(_ steps: String) throws -> TranscriptResult {
            try folder.runTienda(tapping: "Estado del pedido", fixtures: "{ contact: { name: 🌸 } }", then: steps)
        }
        let refused = try run("- refused: { template: aviso_pedido }\n- bot: { body: ¿Qué quieres hacer? }")
        #expect(refused.status == .passed, "\(failures(refused))")
        #expect(try run("- bot: { template: { name: aviso_pedido } }").status == .failed)
    }

    /// A failed `pattern` or `contains` on a long message shows the whole message, its end included (what a
    /// pattern anchored with `$` is about), and no "first difference", which a part looked for does not have.
    @Test func aFailedPartOfALongMessageShowsTheWholeMessage() throws {
        let folder = try TranscriptFolder()
        try folder.copyDefaultFlow()
        for expectation in [#"{ pattern: "revocar\\.x$" }"#, #"{ contains: "y validar tu identidad" }"#] {
            let path = try folder.write(
                "t.test.yaml", "flow: default.yaml\nsteps:\n  - contact: hola\n  - bot: \(expectation)\n")
            let result = TranscriptRunner.run(file: path)
            #expect(result.status == .failed)
            let message = try #require(result.failures.first?.diagnostics.first?.message)
            #expect(message.hasSuffix("escribiendo revocar.\""), "\(message)")
            #expect(message.contains("Hola. Antes de continuar"), "\(message)")
            #expect(!message.contains("first difference"), "\(message)")
        }
        // An exact text still shows the window around its first difference.
        let exact = try folder.write(
            "e.test.yaml", "flow: default.yaml\nsteps:\n  - contact: hola\n  - bot: { body: Hola. Antes de seguir }\n")
        let message = TranscriptRunner.run(file: exact).failures.first?.diagnostics.first?.message ?? ""
        #expect(message.contains("(first difference at character "), "\(message)")
    }

    /// An expectation of an interactive message's parts without its form reads as one message with those parts;
    /// against a long message it is shown at its first differing part (here a header the message does not have).
    @Test func anExpectationOfPartsWithoutAFormIsDescribedAsAMessage() throws {
        let folder = try TranscriptFolder()
        try folder.copyDefaultFlow()
        let path = try folder.write(
            "t.test.yaml",
            "flow: default.yaml\nsteps:\n  - contact: hola\n  - bot: { header: Aviso, body: Hola }\n")
        let message = TranscriptRunner.run(file: path).failures.first?.diagnostics.first?.message ?? ""
        #expect(message == #"expected bot message with header "Aviso", got bot buttons without a header"#)
        let short = TranscriptMatching.mismatch(
            .bot(MessageExpectation(body: "Hola", header: "Aviso")),
            .bot(.buttons(body: "Hola", header: nil, footer: nil, buttons: [ReplyButton(id: "s", title: "Sí")])))
        #expect(
            short
                == #"expected bot message with header "Aviso" with body "Hola", got bot buttons [Sí] with body "Hola""#)
    }

    /// A file sent without a `filename` is named by its URL's last path segment, as the REPL shows it.
    @Test func aFileWithoutAFilenameIsNamedByItsURL() throws {
        let folder = try TranscriptFolder()
        let flow = TranscriptSamples.tiendaFlow
            .replacingOccurrences(
                of: "url: https://example.co/catalogo.pdf", with: "url: https://example.co/docs/Catalogo.PDF?v=3"
            )
            .replacing(/\n *filename: catalogo\.pdf/, with: "")
        #expect(flow != TranscriptSamples.tiendaFlow && !flow.contains("filename: catalogo.pdf"))
        try folder.write("flows/tienda.yaml", flow)
        func run(_ name: String) throws -> TranscriptResult {
            try folder.runTienda(tapping: "catalogo", then: "- bot: { attachment: { name: \(name) } }", name: name)
        }
        #expect(try run("Catalogo.PDF").status == .passed)
        #expect(try run("catalogo.pdf").status == .failed)
        // Percent-encoding in the URL is decoded, as the contact reads the name.
        try folder.write(
            "flows/tienda.yaml",
            flow.replacingOccurrences(of: "docs/Catalogo.PDF?v=3", with: "docs/cat%C3%A1logo.pdf?v=2"))
        #expect(try run("catálogo.pdf").status == .passed)
        #expect(try run("cat%C3%A1logo.pdf").status == .failed)
        let wrong = try folder.runTienda(
            tapping: "catalogo",
            then: "- bot: Este es nuestro catálogo.\n- bot: { attachment: { name: catalogo.pdf } }", name: "wrong")
        #expect(wrong.status == .failed)
        // The failure shows the name it compared, the URL's, as expected and actual are written alike.
        #expect(
            wrong.allFailures.first?.message.contains(
                "got bot attachment 'catálogo.pdf' (https://example.co/docs/cat%C3%A1logo.pdf?v=2)") == true,
            "\(wrong.allFailures.map(\.message))")
    }

    /// The 24-hour window: after 25 hours an agent's free-form message is not sent; a message from the contact
    /// opens the window again.
    @Test func theWindowClosesAfterADay() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.withAgentHeader + """
                  - wait: 24h
                  - agent: sigo aquí
                  - wait: 1h
                  - agent: ¿Sigues ahí?
                  - window_closed: ¿Sigues ahí?
                  - contact: sí
                  - relayed: sí
                  - agent: perfecto

                """)
        #expect(result.status == .passed, "\(failures(result))")
    }

    /// An inactivity close on `at`, and a clock that would go backwards fails at the input.
    @Test func theClockMovesByDateTimeAndNeverBack() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + """
                  - at: "2026-03-02T10:31"
                  - bot: { contains: inactividad }
                  - closed: inactivity
                  - at: "2026-03-02T10:00"

                """)
        #expect(
            failures(result) == [
                "15:5 transcript_input 'at: 2026-03-02T10:00' is before the clock (2026-03-02T10:31); time never goes back"
            ])
    }

    /// Fixtures: a start step, preset variables, earlier consent and a rotation in mid-course.
    @Test func fixturesSetTheStart() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            fixtures:
              consent: accepted
              time: "2026-03-03T15:00"
              rotation: { ventas: carla }
              step: gracias_nombre
              variables: { nombre: Laura }
            steps:
              - bot: Gracias, Laura. Te comunicamos con un asesor de ventas.
              - bot: { contains: asesor de ventas te atenderá }
              - handoff: { queue: ventas, agent: carla }

            """)
        #expect(result.status == .passed, "\(failures(result))")
        let coverage = try #require(result.coverage)
        #expect(coverage.exercisedSteps == ["gracias_nombre", "asesor"])
        #expect(coverage.exercisedTransitions == [FlowEdge(from: "gracias_nombre", to: "asesor")])
    }

    /// A fixture step without `consent` starts with none in force: a question for personal data runs and its
    /// answer is saved, the contact's messages are not logged, `{ consent: given }` is false and a consent step
    /// asks as for a new contact.
    @Test func aFixtureStepWithoutConsentRunsWithNone() throws {
        let folder = try TranscriptFolder()
        let asked = try folder.runAgainstDefault(
            """
            flow: default.yaml
            fixtures: { step: pedir_nombre }
            steps:
              - bot: { contains: "¿Cómo te llamas?" }
              - contact: Ana
              - saved: nombre
              - bot: Gracias, Ana. Te comunicamos con un asesor de ventas.
              - bot: { contains: asesor }
              - handoff: { queue: ventas, agent: ana }

            """)
        #expect(asked.status == .passed, "\(failures(asked))")
        let branched = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustive: false
            fixtures: { step: volver }
            steps:
              - step: info_publica
              - tap: Dar autorización
              - step: consentimiento
              - bot: { buttons: [Acepto, No acepto] }

            """, name: "b.test.yaml")
        #expect(branched.status == .passed, "\(failures(branched))")
        let (simulator, _) = try TranscriptDriver.makeSimulator(
            machine: TranscriptSamples.defaultMachine(), fixtures: TranscriptFixtures(step: "pedir_nombre")
        ).get()
        let effects = simulator.send(.text("Ana"))
        #expect(effects.contains(.variableSaved(name: "nombre")))
        #expect(!effects.contains { if case .logContactMessage = $0 { true } else { false } })
    }

    /// Fixtures that do not fit the flow fail with a suggestion, located at the name that does not fit.
    @Test func fixturesThatDoNotFitFail() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            fixtures:
              step: menu_principl
            steps: []

            """)
        #expect(
            failures(result) == [
                "3:9 transcript_flow fixtures: unknown step 'menu_principl'; did you mean 'menu_principal'?"
            ])
    }

    /// An agent input in a conversation no agent holds cannot be performed, as in the REPL.
    @Test func anAgentInputWithoutAHandoffFails() throws {
        let folder = try TranscriptFolder()
        let message = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - agent: Hola, soy Ana\n")
        #expect(
            failures(message) == [
                "5:5 transcript_input no agent has this conversation; 'agent:' works once a handoff has assigned one"
            ])
        let close = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - agent_close: true\n",
            name: "c.test.yaml")
        #expect(
            failures(close) == [
                "5:5 transcript_input no handoff in progress: there is nothing for 'agent_close' to close"
            ])
    }

    /// A tap with no such button fails at the tap and lists the buttons there are.
    @Test func aTapWithoutSuchButtonFails() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustive: false
            steps:
              - tap: Acepto
              - contact: hola
              - tap: Quizás

            """)
        #expect(
            failures(result) == [
                "4:5 transcript_input nothing to tap: the bot has not sent buttons or a list"
            ])
        let second = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - tap: Quizás\n", name: "b.test.yaml")
        #expect(
            failures(second) == [
                "5:5 transcript_input no button or row 'Quizás' in the last interactive message ('Acepto', 'No acepto')"
            ])
        // A number, the REPL's `/tap 2` habit, is told how to choose by number.
        let number = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - tap: \"2\"\n", name: "c.test.yaml")
        #expect(
            failures(number) == [
                "5:5 transcript_input no button or row '2' in the last interactive message ('Acepto', 'No acepto'); "
                    + "tap takes an option's id or title: to choose option 2 by its number, write what the contact "
                    + "types, contact: \"2\", or tap: No acepto"
            ])
    }

    // MARK: Bad files

    /// A malformed transcript gets located diagnostics (with suggestions), never a crash, and does not run.
    @Test func aMalformedTranscriptGetsLocatedDiagnostics() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustiv: false
            steps:
              - contact: hola
              - botu: hola
              - wait: 25 horas
              - bot: { buttons: Acepto }
              - closed: yes

            """)
        #expect(result.status == .failed)
        #expect(result.coverage == nil)
        #expect(
            failures(result) == [
                "2:1 unknown_key unknown key 'exhaustiv' in the transcript; allowed: name, flow, fixtures, exhaustive, steps",
                "5:5 unknown_key unknown key 'botu' in a step; allowed: contact, forwarded, unreadable, tap, attachment, "
                    + "agent, agent_close, wait, at, bot, window_closed, consent, revoked, handoff, handoff_ended, closed, "
                    + "refused, relayed, step, saved",
                "6:11 invalid_value 'wait' must be a duration such as 30s, 31m, 25h, 2d or 1h30m, found '25 horas'",
                "7:21 wrong_type 'buttons' must be a list of texts, found text",
                "8:13 invalid_value 'closed' must be one of end, inactivity, agent_closed, error, policy_changed, found 'yes'",
            ])
        #expect(result.allFailures.first?.suggestion == "did you mean 'exhaustive'?")
        #expect(result.allFailures[1].suggestion == "did you mean 'bot'?")
    }

    /// A wait or a time of the right form that is out of range says so, not that its form is wrong.
    @Test func outOfRangeTimesSayWhatIsWrong() throws {
        let text =
            "flow: a.yaml\nsteps:\n  - wait: 106751991167300d\n  - at: \"2026-02-30T10:00\"\n  - wait: 0s\n"
            + "  - wait: 0h00m\n"
        let result = TranscriptRunner().run(bytes: Array(text.utf8), path: "t.test.yaml")
        #expect(
            failures(result) == [
                "3:11 invalid_value 'wait' is too long: each number of a duration has at most 9 digits (999999999d), "
                    + "found '106751991167300d'",
                "4:9 invalid_value 'at' names a day or a time the calendar does not have, found '2026-02-30T10:00' "
                    + "(months have 28 to 31 days, hours run 00 to 23, minutes 00 to 59)",
                "5:11 invalid_value 'wait' must move the clock forward: write a duration above 0, found '0s'",
                "6:11 invalid_value 'wait' must move the clock forward: write a duration above 0, found '0h00m'",
            ])
    }

    /// YAML that does not parse, an empty file and a list at the top are diagnosed where they are.
    @Test(arguments: [
        ("flow: [x\n", "yaml_syntax"), ("", "empty_file"), ("- contact: hola\n", "wrong_type"),
        ("flow: a.yaml\nsteps: [ &x {contact: a}, *x ]\n", "yaml_anchor"),
        ("flow: a.yaml\nflow: b.yaml\nsteps: []\n", "yaml_duplicate_key"),
    ])
    func brokenYAMLIsDiagnosed(_ text: String, _ id: String) throws {
        let result = TranscriptRunner().run(bytes: Array(text.utf8), path: "broken.test.yaml")
        #expect(result.status == .failed)
        #expect(result.allFailures.map(\.id).contains(id), "\(failures(result))")
    }

    /// A flow with errors fails the transcript with the flow's own diagnostics; a missing flow is unreadable.
    @Test func flowProblemsAreReported() throws {
        let folder = try TranscriptFolder()
        try folder.write("roto.yaml", "flow: roto\nsteps: {}\n")
        let broken = TranscriptRunner.run(file: try folder.write("a.test.yaml", "flow: roto.yaml\nsteps: []\n"))
        #expect(broken.status == .failed)
        #expect(broken.failures.count == 2)
        #expect(broken.failures[0].diagnostics.first?.id == "transcript_flow")
        #expect(broken.failures[0].diagnostics.first?.range.start.line == 1)
        #expect(broken.failures[1].path.hasSuffix("roto.yaml"))
        #expect(!broken.failures[1].diagnostics.isEmpty)
        let missing = TranscriptRunner.run(file: try folder.write("b.test.yaml", "flow: nada.yaml\nsteps: []\n"))
        #expect(missing.status == .unreadable)
        #expect(missing.renderedFailures().contains("b.test.yaml:1:7: error: cannot read the flow file"))
        let absent = TranscriptRunner.run(file: folder.url.appendingPathComponent("c.test.yaml").path)
        #expect(absent.status == .unreadable)
        #expect(absent.unreadableReason == "no such file or directory")
    }

    // MARK: Reports

    /// JUnit XML parses back, with one test case per transcript, a failure for the failing one carrying its
    /// location, and an error for the unreadable one.
    @Test func junitReportsAreWellFormed() throws {
        let folder = try TranscriptFolder()
        let passing = try folder.runAgainstDefault(TranscriptSamples.acceptedHeader, name: "bien.test.yaml")
        let failing = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader + "  - contact: compra\n  - bot: \"<mal> & 'raro'\"\n",
            name: "mal.test.yaml")
        let unreadable = TranscriptRunner.run(file: folder.url.appendingPathComponent("nada.test.yaml").path)
        let xml = TranscriptJUnit.xml([passing, failing, unreadable])
        let document = try XMLDocument(xmlString: xml, options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        #expect(root.attribute(forName: "errors")?.stringValue == "1")
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["bien", "mal", "nada"])
        let failure = try #require(try document.nodes(forXPath: "//testcase[@name='mal']/failure").first as? XMLElement)
        let message = try #require(failure.attribute(forName: "message")?.stringValue)
        #expect(
            message.hasSuffix(
                "mal.test.yaml:13:5: expected bot text \"<mal> & 'raro'\", got bot text "
                    + "\"Con gusto te ayudamos con tu compra. ¿Cómo te llamas?\""))
        #expect(failure.stringValue?.contains("error: expected bot text") == true)
        #expect(try document.nodes(forXPath: "//testcase[@name='nada']/error").count == 1)
        #expect(try document.nodes(forXPath: "//testcase[@name='bien']/*").isEmpty)
        let suites = try document.nodes(forXPath: "//testsuite").compactMap {
            ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue
        }
        #expect(suites == ["default", "transcripts"])
    }

    /// Characters XML cannot carry never break the report.
    @Test func junitEscapesEverything() throws {
        let result = TranscriptResult(
            path: "a\u{1}b&<>\"'.test.yaml", name: "x\u{FFFE}y", status: .unreadable, unreadableReason: "r\u{0}")
        let xml = TranscriptJUnit.xml([result])
        _ = try XMLDocument(xmlString: xml, options: [])
        #expect(xml.contains("a\u{FFFD}b&amp;&lt;&gt;&quot;&apos;.test.yaml"))
    }

    /// Coverage counts the steps entered and the machine's transitions taken, merged across transcripts.
    @Test func coverageCountsStepsAndTransitions() throws {
        let folder = try TranscriptFolder()
        let first = try folder.runAgainstDefault(TranscriptSamples.acceptedHeader, name: "a.test.yaml")
        let coverage = try #require(first.coverage)
        #expect(coverage.steps.count == 16)
        #expect(coverage.transitions.count == 31)
        #expect(coverage.exercisedSteps == ["consentimiento", "menu_principal"])
        #expect(coverage.exercisedTransitions == [FlowEdge(from: "consentimiento", to: "menu_principal")])
        #expect(coverage.stepPercent == 12.5)
        #expect(FlowCoverage.format(coverage.transitionPercent) == "3.2")
        #expect(FlowCoverage.format(coverage.totalPercent) == "6.3")
        let second = try folder.runAgainstDefault(
            """
            flow: default.yaml
            exhaustive: false
            steps:
              - contact: hola
              - tap: No acepto

            """, name: "b.test.yaml")
        let merged = FlowCoverage.merged([first, second])
        #expect(merged.count == 1)
        #expect(merged[0].exercisedSteps == ["consentimiento", "menu_principal", "info_publica"])
        #expect(merged[0].exercisedTransitions.count == 2)
        #expect(
            merged[0].report.hasPrefix(
                "coverage of \(merged[0].flowPath) (flow 'default'): steps 3/16 (18.7%), "
                    + "transitions 2/31 (6.4%), total 10.6%\n  steps:\n    + consentimiento\n    + menu_principal\n"))
        #expect(merged[0].report.contains("    - despedida\n"))
        #expect(merged[0].report.contains("    + consentimiento -> info_publica\n"))
    }

    // MARK: Writing transcripts

    /// A file without a `filename` is recorded with the name the contact sees, its URL's last segment
    /// percent-decoded, so a saved transcript pins it (the newcomer4 audit found it left out).
    @Test func aRecordedFileKeepsTheNameItsURLGives() {
        var writer = TranscriptWriter(flowPath: "f.yaml", name: "t", fixtures: TranscriptFixtures())
        writer.record(
            .contact("hola"),
            effects: [
                .send(
                    .attachment(
                        url: "https://example.co/docs/cat%C3%A1logo.pdf?v=2", fileName: nil, caption: nil,
                        fileExtension: "pdf"), from: .bot)
            ])
        #expect(writer.yaml().contains("        name: catálogo.pdf\n"), "\(writer.yaml())")
    }

    /// A conversation recorded with the writer replays as a passing transcript, and writing what it parses to
    /// gives the same text.
    @Test func recordedConversationsReplay() throws {
        let folder = try TranscriptFolder()
        try folder.copyDefaultFlow()
        let machine = try TranscriptSamples.defaultMachine()
        let fixtures = TranscriptFixtures(
            contactName: "Ana", time: TranscriptDateTime(year: 2026, month: 3, day: 4, hour: 9, minute: 0))
        let (simulator, start) = try TranscriptDriver.makeSimulator(machine: machine, fixtures: fixtures).get()
        #expect(start.effects.isEmpty)
        var writer = TranscriptWriter(flowPath: "default.yaml", name: "grabada", fixtures: fixtures)
        for input: TranscriptInput in [
            .contact("hola"), .tap("Acepto"), .tap("Comprar"), .contact("Ana"), .agent("Hola Ana"),
            .contact("quiero \"zapatos\": talla 38"),
            .attachment(TranscriptAttachment(type: "pdf", size: 1024, name: "talla.pdf")),
            .wait(seconds: 25 * 3600), .agent("¿Sigues ahí?"), .agentClose, .contact("hola"), .wait(seconds: 1800),
        ] {
            _ = try writer.perform(input, on: simulator).get()
        }
        let yaml = writer.yaml()
        #expect(yaml.contains("  - window_closed: ¿Sigues ahí?\n"))
        #expect(yaml.contains("  - relayed: \"quiero \\\"zapatos\\\": talla 38\"\n"))
        #expect(yaml.contains("  - handoff: { queue: ventas, agent: ana }\n"))
        #expect(yaml.contains("  - wait: 25h\n"))
        #expect(yaml.split(separator: "\n").allSatisfy { $0.unicodeScalars.count <= 120 })
        let path = try folder.write("grabada.test.yaml", yaml)
        let result = TranscriptRunner.run(file: path)
        #expect(result.status == .passed, "\(failures(result))\n\(yaml)")
        let parsed = try #require(TranscriptParser.parse(yaml).transcript)
        #expect(TranscriptWriter.yaml(parsed) == yaml)
    }

    /// Every kind of step survives writing and parsing unchanged, and tricky texts come back exactly.
    @Test func everyKindOfStepRoundTrips() throws {
        let yaml = TranscriptWriter.yaml(TranscriptSamples.everyKind)
        let parsed = TranscriptParser.parse(yaml)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)\n\(yaml)")
        #expect(withoutRanges(try #require(parsed.transcript)) == TranscriptSamples.everyKind)
    }

    /// Texts a folded block cannot carry are quoted; the others fold at spaces and come back exactly.
    @Test(arguments: [
        "a\n\nb", "línea uno\nlínea dos", " empieza con espacio " + String(repeating: "x ", count: 70),
        String(repeating: "larga ", count: 40) + "\n", "\n" + String(repeating: "y ", count: 70),
        String(repeating: "dos  espacios ", count: 12), "tab\t" + String(repeating: "z ", count: 70),
        String(repeating: "sinespacios", count: 15), "a\r\nb", "emoji 😀 y ñ " + String(repeating: "w ", count: 60),
        "# no es comentario " + String(repeating: "v ", count: 60), "x\n \ny", "- guion\n- otro",
    ])
    func textsRoundTrip(_ text: String) throws {
        let transcript = Transcript(
            name: "", flowPath: "f.yaml",
            steps: [
                TranscriptStep(.input(.contact(text))), TranscriptStep(.expect(.bot(MessageExpectation(text: text)))),
            ])
        let yaml = TranscriptWriter.yaml(transcript)
        let parsed = try #require(TranscriptParser.parse(yaml).transcript, "\(yaml)")
        #expect(withoutRanges(parsed).steps == transcript.steps, "\(yaml)")
    }

    // MARK: Units

    /// Durations and sizes as transcripts write them.
    @Test func unitsParseAndFormat() {
        #expect(TranscriptUnits.parseDuration("25h") == 90000)
        #expect(TranscriptUnits.parseDuration("1h30m") == 5400)
        #expect(TranscriptUnits.parseDuration("2d") == 172_800)
        #expect(TranscriptUnits.parseDuration("30") == nil)
        #expect(TranscriptUnits.parseDuration("0m") == nil)
        #expect(TranscriptUnits.parseDuration("5w") == nil)
        #expect(TranscriptUnits.formatDuration(90000) == "25h")
        #expect(TranscriptUnits.formatDuration(172_800) == "2d")
        #expect(TranscriptUnits.formatDuration(61) == "61s")
        #expect(TranscriptUnits.readSize("2MB") == .bytes(2_097_152))
        #expect(TranscriptUnits.readSize("1.5 mb") == .bytes(1_572_864))
        #expect(TranscriptUnits.readSize("50MiB") == .bytes(52_428_800))
        #expect(TranscriptUnits.readSize("100") == .bytes(100))
        #expect(TranscriptUnits.readSize("2M") == .unreadable)
        #expect(TranscriptUnits.readSize("MB") == .unreadable)
        #expect(TranscriptUnits.formatSize(2_097_152) == "2MB")
        #expect(TranscriptUnits.formatSize(1536) == "1536B")
        #expect(TranscriptDateTime(iso: "2026-02-29T10:00") == nil)
        #expect(TranscriptDateTime(iso: "2028-02-29 10:00:05")?.description == "2028-02-29T10:00:05")
        #expect(TranscriptDateTime(iso: "2026-03-02T24:00") == nil)
    }

    /// The default start is Monday 2 March 2026, 10:00 in the flow's zone: inside every shipped flow's hours.
    @Test func theDefaultStartIsAMondayMorning() throws {
        let bogota = try #require(TimeZone(identifier: "America/Bogota"))
        let start = TranscriptDriver.unixTime(TranscriptFixtures.defaultTime, in: bogota)
        #expect(start == 1_772_463_600)
        #expect(TranscriptDriver.localTime(start, in: bogota) == TranscriptFixtures.defaultTime)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = bogota
        #expect(calendar.component(.weekday, from: Date(timeIntervalSince1970: TimeInterval(start))) == 2)
    }
}

/// An output of another kind than expected is shown as for a part, without a "first difference" inside its
/// kind words (the newcomer4 audit found "(first difference at character 1)" under a cut list).
@Test func anOutputOfAnotherKindIsShownWithoutAWindow() {
    let long = "bot list 'Ver platos' [" + String(repeating: "Plato, ", count: 40) + "Fin] with footer \"Precios\""
    let message = TranscriptMatching.expectedGot("consent opt_in_declined", long)
    #expect(message == "expected consent opt_in_declined, got \(long)")
    let text = "bot text \"" + String(repeating: "a", count: 200) + "\""
    let window = TranscriptMatching.expectedGot(text + "x", text)
    #expect(window.hasSuffix("(first difference at character 212)"), "\(window)")
}

/// A failed `body:`, `header:` or `footer:` (or buttons, rows) on a long interactive message is shown at the first
/// part the expectation checks that differs, with the position within that part: the window was placed on the
/// words describing the two messages ("first difference at character 5", both bodies cut before the real
/// difference; newcomer5 #3, contract2 #5).
@Test func aLongMessageIsShownAtTheFirstDifferingPartItChecks() {
    let body =
        String(repeating: "Tus datos se tratan con cuidado. ", count: 15) + "Política: https://banco.example.co/datos"
    let buttons = [ReplyButton(id: "a", title: "Acepto"), ReplyButton(id: "n", title: "No acepto")]
    let output = ObservedEffect.bot(.buttons(body: body, header: nil, footer: "Tel 573001112233", buttons: buttons))
    let wrongBody = MessageExpectation(body: String(body.dropLast()))
    let message = TranscriptMatching.mismatch(.bot(wrongBody), output)
    #expect(message.contains(#"/dato", got bot buttons with body …"#), "\(message)")
    #expect(message.hasSuffix(#"/datos" (first difference at character \#(body.count) of the body)"#), "\(message)")
    #expect(message.hasPrefix("expected bot message with body …"), "\(message)")
    // The same with the buttons given (right), and in a list whose label the expectation does not check.
    let withButtons = MessageExpectation(body: String(body.dropLast()), form: .buttons(["Acepto", "No acepto"]))
    #expect(TranscriptMatching.mismatch(.bot(withButtons), output).hasSuffix("at character \(body.count) of the body)"))
    let rows = (1...6).map { ListRow(id: "r\($0)", title: "Pregunta \($0)", description: nil) }
    let list = ObservedEffect.bot(.list(body: body, header: nil, footer: nil, button: "Ver preguntas", rows: rows))
    let rowsAndBody = MessageExpectation(body: body + "x", form: .list(button: nil, rows: rows.map(\.title)))
    let listMessage = TranscriptMatching.mismatch(.bot(rowsAndBody), list)
    #expect(listMessage.hasPrefix("expected bot list with body …"), "\(listMessage)")
    #expect(listMessage.hasSuffix("(first difference at character \(body.count + 1) of the body)"), "\(listMessage)")
    // A footer after a long body: shown whole, the position within the footer.
    let footer = TranscriptMatching.mismatch(.bot(MessageExpectation(body: body, footer: "Tel 573001112234")), output)
    #expect(
        footer == #"expected bot message with footer "Tel 573001112234", got bot buttons with footer "#
            + #""Tel 573001112233" (first difference at character 16 of the footer)"#)
    // A header the message does not have is said so.
    let header = TranscriptMatching.mismatch(.bot(MessageExpectation(header: "Banco")), output)
    #expect(header == #"expected bot message with header "Banco", got bot buttons without a header"#)
    // Rows that differ: the rows, not the list's label the expectation leaves out.
    let otherRows = MessageExpectation(form: .list(button: nil, rows: ["Pregunta 1", "Pregunta 9"]))
    let rowsMessage = TranscriptMatching.mismatch(.bot(otherRows), list)
    #expect(rowsMessage.hasPrefix("expected bot list [Pregunta 1, Pregunta 9], got bot list [Pregunta 1, Pregunta 2"))
    #expect(rowsMessage.hasSuffix("(first difference at character 23 of the rows)"), "\(rowsMessage)")
    // A text message for an expectation of an interactive message's parts is another kind: shown whole.
    let text = ObservedEffect.bot(.text(body))
    let otherKind = TranscriptMatching.mismatch(.bot(wrongBody), text)
    #expect(!otherKind.contains("first difference") && otherKind.hasSuffix("/datos\""), "\(otherKind)")
}
