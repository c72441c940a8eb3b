import Conversations
import Testing

/// Why a date-time or a duration cannot be used, as transcripts and the REPL both explain it: a value in the
/// right form the calendar or the clock cannot take is told apart from one in no form at all.
@Suite struct TimeValueProblemTests {
    @Test(arguments: [
        ("2026-02-30T10:00", TimeValueProblem.notOnCalendar(seconds: false)),
        ("2026-03-02 25:00", .notOnCalendar(seconds: false)),
        ("2026-03-02T10:00:60", .notOnCalendar(seconds: true)),
        ("2026-2-3T10:00", .unreadable), ("mañana", .unreadable), ("2026-03-02T10:00Z", .unreadable),
    ])
    func dateTimes(_ text: String, _ problem: TimeValueProblem) {
        #expect(TimeValueProblem.dateTime(text) == problem)
    }

    @Test func aDateTimeThatReadsHasNoProblem() {
        #expect(TimeValueProblem.dateTime("2028-02-29T23:59:59") == nil)
        #expect(TimeValueProblem.duration("1h30m") == nil)
    }

    /// Only numbers each followed by a unit are durations whose size can be wrong: `5ss` or `s` is no
    /// duration at all, not one too long or of zero.
    @Test(arguments: [
        ("0s", TimeValueProblem.zeroDuration), ("0h00m", .zeroDuration), ("1000000000s", .durationTooLong),
        ("1h1000000000m", .durationTooLong), ("5ss", .unreadable), ("s", .unreadable), ("m5s", .unreadable),
        ("5", .unreadable), ("", .unreadable), ("25 horas", .unreadable),
    ])
    func durations(_ text: String, _ problem: TimeValueProblem) {
        #expect(TimeValueProblem.duration(text) == problem)
    }

    /// The words are the subject's own, with what was written.
    @Test func messagesNameTheSubjectAndTheValue() {
        #expect(
            TimeValueProblem.notOnCalendar(seconds: true).message("/clock DATE-TIME", found: "2026-03-02T10:00:60")
                == "/clock DATE-TIME names a day or a time the calendar does not have, found '2026-03-02T10:00:60' "
                + "(months have 28 to 31 days, hours run 00 to 23, minutes and seconds 00 to 59)")
        #expect(
            TimeValueProblem.zeroDuration.message("'wait'", found: "0s")
                == "'wait' must move the clock forward: write a duration above 0, found '0s'")
        #expect(TimeValueProblem.unreadable.message("'wait'", found: "x") == nil)
    }

    /// A sum of durations beyond what 64 bits hold moves the clock as far as it goes instead of trapping.
    @Test func aSumPastSixtyFourBitsIsTheLargest() {
        #expect(TranscriptUnits.parseDuration(String(repeating: "999999999d", count: 110_000)) == Int64.max)
    }
}
