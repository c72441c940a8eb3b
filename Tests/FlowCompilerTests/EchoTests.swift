import FlowDiagnostics
import Testing

@testable import FlowCompiler

// Each problem is reported once, at its place: a value the loader or the decoder refused does not also show
// up as the consequence a later check would draw from its absence.

/// The ids `talkflow lint` reports for a flow whose steps are `steps` (after the consent) and whose policy's
/// processors are `processors`.
private func ids(steps: String, processors: String = "    - { name: Meta Platforms, country: Estados Unidos }")
    -> [String]
{
    let policy = TestFlow.policy.replacingOccurrences(
        of: "    - { name: Meta Platforms, country: Estados Unidos }", with: processors)
    let text = TestFlow.text(policy: policy, steps: TestFlow.consent(decline: "aviso") + steps)
    return FlowChecker.check(text).diagnostics.map(\.id)
}

private let menuAndEnd = """
      menu:
        type: menu
        text: Elige
        options:
          - { id: info, title: Info, next: info }
      aviso:
        type: message
        text: Atendemos de 8 a 18.
        next: fin
      fin:
        type: end
        text: Chao

    """

@Test(arguments: ["despedída", "1gracias"])
func anInvalidNextIsNotAlsoADeadEnd(next: String) {
    let found = ids(
        steps: menuAndEnd + """
              info:
                type: message
                text: Hola
                next: \(next)

            """)
    #expect(found == ["invalid_identifier"])
}

@Test func aMissingNextIsStillADeadEnd() {
    let found = ids(
        steps: menuAndEnd + """
              info:
                type: message
                text: Hola

            """)
    #expect(found == ["dead_end"])
}

@Test func aProcessorWithoutCountryIsNotAlsoAPolicyWithoutProcessors() {
    let found = ids(
        steps: menuAndEnd + "  info:\n    type: end\n    text: Hola\n",
        processors: "    - { name: Meta Platforms }")
    #expect(found == ["missing_field"])
}

@Test func aRefusedAliasIsReportedOnceOnItsLine() {
    let text = TestFlow.text(
        steps: TestFlow.consent(decline: "aviso") + menuAndEnd + "  info:\n    type: end\n    text: Hola\n"
    )
    .replacingOccurrences(of: "flow: prueba", with: "flow: prueba\nqueues:\n  ventas: &a [ana]\n  otra: *a")
    let found = FlowChecker.check(text).diagnostics.map(\.id)
    #expect(found == ["yaml_anchor", "yaml_anchor"])
}

@Test(arguments: ["", "---\n", "# only a comment\n", "---\n...\n", "~\n"])
func aFileHoldingNoDocumentOrAnEmptyOneIsEmptyFile(text: String) {
    #expect(FlowChecker.check(text).diagnostics.map(\.id) == ["empty_file"])
}

/// A keyword with no words, or with a blank one, would never match: `invalid_value`, once.
@Test(arguments: ["[]", "[menu, \"  \"]"])
func aKeywordWithoutAUsableWordIsInvalidValueOnce(words: String) {
    let settings = TestFlow.settings + "\n  keywords:\n    - { words: \(words), goto: menu }"
    let text = TestFlow.text(
        settings: settings,
        steps: TestFlow.consent(decline: "aviso") + menuAndEnd + "  info:\n    type: end\n    text: Hola\n")
    #expect(FlowChecker.check(text).diagnostics.map(\.id) == ["invalid_value"])
}

/// A list row's description written empty would be refused by WhatsApp like any empty text: `invalid_value`.
@Test func anEmptyRowDescriptionIsInvalidValue() {
    let list = menuAndEnd.replacingOccurrences(
        of: "    text: Elige\n",
        with: "    text: Elige\n    display: list\n"
    ).replacingOccurrences(of: "title: Info, next: info }", with: "title: Info, description: \"\", next: info }")
    let text = TestFlow.text(
        steps: TestFlow.consent(decline: "aviso") + list + "  info:\n    type: end\n    text: Hola\n")
    #expect(list != menuAndEnd)
    #expect(FlowChecker.check(text).diagnostics.map(\.id) == ["invalid_value"])
}
