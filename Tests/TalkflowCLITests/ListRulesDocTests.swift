import Foundation
import Testing

/// Docs/cli.md shows lines of `talkflow lint --list-rules`; they must be the binary's lines byte for byte, so that
/// the page cannot drift from the column widths the code computes.
@Suite struct ListRulesDocTests {
    static let cliPage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs/cli.md")

    /// The first fenced block after `marker` in cli.md, without its fences.
    static func example(after marker: String) throws -> [Substring] {
        let page = try String(contentsOf: cliPage, encoding: .utf8)
        let start = try #require(page.range(of: marker), "cli.md has no '\(marker)'")
        let lines = page[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        let open = try #require(lines.firstIndex { $0.hasPrefix("```") })
        let close = try #require(lines[(open + 1)...].firstIndex { $0.hasPrefix("```") })
        return Array(lines[(open + 1)..<close])
    }

    @Test func theTextExampleIsTheBinarysOutput() async throws {
        let example = try Self.example(after: "Text: one line per rule")
        #expect(!example.isEmpty)
        let result = try await TemporaryFolder().run("lint", "--list-rules")
        #expect(result.status == 0)
        let lines = Set(result.stdout.split(separator: "\n"))
        for line in example {
            #expect(lines.contains(line), "cli.md's '\(line)' is not a line of --list-rules")
        }
    }

    /// The documented object is written as the binary writes it (keys sorted, the same indentation), so its
    /// lines, up to its closing brace (a comma may follow it in the array), are a run of the output's lines.
    @Test func theJSONExampleIsTheBinarysEntry() async throws {
        let example = try Self.example(after: "JSON (`--list-rules --format json`)")
        let result = try await TemporaryFolder().run("lint", "--list-rules", "--format", "json")
        #expect(result.status == 0)
        let object = try #require(example.firstIndex(of: "  {"))
        let close = try #require(example.firstIndex(of: "  }"))
        let lines = example[object..<close].joined(separator: "\n") + "\n"
        #expect(result.stdout.contains(lines), "cli.md's example is not an entry of --list-rules --format json")
    }
}
