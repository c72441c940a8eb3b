import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Testing

@testable import FlowCompiler

/// A 1-based line and column (in Unicode scalars), comparable in `#expect`.
struct Position: Equatable, CustomStringConvertible {
    var line: Int
    var column: Int

    /// `line:column`, as in rendered diagnostics.
    var description: String { "\(line):\(column)" }

    /// Where a diagnostic starts.
    init(_ diagnostic: Diagnostic) {
        self.init(line: diagnostic.range.start.line, column: diagnostic.range.start.column)
    }

    /// Where a note points.
    init(_ note: DiagnosticNote) {
        self.init(line: note.range.start.line, column: note.range.start.column)
    }

    /// A position written out in a test.
    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// YAML written with `‹1›`-style markers where diagnostics must start: the text without the markers, and each
/// marker's position, counted in Unicode scalars as source columns are. Markers rather than counted columns
/// keep the tests readable, and they are not emoji, so the emoji rule can be tested with them.
struct Marked {
    let text: String
    let marks: [Int: Position]

    /// Removes the markers from `marked`, remembering where each was.
    init(_ marked: String) {
        var text = String.UnicodeScalarView()
        var marks: [Int: Position] = [:]
        var line = 1
        var column = 1
        var scalars = marked.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            if scalar == "‹", let close = scalars.firstIndex(of: "›"),
                let number = Int(String(Substring(scalars[..<close])))
            {
                marks[number] = Position(line: line, column: column)
                scalars = scalars[scalars.index(after: close)...]
                continue
            }
            text.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.text = String(text)
        self.marks = marks
    }

    /// The position of marker `number`; a test naming a marker it did not write fails.
    func callAsFunction(_ number: Int) -> Position? { marks[number] }
}

/// Running one rule over a flow written inline, the way `FlowChecker` would, but without the registry.
enum Inline {
    /// A flow with the given steps (YAML, indented by 2) and top-level sections before them.
    static func flow(_ steps: String, top: String = "") -> String {
        "flow: prueba\nstart: s\n" + top + "steps:\n" + steps
    }

    /// The rule's diagnostics for `yaml`, which must load and decode without any problem of its own, so that a
    /// typo in a test cannot make it pass by producing no flow.
    static func run(
        _ rule: some LintRule, _ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> [Diagnostic] {
        let loaded = YAMLLoader.load(yaml)
        let decoded = FlowDecoder.decode(loaded.root)
        let problems = (loaded.diagnostics + decoded.diagnostics).map { "\($0.id): \($0.message)" }
        #expect(problems.isEmpty, "the test's YAML is not a clean flow", sourceLocation: sourceLocation)
        let flow = try #require(decoded.flow, sourceLocation: sourceLocation)
        return rule.check(RuleContext(flow: flow, source: loaded.source))
    }

    /// The menu options `o1`…`oN` with titles `Opcion 1`…, one per line; marker 1 goes before option `marked`.
    static func options(_ count: Int, marked: Int? = nil) -> String {
        (0..<count).map { index in
            "      - \(index + 1 == marked ? "‹1›" : ""){ id: o\(index + 1), title: Opcion \(index + 1), next: s }\n"
        }.joined()
    }

    /// A menu step `s` with the given keys before its options.
    static func menu(_ keys: String = "", options: String) -> String {
        flow("  s:\n    type: menu\n    text: Elige\n" + keys + "    options:\n" + options)
    }
}

/// Text of exactly `count` characters, Spanish-looking, so that boundaries are exact.
private func text(_ count: Int) -> String {
    let word = "añoé"
    return String(String(repeating: word, count: count / word.count + 1).prefix(count))
}

/// `too_many_buttons` and `too_many_rows`: the option counts WhatsApp accepts, at their boundaries.
@Suite struct MenuSizeTests {
    @Test("3 buttons are fine, a 4th with display: buttons is an error at the 4th option")
    func buttons() throws {
        #expect(
            try Inline.run(MenuSizeRule(), Inline.menu("    display: buttons\n", options: Inline.options(3))).isEmpty)
        let marked = Marked(Inline.menu("    display: ‹2›buttons\n", options: Inline.options(4, marked: 4)))
        let diagnostics = try Inline.run(MenuSizeRule(), marked.text)
        #expect(diagnostics.map(\.id) == ["too_many_buttons"])
        let diagnostic = try #require(diagnostics.first)
        #expect(Position(diagnostic) == marked(1))
        #expect(
            diagnostic.notes.map(Position.init) == [marked(2)])
        #expect(diagnostic.suggestion == "use 'display: list'")
        #expect(diagnostic.message == "menu 's' has 4 options but 'display: buttons' shows at most 3 reply buttons")
    }

