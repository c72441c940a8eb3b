import FlowDiagnostics
import FlowSyntax
import Testing

/// Files made to hurt a YAML reader: each must come back with a diagnostic, without crashing, hanging
/// or growing without bound. (Speed is measured by the benchmarks; these only check that the work ends.)
@Suite struct HostileInputTests {
    @Test func billionLaughsIsRefusedWithoutExpanding() throws {
        var text = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let aliases = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
            text += "\(name): &\(name) [\(aliases)]\n"
        }
        let result = YAMLLoader.load(text)
        // Nine anchors and 8 × 9 aliases, each reported once.
        #expect(result.diagnostics.count == 81)
        #expect(result.diagnostics.allSatisfy { $0.id == "yaml_anchor" })
        #expect(result.diagnostics.filter { $0.message.hasPrefix("alias") }.count == 72)
        // Each alias is an empty value in the tree: nine items at the last level, not 9⁹.
        let last = try #require(value(result.root, "i")?.sequence)
        #expect(last.count == 9)
        #expect(last.allSatisfy { $0.value == .scalar("", .plain) })
    }

    @Test func aFloodOfAliasesStopsAtAThousandDiagnostics() throws {
        let text = "[" + Array(repeating: "*a", count: 100_000).joined(separator: ",") + "]"
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.count == 1000)
        let last = try #require(result.diagnostics.last)
        #expect(last.id == "yaml_anchor")
        #expect(last.notes.map(\.message) == ["stopped reading the file after 1000 problems; fix these and run again"])
        // The 1000th alias starts at byte 1 + 999 × 3.
        #expect(last.range.start == at(1, 2999, 2998))
    }

    @Test func aFloodOfDuplicateKeysStopsAtAThousandDiagnostics() {
        let text = String(repeating: "a: 1\n", count: 50_000)
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.count == 1000)
        #expect(result.diagnostics.allSatisfy { $0.id == "yaml_duplicate_key" })
    }

    @Test func deepFlowListNesting() throws {
        let text = String(repeating: "[", count: 200_000)
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_too_deep"])
        #expect(result.diagnostics.first?.range.start == at(1, 65, 64))
    }

    @Test func deepFlowMappingNesting() throws {
        let text = String(repeating: "{a: ", count: 200_000)
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_too_deep"])
        #expect(result.diagnostics.first?.range.start == at(1, 257, 256))
    }

    @Test func deepBlockListNesting() throws {
        let text = String(repeating: "- ", count: 200_000) + "x\n"
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_too_deep"])
        #expect(result.diagnostics.first?.range.start == at(1, 129, 128))
    }

    @Test func deepBlockMappingNestingOnManyLines() throws {
        var text = ""
        for level in 0..<2_000 {
            text += String(repeating: " ", count: level) + "k:\n"
        }
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_too_deep"])
        #expect(result.diagnostics.first?.range.start.line == 65)
    }

    @Test func fiftyMegabytesAreRefusedBySize() throws {
        let result = YAMLLoader.load(bytes: [UInt8](repeating: 0x5B, count: 50_000_000))
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_too_large"])
        #expect(result.source.bytes.isEmpty)
    }

    @Test func largeCollectionsLoadInLinearTime() throws {
        // Adding an item once copied the whole collection: these took minutes.
        let list = "[" + Array(repeating: "a", count: 100_000).joined(separator: ",") + "]"
        let listResult = YAMLLoader.load(list)
        #expect(listResult.diagnostics.isEmpty)
        #expect(listResult.root?.sequence?.count == 100_000)
        let lastItem = try #require(listResult.root?.sequence?.last)
        #expect(lastItem.range.start == at(1, 200_000, 199_999))

        var mapping = ""
        for index in 0..<50_000 { mapping += "k\(index): v\n" }
        let mappingResult = YAMLLoader.load(mapping)
        #expect(mappingResult.diagnostics.isEmpty)
        #expect(mappingResult.root?.mapping?.count == 50_000)
        #expect(mappingResult.root?.mapping?.last?.keyRange.start.line == 50_000)
    }

    @Test func oneVeryLongLine() throws {
        // Converting libyaml's columns to byte offsets walks the line once, not once per value.
        let items = Array(repeating: "ñandú", count: 50_000).joined(separator: ", ")
        let result = YAMLLoader.load("k: [\(items)]")
        #expect(result.diagnostics.isEmpty)
        let last = try #require(value(result.root, "k")?.sequence?.last)
        #expect(last.range.start.column == 5 + 49_999 * 7)
        #expect(last.range.start.offset == 4 + 49_999 * 9)
    }

    @Test func longScalarsAndKeys() throws {
        let long = String(repeating: "x", count: 1_000_000)
        let result = YAMLLoader.load("k: \"\(long)\"\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "k")?.scalar?.count == 1_000_000)
        // YAML caps an implicit key at 1024 characters; libyaml says so at the colon.
        let longKey = YAMLLoader.load("\(long): x\n")
        #expect(longKey.root == nil)
        let diagnostic = try #require(longKey.diagnostics.first)
        #expect(diagnostic.id == "yaml_syntax")
        #expect(diagnostic.message.contains("mapping values are not allowed"))
        #expect(diagnostic.range.start == at(1, 1_000_001, 1_000_000))
    }

    @Test func emptyAndNearlyEmptyInputs() {
        for bytes: [UInt8] in [[], [0x0A], [0x23], [0xEF, 0xBB, 0xBF], [0x2D, 0x2D, 0x2D], [0x2E, 0x2E, 0x2E]] {
            let result = YAMLLoader.load(bytes: bytes)
            #expect(brokenLocationPromise(in: result) == nil, "\(bytes)")
        }
        let empty = YAMLLoader.load(bytes: [])
        #expect(empty.root == nil)
        #expect(empty.diagnostics.isEmpty)
        let comments = YAMLLoader.load("# only\n# comments\n")
        #expect(comments.root == nil)
        #expect(comments.diagnostics.isEmpty)
    }

    @Test func manyDocumentsStopAtTheSecond() {
        let result = YAMLLoader.load(String(repeating: "---\na: 1\n", count: 100_000))
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_multiple_documents"])
    }

    @Test func controlCharacterFarIntoTheFile() throws {
        var text = ""
        for index in 0..<9_999 { text += "k\(index): 1\n" }
        let lastLineOffset = text.utf8.count
        text += "b: \u{1B}\n"
        let result = YAMLLoader.load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml_syntax"])
        #expect(result.diagnostics.first?.range.start == at(10_000, 4, lastLineOffset + 3))
    }
}
