import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Testing

@testable import FlowCompiler

// Behavioural tests of the habeas-data rules. Each test builds a small flow, runs one rule directly and
// checks id, place and wording. Places are found through markers (`# ‹1›`) on the line that should be
// reported, so the tests do not depend on counting lines by hand.

/// Builds test flows from parts that default to valid ones, so each test writes only what it is about.
enum TestFlow {
    /// Settings with revocation words and no keywords.
    static let settings = """
        settings:
          revocation: { words: [revocar], text: "Revocaste tu autorizacion." }
        """

    /// A complete policy: contact, one ordinary and one human-attention purpose, one processor.
    static let policy = """
        policy:
          version: "2026-01"
          url: https://example.co/datos
          responsible:
            name: Ejemplo SAS
            address: "Calle 1 # 2-3, Bogota"
            email: datos@example.co
            phone: "+57 601 0000000"
          purposes:
            - { id: atencion, description: atender tus solicitudes }
            - { id: asesor, description: atencion por un asesor, human_attention: true }
          processors:
            - { name: Meta Platforms, country: Estados Unidos }
        """

    /// A consent text that carries everything through the policy placeholders.
    static let consentText =
        "{{policy.responsible}} tratara tus datos para {{policy.purposes}}, tambien fuera de Colombia. "
        + "{{policy.rights}} Politica: {{policy.url}}"

    /// A general consent step called `consentimiento`.
    static func consent(accept: String = "menu", decline: String = "fin", text: String = consentText) -> String {
        """
          consentimiento:
            type: consent
            text: "\(text)"
            accept: { title: Acepto, next: \(accept) }
            decline: { title: No acepto, next: \(decline) }

        """
    }

    /// A whole flow text.
    static func text(
        language: String = "es", start: String = "consentimiento", settings: String = settings,
        policy: String? = policy, templates: String = "", steps: String
    ) -> String {
        """
        flow: prueba
        language: \(language)
        start: \(start)
        \(settings)
        \(policy ?? "")
        \(templates)
        steps:
        \(steps)
        """
    }
}

/// Runs one rule over a flow text, which must decode without any diagnostic.
func lint(
    _ rule: some LintRule, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> [Diagnostic] {
    let loaded = YAMLLoader.load(text)
    #expect(loaded.diagnostics.isEmpty, "YAML: \(loaded.diagnostics.map(\.message))", sourceLocation: sourceLocation)
    let decoded = FlowDecoder.decode(loaded.root)
    #expect(
        decoded.diagnostics.isEmpty, "decoder: \(decoded.diagnostics.map(\.message))", sourceLocation: sourceLocation)
    let flow = try #require(decoded.flow, sourceLocation: sourceLocation)
    return rule.check(RuleContext(flow: flow, source: SourceText(text)))
}

/// The 1-based line and column (in Unicode scalars) of `needle` on the line that carries `marker`.
func place(of needle: String, marker: String, in text: String) -> (line: Int, column: Int)? {
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where line.contains(marker) {
        guard let found = line.range(of: needle) else { return nil }
        return (index + 1, line[..<found.lowerBound].unicodeScalars.count + 1)
    }
    return nil
}

/// Expects a diagnostic of `id` starting where `needle` is written on the line marked `marker`.
func expectAt(
    _ diagnostic: Diagnostic?, _ id: String, _ needle: String, marker: String, in text: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    guard let diagnostic else {
        Issue.record("expected a diagnostic '\(id)', found none", sourceLocation: sourceLocation)
        return
    }
    #expect(diagnostic.id == id, sourceLocation: sourceLocation)
    guard let expected = place(of: needle, marker: marker, in: text) else {
        Issue.record("marker \(marker) with '\(needle)' is not in the text", sourceLocation: sourceLocation)
        return
    }
    let found = "\(diagnostic.range.start.line):\(diagnostic.range.start.column)"
    #expect(
        diagnostic.range.start.line == expected.line && diagnostic.range.start.column == expected.column,
        "at \(found), expected \(expected.line):\(expected.column): \(diagnostic.message)",
        sourceLocation: sourceLocation)
}

// MARK: - consent_required

@Suite struct ConsentRequiredTests {
    let rule = ConsentRequiredRule()

    @Test func acceptedConsentBeforeEveryDataStepPasses() throws {
        let text = TestFlow.text(
            steps: TestFlow.consent()
                + """
                  menu:
                    type: menu
                    text: "Hola"
                    options:
                      - { id: comprar, title: Comprar, next: nombre }
                  nombre:
                    type: ask
                    text: "Nombre?"
                    save: nombre
                    personal_data: true
                    next: asesor
                  asesor:
                    type: handoff
                    queue: ventas
                    text: "Ya te atienden."
                    next: fin
                  fin:
                    type: end
                """)
        #expect(try lint(rule, text).isEmpty)
    }