    @Test("auto shows 4 options as a list, so they are not too many buttons")
    func autoBecomesList() throws {
        #expect(try Inline.run(MenuSizeRule(), Inline.menu(options: Inline.options(4))).isEmpty)
        #expect(try Inline.run(MenuSizeRule(), Inline.menu("    display: auto\n", options: Inline.options(10))).isEmpty)
    }

    @Test("10 rows are fine, an 11th is an error at the 11th option", arguments: ["", "    display: list\n"])
    func rows(display: String) throws {
        #expect(try Inline.run(MenuSizeRule(), Inline.menu(display, options: Inline.options(10))).isEmpty)
        let marked = Marked(Inline.menu(display, options: Inline.options(11, marked: 11)))
        let diagnostics = try Inline.run(MenuSizeRule(), marked.text)
        #expect(diagnostics.map(\.id) == ["too_many_rows"])
        #expect(diagnostics.map(Position.init) == [marked(1)])
    }

    @Test("11 options with display: buttons are too many buttons, reported once")
    func elevenButtons() throws {
        let diagnostics = try Inline.run(
            MenuSizeRule(), Inline.menu("    display: buttons\n", options: Inline.options(11)))
        #expect(diagnostics.map(\.id) == ["too_many_buttons"])
        #expect(diagnostics.first?.suggestion == "split the menu: a list holds at most 10 rows")
    }

    @Test("a menu without options is an error at the step id", arguments: ["", "    display: buttons\n"])
    func noOptions(display: String) throws {
        let marked = Marked(
            Inline.flow("  ‹1›s:\n    type: menu\n    text: Elige\n\(display)    options: []\n"))
        let diagnostics = try Inline.run(MenuSizeRule(), marked.text)
        #expect(diagnostics.map(\.id) == ["too_many_rows"])
        #expect(diagnostics.map(Position.init) == [marked(1)])
    }
}

