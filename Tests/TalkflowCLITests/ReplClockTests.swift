import Foundation
import Testing

/// The REPL's virtual clock as a tester sees it: the time zone named as the flow writes it, and the bounds of
/// time (never back, never past 9999-12-31T23:59:59Z) refused in the REPL's own words.
@Suite struct ReplClockTests {
    /// Pipes `input` into `talkflow repl` on `flow` (the shipped default flow unless given).
    func repl(_ input: String, _ arguments: [String] = [], flow: String = ReplCommandTests.defaultFlow) async throws
        -> TalkflowProcess.Output
    {
        let folder = try TemporaryFolder()
        return try await PipedRepl.run(input, arguments: ["repl", flow] + arguments, in: folder.url)
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
    func theZoneIsNamedAsTheFlowWritesIt(_ zone: String) async throws {
        let folder = try TemporaryFolder()
        let result = try await PipedRepl.run(
            "/clock\n", arguments: ["repl", try flow(timeZone: zone, in: folder)], in: folder.url)
        #expect(result.stderr == "")
        #expect(result.stdout == "clock 2026-03-02T10:00 Monday (\(zone)), business hours: open\n")
    }

    /// `--at` past the latest time the clock reaches is a usage error naming the latest local time; the latest
    /// itself starts the clock.
    @Test func aStartPastTheLastInstantIsAUsageError() async throws {
        let late = try await repl("/clock\n", ["--at", "9999-12-31T23:59:59"])
        #expect(late.status == 64)
        #expect(late.stdout == "")
        #expect(
            late.stderr.hasPrefix(
                "Error: invalid --at '9999-12-31T23:59:59': it is past the latest time the clock reaches, "
                    + "9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)\n"), "\(late.stderr)")
        // The repl's usage, as for every other refused --at, not the root command's.
        #expect(late.stderr.contains("\nUsage: talkflow repl <flow> [--at <date-time>]"), "\(late.stderr)")
        #expect(late.stderr.hasSuffix("  See 'talkflow repl --help' for more information.\n"), "\(late.stderr)")
        let latest = try await repl("/clock\n/clock +1d\n", ["--at", "9999-12-31T18:59:59"])
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
    @Test func movesTheClockCannotMakeAreRefused() async throws {
        let result = try await repl(
            "/clock 2026-03-02T09:00\n/clock 9999-12-31T23:59:59\n/clock 9999-12-31T19:00\n/clock\n")
        #expect(
            result.stderr == """
                error: 2026-03-02T09:00 is before the clock (2026-03-02T10:00); time never goes back
                error: 9999-12-31T23:59:59 is past the latest time the clock reaches, 9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)
                error: 9999-12-31T19:00 is past the latest time the clock reaches, 9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)

                """)
        #expect(result.stdout == "clock 2026-03-02T10:00 Monday (America/Bogota), business hours: open\n")
    }

    /// A `/clock` value in the right form that the calendar or the clock cannot take is explained in the words a
    /// transcript's `at:` and `wait:` get, not answered with the form again; a value in no form gets the forms.
    /// The clock stays where it was.
    @Test func impossibleValuesAreExplainedAsInTranscripts() async throws {
        let result = try await repl(
            "/clock 2026-02-30T10:00\n/clock 2026-03-02 25:00:00\n/clock +0s\n/clock +0h00m\n/clock +1000000000d\n"
                + "/clock ayer\n/clock\n")
        #expect(
            result.stderr == """
                error: /clock DATE-TIME names a day or a time the calendar does not have, found '2026-02-30T10:00' (months have 28 to 31 days, hours run 00 to 23, minutes 00 to 59)
                error: /clock DATE-TIME names a day or a time the calendar does not have, found '2026-03-02 25:00:00' (months have 28 to 31 days, hours run 00 to 23, minutes and seconds 00 to 59)
                error: /clock +DURATION must move the clock forward: write a duration above 0, found '+0s'
                error: /clock +DURATION must move the clock forward: write a duration above 0, found '+0h00m'
                error: /clock +DURATION is too long: each number of a duration has at most 9 digits (999999999d), found '+1000000000d'
                error: cannot read 'ayer'; write +DURATION (30s, 30m, 25h, 2d, 1h30m) or YYYY-MM-DDTHH:MM

                """)
        #expect(result.stdout == "clock 2026-03-02T10:00 Monday (America/Bogota), business hours: open\n")
    }

    /// `--at` with a day or a time the calendar does not have is a usage error that says so, before the flow is
    /// read; a value in no date-time form still gets the form.
    @Test func anImpossibleStartIsExplained() async throws {
        let impossible = try await repl("", ["--at", "2026-02-30T10:00"], flow: "nope.yaml")
        #expect(impossible.status == 64)
        #expect(
            impossible.stderr.hasPrefix(
                "Error: --at names a day or a time the calendar does not have, found '2026-02-30T10:00' (months "
                    + "have 28 to 31 days, hours run 00 to 23, minutes 00 to 59)\n"), "\(impossible.stderr)")
        let unreadable = try await repl("", ["--at", "mañana"], flow: "nope.yaml")
        #expect(unreadable.status == 64)
        #expect(
            unreadable.stderr.hasPrefix(
                "Error: invalid --at 'mañana': write a local date and time as YYYY-MM-DDTHH:MM (or with :SS), e.g. "
                    + "2026-12-01T10:00\n"), "\(unreadable.stderr)")
    }
}
