import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Testing

@testable import FlowCompiler

/// `emoji_in_text`: one error per emoji sequence in any text the bot sends, at the emoji's exact column, and
/// never for the special characters of Spanish text. Positions come from `‹n›` markers (see `Marked`), plus a
/// few written out as numbers so the markers' own column counting is checked too.
@Suite struct EmojiRuleTests {
    /// Each diagnostic as "line:column-line:column message", the range the caret underlines.
    func spans(_ marked: Marked) throws -> [String] {
        try Inline.run(EmojiRule(), marked.text).map {
            "\($0.range.start.line):\($0.range.start.column)-\($0.range.end.line):\($0.range.end.column)"
        }
    }

    /// An end step whose text is written as `text` (a whole YAML value, block scalars included).
    func end(_ text: String) -> Marked {
        Marked(Inline.flow("  s:\n    type: end\n    text: \(text)\n"))
    }

    @Test("Spanish text and other special characters are never flagged, in any field")
    func spanishIsFine() throws {
        let spanish = "¿Cómo estás? ¡Hola! Ñandú, pingüino, € 50, © 2025 Acme™ ®, 30 °C • … — «ok» ✓ → ❤ #1 *2"
        let yaml = Inline.flow(
            "  s:\n    type: menu\n    text: \"\(spanish)\"\n    header: \"\(spanish)\"\n    footer: \"\(spanish)\"\n"
                + "    button: \"\(spanish)\"\n    invalid: \"\(spanish)\"\n    options:\n"
                + "      - { id: a, title: \"\(spanish)\", description: \"\(spanish)\", next: s }\n"
                + "  e:\n    type: end\n    text: |\n      \(spanish)\n      \(spanish)\n",
            top: "settings:\n  revocation:\n    words: [revocar]\n    text: \"\(spanish)\"\n")
        #expect(try Inline.run(EmojiRule(), yaml).isEmpty)
    }

