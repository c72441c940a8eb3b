import FlowDiagnostics
import FlowLanguage
import Foundation
import Testing

@testable import FlowCompiler

/// `placeholder_malformed`: braces that make no placeholder (`{{}}`, `{{ }}`, an unclosed `{{`, a `}}` that
/// closes nothing) in a text where placeholders are filled are a warning at the braces, because the runtime
/// sends them as written; Meta's `{{1}}` in a template body and fields sent as written are not looked at.
@Suite struct PlaceholderMalformedTests {
    /// The ids and positions the rule reports for `marked`.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(PlaceholderMalformedRule(), marked.text).map { "\($0.id) \(Position($0))" }
    }

    /// Every text in which placeholders are filled, each with a malformed placeholder at a marker.
    static let everyText = Marked(
        Inline.flow(
            "  s:\n    type: consent\n    text: \"Autorizas ‹1›{{contact.name}?\"\n"
                + "    accept: { title: Acepto, next: m }\n    decline: { title: No acepto, next: m }\n"
                + "    opt_in:\n      purpose: promos\n      text: \"Promociones ‹2›{{}}?\"\n"
                + "      accept: Si\n      decline: \"No\"\n"
                + "  m:\n    type: menu\n    text: \"Elige ‹3›{nombre}}\"\n    header: \"‹4›{{ }}\"\n"
                + "    footer: \"Pie ‹5›{{nombre\"\n    invalid: \"No ‹6›{{}} entendi\"\n    options:\n"
                + "      - { id: a, title: Uno, next: q }\n"
                + "  q:\n    type: ask\n    text: \"Dato ‹7›{{contact.name}\"\n    save: dato\n"
                + "    retry: \"Otra vez ‹8›nombre}}\"\n    next: f\n"
                + "  f:\n    type: message\n    text: \"Hola ‹9›{{contact.phone}\"\n    attachment:\n"
                + "      url: https://x.co/a.pdf\n      caption: \"Para ‹10›{{dato}\"\n    next: v\n"
                + "  v:\n    type: set\n    values: { nombre: \"‹11›{{contact.name}\" }\n    next: h\n"
                + "  h:\n    type: handoff\n    queue: ventas\n    text: \"Un asesor ‹12›{{}}\"\n"
                + "    closed: { text: \"Cerrado ‹13›{ dato }}\", next: t }\n"
                + "  t:\n    type: template\n    template: aviso\n    parameters: [\"‹14›{{dato}\"]\n    next: e\n"
                + "  e:\n    type: end\n    text: \"Adios ‹15›{{nombre}\"\n",
            top: "settings:\n  revocation:\n    words: [revocar]\n    text: \"Revocado ‹16›{{}}\"\n"
                + "  inactivity:\n    after: 1h\n    text: \"Sigues ahi ‹17›{{dato}?\"\n"
                + "queues:\n  ventas: [ana]\n"
                + "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n"
                + "    body: \"Hola {{1}}\"\n"))

    @Test("every text where placeholders are filled reports its malformed braces where they are written")
    func everyFilledText() throws {
        let found = try report(Self.everyText)
        #expect(found.sorted() == (1...17).map { "placeholder_malformed \(Self.everyText($0)!)" }.sorted())
    }

    /// The braces as the diagnostic underlines them, its message and its suggestion, for a message text.
    func diagnostic(_ text: String) throws -> (underlined: String, message: String, suggestion: String?) {
        let yaml = Inline.flow("  s:\n    type: end\n    text: '\(text)'\n")
        let diagnostics = try Inline.run(PlaceholderMalformedRule(), yaml)
        let only = try #require(diagnostics.count == 1 ? diagnostics.first : nil, "\(diagnostics)")
        #expect(only.severity == .warning)
        #expect(only.range.start.line == only.range.end.line)
        let line = yaml.split(separator: "\n", omittingEmptySubsequences: false)[only.range.start.line - 1]
        // Columns count Unicode scalars.
        let scalars = Array(line.unicodeScalars)[(only.range.start.column - 1)..<(only.range.end.column - 1)]
        return (String(String.UnicodeScalarView(scalars)), only.message, only.suggestion)
    }

    @Test("an unclosed {{ is underlined with its name and the one } after it; the fix closes it")
    func unclosed() throws {
        let found = try diagnostic("Hola {{contact.name}, bienvenido")
        #expect(found.underlined == "{{contact.name}")
        #expect(
            found.message
                == "'{{contact.name}' in step 's' is not closed with '}}', so it is no placeholder: the contact "
                + "would read the braces as written")
        #expect(found.suggestion == "close it as {{contact.name}}, or remove the braces")
        #expect(try diagnostic("Hola {{ nombre y mas").underlined == "{{ nombre")
        #expect(try diagnostic("Hola {{ , y mas").suggestion == "close it as {{name}}, or remove the braces")
    }

    @Test("a }} that closes nothing is underlined from the single { before its name; the fix opens it")
    func unopened() throws {
        let found = try diagnostic("Hola {contact.name}} y ñandú")
        #expect(found.underlined == "{contact.name}}")
        #expect(found.message.hasPrefix("'{contact.name}}' in step 's' is not opened with '{{'"))
        #expect(found.suggestion == "open it as {{contact.name}}, or remove the braces")
        #expect(try diagnostic("Hola nombre}} y").underlined == "nombre}}")
        #expect(try diagnostic("Hola {{a}}}} y").underlined == "}}")
    }

    @Test("empty braces are underlined whole; the fix removes them or names a variable")
    func empty() throws {
        for text in ["Saldo {{}} hoy", "Saldo {{ }} hoy", "Saldo {{\t}} hoy"] {
            let found = try diagnostic(text)
            #expect(found.underlined == String(text.dropFirst(6).dropLast(4)))
            #expect(found.message.contains("names no variable"))
            #expect(found.suggestion == "remove the braces, or write a variable's name between them, as {{name}}")
        }
    }

    @Test("a {{ that only a later placeholder's }} closes is reported as unclosed, at the first {{")
    func closedByALaterPlaceholder() throws {
        let found = try diagnostic("Hola {{contact.name} tu saldo es {{contact.phone}}")
        #expect(found.underlined == "{{contact.name}")
    }

    @Test("the auditor's text: each of its four mistakes is reported, and nothing else")
    func everyMistakeOfOneText() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: end\n    text: \"Hola {{contact.name}}, tu saldo es ‹1›{{}} y ‹2›{{ }} y "
                    + "‹3›{contact.name}} y ‹4›{{contact.name}.\"\n"))
        #expect(try report(marked) == (1...4).map { "placeholder_malformed \(marked($0)!)" })
    }

    @Test(
        "well-formed placeholders and single braces are not reported",
        arguments: [
            "Hola {{contact.name}}", "{{ nombre }} y {{contact.phone}}", "Precio {x} y {y}", "a } b { c", "",
            "{{contact.name}}{{contact.phone}}",
        ])
    func wellFormed(text: String) throws {
        let yaml = Inline.flow("  s:\n    type: end\n    text: '\(text)'\n")
        #expect(try Inline.run(PlaceholderMalformedRule(), yaml).isEmpty)
    }

    @Test("a template body's {{1}} tokens and fields sent as written are not looked at")
    func notLookedAt() throws {
        let yaml = Inline.flow(
            "  s:\n    type: menu\n    text: Elige\n    display: list\n    button: \"Ver {{\"\n    options:\n"
                + "      - { id: a, title: \"Uno {{}}\", description: \"x}}\", next: t }\n"
                + "  t:\n    type: template\n    template: aviso\n    parameters: [dato]\n    next: e\n"
                + "  e:\n    type: end\n",
            top: "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n"
                + "    body: \"Hola {{1}}, {{ }} y {{1}\"\n")
        #expect(try Inline.run(PlaceholderMalformedRule(), yaml).isEmpty)
    }

    /// The runtime keeps what language.md says: the braces are sent as written.
    @Test("the runtime still sends malformed braces as written")
    func runtimeUnchanged() {
        let text = "Saldo {{}} y {{ }} y {contact.name}} y {{contact.name}."
        #expect(TextTemplate(parsing: text).render { _ in "Ana" } == text)
    }

    @Test("it is a warning, reported by lint on a clean flow and silenced by suppress on its step")
    func suppressible() throws {
        let url = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
        let flow = try String(contentsOf: url, encoding: .utf8)
        let goodbye = "    text: \"Gracias por escribirnos.\"\n"
        let broken = flow.replacingOccurrences(of: goodbye, with: "    text: \"Gracias {{contact.name}.\"\n")
        try #require(broken != flow)
        let found = FlowChecker.check(broken).diagnostics
        #expect(found.map { "\($0.severity) \($0.id)" } == ["warning placeholder_malformed"])
        let silenced = broken.replacingOccurrences(
            of: "    text: \"Gracias {{contact.name}.\"\n",
            with: "    text: \"Gracias {{contact.name}.\"\n    suppress: [placeholder_malformed]\n")
        #expect(FlowChecker.check(silenced).diagnostics.isEmpty)
    }
}