/// The length limits of interactive messages, each at its boundary, counted in characters.
@Suite struct InteractiveLimitTests {
    /// The ids and positions the rule reports for `marked`.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(InteractiveLimitsRule(), marked.text).map { "\($0.id) \(Position($0))" }
    }

    @Test("button titles: 20 characters fit, 21 do not")
    func buttonTitle() throws {
        let fits = Marked(Inline.menu(options: "      - { id: a, title: \(text(20)), next: s }\n"))
        #expect(try report(fits) == [])
        let long = Marked(Inline.menu(options: "      - { id: a, title: ‹1›\(text(21)), next: s }\n"))
        #expect(try report(long) == ["button_title_too_long \(long(1)!)"])
        let diagnostic = try #require(try Inline.run(InteractiveLimitsRule(), long.text).first)
        #expect(
            diagnostic.message
                == "title of option 'a' of step 's' has 21 characters; a reply-button title holds at most 20")
    }

    @Test("lengths count characters, not scalars: a decomposed ñ is one")
    func graphemes() throws {
        // 20 characters written with 30 scalars (n + U+0303, e + U+0301).
        let title = String(repeating: "n\u{303}e\u{301}", count: 5) + "abcdefghij"
        #expect(title.count == 20 && title.unicodeScalars.count == 30)
        #expect(try report(Marked(Inline.menu(options: "      - { id: a, title: \"\(title)\", next: s }\n"))) == [])
    }

    @Test("in text with variables only the written part counts, and the message says the values add to it")
    func variables() throws {
        let fits = Marked(Inline.menu("    header: \"\(text(60)){{nombre}}\"\n", options: Inline.options(4)))
        #expect(try report(fits) == [])
        let long = Marked(Inline.menu("    header: \"{{ nombre }}\(text(61))\"\n", options: Inline.options(4)))
        let diagnostic = try #require(try Inline.run(InteractiveLimitsRule(), long.text).first)
        #expect(diagnostic.id == "header_too_long")
        #expect(diagnostic.message.contains("has 61 characters without its variables, which add to it"))
    }

    /// Titles, descriptions and the list button are sent as written: the braces are what WhatsApp receives.
    @Test(
        "a field sent as written is counted whole, placeholders included",
        arguments: [
            (
                "      - { id: a, title: ‹1›\"{{nombre_completo_del_cliente}}\", next: s }\n", "",
                "button_title_too_long", 31
            ),
            (
                "      - { id: a, title: ‹1›\"{{nombre_completo_cliente}}\", next: s }\n", "    display: list\n",
                "row_title_too_long", 27
            ),
            (
                "      - { id: a, title: A, description: ‹1›\"{{x}}\(text(68))\", next: s }\n", "    display: list\n",
                "row_description_too_long", 73
            ),
            (
                "      - { id: a, title: A, next: s }\n",
                "    display: list\n    button: ‹1›\"{{opciones}} ya mismo\"\n",
                "list_button_too_long", 21
            ),
        ])
    func sentAsWritten(option: String, keys: String, id: String, length: Int) throws {
        let marked = Marked(Inline.menu(keys, options: option))
        let diagnostics = try Inline.run(InteractiveLimitsRule(), marked.text)
        #expect(diagnostics.map { "\($0.id) \(Position($0))" } == ["\(id) \(marked(1)!)"])
        #expect(diagnostics.first?.message.contains("has \(length) characters;") == true)
    }

    @Test("list row titles: 24 fit, 25 do not; a 21-character row title is fine")
    func rowTitle() throws {
        let fits = Marked(
            Inline.menu(
                "    display: list\n",
                options:
                    "      - { id: a, title: \(text(24)), next: s }\n      - { id: b, title: \(text(21)), next: s }\n"))
        #expect(try report(fits) == [])
        let long = Marked(
            Inline.menu("    display: list\n", options: "      - { id: a, title: ‹1›\(text(25)), next: s }\n"))
        #expect(try report(long) == ["row_title_too_long \(long(1)!)"])
    }

    @Test("list row descriptions: 72 fit, 73 do not")
    func rowDescription() throws {
        let options = { (count: Int) in
            "      - id: a\n        title: A\n        description: ‹1›\(text(count))\n        next: s\n"
        }
        #expect(try report(Marked(Inline.menu("    display: list\n", options: options(72)))) == [])
        let long = Marked(Inline.menu("    display: list\n", options: options(73)))
        #expect(try report(long) == ["row_description_too_long \(long(1)!)"])
    }

    @Test("a description on a buttons menu is ignored by WhatsApp: a warning, whatever its length")
    func descriptionIgnored() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - id: a\n        title: A\n        description: ‹1›\(text(100))\n        next: s\n"))
        let diagnostics = try Inline.run(InteractiveLimitsRule(), marked.text)
        #expect(
            diagnostics.map { "\($0.id) \($0.severity) \(Position($0))" } == [
                "description_ignored warning \(marked(1)!)"
            ])
    }

    @Test(
        "header 60, footer 60, list button 20",
        arguments: [
            ("header", 60, "header_too_long"), ("footer", 60, "footer_too_long"),
            ("button", 20, "list_button_too_long"),
        ])
    func headerFooterButton(key: String, limit: Int, id: String) throws {
        let fits = Marked(Inline.menu("    \(key): \(text(limit))\n", options: Inline.options(4)))
        #expect(try report(fits) == [])
        let long = Marked(Inline.menu("    \(key): ‹1›\"\(text(limit + 1))\"\n", options: Inline.options(4)))
        #expect(try report(long) == ["\(id) \(long(1)!)"])
    }

    @Test("menu, consent and opt-in texts are interactive bodies: 1024 fit, 1025 do not")
    func interactiveBody() throws {
        let menu = { (count: Int) in
            Marked(Inline.flow("  s:\n    type: menu\n    text: ‹1›\(text(count))\n    options:\n" + Inline.options(2)))
        }
        #expect(try report(menu(1024)) == [])
        #expect(try report(menu(1025)) == ["interactive_body_too_long \(menu(1025)(1)!)"])
        let consent = { (count: Int, optIn: Int) in
            Marked(
                Inline.flow(
                    "  s:\n    type: consent\n    text: ‹1›\(text(count))\n    accept: { title: Acepto, next: s }\n"
                        + "    decline: { title: No acepto, next: s }\n    opt_in:\n      purpose: promociones\n"
                        + "      text: ‹2›\(text(optIn))\n      accept: Si\n      decline: No\n"))
        }
        #expect(try report(consent(1024, 1024)) == [])
        let long = consent(1025, 1025)
        #expect(try report(long) == ["interactive_body_too_long \(long(1)!)", "interactive_body_too_long \(long(2)!)"])
    }

    @Test("consent and opt-in accept/decline titles are left to consent_label_ambiguous, which limits them to 20")
    func consentButtons() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: consent\n    text: Autorizas?\n    accept: { title: \(text(30)), next: s }\n"
                    + "    decline: { title: \(text(30)), next: s }\n    opt_in:\n      purpose: promociones\n"
                    + "      text: Promociones?\n      accept: ‹1›\(text(21))\n      decline: \(text(20))\n"))
        #expect(try report(marked) == [])
        let label = try Inline.run(ConsentLabelAmbiguousRule(), marked.text).filter {
            $0.message.contains("has 21 characters, more than 20")
        }
        #expect(label.map { Position($0) } == [marked(1)!])
    }
}