    @Test func keywordBeforeConsentBypassesIt() throws {
        let text = TestFlow.text(
            start: "bienvenida",
            settings: """
                settings:
                  keywords:
                    - { words: [datos], goto: nombre }
                  revocation: { words: [revocar], text: "Revocaste tu autorizacion." }
                """,
            steps: """
                  bienvenida:
                    type: menu
                    text: "Hola"
                    options:
                      - { id: seguir, title: Seguir, next: consentimiento }
                """ + "\n" + TestFlow.consent(accept: "nombre")
                    + """
                      nombre: # ‹1›
                        type: ask
                        text: "Nombre?"
                        save: nombre
                        personal_data: true
                        next: fin
                      fin:
                        type: end
                    """)
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "nombre", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message
                == "step 'nombre' asks for personal data, but the path start → bienvenida → nombre reaches it "
                + "without an accepted consent")
        #expect(
            diagnostics.first?.notes.map(\.message) == [
                "'bienvenida' is the start step", "'nombre' is reached from 'bienvenida' by keyword 'datos'",
            ])
    }

    @Test func declinePathReachingHandoffIsReportedWithNotesInOrder() throws {
        let text = TestFlow.text(
            settings: """
                settings:
                  keywords:
                    - { words: [agente], goto: asesor } # ‹kw›
                  revocation: { words: [revocar], text: "Revocaste tu autorizacion." }
                """,
            steps: """
                  consentimiento: # ‹start›
                    type: consent
                    text: "\(TestFlow.consentText)"
                    accept: { title: Acepto, next: menu }
                    decline: { title: No acepto, next: info } # ‹decline›
                  menu:
                    type: menu
                    text: "Hola"
                    options:
                      - { id: comprar, title: Comprar, next: nombre }
                  nombre:
                    type: ask
                    text: "Nombre?"
                    save: nombre
                    personal_data: true
                    next: fin
                  info:
                    type: menu
                    text: "Solo informacion"
                    options:
                      - { id: horario, title: Horario, next: fin }
                  asesor: # ‹asesor›
                    type: handoff
                    queue: ventas
                    text: "Ya te atienden."
                  fin:
                    type: end
                """)
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        let diagnostic = try #require(diagnostics.first)
        expectAt(diagnostic, "consent_required", "asesor", marker: "‹asesor›", in: text)
        #expect(
            diagnostic.message
                == "step 'asesor' hands the contact to an agent, but the decline path of 'consentimiento' reaches "
                + "it: start → consentimiento → info → asesor; after a decline only steps that need no consent may "
                + "follow")
        #expect(
            diagnostic.notes.map(\.message) == [
                "'consentimiento' is the start step",
                "'info' is reached from 'consentimiento' by declining ('No acepto')",
                "'asesor' is reached from 'info' by keyword 'agente'",
            ])
        // Each note points at the reference that leads to its step: `start:`, the decline's `next`, the keyword.
        let lines = diagnostic.notes.map { Optional($0.range.start.line) }
        #expect(
            lines == [
                3, place(of: "info", marker: "‹decline›", in: text)?.line,
                place(of: "{", marker: "‹kw›", in: text)?.line,
            ])
        #expect(diagnostic.notes[1].range.start.column == place(of: "info", marker: "‹decline›", in: text)?.column)
    }

    /// A flow whose decline leads to a menu from which "Comprar" goes through branch `revisar` to `nombre`.
    static func branchFlow(when condition: String, defaultNext: String = "fin") -> String {
        TestFlow.text(
            steps: TestFlow.consent(accept: "revisar", decline: "info")
                + """
                  info:
                    type: menu
                    text: "Solo informacion"
                    options:
                      - { id: comprar, title: Comprar, next: revisar }
                  revisar:
                    type: branch
                    cases:
                      - when: \(condition)
                        next: nombre
                    default: \(defaultNext)
                  nombre: # ‹1›
                    type: ask
                    text: "Nombre?"
                    save: nombre
                    personal_data: true
                    next: fin
                  fin:
                    type: end
                """)
    }

    @Test func consentGivenBranchMakesThePathSafe() throws {
        #expect(try lint(rule, Self.branchFlow(when: "{ consent: given }")).isEmpty)
        #expect(
            try lint(rule, Self.branchFlow(when: "{ all: [{ consent: given }, { business_hours: open }] }")).isEmpty)
        #expect(try lint(rule, Self.branchFlow(when: "{ not: { consent: not_given } }")).isEmpty)
    }

    /// A case that certainly holds without consent (a bare `consent: not_given`) keeps the decline path from
    /// the cases after it and the default; one that may be false (joined with another test) does not.
    @Test func aCertainNotGivenCaseKeepsTheDeclinePathFromTheDefault() throws {
        func flow(_ condition: String) -> String {
            Self.branchFlow(when: condition, defaultNext: "nombre").replacingOccurrences(
                of: "next: nombre\n    default: nombre", with: "next: fin\n    default: nombre")
        }
        #expect(
            flow("{ consent: not_given }") != Self.branchFlow(when: "{ consent: not_given }", defaultNext: "nombre"))
        #expect(try lint(rule, flow("{ consent: not_given }")).isEmpty)
        #expect(try lint(rule, flow("{ not: { consent: given } }")).isEmpty)
        #expect(try lint(rule, flow("{ all: [{ consent: not_given }, { business_hours: open }] }")).count == 1)
    }

    @Test func branchWithoutConsentConditionDoesNotProtect() throws {
        let text = Self.branchFlow(when: "{ business_hours: open }")
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "nombre", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.contains("the decline path of 'consentimiento'") == true)
        // `any` with an unrestricted alternative, and a default that reaches the step, are taken in any state.
        #expect(
            try lint(rule, Self.branchFlow(when: "{ any: [{ consent: given }, { business_hours: open }] }")).count == 1)
        #expect(try lint(rule, Self.branchFlow(when: "{ consent: given }", defaultNext: "nombre")).count == 1)
        #expect(try lint(rule, Self.branchFlow(when: "{ consent: not_given }")).count == 1)
    }

    /// A flow whose revocation leads to a public menu that offers the personal question again.
    static func revocationFlow(next: String?) -> String {
        let revocationNext = next.map { ", next: \($0)" } ?? ""
        return TestFlow.text(
            settings: """
                settings:
                  revocation: { words: [revocar], text: "Revocaste tu autorizacion."\(revocationNext) }
                """,
            steps: TestFlow.consent(accept: "nombre")
                + """
                  nombre: # ‹1›
                    type: ask
                    text: "Nombre?"
                    save: nombre
                    personal_data: true
                    next: fin
                  publico:
                    type: menu
                    text: "Menu publico"
                    options:
                      - { id: datos, title: Mis datos, next: nombre }
                  fin:
                    type: end
                """)
    }

    @Test func revocationEdgeResetsConsent() throws {
        let text = Self.revocationFlow(next: "publico")
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "nombre", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message
                == "step 'nombre' asks for personal data, but after a revocation the path start → consentimiento → "
                + "nombre → publico → nombre reaches it without a new accepted consent")
        #expect(
            diagnostics.first?.notes.map(\.message).last
                == "'nombre' is reached from 'publico' by option 'Mis datos'")
        #expect(
            diagnostics.first?.notes.map(\.message).dropLast().last
                == "'publico' is reached from 'nombre' by revocation 'revocar', which withdraws consent")
        // Back to the start, the consent is asked again: safe.
        #expect(try lint(rule, Self.revocationFlow(next: nil)).isEmpty)
    }

    @Test func sensitiveQuestionAfterGeneralConsentOnly() throws {
        let text = TestFlow.text(
            steps: TestFlow.consent(accept: "foto")
                + """
                  foto: # ‹1›
                    type: ask
                    text: "Envia una foto de tu documento"
                    save: foto
                    input: image
                    sensitive: true
                    next: fin
                  fin:
                    type: end
                """)
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "foto", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message
                == "step 'foto' asks for sensitive data, but the path start → consentimiento → foto reaches it "
                + "without an accepted sensitive consent; a general consent does not cover sensitive data")
    }

    /// General consent, then a sensitive consent whose accept and decline lead where given.
    static func sensitiveFlow(accept: String, decline: String) -> String {
        TestFlow.text(
            steps: TestFlow.consent(accept: "sensible")
                + """
                  sensible:
                    type: consent
                    sensitive: true
                    data: [foto]
                    text: "Opcional: {{policy.responsible}} usara tu foto para {{policy.purposes}}. {{policy.url}}"
                    accept: { title: Autorizo, next: \(accept) }
                    decline: { title: No autorizo, next: \(decline) }
                  foto: # ‹1›
                    type: ask
                    text: "Envia una foto de tu documento"
                    save: foto
                    input: image
                    sensitive: true
                    next: fin
                  fin:
                    type: end
                """)
    }

    @Test func sensitiveConsentUnlocksSensitiveQuestionAndItsDeclineDoesNot() throws {
        #expect(try lint(rule, Self.sensitiveFlow(accept: "foto", decline: "fin")).isEmpty)
        let text = Self.sensitiveFlow(accept: "fin", decline: "foto")
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "foto", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message
                == "step 'foto' asks for sensitive data, but the decline path of sensitive consent 'sensible' "
                + "reaches it: start → consentimiento → sensible → foto; declining sensitive data must skip every "
                + "sensitive question")
    }

    @Test func templatesStoringContactDataAndAStartingQuestionNeedConsent() throws {
        let text = TestFlow.text(
            start: "nombre",
            templates: """
                templates:
                  aviso: { name: aviso, language: es, category: utility, body: "Hola" }
                """,
            steps: """
                  nombre: # ‹1›
                    type: ask
                    text: "Nombre?"
                    save: nombre
                    input: document
                    next: guardar
                  guardar: # ‹2›
                    type: set
                    values: { telefono: "{{contact.phone}}" }
                    next: enviar
                  enviar: # ‹3›
                    type: template
                    template: aviso
                    next: fin
                  fin:
                    type: end
                """)
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 3)
        expectAt(diagnostics.first, "consent_required", "nombre", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message.hasPrefix("step 'nombre' asks for a document, but the path start → nombre ")
                == true)
        expectAt(diagnostics.dropFirst().first, "consent_required", "guardar", marker: "‹2›", in: text)
        #expect(
            diagnostics.dropFirst().first?.message.hasPrefix(
                "step 'guardar' stores contact data ('{{contact.phone}}' in 'telefono')") == true)
        expectAt(diagnostics.last, "consent_required", "enviar", marker: "‹3›", in: text)
        #expect(diagnostics.last?.message.hasPrefix("step 'enviar' sends template 'aviso'") == true)
    }

    /// A phone number or an e-mail address is personal data (Ley 1581, art. 3(c)) without `personal_data: true`.
    @Test(arguments: [("phone", "a phone number"), ("email", "an e-mail address")])
    func phoneAndEmailQuestionsNeedConsent(_ input: String, _ what: String) throws {
        let text = TestFlow.text(
            start: "dato",
            steps: """
                  dato: # ‹1›
                    type: ask
                    text: "Dato?"
                    save: dato
                    input: \(input)
                    next: fin
                  fin:
                    type: end
                """)
        let diagnostics = try lint(rule, text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_required", "dato", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.hasPrefix("step 'dato' asks for \(what), but the path start → dato") == true)
    }

    /// A chain consent → s1 → … → sN of personal questions, starting at `start`.
    static func chain(_ count: Int, start: String) -> String {
        var steps = TestFlow.consent(accept: "s1")
        steps.reserveCapacity(count * 100)
        for i in 1...count {
            steps += "  s\(i):\n    type: ask\n    text: \"Dato \(i)\"\n    save: v\(i)\n    personal_data: true\n"
            steps += "    next: \(i < count ? "s\(i + 1)" : "fin")\n"
        }
        steps += "  fin:\n    type: end\n"
        return TestFlow.text(start: start, steps: steps)
    }

    @Test func longChainFinishesAndLongPathsAreSummarised() throws {
        let count = 20_000
        #expect(try lint(rule, Self.chain(count, start: "consentimiento")).isEmpty)
        // Without the consent every question is reported once, each explained by a bounded path.
        let diagnostics = try lint(rule, Self.chain(count, start: "s1"))
        #expect(diagnostics.count == count)
        let last = try #require(diagnostics.last)
        #expect(last.message.hasPrefix("step 's\(count)' asks for personal data, but the path start → s1 → s2 →"))
        #expect(last.message.contains("→ … (\(count - 16) more) → s\(count - 7) →"))
        #expect(last.notes.count == 17)
        #expect(last.notes[8].message == "\(count - 16) more steps, up to 's\(count - 8)'")
        #expect(last.notes.last?.message == "'s\(count)' is reached from 's\(count - 1)' by its 'next'")
    }
}

