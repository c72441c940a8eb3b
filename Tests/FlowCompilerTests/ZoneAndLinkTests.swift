import Foundation
import Testing

@testable import FlowCompiler

// A fixed offset must be one that places use (−12 to +14 hours), and a media link must name a host: Foundation
// takes `GMT+15` and `https:///a.pdf` as written, but neither names anything real.

/// The minimal valid flow with one text replaced, and the ids of its problems.
private func problemIDs(replacing original: String, with replacement: String) throws -> [String] {
    let url = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains(original))
    return FlowChecker.check(text.replacingOccurrences(of: original, with: replacement)).diagnostics.map(\.id)
}

@Test(arguments: [
    ("America/Bogota", true), ("GMT-5", true), ("UTC-05:00", true), ("GMT+14", true), ("GMT-12", true),
    ("GMT+15", false), ("GMT-13", false),
])
func timeZoneOffsetsArePlacesOffsets(_ zone: String, _ accepted: Bool) throws {
    let ids = try problemIDs(replacing: "settings:\n", with: "settings:\n  time_zone: \"\(zone)\"\n")
    #expect(ids.contains("invalid_value") == !accepted, "\(zone): \(ids)")
}

@Test(arguments: [
    ("https://x.co/a.pdf", true), ("https://x.co", true), ("https:///a.pdf", false), ("https://", false),
    ("https://?a.pdf", false),
])
func attachmentLinksNameAHost(_ link: String, _ accepted: Bool) throws {
    let ids = try problemIDs(
        replacing: "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n",
        with: "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n"
            + "    attachment: { url: \"\(link)\", filename: horario.pdf }\n")
    #expect(ids.contains("invalid_value") == !accepted, "\(link): \(ids)")
}