/// `text_too_long` and `caption_too_long`, at their boundaries, over every text sent as a message.
@Suite struct TextLimitTests {
    /// The ids and positions the rule reports for `marked`.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(TextLimitsRule(), marked.text).map { "\($0.id) \(Position($0))" }
    }

    @Test("a message text of 4096 characters fits, 4097 do not")
    func message() throws {
        let step = { (count: Int) in Marked(Inline.flow("  s:\n    type: message\n    text: ‹1›\(text(count))\n")) }
        #expect(try report(step(4096)) == [])
        #expect(try report(step(4097)) == ["text_too_long \(step(4097)(1)!)"])
        let diagnostic = try #require(try Inline.run(TextLimitsRule(), step(4097).text).first)
        #expect(diagnostic.message == "'text' of step 's' has 4097 characters; a text message holds at most 4096")
    }

    @Test("every text sent as a text message is held to 4096")
    func everyText() throws {
        let long = text(4097)
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: ask\n    text: ‹1›\(long)\n    save: dato\n    retry: ‹2›\(long)\n"
                    + "  m:\n    type: menu\n    text: Elige\n    invalid: ‹3›\(long)\n    options:\n"
                    + Inline.options(1)
                    + "  h:\n    type: handoff\n    queue: ventas\n    text: ‹4›\(long)\n"
                    + "    closed:\n      text: ‹5›\(long)\n"
                    + "  e:\n    type: end\n    text: ‹6›\(long)\n",
                top: "settings:\n  inactivity:\n    text: ‹7›\(long)\n  revocation:\n    words: [revocar]\n"
                    + "    text: ‹8›\(long)\n"))
        let found = try report(marked)
        #expect(found.sorted() == (1...8).map { "text_too_long \(marked($0)!)" }.sorted())
    }

    @Test("captions: 1024 fit, 1025 do not")
    func caption() throws {
        let step = { (count: Int) in
            Marked(
                Inline.flow(
                    "  s:\n    type: message\n    text: Hola\n    attachment:\n      url: https://x.co/a.pdf\n"
                        + "      caption: ‹1›\(text(count))\n"))
        }
        #expect(try report(step(1024)) == [])
        #expect(try report(step(1025)) == ["caption_too_long \(step(1025)(1)!)"])
    }
}