    @Test("columns are exact after accented letters, and the range covers the whole sequence")
    func exactColumn() throws {
        // Line 6 is `    text: ¿Qué tal? 👍🏽`: the value starts at column 11 and "¿Qué tal? " is 10 scalars.
        let diagnostics = try Inline.run(EmojiRule(), Inline.flow("  s:\n    type: end\n    text: ¿Qué tal? 👍🏽\n"))
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.id == "emoji_in_text")
        #expect(diagnostic.severity == .error)
        #expect(Position(diagnostic) == Position(line: 6, column: 21))
        #expect(diagnostic.range.end.column == 23)
        #expect(
            diagnostic.message
                == "'text' of step 's' contains the emoji '👍🏽' (U+1F44D U+1F3FD); the WhatsApp conversation policy "
                + "forbids emoji in messages")
        #expect(diagnostic.suggestion == "remove it or say it in words")
    }

    @Test(
        "edges: one diagnostic per sequence, at its column, in every scalar style",
        arguments: [
            "‹1›🇨🇴", "‹1›👍🏽", "‹1›👩🏽\u{200D}💻", "‹1›1\u{FE0F}\u{20E3}", "‹1›#\u{FE0F}\u{20E3}", "‹1›❤\u{FE0F}",
            "‹1›🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}", "‹1›😀\u{FE0E}",
        ])
    func edges(emoji: String) throws {
        let bare = Marked(emoji).text
        let styles = [
            "ñandú ¿sí? \(emoji) fin",
            "'ñandú ''¿sí?'' \(emoji) fin'",
            "\"ñandú \\\"¿sí?\\\" \(emoji) fin\"",
            "|\n      ñandú ¿sí?\n      más \(emoji) fin",
            ">\n      ñandú ¿sí?\n      más \(emoji) fin",
            "\"ñandú ¿sí?\n      más \(emoji) fin\"",
        ]
        // In a plain scalar, " #" starts a comment: a plain `#️⃣` after a space is not text at all.
        for style in styles where !(bare.unicodeScalars.first == "#" && style == styles[0]) {
            let marked = end(style)
            let start = try #require(marked(1))
            let stop = "\(start.line):\(start.column + bare.unicodeScalars.count)"
            #expect(try spans(marked) == ["\(start)-\(stop)"], "\(style)")
        }
    }

    @Test("❤ and © without VS16 are text; with VS16 they are emoji; several emoji give several diagnostics")
    func heartAndCopyright() throws {
        #expect(try spans(end("Te ❤ mucho © 2025")) == [])
        let marked = end("\"Te ‹1›❤\u{FE0F} y ❤ y ‹2›©\u{FE0F} y ‹3›1\u{FE0F}\u{20E3}‹4›2\u{FE0F}\u{20E3}\"")
        let found = try Inline.run(EmojiRule(), marked.text)
        #expect(found.map(Position.init) == [marked(1), marked(2), marked(3), marked(4)])
        #expect(found.map { $0.message.contains("(U+2764 U+FE0F)") } == [true, false, false, false])
        #expect(found.last?.message.contains("(U+0032 U+FE0F U+20E3)") == true)
    }

    @Test("the same emoji twice points at each occurrence")
    func repeatedEmoji() throws {
        let marked = end("\"‹1›😀 á ‹2›😀\n      é ‹3›😀\"")
        #expect(try Inline.run(EmojiRule(), marked.text).map(Position.init) == [marked(1), marked(2), marked(3)])
    }

    @Test("every text the bot sends is checked; words the contact types are not")
    func everyField() throws {
        let e = "\u{1F600}"
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: consent\n    text: ‹1›\(e)\n    accept: { title: ‹2›\(e), next: m }\n"
                    + "    decline: { title: ‹3›\(e), next: m }\n    opt_in:\n      purpose: promociones\n"
                    + "      text: ‹4›\(e)\n      accept: ‹5›\(e)\n      decline: ‹6›\(e)\n"
                    + "  m:\n    type: menu\n    text: ‹7›\(e)\n    header: ‹8›\(e)\n    footer: ‹9›\(e)\n"
                    + "    button: ‹10›\(e)\n    invalid: ‹11›\(e)\n    options:\n"
                    + "      - { id: a, title: ‹12›\(e), description: ‹13›\(e), synonyms: [\(e)], next: s }\n"
                    + "  q:\n    type: ask\n    text: ‹14›\(e)\n    save: dato\n    retry: ‹15›\(e)\n"
                    + "  v:\n    type: set\n    values:\n      saludo: ‹16›\(e)\n"
                    + "  h:\n    type: handoff\n    queue: ventas\n    text: ‹17›\(e)\n"
                    + "    closed:\n      text: ‹18›\(e)\n"
                    + "  t:\n    type: template\n    template: aviso\n    parameters: [‹19›\(e)]\n"
                    + "  f:\n    type: message\n    text: ‹20›\(e)\n    attachment:\n      url: https://x.co/a.pdf\n"
                    + "      filename: ‹21›\(e).pdf\n      caption: ‹22›\(e)\n"
                    + "  e:\n    type: end\n    text: ‹23›\(e)\n",
                top: "settings:\n  inactivity:\n    text: ‹24›\(e)\n  keywords:\n    - { words: [\(e)], goto: m }\n"
                    + "  revocation:\n    words: [\(e)]\n    text: ‹25›\(e)\n"
                    + "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n"
                    + "    body: ‹26›\(e)\n"))
        let found = try Inline.run(EmojiRule(), marked.text).map(Position.init)
        let expected = (1...26).compactMap { marked($0) }
        #expect(expected.count == 26)
        #expect(
            found.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
                == expected.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }
}

/// `RuleContext.range(ofScalars:in:)`, which every rule pointing inside a text uses: it must land on the
/// character however the value was written.
@Suite struct ScalarRangeTests {
    /// The range of `scalars` of the end step's text.
    func range(_ yaml: String, _ scalars: Range<Int>) throws -> SourceRange {
        let loaded = YAMLLoader.load(yaml)
        let flow = try #require(FlowDecoder.decode(loaded.root).flow)
        guard case .end(let step) = flow.steps.first?.kind, let text = step.text else {
            Issue.record("the flow has no end step with text")
            return .fileStart
        }
        return RuleContext(flow: flow, source: loaded.source).range(ofScalars: scalars, in: text)
    }

    /// A flow whose end step's text is written as `value`, on line 6 from column 11.
    func yaml(_ value: String) -> String { Inline.flow("  s:\n    type: end\n    text: \(value)\n") }