// MARK: - consent_step_missing

@Suite struct ConsentStepMissingTests {
    @Test func flowWithoutGeneralConsentIsReported() throws {
        let steps = """
              hola:
                type: end
                text: "Hola"
            """
        let text = TestFlow.text(start: "hola", steps: steps).replacingOccurrences(of: "steps:", with: "steps: # ‹1›")
        let diagnostics = try lint(ConsentStepMissingRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_step_missing", "steps", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.hasPrefix("the flow has no consent step") == true)
    }

    @Test func onlySensitiveConsentIsReported() throws {
        let text = TestFlow.text(
            steps: """
                  consentimiento:
                    type: consent
                    sensitive: true
                    data: [huella]
                    text: "Tu huella es opcional"
                    accept: { title: Autorizo, next: fin }
                    decline: { title: No autorizo, next: fin }
                  fin:
                    type: end
                """)
        let diagnostics = try lint(ConsentStepMissingRule(), text)
        #expect(diagnostics.map(\.id) == ["consent_step_missing"])
        #expect(diagnostics.first?.message.hasPrefix("the flow has only sensitive consent steps") == true)
    }

    @Test func generalConsentPasses() throws {
        let text = TestFlow.text(steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        #expect(try lint(ConsentStepMissingRule(), text).isEmpty)
    }
}

// MARK: - consent_text_incomplete

@Suite struct ConsentTextIncompleteTests {
    static func flow(text: String, purposes: String = "") -> String {
        TestFlow.text(
            steps: """
                  consentimiento:
                    type: consent
                    text: "\(text)" # ‹1›
                \(purposes)
                    accept: { title: Acepto, next: fin }
                    decline: { title: No acepto, next: fin }
                  fin:
                    type: end
                """)
    }

    @Test func missingPurposeNameAndLinkAreListedInOneDiagnostic() throws {
        let text = Self.flow(text: "Trataremos tus datos para atender tus solicitudes.")
        let diagnostics = try lint(ConsentTextIncompleteRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_text_incomplete", "\"", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message
                == "the text of consent step 'consentimiento' lacks the purpose 'atencion por un asesor' ('asesor'), "
                + "the responsible party's name 'Ejemplo SAS', how to reach the responsible party "
                + "('datos@example.co' or '+57 601 0000000' or 'Calle 1 # 2-3, Bogota') and the policy link "
                + "'https://example.co/datos'; the contact must read them before accepting: write them in the text "
                + "or use {{policy.purposes}}, {{policy.responsible}}, {{policy.url}}")
    }

    /// The name alone does not tell the contact how to reach the Responsable (art. 12(d)): one of its email,
    /// phone or address must be there too.
    @Test func theResponsiblesContactIsRequiredToo() throws {
        let nameOnly = Self.flow(
            text: "Ejemplo SAS tratara tus datos para atender tus solicitudes y la atencion por un asesor. "
                + "https://example.co/datos")
        let diagnostics = try lint(ConsentTextIncompleteRule(), nameOnly)
        #expect(diagnostics.first?.message.contains("how to reach the responsible party") == true)
        let withPhone = nameOnly.replacingOccurrences(of: "asesor. ", with: "asesor. Tel +57 601 0000000. ")
        #expect(try lint(ConsentTextIncompleteRule(), withPhone).isEmpty)
    }

    @Test func writtenItemsMatchIgnoringCaseAccentsAndLineBreaks() throws {
        let text = Self.flow(
            text: "EJEMPLO sas (DATOS@example.co) tratará tus datos para Atender tus solicitudes y la ATENCIÓN POR UN  "
                + "ASESOR. Politica: https://example.co/datos")
        #expect(try lint(ConsentTextIncompleteRule(), text).isEmpty)
    }

    @Test func placeholdersCarryTheItems() throws {
        let text = Self.flow(text: "{{ policy.responsible }}: {{policy.purposes}}. {{policy.url}}")
        #expect(try lint(ConsentTextIncompleteRule(), text).isEmpty)
    }

    @Test func onlyTheListedPurposesAreRequired() throws {
        let listed = "    purposes: [atencion]"
        let text = Self.flow(
            text: "Ejemplo SAS, datos@example.co: atender tus solicitudes. https://example.co/datos", purposes: listed)
        #expect(try lint(ConsentTextIncompleteRule(), text).isEmpty)
    }
}

// MARK: - consent_rights_by_link

@Suite struct ConsentRightsByLinkTests {
    static func flow(language: String = "es", text: String) -> String {
        TestFlow.text(
            language: language,
            steps: """
                  consentimiento:
                    type: consent
                    text: "\(text)" # ‹1›
                    accept: { title: Acepto, next: fin }
                    decline: { title: No acepto, next: fin }
                  fin:
                    type: end
                """)
    }

    @Test func rightsLeftToTheLinkWarnNamingTheMissingOnes() throws {
        let text = Self.flow(text: "Puedes conocer y actualizar tus datos; el resto en la politica.")
        let diagnostics = try lint(ConsentRightsByLinkRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_rights_by_link", "\"", marker: "‹1›", in: text)
        #expect(diagnostics.first?.severity == .warning)
        #expect(
            diagnostics.first?.message
                == "the text of consent step 'consentimiento' does not state the rights 'rectificar', 'suprimir', "
                + "'revocar', 'solicitar prueba', 'quejarse ante la SIC' and 'acceso gratuito'; a policy link alone "
                + "may not inform them: write them in the text or use {{policy.rights}}")
    }

    @Test func englishRightsAreCheckedInEnglish() throws {
        let text = Self.flow(
            language: "en", text: "You may know, update, rectify and erase your data, revoke, ask for proof for free.")
        let diagnostics = try lint(ConsentRightsByLinkRule(), text)
        #expect(diagnostics.first?.message.contains("the rights 'complain to the SIC';") == true)
    }

    @Test func rightsInTheTextOrThePlaceholderPass() throws {
        let written = Self.flow(
            text: "Puedes CONOCER, actualizar, rectificar y pedir la supresión de tus datos, revocar la autorización, "
                + "pedir prueba, quejarte ante la Superintendencia y acceder gratis.")
        #expect(try lint(ConsentRightsByLinkRule(), written).isEmpty)
        #expect(try lint(ConsentRightsByLinkRule(), Self.flow(text: "{{policy.rights}}")).isEmpty)
        // The subjunctive of "conocer" ("para que conozcas") counts as the right to know.
        let subjunctive = Self.flow(
            text: "Para que conozcas, actualices, rectifiques y suprimas tus datos, revoques la autorización, "
                + "pidas prueba, te quejes ante la SIC y accedas gratis.")
        #expect(try lint(ConsentRightsByLinkRule(), subjunctive).isEmpty)
    }

    @Test func sicMustBeAWord() throws {
        let text = Self.flow(
            text: "Puedes conocer, actualizar, rectificar, suprimir, revocar, pedir prueba, gratis. Musica clasica.")
        #expect(try lint(ConsentRightsByLinkRule(), text).first?.message.contains("'quejarse ante la SIC'") == true)
    }
}

// MARK: - policy_incomplete and policy_missing

@Suite struct PolicyTests {
    @Test func responsibleWithoutAddressOrPhoneIsReported() throws {
        let policy = """
            policy:
              version: "1"
              url: https://example.co/datos
              responsible: # ‹1›
                name: Ejemplo SAS
              purposes:
                - { id: atencion, description: atender tus solicitudes }
            """
        let text = TestFlow.text(policy: policy, steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        let diagnostics = try lint(PolicyIncompleteRule(), text)
        #expect(diagnostics.count == 1)
        // The responsible mapping's range starts at its first key, on the next line.
        #expect(diagnostics.first?.range.start.line == (place(of: "r", marker: "‹1›", in: text)?.line ?? 0) + 1)
        #expect(diagnostics.first?.range.start.column == 5)
        #expect(
            diagnostics.first?.message
                == "the policy's responsible party lacks a physical or electronic address ('address' or 'email') "
                + "and a phone ('phone'); the law asks for an address or an email, and a phone, so the contact "
                + "can reach the Responsable")
    }

