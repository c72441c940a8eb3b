import FlowDiagnostics
import FlowSyntax
import Testing

/// Where each node starts and ends: 1-based line, 1-based column in Unicode scalars, 0-based byte offset.
@Suite struct LoaderRangeTests {
    @Test func scalarsKeysAndTheRootMapping() throws {
        let result = YAMLLoader.load("name: Ana\nage: 30\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.range == span(at(1, 1, 0), at(2, 8, 17)))
        let name = try #require(pair(root, "name"))
        #expect(name.keyRange == span(at(1, 1, 0), at(1, 5, 4)))
        #expect(name.value.range == span(at(1, 7, 6), at(1, 10, 9)))
        let age = try #require(pair(root, "age"))
        #expect(age.keyRange == span(at(2, 1, 10), at(2, 4, 13)))
        #expect(age.value.range == span(at(2, 6, 15), at(2, 8, 17)))
    }

    @Test func columnsCountScalarsAndOffsetsCountBytes() throws {
        // `á` and `ñ` are two bytes each in UTF-8, one column each.
        let result = YAMLLoader.load("á ñ: valor\nk: á ñ x\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        let first = try #require(pair(root, "á ñ"))
        #expect(first.keyRange == span(at(1, 1, 0), at(1, 4, 5)))
        #expect(first.value.range == span(at(1, 6, 7), at(1, 11, 12)))
        let second = try #require(pair(root, "k"))
        #expect(second.keyRange == span(at(2, 1, 13), at(2, 2, 14)))
        #expect(second.value.range == span(at(2, 4, 16), at(2, 9, 23)))
        #expect(second.value.scalar == "á ñ x")
    }

    @Test func aValueAfterMultiByteTextOnItsLine() throws {
        let result = YAMLLoader.load("- á ñ: sí\n  😀: x\n")
        #expect(result.diagnostics.isEmpty)
        let item = try #require(result.root?.sequence?.first)
        let accent = try #require(pair(item, "á ñ"))
        #expect(accent.value.range == span(at(1, 8, 9), at(1, 10, 12)))
        // An emoji is four bytes and one column.
        let emoji = try #require(pair(item, "😀"))
        #expect(emoji.keyRange == span(at(2, 3, 15), at(2, 4, 19)))
        #expect(emoji.value.range == span(at(2, 6, 21), at(2, 7, 22)))
    }

    @Test func blockCollectionsEndAtTheirLastChild() throws {
        let text = """
            steps:
              - id: a
                text: hola

              # comment
              - id: b
            next: x

            """
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.range == span(at(1, 1, 0), at(7, 8, 62)))
        let steps = try #require(value(root, "steps"))
        // From the first `-` to the end of `b`: not to the next key, and not over the blank line or comment.
        #expect(steps.range == span(at(2, 3, 9), at(6, 10, 54)))
        let items = try #require(steps.sequence)
        #expect(items[0].range == span(at(2, 5, 11), at(3, 15, 31)))
        #expect(items[1].range == span(at(6, 5, 49), at(6, 10, 54)))
        #expect(pair(items[0], "text")?.keyRange == span(at(3, 5, 21), at(3, 9, 25)))
    }

    @Test func indentlessListUnderAKey() throws {
        let result = YAMLLoader.load("a:\n- x\n- y\nb: 1\n")
        #expect(result.diagnostics.isEmpty)
        let list = try #require(value(result.root, "a"))
        #expect(list.range == span(at(2, 1, 3), at(3, 4, 10)))
        #expect(list.sequence?.map(\.range) == [span(at(2, 3, 5), at(2, 4, 6)), span(at(3, 3, 9), at(3, 4, 10))])
    }

    @Test func nestedMappingDoesNotReachIntoTheNextKey() throws {
        let result = YAMLLoader.load("a:\n  b: 1\n\n# c\nd: 2\n")
        let inner = try #require(value(result.root, "a"))
        #expect(inner.range == span(at(2, 3, 5), at(2, 7, 9)))
    }

    @Test func crlfLineBreaks() throws {
        let result = YAMLLoader.load("a: 1\r\nb:\r\n  - x\r\n  - \"y\"\r\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.range == span(at(1, 1, 0), at(4, 8, 24)))
        #expect(pair(root, "a")?.value.range == span(at(1, 4, 3), at(1, 5, 4)))
        #expect(pair(root, "b")?.keyRange == span(at(2, 1, 6), at(2, 2, 7)))
        let list = try #require(value(root, "b"))
        #expect(list.range == span(at(3, 3, 12), at(4, 8, 24)))
        #expect(list.sequence?.map(\.range) == [span(at(3, 5, 14), at(3, 6, 15)), span(at(4, 5, 21), at(4, 8, 24))])
        #expect(result.source.line(2) == "b:")
        #expect(result.source.line(4) == "  - \"y\"")
    }

    @Test func crlfInsideAFlowListAndAQuotedScalar() throws {
        let result = YAMLLoader.load("b: [x,\r\n  y]\r\nc: \"q\r\n  r\"\r\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(value(root, "b")?.range == span(at(1, 4, 3), at(2, 5, 12)))
        #expect(value(root, "b")?.sequence?.last?.range == span(at(2, 3, 10), at(2, 4, 11)))
        let quoted = try #require(value(root, "c"))
        #expect(quoted.value == .scalar("q r", .doubleQuoted))
        #expect(quoted.range == span(at(3, 4, 17), at(4, 5, 25)))
    }

    @Test func utf8ByteOrderMarkIsNotAColumn() throws {
        let result = YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a: 1\nb: ñ\n".utf8))
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.range == span(at(1, 1, 3), at(2, 5, 13)))
        #expect(pair(root, "a")?.keyRange == span(at(1, 1, 3), at(1, 2, 4)))
        #expect(pair(root, "a")?.value.range == span(at(1, 4, 6), at(1, 5, 7)))
        #expect(pair(root, "b")?.value.range == span(at(2, 4, 11), at(2, 5, 13)))
        #expect(result.source.line(1) == "a: 1")
    }

    @Test func utf8ByteOrderMarkWithCRLFAndNesting() throws {
        let result = YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a:\r\n  b: [1]\r\n".utf8))
        #expect(result.diagnostics.isEmpty)
        let inner = try #require(value(result.root, "a"))
        #expect(inner.range == span(at(2, 3, 9), at(2, 9, 15)))
        #expect(value(inner, "b")?.range == span(at(2, 6, 12), at(2, 9, 15)))
    }

    @Test func literalAndFoldedBlockScalars() throws {
        let text = "a: |\n  uno\n  dos\n\nb: >-\n  tres\n  cuatro\n# fin\nc: x\n"
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        let literal = try #require(value(root, "a"))
        #expect(literal.value == .scalar("uno\ndos\n", .literal))
        // From the indicator to the end of the last line of text, not over the blank line after it.
        #expect(literal.range == span(at(1, 4, 3), at(3, 6, 16)))
        let folded = try #require(value(root, "b"))
        #expect(folded.value == .scalar("tres cuatro", .folded))
        #expect(folded.range == span(at(5, 4, 21), at(7, 9, 39)))
        #expect(pair(root, "c")?.keyRange == span(at(9, 1, 46), at(9, 2, 47)))
        #expect(root.range == span(at(1, 1, 0), at(9, 5, 50)))
    }

    @Test func blockScalarVariants() throws {
        let text = "k: |+\n  keep\n\nl: |2\n    dos\nm: |\n\nn: |\n  end"
        let result = YAMLLoader.load(text)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(value(root, "k")?.value == .scalar("keep\n\n", .literal))
        #expect(value(root, "k")?.range == span(at(1, 4, 3), at(2, 7, 12)))
        #expect(value(root, "l")?.value == .scalar("  dos\n", .literal))
        #expect(value(root, "l")?.range == span(at(4, 4, 17), at(5, 8, 27)))
        // An empty block scalar spans its indicator only.
        #expect(value(root, "m")?.value == .scalar("", .literal))
        #expect(value(root, "m")?.range == span(at(6, 4, 31), at(6, 5, 32)))
        // At the end of a file without a final line break.
        #expect(value(root, "n")?.value == .scalar("end", .literal))
        #expect(value(root, "n")?.range == span(at(8, 4, 37), at(9, 6, 44)))
    }

    @Test func blockScalarInAListAtTheEnd() throws {
        let result = YAMLLoader.load("- |\n  a\n  b\n\n\n")
        #expect(result.diagnostics.isEmpty)
        let list = try #require(result.root)
        #expect(list.range == span(at(1, 1, 0), at(3, 4, 11)))
        #expect(list.sequence?.first?.range == span(at(1, 3, 2), at(3, 4, 11)))
    }

    @Test func flowMappingAndList() throws {
        let result = YAMLLoader.load("{a: 1, b: [x, y]}")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root.range == span(at(1, 1, 0), at(1, 18, 17)))
        #expect(pair(root, "a")?.keyRange == span(at(1, 2, 1), at(1, 3, 2)))
        #expect(pair(root, "a")?.value.range == span(at(1, 5, 4), at(1, 6, 5)))
        let list = try #require(value(root, "b"))
        #expect(list.range == span(at(1, 11, 10), at(1, 17, 16)))
        #expect(
            list.sequence?.map(\.range) == [span(at(1, 12, 11), at(1, 13, 12)), span(at(1, 15, 14), at(1, 16, 15))])
    }

