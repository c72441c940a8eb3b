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
    ("GMT+15", false), ("GMT-13", false), ("UTC+05:30", true), ("UTC+05:60", false), ("UTC-03:59", true),
    ("UTC+14:30", false),
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

/// An offset refused says exactly how far from UTC it is, minutes included ("'UTC+14:30' is 14 hours from UTC …
/// they run from -12 to +14" contradicted itself), and minutes of 60 or more are refused as such (newcomer5 #4).
@Test(arguments: [
    ("UTC+14:30", "time zone 'UTC+14:30' is +14:30 from UTC, an offset no place uses (they run from -12:00 to +14:00)"),
    ("UTC-12:30", "time zone 'UTC-12:30' is -12:30 from UTC, an offset no place uses (they run from -12:00 to +14:00)"),
    ("GMT+15", "time zone 'GMT+15' is +15:00 from UTC, an offset no place uses (they run from -12:00 to +14:00)"),
    ("UTC+05:60", "time zone 'UTC+05:60' has 60 minutes, and the minutes of an offset run from 00 to 59"),
])
func aRefusedOffsetSaysItsHoursAndMinutes(_ zone: String, _ reason: String) throws {
    let url = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
        .replacingOccurrences(of: "settings:\n", with: "settings:\n  time_zone: \"\(zone)\"\n")
    let messages = FlowChecker.check(text).diagnostics.filter { $0.id == "invalid_value" }.map(\.message)
    #expect(messages == [reason + "; use an IANA name such as 'America/Bogota'"])
}
