import Foundation
import Testing

@testable import FlowCompiler

// Number fields take numbers as a reader of the flow reads them (language.md, "Values"): decimal digits with
// an optional `-`. Hexadecimal, exponents, a `+`, leading zeros and `.5` are `wrong_type`, though Swift's
// parsers would make 16 of `0x10` and 1000 of `1e3`.

/// The minimal valid flow with one text replaced.
private func minimalFlow(replacing original: String, with replacement: String) throws -> String {
    let url = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains(original))
    return text.replacingOccurrences(of: original, with: replacement)
}

/// The ids of the problems of a flow.
private func problemIDs(_ yaml: String) -> [String] {
    FlowChecker.check(yaml).diagnostics.map(\.id)
}

@Test(arguments: [
    ("2", true), ("0", true), ("20", true), ("+2", false), ("02", false), ("0x2", false), ("2.0", false),
])
func menuRetriesAreDecimalWholeNumbers(_ written: String, _ accepted: Bool) throws {
    let yaml = try minimalFlow(
        replacing: "    fallback: despedida\n", with: "    retries: \(written)\n    fallback: despedida\n")
    #expect(problemIDs(yaml).contains("wrong_type") == !accepted, "\(written)")
}

@Test(arguments: [
    ("120", true), ("120.5", true), ("-0.5", true), ("0", true), ("0x10", false), ("1e3", false), ("+1", false),
    ("010", false), (".5", false), ("5.", false), (".inf", false), (".nan", false),
])
func validationBoundsAreDecimalNumbers(_ written: String, _ accepted: Bool) throws {
    let yaml = try minimalFlow(
        replacing: "    personal_data: true\n",
        with: "    personal_data: true\n    input: number\n    validate: { max: \(written) }\n")
    #expect(problemIDs(yaml).contains("wrong_type") == !accepted, "\(written)")
}

/// A number in the documented form but too long to hold is told so (`invalid_value`, with the bound), not blamed
/// on its form; 308 digits before the `.` still read.
@Test func aNumberTooLargeToHoldSaysSoAndGivesTheBound() throws {
    let huge = String(repeating: "9", count: 400) + ".5"
    let yaml = try minimalFlow(
        replacing: "    personal_data: true\n",
        with: "    personal_data: true\n    input: number\n    validate: { max: \(huge) }\n")
    let diagnostics = FlowChecker.check(yaml).diagnostics
    let diagnostic = try #require(diagnostics.first { $0.message.contains("'max' of 'validate'") })
    #expect(diagnostic.id == "invalid_value")
    #expect(diagnostic.message.contains("is too large: a number has at most 308 digits before its '.'"))
    let largest = try minimalFlow(
        replacing: "    personal_data: true\n",
        with:
            "    personal_data: true\n    input: number\n    validate: { max: \(String(repeating: "9", count: 308)) }\n"
    )
    #expect(!FlowChecker.check(largest).diagnostics.contains { $0.message.contains("'max' of 'validate'") })
}

/// A pattern the regular expression engine refuses gets the parser's reason, not only "not valid".
@Test(arguments: [
    ("a{2147483647}", "number overflow"),
    ("(abc", "expected ')'"),
    ("[z-a]", "character 'z' must compare less than or equal to 'a'"),
    ("", "it is empty; write an expression, or remove the key"),
])
func anInvalidPatternSaysWhy(_ pattern: String, _ reason: String) throws {
    let yaml = try minimalFlow(
        replacing: "    personal_data: true\n",
        with: "    personal_data: true\n    validate: { pattern: '\(pattern)' }\n")
    let diagnostic = try #require(
        FlowChecker.check(yaml).diagnostics.first { $0.message.contains("is not a valid regular expression") })
    #expect(diagnostic.message.hasPrefix("'\(pattern)' is not a valid regular expression: \(reason)"))
}