    @Test func flowCollectionsOverSeveralLines() throws {
        let result = YAMLLoader.load("k: {\n  a: 1,\n  b: ñ\n}\n")
        #expect(result.diagnostics.isEmpty)
        let flow = try #require(value(result.root, "k"))
        #expect(flow.range == span(at(1, 4, 3), at(4, 2, 22)))
        #expect(pair(flow, "b")?.value.range == span(at(3, 6, 18), at(3, 7, 20)))
    }

    @Test func singlePairInAFlowListEndsAtItsValue() throws {
        let result = YAMLLoader.load("[a: 1 , b]")
        #expect(result.diagnostics.isEmpty)
        let items = try #require(result.root?.sequence)
        #expect(items.count == 2)
        #expect(items[0].range == span(at(1, 2, 1), at(1, 6, 5)))
        #expect(pair(items[0], "a")?.value.scalar == "1")
        #expect(items[1].range == span(at(1, 9, 8), at(1, 10, 9)))
    }

    @Test func emptyCollections() throws {
        let result = YAMLLoader.load("a: []\nb: { }\n")
        #expect(value(result.root, "a")?.range == span(at(1, 4, 3), at(1, 6, 5)))
        #expect(value(result.root, "b")?.range == span(at(2, 4, 9), at(2, 7, 12)))
    }