/// `duplicate_option`: replies that would choose more than one option, each with a note at the first.
@Suite struct DuplicateOptionTests {
    /// Each diagnostic's position and the positions of its notes.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(DuplicateOptionRule(), marked.text).map {
            "\(Position($0)) note \($0.notes.map(Position.init))"
        }
    }

    @Test("an option's own id and title may coincide; distinct options are fine")
    func distinct() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - { id: comprar, title: Comprar, synonyms: [compra], next: s }\n"
                    + "      - { id: horario, title: Horario, synonyms: [horas, Horario], next: s }\n"))
        #expect(try report(marked) == [])
    }

    @Test("titles repeated ignoring case and surrounding spaces, with a note at the first")
    func titles() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - { id: a, title: ‹2›Comprar, next: s }\n"
                    + "      - { id: b, title: ‹1›\"  COMPRAR \", next: s }\n"
            ))
        #expect(try report(marked) == ["\(marked(1)!) note [\(marked(2)!)]"])
        let diagnostic = try #require(try Inline.run(DuplicateOptionRule(), marked.text).first)
        #expect(diagnostic.id == "duplicate_option")
        #expect(
            diagnostic.message
                == "title '  COMPRAR ' of option 2 ('  COMPRAR ') in step 's' repeats the title 'Comprar' of option 1 "
                + "('Comprar'); each reply must choose exactly one option"
        )
        #expect(diagnostic.suggestion == "give option 2 ('  COMPRAR ') a title of its own")
    }

    /// Two options with the same id (a copied line) are told apart by position and title, the id clash is named
    /// as such although the id also matches the first option's title, and the help says what to change: the
    /// message named both options 'comprar' and spoke of a title (contract2 #8).
    @Test func aRepeatedIdNamesTheOptionsByPositionAndTitle() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - { id: ‹2›comprar, title: Comprar, next: s }\n"
                    + "      - { id: ‹1›comprar, title: Preguntas frecuentes, synonyms: [‹3›\"1\"], next: s }\n"))
        let diagnostics = try Inline.run(DuplicateOptionRule(), marked.text)
        #expect(
            try report(marked) == [
                "\(marked(1)!) note [\(marked(2)!)]", "\(marked(3)!) note [\(Position(line: 8, column: 9))]",
            ])
        #expect(
            diagnostics.map(\.message) == [
                "id 'comprar' of option 2 ('Preguntas frecuentes') in step 's' repeats the id 'comprar' of option 1 "
                    + "('Comprar'); each reply must choose exactly one option",
                "synonym '1' of option 2 ('Preguntas frecuentes') in step 's' is the number of option 1 ('Comprar'), "
                    + "which the contact can type to choose it",
            ])
        #expect(
            diagnostics.map(\.suggestion) == [
                "give option 2 ('Preguntas frecuentes') an id of its own (the reply WhatsApp sends back names it)",
                "remove the synonym '1' from option 2 ('Preguntas frecuentes'), or give it another word",
            ])
    }

    @Test("titles that differ only by accents or inner spaces repeat: typed, they match the same way")
    func accentsAndInnerSpaces() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - { id: a, title: ‹2›Información, next: s }\n"
                    + "      - { id: b, title: ‹1›Informacion, next: s }\n"
                    + "      - { id: c, title: ‹4›Mi pedido, next: s }\n"
                    + "      - { id: d, title: ‹3›\"Mi  pedido\", next: s }\n"))
        #expect(try report(marked) == ["\(marked(1)!) note [\(marked(2)!)]", "\(marked(3)!) note [\(marked(4)!)]"])
    }

    @Test("repeated ids, a synonym equal to another option's title, a synonym repeated, a synonym that is a number")
    func others() throws {
        let marked = Marked(
            Inline.menu(
                options: "      - { id: ‹2›a, title: ‹4›Comprar, synonyms: [‹6›precio], next: s }\n"
                    + "      - { id: ‹1›a, title: Otra, synonyms: [‹3›comprar, ‹5›Precio, ‹7›\"1\"], next: s }\n"))
        #expect(
            try report(marked) == [
                "\(marked(1)!) note [\(marked(2)!)]", "\(marked(3)!) note [\(marked(4)!)]",
                "\(marked(5)!) note [\(marked(6)!)]", "\(marked(7)!) note [\(Position(line: 8, column: 9))]",
            ])
    }
}