    @Test func policyWithoutPurposesIsReported() throws {
        let policy = """
            policy:
              version: "1" # ‹1›
              url: https://example.co/datos
              responsible: { name: Ejemplo SAS, email: datos@example.co, phone: "123" }
              purposes: []
            """
        let text = TestFlow.text(policy: policy, steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        let diagnostics = try lint(PolicyIncompleteRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "policy_incomplete", "version", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.hasPrefix("the policy declares no purpose") == true)
    }

    @Test func emailAndPhoneAreEnough() throws {
        let policy = TestFlow.policy.replacingOccurrences(of: "    address: \"Calle 1 # 2-3, Bogota\"\n", with: "")
        #expect(!policy.contains("address"))
        let text = TestFlow.text(policy: policy, steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        #expect(try lint(PolicyIncompleteRule(), text).isEmpty)
    }

    @Test func missingPolicyIsReportedAtTheTop() throws {
        let steps = TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n"
        let text = TestFlow.text(policy: nil, steps: steps)
        let diagnostics = try lint(PolicyMissingRule(), text)
        #expect(diagnostics.map(\.id) == ["policy_missing"])
        #expect(diagnostics.first.map { [$0.range.start.line, $0.range.start.column] } == [1, 1])
        #expect(try lint(PolicyMissingRule(), TestFlow.text(steps: steps)).isEmpty)
    }

    @Test func duplicatePurposeIsReportedAtTheSecond() throws {
        let policy = TestFlow.policy.replacingOccurrences(
            of: "  processors:", with: "    - { id: atencion, description: otra cosa } # ‹1›\n  processors:")
        let text = TestFlow.text(policy: policy, steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        let diagnostics = try lint(DuplicatePurposeRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "duplicate_purpose", "atencion", marker: "‹1›", in: text)
        #expect(diagnostics.first?.notes.first?.message == "'atencion' is first declared here")
        #expect(try lint(DuplicatePurposeRule(), TestFlow.text(steps: TestFlow.consent())).isEmpty)
    }
}

// MARK: - consent_label_ambiguous

@Suite struct ConsentLabelAmbiguousTests {
    static func flow(accept: String, decline: String, optIn: String = "") -> String {
        TestFlow.text(
            steps: """
                  consentimiento:
                    type: consent
                    text: "\(TestFlow.consentText)"
                    accept: { title: \(accept), next: fin } # ‹a›
                    decline: { title: \(decline), next: fin } # ‹d›
                \(optIn)
                  fin:
                    type: end
                """)
    }

    @Test func vagueAcceptLabelIsReported() throws {
        let text = Self.flow(accept: "Continuar", decline: "No acepto")
        let diagnostics = try lint(ConsentLabelAmbiguousRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_label_ambiguous", "Continuar", marker: "‹a›", in: text)
        #expect(
            diagnostics.first?.message
                == "the accept label 'Continuar' of consent step 'consentimiento' is ambiguous; it must say plainly "
                + "that the contact accepts, e.g. 'Acepto' or 'Autorizo'")
    }

    @Test func vagueLabelsIgnoreCaseAccentsAndSpaces() throws {
        #expect(try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: "\" OK \"", decline: "No acepto")).count == 1)
        #expect(try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: "Próximo", decline: "No acepto")).count == 1)
        #expect(try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: "Acepto", decline: "Cancelar")).count == 1)
    }

    @Test func emptyLongAndEqualLabelsAreReported() throws {
        let long = Self.flow(accept: "Acepto el tratamiento de datos", decline: "No acepto")
        #expect(
            try lint(ConsentLabelAmbiguousRule(), long).first?.message.contains("has 30 characters, more than 20")
                == true)
        let empty = Self.flow(accept: "Acepto", decline: "\"\"")
        let emptyDiagnostics = try lint(ConsentLabelAmbiguousRule(), empty)
        expectAt(emptyDiagnostics.first, "consent_label_ambiguous", "\"\"", marker: "‹d›", in: empty)
        #expect(
            emptyDiagnostics.first?.message.hasPrefix("the decline label of consent step 'consentimiento' is empty")
                == true)
        let equal = Self.flow(accept: "Acepto", decline: "ACEPTO")
        let equalDiagnostics = try lint(ConsentLabelAmbiguousRule(), equal)
        expectAt(equalDiagnostics.first, "consent_label_ambiguous", "ACEPTO", marker: "‹d›", in: equal)
        #expect(equalDiagnostics.first?.message.contains("are both 'ACEPTO'") == true)
    }

    @Test func optInLabelsAreHeldToTheSameRule() throws {
        let optIn = """
                opt_in:
                  purpose: promociones
                  text: "Quieres recibir promociones?"
                  accept: Siguiente # ‹o›
                  decline: No quiero
            """
        let text = Self.flow(accept: "Acepto", decline: "No acepto", optIn: optIn)
        let diagnostics = try lint(ConsentLabelAmbiguousRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "consent_label_ambiguous", "Siguiente", marker: "‹o›", in: text)
        #expect(
            diagnostics.first?.message.hasPrefix("the accept label 'Siguiente' of the opt-in of consent step") == true)
    }

