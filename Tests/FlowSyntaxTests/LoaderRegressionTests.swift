import FlowDiagnostics
import FlowSyntax
import Testing

/// Inputs that once went wrong in the loader, each with what went wrong.
@Suite struct LoaderRegressionTests {
    @Test func byteOrderMarkFileIsValid() throws {
        // With the encoding forced to UTF-8, libyaml read the mark as a character: the first key moved to
        // column 2 and the second line failed with "did not find expected <document start>".
        let result = YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a: 1\nb: 2\n".utf8))
        #expect(result.diagnostics.isEmpty)
        #expect(result.root?.mapping?.map(\.key) == ["a", "b"])
        #expect(pair(result.root, "a")?.keyRange.start == at(1, 1, 3))
    }

    @Test func endOfFileWithoutALineBreakIsOnTheLastLine() throws {
        // Found by the fuzzer: libyaml moves its mark to a line after the last one at the end of the input,
        // so errors there named a line that does not exist (and whose offset was the end of the file).
        for text in ["k: [a, b", "a: \"x", "{", "- a\n  b: c", "a: 1\nb: 'ñ", "x: |\n  y\n z: ["] {
            let result = YAMLLoader.load(text)
            #expect(result.root == nil, "\(text.debugDescription)")
            let diagnostic = try #require(result.diagnostics.first, "\(text.debugDescription)")
            #expect(diagnostic.id == "yaml_syntax")
            #expect(brokenLocationPromise(in: result) == nil, "\(text.debugDescription)")
            #expect(result.source.line(diagnostic.range.start.line) != nil, "\(text.debugDescription)")
        }
        let unclosed = YAMLLoader.load("k: [a, b")
        #expect(unclosed.diagnostics.first?.range == SourceRange(at: at(1, 9, 8)))
    }

    @Test func blockCollectionEndsBeforeTheCommentsAfterIt() throws {
        // The end was libyaml's mark for the end of the block: the next key, after any blank lines and
        // comments, so a step's range took in the comment that introduces the next step.
        let result = YAMLLoader.load("- id: a\n  text: b\n\n# the next step\n- id: c\n")
        let first = try #require(result.root?.sequence?.first)
        #expect(first.range == span(at(1, 3, 2), at(2, 10, 17)))
    }

    @Test func blockScalarEndsAtItsLastText() throws {
        // The end was after the blank lines that follow the text.
        let result = YAMLLoader.load("text: >-\n  hola\n\n\nnext: 1\n")
        #expect(value(result.root, "text")?.range == span(at(1, 7, 6), at(2, 7, 15)))
    }

    @Test func duplicateKeysOfAnotherMappingDoNotLeak() {
        // Frames are changed in place now; each mapping must still keep its own keys.
        let result = YAMLLoader.load("a: {x: 1, y: {x: 2}}\nb:\n  x: 3\n  c: [{x: 4}, {x: 5}]\n")
        #expect(result.diagnostics.isEmpty)
    }
}