    @Test("plain, quoted, literal and folded scalars, with accented letters before")
    func styles() throws {
        // The value is "ñú 😀" (plus a final line break in block scalars): the emoji is scalar 3. Line 6 starts
        // with `    text: ` (10 scalars); block scalar content starts at column 7 of the next line.
        let cases: [(value: String, scalar: Int, line: Int, column: Int)] = [
            ("ñú 😀", 3, 6, 14), ("'ñú 😀'", 3, 6, 15), ("\"ñú 😀\"", 3, 6, 15), ("|\n      ñú 😀", 3, 7, 10),
            (">\n      ñú 😀", 3, 7, 10), (">-\n      ñandú\n\n      ñú 😀", 9, 9, 10),
        ]
        for (value, scalar, line, column) in cases {
            let found = try range(yaml(value), scalar..<(scalar + 1))
            #expect(
                Position(line: found.start.line, column: found.start.column) == Position(line: line, column: column),
                "\(value)")
            #expect(
                found.end == SourceLocation(line: line, column: column + 1, offset: found.start.offset + 4), "\(value)")
        }
    }

    @Test("an emoji in a block scalar's header comment is not mistaken for the one in the text")
    func headerComment() throws {
        let found = try range(yaml("| # nota 😀\n      Hola 😀"), 5..<6)
        #expect(Position(line: found.start.line, column: found.start.column) == Position(line: 7, column: 12))
    }

    @Test("an escaped emoji points at its escape, and a later literal one at itself")
    func escapes() throws {
        // Value "😀 é 😀": the first is written `\U0001F600` (10 scalars), then ` \u00e9 ` and the second.
        let text = yaml("\"\\U0001F600 \\u00e9 😀\"")
        let first = try range(text, 0..<1)
        #expect(Position(line: first.start.line, column: first.start.column) == Position(line: 6, column: 12))
        #expect(first.end.column == 22)
        let second = try range(text, 4..<5)
        #expect(Position(line: second.start.line, column: second.start.column) == Position(line: 6, column: 30))
    }

    @Test("doubled single quotes, an escaped line break and a tag do not shift the column")
    func quotesAndTags() throws {
        // 'it''s 😀': value "it's 😀", emoji scalar 5, written at column 18.
        let quoted = try range(yaml("'it''s 😀'"), 5..<6)
        #expect(Position(line: quoted.start.line, column: quoted.start.column) == Position(line: 6, column: 18))
        // "ab\<newline>   cd 😀": value "abcd 😀".
        let continued = try range(yaml("\"ab\\\n      cd 😀\""), 5..<6)
        #expect(Position(line: continued.start.line, column: continued.start.column) == Position(line: 7, column: 10))
        let tagged = try range(yaml("!!str ñ 😀"), 2..<3)
        #expect(Position(line: tagged.start.line, column: tagged.start.column) == Position(line: 6, column: 19))
    }

    @Test("out-of-range scalars and placeholders fall back to the whole field")
    func fallback() throws {
        let text = yaml("Hola")
        let loaded = YAMLLoader.load(text)
        let flow = try #require(FlowDecoder.decode(loaded.root).flow)
        let context = RuleContext(flow: flow, source: loaded.source)
        let field = Located(
            "Hola",
            range: SourceRange(
                start: SourceLocation(line: 6, column: 11, offset: 58),
                end: SourceLocation(line: 6, column: 15, offset: 62)))
        #expect(context.range(ofScalars: 3..<9, in: field) == field.range)
        let placeholder = Located("", range: SourceRange(at: SourceLocation(line: 4, column: 3, offset: 30)))
        #expect(context.range(ofScalars: 0..<0, in: placeholder) == placeholder.range)
        // A value the source does not spell (here, a made-up one) is not matched to some other text.
        let made = Located("😀", range: field.range)
        #expect(context.range(ofScalars: 0..<1, in: made) == field.range)
    }
}

/// A file sent without a `filename` is named by its URL's last segment: an emoji written there reaches the
/// contact, and is reported where it is written; elsewhere in the URL (the host, an earlier folder) it is not
/// shown, and with a `filename` the URL is not shown at all.
@Test func anEmojiInTheFileNameAURLGivesIsReported() throws {
    let e = "\u{1F600}"
    let marked = Marked(
        Inline.flow(
            "  f:\n    type: message\n    text: Hola\n    attachment:\n      url: \"https://x.co/\(e)/cat‹1›\(e).pdf?\(e)\"\n"
                + "  g:\n    type: message\n    text: Hola\n    attachment:\n      url: \"https://x.co/\(e).pdf\"\n"
                + "      filename: catalogo.pdf\n"))
    let found = try Inline.run(EmojiRule(), marked.text)
    #expect(found.map(Position.init) == [marked(1)!])
    #expect(found.first?.message.hasPrefix("the file name that the 'url' of the attachment of step 'f' gives") == true)
}