    /// A label must say what its button does: "No acepto" on the accept button would record an authorization
    /// for a contact who refused; a decline button that does not decline gives no way to say no.
    @Test func labelsThatDoNotSayAcceptOrDeclineAreReported() throws {
        let swapped = Self.flow(accept: "No acepto", decline: "Acepto")
        let diagnostics = try lint(ConsentLabelAmbiguousRule(), swapped)
        #expect(diagnostics.count == 2)
        expectAt(diagnostics.first, "consent_label_ambiguous", "No acepto", marker: "‹a›", in: swapped)
        #expect(
            diagnostics.first?.message
                == "the accept label 'No acepto' of consent step 'consentimiento' says that the contact declines; it "
                + "must say plainly that the contact accepts, e.g. 'Acepto' or 'Autorizo'")
        expectAt(diagnostics.last, "consent_label_ambiguous", "Acepto", marker: "‹d›", in: swapped)
        #expect(diagnostics.last?.message.contains("does not say that the contact declines") == true)
        for (accept, decline, count) in [
            ("Hola", "No acepto", 1), ("Comprar", "No acepto", 1), ("Acepto", "Menu", 1),
            ("No acepto", "No autorizo", 1), ("\"I don't accept\"", "\"I do not accept\"", 1),
        ] {
            #expect(
                try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: accept, decline: decline)).count == count,
                "\(accept) / \(decline)")
        }
    }

    @Test func plainLabelsPass() throws {
        for (accept, decline) in [
            ("Acepto", "No acepto"), ("\"Sí, acepto\"", "\"No, gracias\""), ("Autorizo", "Rechazo"),
            ("\"Estoy de acuerdo\"", "\"No estoy de acuerdo\""), ("\"I accept\"", "\"I do not accept\""),
            ("\"Yes, I agree\"", "\"I decline\""), ("Aceito", "\"Não aceito\""),
            ("\"Dar autorización\"", "\"No autorizo\""),
        ] {
            #expect(
                try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: accept, decline: decline)).isEmpty,
                "\(accept) / \(decline)")
        }
        #expect(try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: "Acepto", decline: "No acepto")).isEmpty)
        #expect(
            try lint(ConsentLabelAmbiguousRule(), Self.flow(accept: "\"Sí, autorizo\"", decline: "No autorizo")).isEmpty
        )
    }
}

// MARK: - revocation_missing

@Suite struct RevocationMissingTests {
    let steps = TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n"

    @Test func missingRevocationIsReportedAtSettings() throws {
        let settings = """
            settings: # ‹1›
              time_zone: America/Bogota
            """
        let text = TestFlow.text(settings: settings, steps: steps)
        let diagnostics = try lint(RevocationMissingRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "revocation_missing", "settings", marker: "‹1›", in: text)
        #expect(diagnostics.first?.suggestion?.contains("\"revocar\", \"no autorizo\", \"borrar mis datos\"") == true)
    }

    @Test func revocationWithoutWordsIsReported() throws {
        let settings = """
            settings:
              revocation: { words: [], text: "Listo" } # ‹1›
            """
        let text = TestFlow.text(language: "en", settings: settings, steps: steps)
        let diagnostics = try lint(RevocationMissingRule(), text)
        expectAt(diagnostics.first, "revocation_missing", "{", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.contains("\"revoke\"") == true)
    }

    /// A blank word is refused where it is written, as a keyword's is; with no other word, revocation has none.
    @Test func blankRevocationWordsAreRefusedAndCountAsNone() throws {
        let settings = """
            settings:
              revocation: { words: [" "], text: "Listo" } # ‹1›
            """
        let text = TestFlow.text(language: "en", settings: settings, steps: steps)
        let found = FlowChecker.check(bytes: Array(text.utf8)).diagnostics.filter {
            $0.id == "invalid_value" || $0.id == "revocation_missing"
        }
        #expect(found.map(\.id) == ["revocation_missing", "invalid_value"])
        expectAt(found.first, "revocation_missing", "{", marker: "‹1›", in: text)
        expectAt(found.last, "invalid_value", "\" \"", marker: "‹1›", in: text)
        #expect(found.last?.message == "a word of revocation is blank: no message would ever match it; remove it")
    }

    @Test func revocationWordsPass() throws {
        #expect(try lint(RevocationMissingRule(), TestFlow.text(steps: steps)).isEmpty)
    }
}

// MARK: - unknown_purpose

@Suite struct UnknownPurposeTests {
    @Test func unknownPurposeOfConsentAndOptInAreReported() throws {
        let steps = """
              consentimiento:
                type: consent
                text: "\(TestFlow.consentText)"
                purposes: [atencion, asesores] # ‹1›
                opt_in:
                  purpose: promos # ‹2›
                  text: "Promociones?"
                  accept: Acepto
                  decline: No acepto
                accept: { title: Acepto, next: fin }
                decline: { title: No acepto, next: fin }
              fin:
                type: end
            """
        let text = TestFlow.text(steps: steps)
        let diagnostics = try lint(UnknownPurposeRule(), text)
        #expect(diagnostics.count == 2)
        expectAt(diagnostics.first, "unknown_purpose", "asesores", marker: "‹1›", in: text)
        #expect(diagnostics.first?.suggestion == "did you mean 'asesor'?")
        #expect(
            diagnostics.first?.message
                == "'purposes' of step 'consentimiento' names purpose 'asesores', which the policy does not "
                + "declare; use one of 'atencion' or 'asesor'")
        expectAt(diagnostics.last, "unknown_purpose", "promos", marker: "‹2›", in: text)
    }

    @Test func declaredPurposesPass() throws {
        let steps =
            TestFlow.consent(accept: "fin").replacingOccurrences(
                of: "    accept:", with: "    purposes: [atencion, asesor]\n    accept:") + "  fin:\n    type: end\n"
        #expect(steps.contains("purposes: [atencion, asesor]"))
        #expect(try lint(UnknownPurposeRule(), TestFlow.text(steps: steps)).isEmpty)
    }
}

