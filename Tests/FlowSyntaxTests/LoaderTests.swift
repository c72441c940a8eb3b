import FlowDiagnostics
import FlowSyntax
import Testing

/// What the tree looks like: structure, key order, verbatim scalars and their styles.
@Suite struct LoaderTests {
    @Test func keepsScalarsVerbatim() throws {
        let result = YAMLLoader.load("a: no\nb: 0800\nc: 1.10\nd: si\ne: on\n")
        #expect(result.diagnostics.isEmpty)
        let pairs = try #require(result.root?.mapping)
        #expect(pairs.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(pairs.map { $0.value.scalar } == ["no", "0800", "1.10", "si", "on"])
    }

    @Test(arguments: [
        "no", "yes", "on", "off", "si", "No", "YES", "y", "n", "true", "false", "1.10", "0800", "0x1F", "1e3",
        "+1", ".inf", "-.Inf", ".NaN", "2026-01-01", "08:00", "1_000", "~", "null", "Null", "NULL",
    ])
    func plainScalarReachesTheTreeAsWritten(text: String) throws {
        let result = YAMLLoader.load("value: \(text)\n")
        #expect(result.diagnostics.isEmpty)
        let node = try #require(value(result.root, "value"))
        #expect(node.value == .scalar(text, .plain))
    }

    @Test func nullsAreTextUntilTheSchemaSaysOtherwise() throws {
        let result = YAMLLoader.load("a: ~\nb: null\nc:\nd: ''\ne: \"null\"\nf: 'null'\ng: nil\n")
        #expect(result.diagnostics.isEmpty)
        let root = result.root
        #expect(value(root, "a")?.value == .scalar("~", .plain))
        #expect(value(root, "b")?.value == .scalar("null", .plain))
        #expect(value(root, "c")?.value == .scalar("", .plain))
        #expect(value(root, "d")?.value == .scalar("", .singleQuoted))
        #expect(value(root, "e")?.value == .scalar("null", .doubleQuoted))
        #expect(value(root, "f")?.value == .scalar("null", .singleQuoted))
        #expect(value(root, "a")?.isNull == true)
        #expect(value(root, "b")?.isNull == true)
        #expect(value(root, "c")?.isNull == true)
        // Quoted text is never null, whatever it says; `nil` is not a YAML null at all.
        #expect(value(root, "d")?.isNull == false)
        #expect(value(root, "e")?.isNull == false)
        #expect(value(root, "f")?.isNull == false)
        #expect(value(root, "g")?.isNull == false)
        #expect(value(root, "c")?.kindDescription == "nothing (null)")
    }

    @Test func recordsHowEachScalarWasWritten() throws {
        let text = "p: no\ns: 'no'\nd: \"yes\"\nl: |\n  line one\n  line two\nf: >\n  folded\n  text\n"
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.isEmpty)
        let root = result.root
        #expect(value(root, "p")?.value == .scalar("no", .plain))
        #expect(value(root, "s")?.value == .scalar("no", .singleQuoted))
        #expect(value(root, "d")?.value == .scalar("yes", .doubleQuoted))
        #expect(value(root, "l")?.value == .scalar("line one\nline two\n", .literal))
        #expect(value(root, "f")?.value == .scalar("folded text\n", .folded))
    }

    @Test func quotedScalarsAreUnescaped() throws {
        let result = YAMLLoader.load(#"a: "tab\there \u00e1 \"q\"""# + "\nb: 'it''s'\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "a")?.scalar == "tab\there á \"q\"")
        #expect(value(result.root, "b")?.scalar == "it's")
    }

    @Test func buildsNestedMappingsAndListsInOrder() throws {
        let text = """
            flow: demo
            steps:
              - id: inicio
                text: "Hola"
                options: [si, no]
              - id: fin
                meta: {a: 1, b: [x, y]}
            """
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.mapping?.map(\.key) == ["flow", "steps"])
        let steps = try #require(value(root, "steps")?.sequence)
        #expect(steps.count == 2)
        #expect(steps[0].mapping?.map(\.key) == ["id", "text", "options"])
        #expect(value(steps[0], "options")?.sequence?.map(\.scalar) == ["si", "no"])
        let meta = try #require(value(steps[1], "meta"))
        #expect(value(meta, "a")?.scalar == "1")
        #expect(value(meta, "b")?.sequence?.map(\.scalar) == ["x", "y"])
        #expect(meta.kindDescription == "a mapping")
        #expect(value(root, "steps")?.kindDescription == "a list")
        #expect(value(root, "flow")?.kindDescription == "text")
    }

    @Test func keepsUnicodeKeysAndValues() throws {
        let result = YAMLLoader.load("menú: opción\n\"ñandú\": 😀\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.root?.mapping?.map(\.key) == ["menú", "ñandú"])
        #expect(value(result.root, "menú")?.scalar == "opción")
        #expect(value(result.root, "ñandú")?.scalar == "😀")
    }

    @Test func aScalarOrAListMayBeTheRoot() {
        #expect(YAMLLoader.load("hola\n").root?.value == .scalar("hola", .plain))
        #expect(YAMLLoader.load("- a\n- b\n").root?.sequence?.map(\.scalar) == ["a", "b"])
        #expect(YAMLLoader.load("[]").root?.sequence == [])
        #expect(YAMLLoader.load("{}").root?.mapping == [])
    }

    @Test func emptyInputHasNoRootAndNoDiagnostics() {
        for text in ["", "\n", "\n\n\r\n", "   \n  ", "\u{FEFF}"] {
            let result = YAMLLoader.load(text)
            #expect(result.root == nil, "\(text.debugDescription)")
            #expect(result.diagnostics.isEmpty, "\(text.debugDescription)")
        }
        #expect(YAMLLoader.load(bytes: []).source.bytes.isEmpty)
    }

    @Test func onlyCommentsIsAnEmptyFile() {
        let result = YAMLLoader.load("# uno\n  # dos\n\n# tres")
        #expect(result.root == nil)
        #expect(result.diagnostics.isEmpty)
    }

    @Test func oneExplicitDocumentIsFine() throws {
        let result = YAMLLoader.load("%YAML 1.1\n---\na: 1\n...\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "a")?.scalar == "1")
    }

    @Test func commentsAreNotPartOfValues() throws {
        let result = YAMLLoader.load("a: x # nota\nb: \"y # not a comment\"\nc: z#no\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "a")?.scalar == "x")
        #expect(value(result.root, "b")?.scalar == "y # not a comment")
        #expect(value(result.root, "c")?.scalar == "z#no")
    }

    @Test func mergeKeysAreOrdinaryKeys() throws {
        // YAML 1.1's `<<` merge needs an alias to do anything; without one it is just a key.
        let result = YAMLLoader.load("<<: {a: 1}\nb: 2\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.root?.mapping?.map(\.key) == ["<<", "b"])
    }

    @Test func sourceKeepsTheBytes() {
        let text = "a: á\n"
        let result = YAMLLoader.load(text)
        #expect(result.source.bytes == Array(text.utf8))
        #expect(result.source.line(1) == "a: á")
    }
}
