import FlowCompiler
import Foundation
import Testing

/// A `,` inside `{ … }` that cuts a text written without quotes: the rest of the text becomes an unknown key, whose
/// help says why and quotes the whole text; a key written on purpose keeps the closest-key suggestion.
@Suite struct CommaInFlowMappingTests {
    static let option = "      - { id: horario, title: Horario, next: info }"

    /// The `unknown_key` diagnostics of `valid_minimal` with its "Horario" option written as `written`.
    static func unknownKeys(_ written: String) throws -> [(message: String, suggestion: String?)] {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/valid_minimal/flow.yaml")
        let valid = try String(contentsOf: fixture, encoding: .utf8)
        try #require(valid.contains(option), "valid_minimal changed: update this test")
        return FlowChecker.check(valid.replacingOccurrences(of: option, with: written)).diagnostics
            .filter { $0.id == "unknown_key" }.map { ($0.message, $0.suggestion) }
    }

    @Test func theRestOfACutTitleGetsTheQuotedTitle() throws {
        let found = try Self.unknownKeys("      - { id: horario, title: Horario, de atencion, next: info }")
        #expect(found.map(\.message).first?.hasPrefix("unknown key 'de atencion' in an option of step") == true)
        #expect(
            found.map(\.suggestion) == [
                "a ',' inside { } ends the value before it, so YAML read 'de atencion' as a key; if it belongs to the "
                    + "value of 'title', quote that value, title: \"Horario, de atencion\""
            ])
    }

    @Test func aKeyWrittenWithAValueKeepsTheClosestKey() throws {
        let found = try Self.unknownKeys("      - { id: horario, titel: Horario, next: info }")
        #expect(found.map(\.suggestion) == ["did you mean 'title'?"])
        // A key without a value after a quoted text is not the rest of that text.
        let quoted = try Self.unknownKeys("      - { id: horario, title: \"Horario\", extra, next: info }")
        #expect(quoted.map(\.suggestion).allSatisfy { $0?.hasPrefix("a ','") != true })
    }
}