// MARK: - marketing_opt_in_required

@Suite struct MarketingOptInTests {
    static let templates = """
        templates:
          oferta: { name: oferta, language: es, category: marketing, body: "Descuentos" } # ‹t›
          aviso: { name: aviso, language: es, category: utility, body: "Tu pedido llego" }
        """

    static func flow(template: String, optInPurpose: String?, promoOptional: Bool = true) -> String {
        let optIn =
            optInPurpose.map {
                """
                    opt_in:
                      purpose: \($0) # ‹o›
                      text: "Quieres promociones?"
                      accept: Acepto
                      decline: No acepto

                """
            } ?? ""
        let policy = TestFlow.policy.replacingOccurrences(
            of: "  processors:",
            with: "    - { id: promos, description: promociones, marketing: true, optional: \(promoOptional) }\n"
                + "  processors:")
        return TestFlow.text(
            policy: policy, templates: templates,
            steps: """
                  consentimiento:
                    type: consent
                    text: "\(TestFlow.consentText)"
                \(optIn)    accept: { title: Acepto, next: enviar }
                    decline: { title: No acepto, next: fin }
                  enviar:
                    type: template
                    template: \(template) # ‹1›
                    next: fin
                  fin:
                    type: end
                """)
    }

    @Test func marketingTemplateWithoutOptInIsReported() throws {
        let text = Self.flow(template: "oferta", optInPurpose: nil)
        let diagnostics = try lint(MarketingOptInRequiredRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "marketing_opt_in_required", "oferta", marker: "‹1›", in: text)
        #expect(diagnostics.first?.message.hasPrefix("step 'enviar' sends marketing template 'oferta'") == true)
        #expect(diagnostics.first?.notes.first?.range.start.line == place(of: "o", marker: "‹t›", in: text)?.line)
    }

    @Test func optInToANonOptionalPurposeIsReported() throws {
        let text = Self.flow(template: "aviso", optInPurpose: "atencion")
        let diagnostics = try lint(MarketingOptInRequiredRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "marketing_opt_in_required", "atencion", marker: "‹o›", in: text)
        #expect(diagnostics.first?.message.contains("which is not optional") == true)
        // A marketing purpose that is not optional cannot carry the opt-in either.
        let forced = Self.flow(template: "oferta", optInPurpose: "promos", promoOptional: false)
        #expect(try lint(MarketingOptInRequiredRule(), forced).count == 2)
    }

    @Test func optInToOptionalMarketingPurposeOrUtilityTemplatePasses() throws {
        #expect(try lint(MarketingOptInRequiredRule(), Self.flow(template: "oferta", optInPurpose: "promos")).isEmpty)
        #expect(try lint(MarketingOptInRequiredRule(), Self.flow(template: "aviso", optInPurpose: nil)).isEmpty)
    }
}

// MARK: - handoff_purpose_missing

@Suite struct HandoffPurposeMissingTests {
    static func flow(humanAttention: Bool, reachable: Bool) -> String {
        let policy =
            humanAttention
            ? TestFlow.policy
            : TestFlow.policy.replacingOccurrences(
                of: ", human_attention: true", with: "")
        return TestFlow.text(
            policy: policy,
            steps: TestFlow.consent(accept: reachable ? "asesor" : "fin")
                + """
                  asesor: # ‹1›
                    type: handoff
                    queue: ventas
                    text: "Ya te atienden."
                  fin:
                    type: end
                """)
    }

    @Test func reachableHandoffWithoutHumanAttentionPurposeIsReported() throws {
        let text = Self.flow(humanAttention: false, reachable: true)
        let diagnostics = try lint(HandoffPurposeMissingRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "handoff_purpose_missing", "asesor", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.notes.first?.range.start.line == place(of: "-", marker: "atencion, desc", in: text)?.line
        )
    }

    @Test func unreachableHandoffOrDeclaredPurposePasses() throws {
        #expect(try lint(HandoffPurposeMissingRule(), Self.flow(humanAttention: false, reachable: false)).isEmpty)
        #expect(try lint(HandoffPurposeMissingRule(), Self.flow(humanAttention: true, reachable: true)).isEmpty)
    }
}

// MARK: - sensitive_consent_invalid

@Suite struct SensitiveConsentInvalidTests {
    static func flow(
        language: String = "es", data: String = "    data: [huella]\n", text: String = "Es opcional.",
        decline: String = "menu"
    ) -> String {
        TestFlow.text(
            language: language,
            steps: TestFlow.consent(accept: "sensible")
                + """
                  sensible: # ‹1›
                    type: consent
                    sensitive: true
                \(data)    text: "\(text) Dato: huella." # ‹2›
                    accept: { title: Autorizo, next: menu }
                    decline: { title: No autorizo, next: \(decline) } # ‹3›
                  menu:
                    type: menu
                    text: "Hola"
                    options:
                      - { id: salir, title: Salir, next: fin }
                  fin:
                    type: end
                """)
    }

