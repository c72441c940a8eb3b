import FlowDiagnostics
import Testing

@testable import FlowCompiler

/// `placeholder_not_filled`: the fields the runtime sends as written refuse placeholders, each reported where it
/// is written; the texts it fills accept them; and what the language leaves as written (`{{}}`, an unclosed
/// `{{`) is no placeholder.
@Suite struct PlaceholderNotFilledTests {
    /// The ids and positions the rule reports for `marked`.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(PlaceholderNotFilledRule(), marked.text).map { "\($0.id) \(Position($0))" }
    }

    /// Every field sent as written, each with a placeholder at a marker.
    static let everyField = Marked(
        Inline.flow(
            "  s:\n    type: consent\n    text: Autorizas?\n"
                + "    accept: { title: \"Acepto ‹1›{{nombre}}\", next: m }\n"
                + "    decline: { title: \"No acepto ‹2›{{ contact.name }}\", next: m }\n"
                + "    opt_in:\n      purpose: promos\n      text: Promociones?\n"
                + "      accept: \"Si ‹3›{{policy.version}}\"\n      decline: \"No ‹4›{{nombre}}\"\n"
                + "  m:\n    type: menu\n    text: Elige\n    display: list\n    button: \"‹5›{{boton}}\"\n    options:\n"
                + "      - { id: a, title: \"‹6›{{nombre_completo_del_cliente}}\", next: l }\n"
                + "  l:\n    type: menu\n    text: Elige\n    display: list\n    options:\n"
                + "      - { id: a, title: Uno, description: \"Para ‹7›{{nombre}} y ‹8›{{ciudad}}\", next: f }\n"
                + "  f:\n    type: message\n    text: Tu factura\n    attachment:\n"
                + "      url: \"https://x.co/‹9›{{factura}}.pdf\"\n      filename: \"‹10›{{nombre}}.pdf\"\n"
                + "    next: t\n"
                + "  t:\n    type: template\n    template: aviso\n",
            top: "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n    body: Hola\n"
                + "    header: { type: document, link: \"https://x.co/‹11›{{guia}}.pdf\" }\n"))

    @Test("every field sent as written refuses a placeholder, each reported at the placeholder")
    func everyFieldSentAsWritten() throws {
        let found = try report(Self.everyField)
        #expect(found.sorted() == (1...11).map { "placeholder_not_filled \(Self.everyField($0)!)" }.sorted())
    }

    @Test("a list button or a description a menu shown as buttons does not send is not reported")
    func fieldsNotSentAreNotReported() throws {
        let yaml = Inline.flow(
            "  m:\n    type: menu\n    text: Elige\n    display: buttons\n    button: \"{{boton}}\"\n    options:\n"
                + "      - { id: a, title: Uno, description: \"{{detalle}}\", next: m }\n")
        #expect(try Inline.run(PlaceholderNotFilledRule(), yaml).isEmpty)
    }

    @Test("the message names the field and the placeholder, and says where placeholders are filled")
    func message() throws {
        let diagnostics = try Inline.run(PlaceholderNotFilledRule(), Self.everyField.text)
        let title = try #require(diagnostics.first { Position($0) == Self.everyField(6) })
        #expect(
            title.message
                == "title of option 'a' of step 'm' is sent as written, so '{{nombre_completo_del_cliente}}' would "
                + "reach the contact as it stands: placeholders are filled only in texts")
        #expect(title.suggestion == "write it without placeholders and say the changing part in the step's text")
        #expect(title.severity == .error)
        // The whole placeholder is underlined, braces included.
        #expect(title.range.end.column - title.range.start.column == "{{nombre_completo_del_cliente}}".count)
        let link = try #require(diagnostics.first { Position($0) == Self.everyField(11) })
        #expect(link.message.hasPrefix("the header 'link' of template 'aviso' is sent as written, so '{{guia}}'"))
    }

    @Test("the texts the runtime fills take placeholders")
    func filledTexts() throws {
        let yaml = Inline.flow(
            "  s:\n    type: menu\n    text: \"Hola {{contact.name}}\"\n    header: \"{{nombre}}\"\n"
                + "    footer: \"{{nombre}}\"\n    invalid: \"{{nombre}}?\"\n    options:\n"
                + "      - { id: a, title: Uno, next: q }\n"
                + "  q:\n    type: ask\n    text: \"{{nombre}}?\"\n    save: dato\n    retry: \"{{nombre}}!\"\n"
                + "    next: f\n"
                + "  f:\n    type: message\n    text: \"{{dato}}\"\n    attachment:\n"
                + "      url: https://x.co/a.pdf\n      caption: \"Para {{nombre}}\"\n    next: v\n"
                + "  v:\n    type: set\n    values: { nombre: \"{{contact.name}}\" }\n    next: e\n"
                + "  e:\n    type: end\n    text: \"Adios {{nombre}}\"\n")
        #expect(try report(Marked(yaml)) == [])
    }

    @Test(
        "what the language leaves as written is no placeholder",
        arguments: ["Uno {{}}", "Uno {{ }}", "Uno {{nombre", "Uno {nombre}", "Uno }}{{"])
    func notPlaceholders(title: String) throws {
        let yaml = Inline.menu(options: "      - { id: a, title: \"\(title)\", next: s }\n")
        #expect(try report(Marked(yaml)) == [])
    }

    @Test("a placeholder in a title is this rule's alone: it reads no variable, so unknown_variable is silent")
    func noVariableRead() throws {
        let yaml = Inline.menu(options: "      - { id: a, title: \"{{nombre}}\", next: s }\n")
        #expect(try Inline.run(VariableAssignmentRule(), yaml).isEmpty)
        #expect(try report(Marked(yaml)).count == 1)
    }
}
