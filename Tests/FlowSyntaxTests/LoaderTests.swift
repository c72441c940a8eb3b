import FlowDiagnostics
import FlowSyntax
import Testing

@Suite struct LoaderTests {
    @Test func keepsScalarsVerbatim() throws {
        let result = YAMLLoader.load("a: no\nb: 0800\nc: 1.10\nd: si\ne: on\n")
        #expect(result.diagnostics.isEmpty)
        let pairs = try #require(result.root?.mapping)
        #expect(pairs.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(pairs.map { $0.value.scalar } == ["no", "0800", "1.10", "si", "on"])
    }
}
