import FlowDiagnostics
import Testing

@testable import FlowCompiler

/// Names and values that reach a contact, a consent record or an agent's screen are `invalid_value` when written
/// blank, as the bot's texts are (language.md, "Values"): a processor's name and country, a queue's agent, a
/// sensitive consent's data item, a synonym, a template parameter and language, an attachment's file name.
@Test func blankNamesAndValuesAreRefusedWhereTheyAreWritten() throws {
    let marked = Marked(
        Inline.flow(
            "  s:\n    type: consent\n    text: Hola\n    sensitive: true\n    data: [cedula, ‹1›\"  \"]\n"
                + "    accept: { title: Acepto, next: m }\n    decline: { title: No acepto, next: m }\n"
                + "  m:\n    type: menu\n    text: Elige\n    options:\n"
                + "      - { id: a, title: Uno, synonyms: [uno, ‹2›\" \"], next: t }\n"
                + "  t:\n    type: template\n    template: aviso\n    parameters: [Ana, ‹3›\"   \"]\n    next: f\n"
                + "  f:\n    type: message\n    text: Hola\n    attachment:\n      url: https://x.co/a.pdf\n"
                + "      filename: ‹4›\"  \"\n",
            top: "policy:\n  version: \"2026-01\"\n  url: https://example.co/datos\n"
                + "  responsible: { name: Ejemplo SAS, email: datos@example.co, phone: \"123\" }\n"
                + "  purposes:\n    - { id: atencion, description: Atender solicitudes }\n"
                + "  processors:\n    - { name: ‹5›\" \", country: ‹6›\"\" }\n"
                + "queues:\n  ventas: [ana, ‹7›\"  \"]\n"
                + "templates:\n  aviso:\n    name: aviso\n    language: ‹8›\" \"\n    category: utility\n"
                + "    body: \"Hola {{1}} {{2}}\"\n"))
    let found = try Inline.run(EmptyTextRule(), marked.text)
    #expect(found.allSatisfy { $0.id == "invalid_value" })
    #expect(
        Set(found.map { "\(Position($0))" }) == Set((1...8).compactMap { marked($0).map { "\($0)" } }),
        "\(found.map(\.message))")
}