    @Test func quotedScalarsIncludeTheirQuotes() throws {
        let result = YAMLLoader.load("\"k\": 'v w'\nx: \"ñ\"\n")
        let root = try #require(result.root)
        #expect(pair(root, "k")?.keyRange == span(at(1, 1, 0), at(1, 4, 3)))
        #expect(pair(root, "k")?.value.range == span(at(1, 6, 5), at(1, 11, 10)))
        #expect(pair(root, "x")?.value.range == span(at(2, 4, 14), at(2, 7, 18)))
    }

    @Test func multiLinePlainScalar() throws {
        let result = YAMLLoader.load("a: uno\n  dos\nb: 1\n")
        let node = try #require(value(result.root, "a"))
        #expect(node.value == .scalar("uno dos", .plain))
        #expect(node.range == span(at(1, 4, 3), at(2, 6, 12)))
    }

    @Test func emptyValueIsAnEmptyRangeAfterTheColon() throws {
        let result = YAMLLoader.load("a:\nb: 1\n")
        let node = try #require(value(result.root, "a"))
        #expect(node.isNull)
        #expect(node.range == span(at(1, 3, 2), at(1, 3, 2)))
        let item = try #require(YAMLLoader.load("- \n- x\n").root?.sequence?.first)
        #expect(item.isNull)
        #expect(item.range.start == item.range.end)
    }

    @Test func tabCountsAsOneColumn() throws {
        let result = YAMLLoader.load("a:\t\"x\"\n")
        #expect(value(result.root, "a")?.range == span(at(1, 4, 3), at(1, 7, 6)))
    }

    @Test func unicodeLineSeparatorsBreakLines() throws {
        // libyaml reads NEL (U+0085), LS (U+2028) and PS (U+2029) as line breaks, so the loader must too.
        for separator in ["\u{85}", "\u{2028}", "\u{2029}", "\r"] {
            let text = "a: x\(separator)b: ñ\(separator)"
            let width = separator.utf8.count
            let result = YAMLLoader.load(text)
            #expect(result.diagnostics.isEmpty, "\(separator.debugDescription)")
            let b = try #require(pair(result.root, "b"), "\(separator.debugDescription)")
            #expect(b.keyRange == span(at(2, 1, 4 + width), at(2, 2, 5 + width)), "\(separator.debugDescription)")
            #expect(b.value.range == span(at(2, 4, 7 + width), at(2, 5, 9 + width)), "\(separator.debugDescription)")
            #expect(result.source.line(1) == "a: x", "\(separator.debugDescription)")
            #expect(result.source.line(2) == "b: ñ", "\(separator.debugDescription)")
        }
    }

    @Test func lineSeparatorInsideAQuotedScalar() throws {
        let result = YAMLLoader.load("a: \"x\u{2028}y\"\nb: 2\n")
        #expect(value(result.root, "a")?.range == span(at(1, 4, 3), at(2, 3, 10)))
        #expect(pair(result.root, "b")?.keyRange == span(at(3, 1, 11), at(3, 2, 12)))
    }

    @Test func anchorsAndTagsAreInsideTheNodeRange() throws {
        let result = YAMLLoader.load("a: !!str x\nb: &n y\n")
        #expect(value(result.root, "a")?.range == span(at(1, 4, 3), at(1, 11, 10)))
        #expect(value(result.root, "b")?.range == span(at(2, 4, 14), at(2, 8, 18)))
    }

    @Test func everyLocationAgreesWithItsOffset() {
        let texts = [
            "a: 1\r\nb:\r\n  - x\r\n", "\u{FEFF}k: [á, {ñ: 😀}]\n", "- |\n  a\n\n- >\n  b\n",
            "x: \"a\u{2028}b\"\u{85}y: 'c'\u{2029}z: ~", "a:\n  b:\n    c: [1, 2]\n  d: e\n",
        ]
        for text in texts {
            let result = YAMLLoader.load(text)
            #expect(result.diagnostics.isEmpty, "\(text.debugDescription)")
            #expect(brokenLocationPromise(in: result) == nil, "\(text.debugDescription)")
        }
    }
}
