import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Testing

@testable import FlowCompiler

// `too_many_rows` reports an empty `options` list, and only that: when `options` is missing, not a list, or
// has only malformed items, the decoder has already said so, and a second error about the same mistake
// would only be noise.

/// The diagnostics of the decoder and of the menu size rule for a flow whose menu has `options`.
private func diagnostics(options: String) throws -> (decoder: [String], rule: [String]) {
    let text = TestFlow.text(
        steps: TestFlow.consent()
            + """
              menu:
                type: menu
                text: Elige
            \(options)
              fin:
                type: end
                text: Chao

            """)
    let decoded = FlowDecoder.decode(YAMLLoader.load(text).root)
    let flow = try #require(decoded.flow)
    let rule = MenuSizeRule().check(RuleContext(flow: flow, source: SourceText(text)))
    return (decoded.diagnostics.map(\.id), rule.map(\.id))
}

@Test func anEmptyOptionsListIsReportedOnce() throws {
    let found = try diagnostics(options: "    options: []")
    #expect(found.decoder.isEmpty)
    #expect(found.rule == ["too_many_rows"])
}

@Test(arguments: [
    "    options: comprar, horario",  // not a list
    "",  // missing
    "    options:\n      - { title: Sin id, next: fin }",  // its only item is malformed
])
func aMalformedOptionsFieldIsReportedByTheDecoderOnly(options: String) throws {
    let found = try diagnostics(options: options)
    #expect(!found.decoder.isEmpty)
    #expect(found.rule.isEmpty)
}
