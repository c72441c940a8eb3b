import FlowDiagnostics
import FlowSyntax
import Testing

/// A value written unquoted that YAML reads as something other than text gets a `help:` naming the character
/// and the fix; YAML used on purpose (a list, an anchor on a mapping, a merge key) gets none.
@Suite struct UnquotedTextHintTests {
    /// The help of the loader's first diagnostic for `text`.
    func help(_ text: String) throws -> String? {
        let result = YAMLLoader.load(text)
        return try #require(result.diagnostics.first, "\(text) loaded without a diagnostic").suggestion
    }

    @Test(arguments: [
        ("text: *Gracias* por escribirnos.\n", "'*' at the start of a value makes it an alias"),
        ("text: *gracias\n", "'*' at the start of a value makes it an alias"),
        ("text: &gracias\n", "'&' at the start of a value makes it an anchor"),
        ("text: &gracias por todo\n", "'&' at the start of a value makes it an anchor"),
        ("text: !Hola! amigo\n", "'!' at the start of a value makes it a tag"),
        ("text: [Aviso] Gracias\n", "'[' at the start of a value makes it a list"),
        ("text: {Aviso} Gracias\n", "'{' at the start of a value makes it a mapping"),
        ("text: ```Hola``` amigo\n", "'`' cannot start a plain value in YAML"),
        ("text: @empresa saluda\n", "'@' cannot start a plain value in YAML"),
        ("text: %50 menos\n", "'%' cannot start a plain value in YAML"),
        ("text: Horario: de 8 a 12.\n", "': ' inside a value makes YAML read a key and its value"),
    ])
    func namesTheCharacterAndTheFix(_ text: String, _ reason: String) throws {
        let help = try #require(try help(text), "no help for \(text)")
        #expect(help.hasPrefix(reason), "\(help)")
        #expect(help.hasSuffix(": quote the text, \(Self.quoted(text)), or write it as a block scalar (>-)"))
    }

    /// The line's value quoted, as the help shows it.
    static func quoted(_ line: String) -> String {
        let value = line.dropFirst("text: ".count).dropLast()
        return "text: \"\(value)\""
    }

    @Test func aValueStartingWithAPlaceholderMustBeQuoted() throws {
        for text in ["text: {{contact.name}}, gracias\n", "text: {{contact.name}}\n", "a:\n  text: {{x}} y\n  b: 1\n"] {
            let help = try #require(try help(text), "no help for \(text)")
            #expect(help.hasPrefix("'{' at the start of a value makes it a mapping, so a text that starts with {{…}} "))
            #expect(help.contains("must be quoted: text: \"{{"), "\(help)")
        }
        // Was misdiagnosed as a complex key only: the diagnostic stays, with the help.
        let result = YAMLLoader.load("text: {{contact.name}}, gracias\n")
        #expect(result.diagnostics.first?.id == "yaml_complex_key")
    }

    @Test func quotesAndBackslashesAreEscapedAndLongValuesAreNotRepeated() throws {
        #expect(try help("text: *dijo* \"hola\" \\ bien\n")?.contains(#"text: "*dijo* \"hola\" \\ bien""#) == true)
        let long = "text: *" + String(repeating: "a", count: 80) + "*\n"
        #expect(try help(long)?.contains("quote the text, \"…\", or") == true)
        // A comment after the value is not part of the text.
        #expect(try help("text: *bold* # nota\n")?.contains(#"text: "*bold*","#) == true)
    }

    /// Transcripts (`- contact:`), lists of texts and nested mappings go through the same loader.
    @Test func listItemsAndNestedKeys() throws {
        #expect(try help("steps:\n  - contact: *hola* amigo\n")?.contains(#"contact: "*hola* amigo""#) == true)
        #expect(try help("words:\n  - *hola* amigo\n")?.contains(#"- "*hola* amigo""#) == true)
        #expect(try help("a:\n  b:\n    c: [x] y\n")?.contains(#"c: "[x] y""#) == true)
    }

    /// A quoted text with more text after its closing quote, and a value that starts with `- ` (a bullet line),
    /// are errors whatever was meant: the help says why and quotes the whole line's value.
    @Test func textAfterAQuoteAndABulletGetHelp() throws {
        #expect(
            try help("text: \"Hola\" amigo\n")
                == #"a quoted text ends at its closing quote, and YAML allows no text after it: quote the text, "#
                + #"text: "\"Hola\" amigo", or write it as a block scalar (>-)"#)
        #expect(
            try help("text: - Llama al 601\n")
                == #"'- ' at the start of a value makes it a list item, not text: quote the text, "#
                + #"text: "- Llama al 601", or write it as a block scalar (>-)"#)
        // A list item under a key on its own line, and a quoted text followed by a comment, are fine.
        #expect(YAMLLoader.load("text:\n  - a\n").diagnostics.isEmpty)
        #expect(YAMLLoader.load("text: \"Hola\" # saludo\n").diagnostics.isEmpty)
    }

    @Test(arguments: [
        "words: [*hola]\n",  // an alias inside a list: YAML on purpose, not a text written bare
        "base: &base\n  a: 1\nother: 2\n",  // an anchor on a mapping
        "a: &x\n  k: 1\nb:\n  <<: *x\n",  // a merge key
        "text: &adios \"Gracias\"\n",  // an anchor on a quoted text
        "version: !!str 2026-01\n",  // a standard tag
        "a:\n  b: 1\n c: 2\n",  // bad indentation
        "list: [a, b\nnext: 1\n",  // an unclosed list meant as one
        "text: hola\n\tb: 1\n",  // a tab
    ])
    func yamlUsedOnPurposeGetsNoTextHelp(_ text: String) throws {
        let result = YAMLLoader.load(text)
        #expect(!result.diagnostics.isEmpty)
        #expect(result.diagnostics.allSatisfy { $0.suggestion == nil }, "\(result.diagnostics)")
    }

    /// An alias of an anchor the file defines (even after it) is YAML on purpose; one of no anchor reads as a text.
    @Test func anAliasOfADefinedAnchorGetsNoHelp() {
        let result = YAMLLoader.load("b: *x\na: &x\n  k: 1\nc: *y\n")
        #expect(result.diagnostics.map(\.id) == ["yaml_anchor", "yaml_anchor", "yaml_anchor"])
        #expect(result.diagnostics.map { $0.suggestion != nil } == [false, false, true])
    }

    /// A thousand aliases in one flow list on one long line are each checked without reading the line.
    @Test func manyAliasesOnOneLongLineStayFast() {
        let text = "a: [" + Array(repeating: "*x", count: 50_000).joined(separator: ", ") + "]\n"
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = YAMLLoader.load(text) }
        #expect(elapsed < .seconds(10))
    }
}