/// Attachments, templates and queues: the resources a flow refers to.
@Suite struct ResourceRuleTests {
    @Test(
        "attachments: pdf, jpg, jpeg, png (any case) are fine", arguments: ["a.pdf", "b.JPG", "c.jpeg?x=1", "d.png#p"])
    func attachmentAllowed(url: String) throws {
        let yaml = Inline.flow(
            "  s:\n    type: message\n    text: Hola\n    attachment:\n      url: https://x.co/\(url)\n")
        #expect(try Inline.run(AttachmentTypeRule(), yaml).isEmpty)
    }

    @Test("other attachments are an error at the URL, or at the file name when there is one")
    func attachmentRefused() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: message\n    text: Hola\n    attachment:\n      url: ‹1›https://x.co/a.docx\n"
                    + "  t:\n    type: message\n    text: Hola\n    attachment:\n      url: https://x.co/a.pdf\n"
                    + "      filename: ‹2›informe\n"))
        let diagnostics = try Inline.run(AttachmentTypeRule(), marked.text)
        #expect(
            diagnostics.map { "\($0.id) \(Position($0))" } == [
                "attachment_type \(marked(1)!)", "attachment_type \(marked(2)!)",
            ])
        #expect(
            diagnostics.map(\.message) == [
                "the attachment of step 's' is a '.docx' file; send a pdf, jpg, jpeg or png file",
                "the attachment of step 't' has no file extension; send a pdf, jpg, jpeg or png file",
            ])
    }

    /// A flow declaring template `t` with the given fields and a step sending it with `parameters`.
    static func template(
        name: String = "recordatorio", body: String = "Hola {{1}}", header: String = "", parameters: String = "[Ana]"
    ) -> String {
        Inline.flow(
            "  s:\n    type: template\n    template: t\n    parameters: \(parameters)\n",
            top: "templates:\n  t:\n    name: \(name)\n    language: es\n    category: utility\n    body: \(body)\n"
                + header)
    }

    @Test(
        "template header media: JPEG images and PDF documents only",
        arguments: [
            ("image", "https://x.co/a.jpg", true), ("image", "https://x.co/a.JPEG?v=2", true),
            ("image", "https://x.co/a.png", false), ("document", "https://x.co/a.pdf", true),
            ("document", "https://x.co/a.docx", false), ("document", "https://x.co/a", false),
        ])
    func templateHeader(type: String, link: String, fine: Bool) throws {
        let marked = Marked(Self.template(header: "    header:\n      type: ‹2›\(type)\n      link: ‹1›\(link)\n"))
        let diagnostics = try Inline.run(TemplateHeaderMediaRule(), marked.text)
        if fine {
            #expect(diagnostics.isEmpty)
        } else {
            #expect(diagnostics.map { "\($0.id) \(Position($0))" } == ["template_header_media \(marked(1)!)"])
            #expect(diagnostics.first?.notes.map(\.range.start.line) == marked(2).map { [$0.line] })
        }
    }

    @Test("template names: lowercase letters, digits and '_', at most 512")
    func templateName() throws {
        #expect(try Inline.run(TemplateNameRule(), Self.template(name: "recordatorio_cita_2")).isEmpty)
        #expect(try Inline.run(TemplateNameRule(), Self.template(name: String(repeating: "a", count: 512))).isEmpty)
        let long = Marked(Self.template(name: "‹1›" + String(repeating: "a", count: 513)))
        #expect(try Inline.run(TemplateNameRule(), long.text).map(Position.init) == [long(1)])
        let marked = Marked(Self.template(name: "‹1›Recordatorio-Cita"))
        let diagnostics = try Inline.run(TemplateNameRule(), marked.text)
        #expect(diagnostics.map { "\($0.id) \(Position($0))" } == ["template_name_invalid \(marked(1)!)"])
        #expect(diagnostics.first?.suggestion == "did you mean 'recordatorio_cita'?")
    }

    @Test("template tokens {{1}}..{{n}} with n parameters are fine, in any order and repeated")
    func tokensFine() throws {
        let yaml = Self.template(body: "\"{{2}} y {{ 1 }}, otra vez {{2}}\"", parameters: "[a, b]")
        #expect(try Inline.run(TemplateTokensRule(), yaml).isEmpty)
        #expect(try Inline.run(TemplateTokensRule(), Self.template(body: "Hola", parameters: "[]")).isEmpty)
    }

    @Test("named tokens, {{0}} and gaps are errors; named tokens at their exact column")
    func tokensRefused() throws {
        let marked = Marked(
            Self.template(body: "‹2›\"Hola ‹1›{{nombre}}, cita el {{3}} ‹3›{{0}}\"", parameters: "[a, b, c]"))
        let diagnostics = try Inline.run(TemplateTokensRule(), marked.text)
        #expect(
            diagnostics.map { "\($0.id) \(Position($0))" } == [
                "template_tokens \(marked(1)!)", "template_tokens \(marked(3)!)", "template_tokens \(marked(2)!)",
            ])
        #expect(
            diagnostics.last?.message
                == "the body of template 't' uses {{3}} but not {{1}}, {{2}}; "
                + "number the parameters from {{1}} without gaps"
        )
    }

    @Test("a template step must pass exactly as many parameters as the body numbers")
    func parameterCount() throws {
        let few = Marked(
            Self.template(body: "\"{{1}} {{2}}\"", parameters: "[a]").replacingOccurrences(
                of: "template: t", with: "template: ‹1›t"))
        let fewFound = try Inline.run(TemplateTokensRule(), few.text)
        #expect(fewFound.map(Position.init) == [few(1)])
        #expect(fewFound.first?.message == "template 't' takes 2 parameters but step 's' passes 1")
        let many = Marked(Self.template(body: "\"{{1}}\"", parameters: "[a, ‹1›b, c]"))
        #expect(try Inline.run(TemplateTokensRule(), many.text).map(Position.init) == [many(1)])
        // An undeclared template is unknown_template's problem, not a parameter count.
        let unknown = Self.template(parameters: "[a, b]").replacingOccurrences(of: "template: t", with: "template: x")
        #expect(try Inline.run(TemplateTokensRule(), unknown).isEmpty)
    }

    @Test("template bodies hold 1024 characters")
    func bodyLength() throws {
        #expect(try Inline.run(TemplateTokensRule(), Self.template(body: "x{{1}}" + text(1018))).isEmpty)
        let marked = Marked(Self.template(body: "‹1›x{{1}}" + text(1019)))
        let diagnostics = try Inline.run(TemplateTokensRule(), marked.text)
        #expect(diagnostics.map(Position.init) == [marked(1)])
        #expect(diagnostics.first?.message == "the body of template 't' has 1025 characters; Meta allows at most 1024")
    }

    @Test("unknown templates and queues are errors at the reference, with did-you-mean")
    func unknownReferences() throws {
        let template = Marked(Self.template().replacingOccurrences(of: "template: t\n", with: "template: ‹1›tt\n"))
        let templates = try Inline.run(UnknownTemplateRule(), template.text)
        #expect(templates.map { "\($0.id) \(Position($0))" } == ["unknown_template \(template(1)!)"])
        #expect(templates.first?.suggestion == "did you mean 't'?")
        #expect(try Inline.run(UnknownTemplateRule(), Self.template()).isEmpty)

        let handoff = { (queue: String) in
            Marked(
                Inline.flow(
                    "  s:\n    type: handoff\n    queue: ‹1›\(queue)\n    text: Ya\n", top: "queues:\n  ventas: [ana]\n"
                ))
        }
        #expect(try Inline.run(UnknownQueueRule(), handoff("ventas").text).isEmpty)
        let queues = try Inline.run(UnknownQueueRule(), handoff("venta").text)
        #expect(queues.map { "\($0.id) \(Position($0))" } == ["unknown_queue \(handoff("venta")(1)!)"])
        #expect(queues.first?.suggestion == "did you mean 'ventas'?")
    }

    @Test("queues need agents, each listed once (ignoring case), with a note at the first")
    func queues() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: end\n",
                top: "queues:\n  ventas: [‹3›ana, bruno, ‹2›Ana]\n  ‹1›soporte: []\n  ‹4›pagos:\n  otra: [ana]\n"))
        let diagnostics = try Inline.run(QueueAgentsRule(), marked.text)
        #expect(
            diagnostics.map { "\($0.id) \(Position($0))" } == [
                "duplicate_agent \(marked(2)!)", "queue_empty \(marked(1)!)", "queue_empty \(marked(4)!)",
            ])
        #expect(
            diagnostics.first?.notes.map(Position.init)
                == marked(3).map { [$0] })
    }
}

