import Foundation
import Testing

/// The REPL's virtual clock as a tester sees it: the time zone named as the flow writes it, and the bounds of
/// time (never back, never past 9999-12-31T23:59:59Z) refused in the REPL's own words.
@Suite struct ReplClockTests {
    /// Pipes `input` into `talkflow repl` on `flow` (the shipped default flow unless given).
    func repl(_ input: String, _ arguments: [String] = [], flow: String = ReplCommandTests.defaultFlow) throws
        -> TalkflowProcess.Output
    {
        let folder = try TemporaryFolder()
        return try PipedRepl.run(input, arguments: ["repl", flow] + arguments, in: folder.url)
    }

    /// The default flow with another `time_zone`, written in `folder`.
    func flow(timeZone: String, in folder: TemporaryFolder) throws -> String {
        let original = try String(contentsOfFile: ReplCommandTests.defaultFlow, encoding: .utf8)
        return try folder.write(
            "flow.yaml",
            original.replacingOccurrences(of: "time_zone: America/Bogota", with: "time_zone: \"\(timeZone)\""))
    }

    /// `/clock` names the zone as the flow's `time_zone` writes it, not by Foundation's name for it (`GMT` for
    /// UTC, `GMT-0500` for GMT-5).
    @Test(arguments: ["UTC", "GMT-5", "UTC-05:00", "America/Bogota"])
    func theZoneIsNamedAsTheFlowWritesIt(_ zone: String) throws {
        let folder = try TemporaryFolder()
        let result = try PipedRepl.run(
            "/clock\n", arguments: ["repl", try flow(timeZone: zone, in: folder)], in: folder.url)
        #expect(result.stderr == "")
        #expect(result.stdout == "clock 2026-03-02T10:00 Monday (\(zone)), business hours: open\n")
    }

    /// `--at` past the latest time the clock reaches is a usage error naming the latest local time; the latest
    /// itself starts the clock.
    @Test func aStartPastTheLastInstantIsAUsageError() throws {
        let late = try repl("/clock\n", ["--at", "9999-12-31T23:59:59"])
        #expect(late.status == 64)
        #expect(late.stdout == "")
        #expect(
            late.stderr.hasPrefix(
                "Error: invalid --at '9999-12-31T23:59:59': it is past the latest time the clock reaches, "
                    + "9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)\n"), "\(late.stderr)")
        let latest = try repl("/clock\n/clock +1d\n", ["--at", "9999-12-31T18:59:59"])
        #expect(latest.status == 0)
        #expect(latest.stderr == "")
        #expect(
            latest.stdout == """
                clock 9999-12-31T18:59:59 Friday (America/Bogota), business hours: closed
                · clock 9999-12-31T18:59:59 Friday (America/Bogota), business hours: closed

                """)
    }

    /// `/clock DATE-TIME` refuses a time before the clock and one past the latest time it reaches, in REPL
    /// terms (no transcript `at:`), and the clock stays where it was.
    @Test func movesTheClockCannotMakeAreRefused() throws {
        let result = try repl(
            "/clock 2026-03-02T09:00\n/clock 9999-12-31T23:59:59\n/clock 9999-12-31T19:00\n/clock\n")
        #expect(
            result.stderr == """
                error: 2026-03-02T09:00 is before the clock (2026-03-02T10:00); time never goes back
                error: 9999-12-31T23:59:59 is past the latest time the clock reaches, 9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)
                error: 9999-12-31T19:00 is past the latest time the clock reaches, 9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)

                """)
        #expect(result.stdout == "clock 2026-03-02T10:00 Monday (America/Bogota), business hours: open\n")
    }
}
