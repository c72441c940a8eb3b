import FlowDiagnostics
import Testing

/// A message, note or help quoting a value of megabytes keeps its ends and says how much was left out.
@Suite struct LongMessageTests {
    static let range = SourceRange(
        start: SourceLocation(line: 1, column: 1, offset: 0), end: SourceLocation(line: 1, column: 1, offset: 0))

    @Test func aLongMessageKeepsItsEnds() {
        let value = "a" + String(repeating: "\\", count: 100_000) + "z"
        let diagnostic = Diagnostic(
            id: "invalid_value", severity: .error, message: "unknown language '\(value)'", range: Self.range,
            notes: [DiagnosticNote(message: "see '\(value)'", range: Self.range)], suggestion: "not '\(value)'")
        let expected =
            "unknown language 'a" + String(repeating: "\\", count: 1981) + "… (97521 characters left out) …"
            + String(repeating: "\\", count: 498) + "z'"
        #expect(diagnostic.message == expected)
        #expect(diagnostic.message.unicodeScalars.count == 2000 + 500 + "… (97521 characters left out) …".count)
        #expect(diagnostic.notes[0].message.hasSuffix("\\z'"))
        #expect(diagnostic.notes[0].message.contains("characters left out"))
        #expect(diagnostic.suggestion?.hasPrefix("not 'a\\") == true)
        #expect(diagnostic.suggestion?.contains("characters left out") == true)
    }

    /// Up to 8,192 bytes a text is whole, whatever it holds; past it, characters (not bytes) are kept, so a
    /// multi-byte character is never split.
    @Test func textsUpToTheLimitAreWholeAndCharactersAreNeverSplit() {
        let whole = String(repeating: "x", count: Diagnostic.longestText)
        #expect(Diagnostic.shortened(whole) == whole)
        let accented = String(repeating: "ñ", count: 5000)
        let cut = Diagnostic.shortened(accented)
        #expect(
            cut == String(repeating: "ñ", count: 2000) + "… (2500 characters left out) …"
                + String(repeating: "ñ", count: 500))
        // Over the byte limit but with too few characters to cut (4-byte characters): whole.
        let wide = String(repeating: "\u{1F600}", count: 2100)
        #expect(Diagnostic.shortened(wide) == wide)
    }
}
