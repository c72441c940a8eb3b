import FlowCompiler
import FlowDiagnostics
import Foundation
import Testing

/// A template body and a purpose's description written blank are `invalid_value`, like every other text the
/// contact reads: Meta refuses a template without a body, and a consent to a purpose nobody described proves
/// nothing.
@Test func aBlankTemplateBodyOrPurposeDescriptionIsInvalid() throws {
    var flow = try String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/valid_minimal/flow.yaml"), encoding: .utf8)
    flow = flow.replacingOccurrences(
        of: "      description: atencion por un asesor humano\n",
        with: "      description: atencion por un asesor humano\n    - id: encuestas\n      description: \" \"\n"
            + "      optional: true\n")
    flow = flow.replacingOccurrences(
        of: "queues:\n",
        with:
            "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n    body: \"\"\nqueues:\n")
    let messages = FlowChecker.check(flow).diagnostics.filter { $0.id == "invalid_value" }.map(\.message)
    #expect(
        messages.sorted() == [
            "the 'body' of template 'aviso' is empty; write the body exactly as Meta approved it",
            "the 'description' of purpose 'encuestas' is empty; the contact must read what each purpose is before "
                + "accepting it",
        ])
}
