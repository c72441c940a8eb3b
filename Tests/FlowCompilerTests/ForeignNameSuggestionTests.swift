import FlowCompiler
import Foundation
import Testing

/// Names a Spanish- or Portuguese-speaking author writes where the language wants an English key or an IANA
/// zone get a suggestion: a weekday (`sábado`, `segunda-feira`) and a city written as people write it
/// (`New York`).
@Suite struct ForeignNameSuggestionTests {
    static func flow(settings: String) throws -> String {
        let url = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("settings:\n"))
        return text.replacingOccurrences(of: "settings:\n", with: "settings:\n" + settings)
    }

    @Test(arguments: [
        ("sábado", "saturday"), ("Miércoles", "wednesday"), ("segunda-feira", "monday"),
        ("festivos", "holidays"),
    ])
    func aWeekdayInSpanishOrPortugueseSuggestsItsKey(written: String, key: String) throws {
        let yaml = try Self.flow(settings: "  business_hours:\n    \(written): [\"09:00-12:00\"]\n")
        let diagnostic = try #require(FlowChecker.check(yaml).diagnostics.first { $0.id == "unknown_key" })
        #expect(diagnostic.message.hasPrefix("unknown key '\(written)' in"), "\(diagnostic.message)")
        #expect(diagnostic.suggestion == "did you mean '\(key)'? (these keys are in English)")
    }

    @Test(arguments: [
        ("New York", "America/New_York"), ("bogota", "America/Bogota"), ("Sao Paulo", "America/Sao_Paulo"),
        // A wrong case or a slip in an IANA name (newcomer5 #4).
        ("america/lima", "America/Lima"), ("Europe/Madird", "Europe/Madrid"), ("America/Bogta", "America/Bogota"),
    ])
    func aCityNamesItsZone(written: String, zone: String) throws {
        let yaml = try Self.flow(settings: "  time_zone: \(written)\n")
        let diagnostic = try #require(
            FlowChecker.check(yaml).diagnostics.first { $0.message.hasPrefix("unknown time zone") })
        #expect(diagnostic.suggestion == "did you mean '\(zone)'?")
    }

    @Test func aNameThatIsNoCityGetsNoSuggestion() throws {
        let yaml = try Self.flow(settings: "  time_zone: Gotham\n")
        let diagnostic = try #require(
            FlowChecker.check(yaml).diagnostics.first { $0.message.hasPrefix("unknown time zone") })
        #expect(diagnostic.suggestion == nil)
    }
}