    @Test func missingDataIsReported() throws {
        let text = Self.flow(data: "")
        let diagnostics = try lint(SensitiveConsentInvalidRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "sensitive_consent_invalid", "sensible", marker: "‹1›", in: text)
        #expect(
            diagnostics.first?.message.hasPrefix("sensitive consent step 'sensible' does not say which data") == true)
    }

    @Test func textThatDoesNotSayOptionalIsReported() throws {
        let text = Self.flow(text: "Necesitamos tu huella.")
        let diagnostics = try lint(SensitiveConsentInvalidRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "sensitive_consent_invalid", "\"", marker: "‹2›", in: text)
        #expect(diagnostics.first?.message.contains("does not say that answering is optional") == true)
        let english = Self.flow(language: "en", text: "We need your fingerprint.")
        #expect(try lint(SensitiveConsentInvalidRule(), english).first?.message.contains("not required") == true)
    }

    /// The refusal forms said the other way round count too; a "don't have to" about something else does not.
    @Test(arguments: [
        ("es", "Puedes negarte.", true), ("es", "No tienes que autorizar.", true),
        ("es", "No tiene que responder.", true), ("en", "You don't have to answer.", true),
        ("en", "You don’t have to authorize it.", true), ("en", "You may refuse.", true),
        ("en", "You can decline.", true), ("pt", "Você pode recusar.", true), ("pt", "Não precisa autorizar.", true),
        ("es", "No tienes que esperar.", false), ("en", "You don't have to wait.", false),
        ("pt", "Você pode esperar.", false),
    ])
    func refusalFormsSayAnsweringIsOptional(_ language: String, _ text: String, _ passes: Bool) throws {
        let diagnostics = try lint(SensitiveConsentInvalidRule(), Self.flow(language: language, text: text))
        #expect(diagnostics.isEmpty == passes, "\(diagnostics.map(\.message))")
    }

    @Test func declineThatEndsTheServiceIsReported() throws {
        let text = Self.flow(decline: "fin")
        let diagnostics = try lint(SensitiveConsentInvalidRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "sensitive_consent_invalid", "fin", marker: "‹3›", in: text)
        #expect(diagnostics.first?.message.contains("ends the conversation at 'fin'") == true)
    }

    /// A decline that only says goodbye before ending (a message, then `end`) ends the service too.
    @Test func declineThroughAMessageToTheEndIsReported() throws {
        let text = Self.flow(decline: "adios").replacingOccurrences(
            of: "  fin:\n", with: "  adios:\n    type: message\n    text: Hasta luego\n    next: fin\n  fin:\n")
        let diagnostics = try lint(SensitiveConsentInvalidRule(), text)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("ends the conversation at 'fin'") == true)
    }

    /// A branch on the decline path whose every way ends counts as an end; one way on to a service does not.
    @Test func declineThroughABranchWhoseWaysAllEndIsReported() throws {
        let branch = "  elegir:\n    type: branch\n    cases: []\n    default: fin\n  fin:\n"
        let allEnd = Self.flow(decline: "elegir").replacingOccurrences(of: "  fin:\n", with: branch)
        #expect(
            try lint(SensitiveConsentInvalidRule(), allEnd).first?.message.contains("ends the conversation") == true)
        let oneGoesOn = allEnd.replacingOccurrences(of: "    default: fin\n", with: "    default: menu\n")
        #expect(try lint(SensitiveConsentInvalidRule(), oneGoesOn).isEmpty)
        // The general consent's decline is held to the same reading (a warning there).
        let general = TestFlow.text(
            steps: TestFlow.consent(decline: "elegir")
                + "  menu:\n    type: menu\n    text: Hola\n    options:\n      - { id: a, title: A, next: fin }\n"
                + branch + "    type: end\n")
        #expect(try lint(DeclineDeadEndRule(), general).map(\.id) == ["decline_dead_end"])
    }

    /// A decline that asks the same consent again without waiting for the contact is reported, straight back or
    /// through a message, or a branch whose every way leads back (the audit found one message in between let it
    /// pass); one way on to a menu continues the service.
    @Test func declineLeadingBackThroughMessagesOrBranchesIsReported() throws {
        let note = "  nota:\n    type: message\n    text: Entendido\n    next: sensible\n  fin:\n"
        for (decline, extra) in [
            ("sensible", ""), ("nota", note),
            ("elegir", "  elegir:\n    type: branch\n    cases: []\n    default: nota\n" + note),
        ] {
            let text = Self.flow(decline: decline).replacingOccurrences(
                of: "  fin:\n", with: extra.isEmpty ? "  fin:\n" : extra)
            let diagnostics = try lint(SensitiveConsentInvalidRule(), text)
            #expect(
                diagnostics.map(\.message) == [
                    "the decline of sensitive consent step 'sensible' leads back to the same step; declining must skip "
                        + "the sensitive questions and continue"
                ], "\(decline)")
        }
        let branch =
            "  elegir:\n    type: branch\n    cases:\n      - when: { consent: given }\n        next: menu\n"
            + "    default: nota\n" + note
        #expect(
            try lint(
                SensitiveConsentInvalidRule(),
                Self.flow(decline: "elegir").replacingOccurrences(of: "  fin:\n", with: branch)
            ).isEmpty)
    }

    /// The general consent: a decline that asks it again at once is `decline_asks_again`, at the decline's
    /// `next`; one through a menu is not.
    @Test func generalDeclineLeadingBackIsReported() throws {
        let menu = "  menu:\n    type: menu\n    text: Hola\n    options:\n      - { id: a, title: A, next: fin }\n"
        let note = "  nota:\n    type: message\n    text: Sin datos no podemos\n    next: consentimiento # ‹1›\n"
        let straight = TestFlow.text(
            steps: TestFlow.consent(decline: "consentimiento") + menu + "  fin:\n    type: end\n")
        #expect(
            try lint(DeclineAsksAgainRule(), straight).map(\.message) == [
                "declining consent step 'consentimiento' leads back to it without waiting for the contact, so the "
                    + "contact can only accept or stop answering"
            ])
        let throughNote = TestFlow.text(
            steps: TestFlow.consent(decline: "nota") + menu + note + "  fin:\n    type: end\n")
        let diagnostics = try lint(DeclineAsksAgainRule(), throughNote)
        #expect(diagnostics.first?.message.contains("leads back to it through 'nota'") == true)
        #expect(diagnostics.first?.severity == .error)
        let throughMenu = TestFlow.text(
            steps: TestFlow.consent(decline: "menu")
                + "  menu:\n    type: menu\n    text: Hola\n    options:\n      - { id: a, title: A, next: consentimiento }\n"
                + "  fin:\n    type: end\n")
        #expect(try lint(DeclineAsksAgainRule(), throughMenu).isEmpty)
    }

    /// Each item of `data` is named in the text (case and accents aside), at the item; the contact is told which
    /// data are sensitive (the habeas audit found a text that never named them).
    @Test func eachSensitiveDataItemIsNamedInTheText() throws {
        let text = Self.flow(
            data: "    data: [huella, Foto del Rostro, \"  \"]\n", text: "Tu FOTO DEL RÓSTRO es opcional.")
        #expect(try lint(SensitiveConsentInvalidRule(), text).isEmpty)
        let missing = Self.flow(data: "    data: [huella, historia clínica] # ‹4›\n", text: "Es opcional.")
        let diagnostics = try lint(SensitiveConsentInvalidRule(), missing)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "sensitive_consent_invalid", "historia clínica", marker: "‹4›", in: missing)
        #expect(
            diagnostics.first?.message
                == "the text of sensitive consent step 'sensible' does not name 'historia clínica', which its 'data' "
                + "lists as sensitive; the contact must be told which data are sensitive")
    }

    @Test func validSensitiveConsentPasses() throws {
        #expect(try lint(SensitiveConsentInvalidRule(), Self.flow(text: "No estás OBLIGADO a autorizar.")).isEmpty)
        #expect(try lint(SensitiveConsentInvalidRule(), Self.flow(language: "pt", text: "Não é obrigado.")).isEmpty)
        // General consents are not held to these requirements.
        #expect(try lint(SensitiveConsentInvalidRule(), TestFlow.text(steps: TestFlow.consent())).isEmpty)
    }
}

// MARK: - international_processing_undisclosed

@Suite struct InternationalProcessingTests {
    static func flow(text: String, processors: Bool = true, language: String = "es") -> String {
        let policy =
            processors
            ? TestFlow.policy
            : """
            policy:
              version: "2026-01" # ‹p›
              url: https://example.co/datos
              responsible: { name: Ejemplo SAS, email: datos@example.co, phone: "+57 601 0000000" }
              purposes:
                - { id: atencion, description: atender tus solicitudes }
            """
        return TestFlow.text(
            language: language, policy: policy,
            steps: """
                  consentimiento:
                    type: consent
                    text: "\(text)" # ‹1›
                    accept: { title: Acepto, next: fin }
                    decline: { title: No acepto, next: fin }
                  fin:
                    type: end
                """)
    }