/// The fixture folders of these rules trigger their own id, and the valid fixture none.
@Suite struct LimitFixtureTests {
    /// The rules of this file and EmojiRuleTests, each fixture checked against all of them.
    static let rules: [any LintRule] = [
        MenuSizeRule(), InteractiveLimitsRule(), TextLimitsRule(), DuplicateOptionRule(), EmojiRule(),
        AttachmentTypeRule(), TemplateHeaderMediaRule(), TemplateNameRule(), TemplateTokensRule(),
        UnknownTemplateRule(), UnknownQueueRule(), QueueAgentsRule(),
    ]
    static let ids = rules.flatMap(\.descriptors).map(\.id)
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("each fixture triggers its own id and no other id of these rules", arguments: ids)
    func fixture(id: String) throws {
        let bytes = Array(
            try Data(contentsOf: Self.fixtures.appendingPathComponent(id).appendingPathComponent("flow.yaml")))
        let loaded = YAMLLoader.load(bytes: bytes)
        let decoded = FlowDecoder.decode(loaded.root)
        #expect((loaded.diagnostics + decoded.diagnostics).isEmpty)
        let flow = try #require(decoded.flow)
        let context = RuleContext(flow: flow, source: loaded.source)
        let found = Set(Self.rules.flatMap { $0.check(context) }.map(\.id))
        #expect(found == [id])
    }

    @Test("the valid fixture passes every rule of this file")
    func validMinimal() throws {
        let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("valid_minimal/flow.yaml")))
        let loaded = YAMLLoader.load(bytes: bytes)
        let flow = try #require(FlowDecoder.decode(loaded.root).flow)
        let context = RuleContext(flow: flow, source: loaded.source)
        #expect(Self.rules.flatMap { $0.check(context) }.map(\.id) == [])
    }
}

/// A menu shown as reply buttons sends no list button, so its `button` label is neither sent nor limited; a
/// list's is. The emoji rule still reads it.
@Test func theListButtonLabelIsLimitedOnlyOnMenusShownAsLists() throws {
    let long = "Ver todas las opciones"  // 22 characters
    let buttons = Inline.menu("    button: \(long)\n", options: "      - { id: a, title: Uno, next: s }\n")
    #expect(try Inline.run(InteractiveLimitsRule(), buttons).isEmpty)
    let list = Inline.menu(
        "    button: \(long)\n    display: list\n", options: "      - { id: a, title: Uno, next: s }\n")
    #expect(try Inline.run(InteractiveLimitsRule(), list).map(\.id) == ["list_button_too_long"])
}
