import FlowDiagnostics
import FlowSyntax
import Testing

/// Each thing the loader refuses, with its rule id, what the message says and where it points.
@Suite struct LoaderRejectionTests {
    /// The only diagnostic of `result`, which must be of rule `id`.
    func only(_ id: String, in result: LoadResult) throws -> Diagnostic {
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.id == id)
        #expect(diagnostic.severity == .error)
        return diagnostic
    }

    // MARK: - libyaml's own errors

    @Test func badIndentationNamesLibyamlsProblemAndContext() throws {
        let result = YAMLLoader.load("a:\n  b: 1\n c: 2\n")
        #expect(result.root == nil)
        let diagnostic = try only("yaml_syntax", in: result)
        #expect(diagnostic.message.contains("did not find expected key"))
        #expect(diagnostic.message.contains("while parsing a block mapping"))
        #expect(diagnostic.range == SourceRange(at: at(3, 2, 11)))
        #expect(diagnostic.notes == [DiagnosticNote(message: "while parsing a block mapping", range: .fileStart)])
    }

    @Test func unclosedDoubleQuote() throws {
        let result = YAMLLoader.load("a: \"unclosed\n")
        let diagnostic = try only("yaml_syntax", in: result)
        #expect(diagnostic.message.contains("found unexpected end of stream"))
        #expect(diagnostic.message.contains("while scanning a quoted scalar"))
        #expect(diagnostic.range == SourceRange(at: at(2, 1, 13)))
        // The note points at the opening quote.
        #expect(diagnostic.notes.map(\.range) == [SourceRange(at: at(1, 4, 3))])
    }

    @Test func unclosedQuoteAtTheEndOfAFileWithoutALineBreak() throws {
        // libyaml puts the end of such a file at the start of a line that does not exist; the loader names
        // the end of the last line instead.
        let result = YAMLLoader.load("k: ñ\na: 'unclosed")
        let diagnostic = try only("yaml_syntax", in: result)
        #expect(diagnostic.message.contains("found unexpected end of stream"))
        #expect(diagnostic.range == SourceRange(at: at(2, 13, 18)))
        #expect(result.source.line(diagnostic.range.start.line) == "a: 'unclosed")
    }

    @Test func unclosedFlowCollections() throws {
        let list = try only("yaml_syntax", in: YAMLLoader.load("[a, b\n"))
        #expect(list.message.contains("did not find expected ',' or ']'"))
        #expect(list.range == SourceRange(at: at(2, 1, 6)))
        let mapping = try only("yaml_syntax", in: YAMLLoader.load("{a: 1\n"))
        #expect(mapping.message.contains("did not find expected ',' or '}'"))
    }

    @Test func mappingValueInsideAPlainScalar() throws {
        let diagnostic = try only("yaml_syntax", in: YAMLLoader.load("á: b: c\n"))
        #expect(diagnostic.message.contains("mapping values are not allowed in this context"))
        #expect(diagnostic.range == SourceRange(at: at(1, 5, 5)))
        #expect(diagnostic.notes.isEmpty)
    }

    @Test func tabIndentation() throws {
        let diagnostic = try only("yaml_syntax", in: YAMLLoader.load("a:\n\tb: 1\n"))
        #expect(diagnostic.message.contains("found character that cannot start any token"))
        #expect(diagnostic.range == SourceRange(at: at(2, 1, 3)))
    }

    @Test func unknownEscape() throws {
        let diagnostic = try only("yaml_syntax", in: YAMLLoader.load(#"a: "\q""#))
        #expect(diagnostic.message.contains("found unknown escape character"))
        #expect(diagnostic.range == SourceRange(at: at(1, 5, 4)))
    }

    @Test func controlCharacterIsReportedAtItsByte() throws {
        let diagnostic = try only("yaml_syntax", in: YAMLLoader.load("a: 1\n\u{01}b\n"))
        #expect(diagnostic.message.contains("control characters are not allowed"))
        #expect(diagnostic.message.contains("U+0001"))
        #expect(diagnostic.range == SourceRange(at: at(2, 1, 5)))
        let c1 = try only("yaml_syntax", in: YAMLLoader.load("k: \u{80}\n"))
        #expect(c1.message.contains("U+0080"))
        #expect(c1.range == SourceRange(at: at(1, 4, 3)))
        let afterMark = try only(
            "yaml_syntax", in: YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a: \u{7F}".utf8)))
        #expect(afterMark.range == SourceRange(at: at(1, 4, 6)))
    }

    @Test func syntaxErrorKeepsTheProblemsFoundBeforeIt() throws {
        let result = YAMLLoader.load("a: &x 1\nb: [\n")
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_anchor", "yaml_syntax"])
    }

    // MARK: - Duplicate keys

    @Test func duplicateKeyPointsAtTheSecondWithANoteAtTheFirst() throws {
        let result = YAMLLoader.load("a: 1\nb: 2\na: 3\n")
        let diagnostic = try only("yaml_duplicate_key", in: result)
        #expect(diagnostic.message.contains("duplicate key 'a'"))
        #expect(diagnostic.range == span(at(3, 1, 10), at(3, 2, 11)))
        #expect(
            diagnostic.notes == [
                DiagnosticNote(message: "'a' is first defined here", range: span(at(1, 1, 0), at(1, 2, 1)))
            ])
        // The tree keeps the first value.
        #expect(result.root?.mapping?.map(\.key) == ["a", "b"])
        #expect(value(result.root, "a")?.scalar == "1")
    }

    @Test func everyRepeatIsReportedAgainstTheFirst() throws {
        let result = YAMLLoader.load("x:\n  ñ: 1\n  ñ: 2\n  ñ: 3\n")
        #expect(result.diagnostics.map(\.id) == ["yaml_duplicate_key", "yaml_duplicate_key"])
        #expect(result.diagnostics.map(\.range.start) == [at(3, 3, 13), at(4, 3, 21)])
        #expect(result.diagnostics.allSatisfy { $0.notes.map(\.range) == [span(at(2, 3, 5), at(2, 4, 7))] })
    }

    @Test func duplicatesInALargeMapping() throws {
        // Past a few keys the loader looks keys up in a table instead of scanning them: same answers.
        var text = ""
        for index in 0..<40 { text += "k\(index): v\n" }
        text += "k0: again\nk20: again\nk39: again\nk40: new\n"
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.map(\.id) == Array(repeating: "yaml_duplicate_key", count: 3))
        #expect(result.diagnostics.map(\.range.start.line) == [41, 42, 43])
        #expect(result.diagnostics.flatMap(\.notes).map(\.range.start.line) == [1, 21, 40])
        #expect(result.root?.mapping?.count == 41)
        #expect(value(result.root, "k20")?.scalar == "v")
    }

    @Test func duplicateKeyInAFlowMappingAndQuotedSpellings() throws {
        let flow = try only("yaml_duplicate_key", in: YAMLLoader.load("{a: 1, a: 2}"))
        #expect(flow.range == span(at(1, 8, 7), at(1, 9, 8)))
        // A quoted key is the same key as the plain one.
        let quoted = try only("yaml_duplicate_key", in: YAMLLoader.load("a: 1\n\"a\": 2\n"))
        #expect(quoted.range == span(at(2, 1, 5), at(2, 4, 8)))
    }

    @Test func sameKeyInDifferentMappingsIsFine() {
        let result = YAMLLoader.load("a: {id: 1}\nb: {id: 2}\nc:\n  - id: 3\n  - id: 4\n")
        #expect(result.diagnostics.isEmpty)
    }

    @Test func canonicallyEquivalentKeysAreDuplicates() throws {
        // "é" precomposed and "e" + combining acute are equal Swift strings; a flow could not tell them apart.
        let diagnostic = try only("yaml_duplicate_key", in: YAMLLoader.load("\u{E9}: 1\ne\u{301}: 2\n"))
        #expect(diagnostic.range.start == at(2, 1, 6))
    }

    // MARK: - Anchors, aliases and tags

    @Test func anchorOnAScalarAndOnACollection() throws {
        let scalar = try only("yaml_anchor", in: YAMLLoader.load("a: &x 1\n"))
        #expect(scalar.message.contains("anchor '&x'"))
        #expect(scalar.range == span(at(1, 4, 3), at(1, 8, 7)))
        let mapping = try only("yaml_anchor", in: YAMLLoader.load("a: &m {b: 1}\n"))
        #expect(mapping.message.contains("anchor '&m'"))
        #expect(mapping.range.start == at(1, 4, 3))
    }

    @Test func alias() throws {
        let result = YAMLLoader.load("a: 1\nb: *x\n")
        let diagnostic = try only("yaml_anchor", in: result)
        #expect(diagnostic.message.contains("alias '*x'"))
        #expect(diagnostic.range == span(at(2, 4, 8), at(2, 6, 10)))
        // The alias stands in the tree as an empty value, never as a copy.
        #expect(value(result.root, "b")?.value == .scalar("", .plain))
    }

    @Test func anchorAndAliasTogether() {
        let result = YAMLLoader.load("base: &b {x: 1}\nother: *b\n")
        #expect(result.diagnostics.map(\.id) == ["yaml_anchor", "yaml_anchor"])
        #expect(result.diagnostics.map(\.range.start) == [at(1, 7, 6), at(2, 8, 23)])
    }

    @Test func coreTagIsShownAsWritten() throws {
        let diagnostic = try only("yaml_tag", in: YAMLLoader.load("a: !!str x\n"))
        #expect(diagnostic.message.contains("tag '!!str'"))
        #expect(diagnostic.range == span(at(1, 4, 3), at(1, 11, 10)))
    }

    @Test func customTags() throws {
        let custom = try only("yaml_tag", in: YAMLLoader.load("a: !custom x\n"))
        #expect(custom.message.contains("tag '!custom'"))
        #expect(custom.range == span(at(1, 4, 3), at(1, 13, 12)))
        let verbatim = try only("yaml_tag", in: YAMLLoader.load("a: !<tag:example.com,2000:x> y\n"))
        #expect(verbatim.message.contains("tag:example.com,2000:x"))
        let nonSpecific = try only("yaml_tag", in: YAMLLoader.load("a: ! y\n"))
        #expect(nonSpecific.message.contains("tag '!'"))
    }

    @Test func tagOnACollection() throws {
        let diagnostic = try only("yaml_tag", in: YAMLLoader.load("!!seq [a]\n"))
        #expect(diagnostic.message.contains("tag '!!seq'"))
        #expect(diagnostic.range.start == at(1, 1, 0))
    }

    @Test func anchorAndTagOnOneNode() {
        let result = YAMLLoader.load("a: &x !!str y\n")
        #expect(result.diagnostics.map(\.id) == ["yaml_anchor", "yaml_tag"])
    }

    // MARK: - Documents and keys

    @Test func twoDocuments() throws {
        let result = YAMLLoader.load("a: 1\n---\nb: 2\n")
        #expect(result.root == nil)
        let diagnostic = try only("yaml_multiple_documents", in: result)
        #expect(diagnostic.message.contains("second YAML document"))
        #expect(diagnostic.range == span(at(2, 1, 5), at(2, 4, 8)))
    }

    @Test func twoDocumentsAfterAnExplicitEnd() throws {
        let diagnostic = try only("yaml_multiple_documents", in: YAMLLoader.load("a: 1\n...\n---\n"))
        #expect(diagnostic.range == span(at(3, 1, 9), at(3, 4, 12)))
    }

    @Test func complexKeyList() throws {
        let result = YAMLLoader.load("? [a]\n: 1\n")
        let diagnostic = try only("yaml_complex_key", in: result)
        #expect(diagnostic.message.contains("not a list"))
        #expect(diagnostic.range == span(at(1, 3, 2), at(1, 6, 5)))
        // The pair is dropped: no later check sees a made-up key.
        #expect(result.root?.mapping == [])
    }

    @Test func complexKeyMappingAndFlowListKey() throws {
        let mapping = try only("yaml_complex_key", in: YAMLLoader.load("{? {b: 1} : 2}"))
        #expect(mapping.message.contains("not a mapping"))
        #expect(mapping.range == span(at(1, 4, 3), at(1, 10, 9)))
        let list = try only("yaml_complex_key", in: YAMLLoader.load("[a]: 1\n"))
        #expect(list.range == span(at(1, 1, 0), at(1, 4, 3)))
    }

    // MARK: - Bytes that are not text

    /// The range covers the bad byte (one column, one byte): it is a character the reader sees, printed as U+FFFD.
    @Test func nulByteAtItsLineAndColumn() throws {
        let result = YAMLLoader.load(bytes: Array("a: 1\nb: x\0y\n".utf8))
        #expect(result.root == nil)
        let diagnostic = try only("yaml_nul_byte", in: result)
        #expect(diagnostic.message.contains("byte offset 9"))
        #expect(diagnostic.range == span(at(2, 5, 9), at(2, 6, 10)))
        let afterAccent = try only("yaml_nul_byte", in: YAMLLoader.load(bytes: Array("ñ: \0".utf8)))
        #expect(afterAccent.range == span(at(1, 4, 4), at(1, 5, 5)))
        let first = try only("yaml_nul_byte", in: YAMLLoader.load(bytes: [0]))
        #expect(first.range == span(at(1, 1, 0), at(1, 2, 1)))
    }

    /// UTF-16 (or UTF-32) text is named as such, with the fix; a stray NUL in UTF-8 text is not.
    @Test func wideTextIsNamedAsUTF16OrUTF32() throws {
        let utf16 = Array("flow: x\nstart: y\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let wide = try only("yaml_nul_byte", in: YAMLLoader.load(bytes: utf16))
        #expect(wide.message.hasSuffix("it looks like UTF-16 or UTF-32 text; save it as UTF-8"))
        let stray = try only("yaml_nul_byte", in: YAMLLoader.load(bytes: Array("a: 1\nb: x\0y\n".utf8)))
        #expect(!stray.message.contains("UTF-16"))
    }

    /// A tab where YAML needs spaces says so; libyaml only says the character "cannot start any token".
    @Test func aTabIsNamedWithItsFix() throws {
        for text in ["flow: x\nsteps:\n\t- a\n", "\tflow: x\n"] {
            let diagnostic = try only("yaml_syntax", in: YAMLLoader.load(text))
            #expect(diagnostic.message.contains("a tab cannot indent YAML or start a value: use spaces"), "\(text)")
        }
    }

    /// A line break the editor does not show (U+2028 in a comment, a lone CR) is named when YAML trips on it.
    @Test func anInvisibleLineBreakIsNamed() throws {
        for (text, name) in [
            ("flow: x # nota\u{2028}sigue\nstart: y\n", "U+2028 (LINE SEPARATOR)"),
            ("flow: x # nota\rsigue\nstart: y\n", "a carriage return (CR) without a line feed"),
        ] {
            let diagnostic = try only("yaml_syntax", in: YAMLLoader.load(text))
            #expect(diagnostic.message.contains("holds \(name), which YAML reads as a line break"), "\(diagnostic)")
        }
        let plain = try only("yaml_syntax", in: YAMLLoader.load("flow: x\nsigue\nstart: y\n"))
        #expect(!plain.message.contains("line break"))
    }

    @Test func loneInvalidByte() throws {
        let result = YAMLLoader.load(bytes: Array("a: ".utf8) + [0xFF])
        #expect(result.root == nil)
        let diagnostic = try only("yaml_invalid_utf8", in: result)
        #expect(diagnostic.message.contains("0xFF"))
        #expect(diagnostic.message.contains("byte offset 3"))
        #expect(diagnostic.range == span(at(1, 4, 3), at(1, 5, 4)))
        // The source is kept, so that a renderer can show the line.
        #expect(result.source.bytes.count == 4)
    }

    @Test func truncatedSequence() throws {
        let atEnd = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: Array("ñ: ".utf8) + [0xE2, 0x82]))
        #expect(atEnd.message.contains("0xE2"))
        #expect(atEnd.range == span(at(1, 4, 4), at(1, 5, 5)))
        let inside = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: [0xE2, 0x82] + Array("x\n".utf8)))
        #expect(inside.range == span(at(1, 1, 0), at(1, 2, 1)))
        let fourByte = try only(
            "yaml_invalid_utf8", in: YAMLLoader.load(bytes: Array("a\n".utf8) + [0xF0, 0x9F, 0x98]))
        #expect(fourByte.range == span(at(2, 1, 2), at(2, 2, 3)))
    }

    @Test func overlongEncoding() throws {
        let diagnostic = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: Array("k: ".utf8) + [0xC0, 0xAF]))
        #expect(diagnostic.message.contains("0xC0"))
        #expect(diagnostic.range == span(at(1, 4, 3), at(1, 5, 4)))
        let threeByte = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: [0xE0, 0x80, 0xAF]))
        #expect(threeByte.message.contains("0xE0"))
    }

    @Test func encodedSurrogate() throws {
        let diagnostic = try only(
            "yaml_invalid_utf8", in: YAMLLoader.load(bytes: Array("a:\n  b: ".utf8) + [0xED, 0xA0, 0x80]))
        #expect(diagnostic.message.contains("0xED"))
        #expect(diagnostic.range == span(at(2, 6, 8), at(2, 7, 9)))
    }

    @Test func otherInvalidSequences() throws {
        let cases: [[UInt8]] = [
            [0x80], [0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xC2, 0x41], [0xFE],
        ]
        for bytes in cases {
            let diagnostic = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: Array("a\r\nb\r\n".utf8) + bytes))
            #expect(diagnostic.range == span(at(3, 1, 6), at(3, 2, 7)), "\(bytes)")
        }
    }

    @Test func theFirstProblemWins() throws {
        // An invalid byte before a NUL is reported, and only it.
        let diagnostic = try only("yaml_invalid_utf8", in: YAMLLoader.load(bytes: [0x61, 0xFF, 0x00]))
        #expect(diagnostic.range.start.offset == 1)
    }

    // MARK: - Limits

    @Test func tooDeepFlowLists() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let result = YAMLLoader.load(deep)
        #expect(result.root == nil)
        let diagnostic = try only("yaml_too_deep", in: result)
        #expect(diagnostic.message.contains("deeper than 64 levels"))
        #expect(diagnostic.range == span(at(1, 65, 64), at(1, 66, 65)))
        let limit = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(YAMLLoader.load(limit).diagnostics.isEmpty)
    }

    /// `levels` block mappings, each the value of the one before, one key per line.
    func nestedBlockMappings(_ levels: Int) -> (text: String, lastLineOffset: Int) {
        var text = ""
        for level in 0..<(levels - 1) {
            text += String(repeating: "  ", count: level) + "k\(level):\n"
        }
        let lastLineOffset = text.utf8.count
        text += String(repeating: "  ", count: levels - 1) + "k\(levels - 1): x\n"
        return (text, lastLineOffset)
    }

    @Test func tooDeepBlockMappings() throws {
        let (text, lastLineOffset) = nestedBlockMappings(65)
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        let diagnostic = try only("yaml_too_deep", in: result)
        #expect(diagnostic.range.start == at(65, 129, lastLineOffset + 128))
        #expect(YAMLLoader.load(nestedBlockMappings(64).text).diagnostics.isEmpty)
    }

    @Test func customDepthLimit() throws {
        let limits = LoaderLimits(maxDepth: 2)
        let diagnostic = try only("yaml_too_deep", in: YAMLLoader.load("a: {b: [c]}\n", limits: limits))
        #expect(diagnostic.message.contains("deeper than 2 levels"))
        #expect(diagnostic.range == span(at(1, 8, 7), at(1, 9, 8)))
        #expect(YAMLLoader.load("a: {b: c}\n", limits: limits).diagnostics.isEmpty)
    }

    @Test func tooLargeWithACustomLimit() throws {
        let limits = LoaderLimits(maxBytes: 10)
        let result = YAMLLoader.load("a: 12345678", limits: limits)
        #expect(result.root == nil)
        #expect(result.source.bytes.isEmpty)
        let diagnostic = try only("yaml_too_large", in: result)
        #expect(diagnostic.message.contains("file is 11 bytes"))
        #expect(diagnostic.message.contains("limit is 10 bytes"))
        #expect(diagnostic.range == .fileStart)
        #expect(YAMLLoader.load("a: 1234567", limits: limits).diagnostics.isEmpty)
    }

    @Test func tooLargeWithTheDefaultLimit() throws {
        let bytes = [UInt8](repeating: 0x61, count: 17 * 1024 * 1024)
        let diagnostic = try only("yaml_too_large", in: YAMLLoader.load(bytes: bytes))
        #expect(diagnostic.message.contains("file is 17825792 bytes"))
        #expect(diagnostic.message.contains("limit is 16777216 bytes"))
        #expect(LoaderLimits.default.maxBytes == 16 * 1024 * 1024)
        #expect(LoaderLimits.default.maxDepth == 64)
    }

    @Test func sizeIsCheckedBeforeTheBytes() throws {
        // A file that is both too large and binary is reported as too large, without reading it.
        let diagnostic = try only(
            "yaml_too_large", in: YAMLLoader.load(bytes: [0, 0xFF, 0], limits: LoaderLimits(maxBytes: 2)))
        #expect(diagnostic.range == .fileStart)
    }

    @Test func everyRuleIsListed() {
        #expect(
            SyntaxRules.all.map(\.id) == [
                "yaml_syntax", "yaml_invalid_utf8", "yaml_nul_byte", "yaml_too_large", "yaml_too_deep",
                "yaml_duplicate_key", "yaml_anchor", "yaml_tag", "yaml_multiple_documents", "yaml_complex_key",
            ])
        #expect(SyntaxRules.all.allSatisfy { $0.severity == .error })
    }
}