    @Test func textWithoutAbroadIsReported() throws {
        let text = Self.flow(text: "{{policy.responsible}} {{policy.purposes}} {{policy.url}}")
        let diagnostics = try lint(InternationalProcessingUndisclosedRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "international_processing_undisclosed", "\"", marker: "‹1›", in: text)
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test func missingProcessorsAreReportedAtThePolicy() throws {
        let text = Self.flow(text: "Procesamos tus datos en el exterior.", processors: false)
        #expect(!text.contains("processors"))
        let diagnostics = try lint(InternationalProcessingUndisclosedRule(), text)
        #expect(diagnostics.count == 1)
        expectAt(diagnostics.first, "international_processing_undisclosed", "version", marker: "‹p›", in: text)
        #expect(diagnostics.first?.message.hasPrefix("the policy names no processors") == true)
    }

    @Test func abroadPhraseOrProcessorCountryPasses() throws {
        let rule = InternationalProcessingUndisclosedRule()
        #expect(try lint(rule, Self.flow(text: "Tus datos se procesan FUERA DEL PAÍS.")).isEmpty)
        #expect(try lint(rule, Self.flow(text: "Meta Platforms los procesa en Estados Unidos.")).isEmpty)
    }

    /// The phrases count in a flow of any language (language.md lists them without one): an English flow may
    /// say it in Spanish, a Spanish one in English.
    @Test func abroadPhrasesCountInEveryLanguage() throws {
        let rule = InternationalProcessingUndisclosedRule()
        #expect(try lint(rule, Self.flow(text: "Sus datos se procesan fuera de Colombia.", language: "en")).isEmpty)
        #expect(try lint(rule, Self.flow(text: "Data are processed abroad.", language: "es")).isEmpty)
        #expect(try lint(rule, Self.flow(text: "Seus dados ficam aqui.", language: "pt")).count == 1)
    }
}

// MARK: - Fixtures

@Suite struct ConsentFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The habeas-data rules, as they would be registered.
    static let rules: [any LintRule] = [
        ConsentStepMissingRule(), ConsentRequiredRule(), ConsentTextIncompleteRule(), ConsentRightsByLinkRule(),
        PolicyMissingRule(), PolicyIncompleteRule(), ConsentLabelAmbiguousRule(), RevocationMissingRule(),
        DuplicatePurposeRule(), UnknownPurposeRule(), MarketingOptInRequiredRule(), OptionalPurposeBundledRule(),
        HandoffPurposeMissingRule(), SensitiveConsentInvalidRule(), InternationalProcessingUndisclosedRule(),
    ]

    /// The ids of the habeas-data rules that fire on a fixture, with how often each fires.
    static func ids(fixture name: String) throws -> [String] {
        let url = fixtures.appendingPathComponent(name).appendingPathComponent("flow.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let loaded = YAMLLoader.load(text)
        let decoded = FlowDecoder.decode(loaded.root)
        #expect(loaded.diagnostics.isEmpty && decoded.diagnostics.isEmpty, "\(name): \(decoded.diagnostics)")
        let flow = try #require(decoded.flow)
        let context = RuleContext(flow: flow, source: loaded.source)
        return rules.flatMap { $0.check(context) }.map(\.id)
    }

    static let expected: [String: [String]] = [
        "consent_step_missing": ["consent_step_missing"],
        "consent_required": ["consent_required", "consent_required"],
        "consent_text_incomplete": ["consent_text_incomplete"],
        "consent_rights_by_link": ["consent_rights_by_link"],
        "policy_missing": ["policy_missing"],
        "policy_incomplete": ["policy_incomplete"],
        "consent_label_ambiguous": ["consent_label_ambiguous"],
        "revocation_missing": ["revocation_missing"],
        "duplicate_purpose": ["duplicate_purpose", "duplicate_purpose"],
        "unknown_purpose": ["unknown_purpose"],
        "marketing_opt_in_required": ["marketing_opt_in_required"],
        "handoff_purpose_missing": ["handoff_purpose_missing"],
        "sensitive_consent_invalid": ["sensitive_consent_invalid", "sensitive_consent_invalid"],
        "optional_purpose_bundled": ["optional_purpose_bundled"],
        "international_processing_undisclosed": ["international_processing_undisclosed"],
    ]

    @Test(arguments: expected.keys.sorted())
    func fixtureTriggersExactlyItsRule(_ name: String) throws {
        #expect(try Self.ids(fixture: name) == Self.expected[name])
    }

    @Test func everyRuleHasAFixtureAndTheValidFlowPassesThemAll() throws {
        #expect(Set(Self.rules.flatMap(\.descriptors).map(\.id)) == Set(Self.expected.keys))
        #expect(try Self.ids(fixture: "valid_minimal") == [])
    }
}

// MARK: - policy texts reach the contact through the placeholders

/// The policy's texts are sent inside consent texts (`{{policy.responsible}}`, `{{policy.purposes}}`): an emoji
/// in them is an emoji in a message, and their length counts towards the consent text's limit.
@Suite struct PolicyPlaceholderTextTests {
    @Test func anEmojiInThePolicyIsReportedWhereItIsWritten() throws {
        let policy = TestFlow.policy.replacingOccurrences(of: "name: Ejemplo SAS", with: "name: Ejemplo SAS 🚀")
            .replacingOccurrences(of: "description: atender tus solicitudes", with: "description: atender ✅")
        let text = TestFlow.text(policy: policy, steps: TestFlow.consent(accept: "fin") + "  fin:\n    type: end\n")
        let diagnostics = try lint(EmojiRule(), text)
        #expect(diagnostics.count == 2)
        #expect(
            diagnostics.first?.message.hasPrefix("'name' of the policy's responsible contains the emoji '🚀'") == true)
        #expect(
            diagnostics.first?.range.start.line
                == text.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("🚀") }.map { $0 + 1 })
        #expect(diagnostics.last?.message.hasPrefix("description of purpose 'atencion' contains the emoji '✅'") == true)
    }

    @Test func aConsentTextCountsItsPolicyPlaceholdersOnceFilledIn() throws {
        // 1,000 characters as written, fewer than 1,024; well over once the rights and the responsible are in.
        let padding = String(repeating: "z", count: 1000 - TestFlow.consentText.count - 1)
        let text = TestFlow.text(
            steps: TestFlow.consent(accept: "fin", text: TestFlow.consentText + " " + padding)
                + "  fin:\n    type: end\n")
        let diagnostics = try lint(InteractiveLimitsRule(), text)
        #expect(diagnostics.count == 1)
        #expect(
            diagnostics.first?.message.contains(
                "'text' of step 'consentimiento' has 1") == true)
        #expect(diagnostics.first?.message.contains("characters once its policy placeholders are filled in") == true)
        // The same text without placeholders fits.
        let plain = TestFlow.text(
            steps: TestFlow.consent(accept: "fin", text: String(repeating: "z", count: 1000))
                + "  fin:\n    type: end\n")
        #expect(try lint(InteractiveLimitsRule(), plain).isEmpty)
    }
}
