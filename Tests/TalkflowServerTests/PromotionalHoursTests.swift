import FlowRuntime
import Testing

@testable import TalkflowServer

/// Ley 2300 de 2023's hours for advertising, in Colombian time (the holidays: ColombianHolidaysTests).
@Suite("Promotional hours", .hangGuard) struct PromotionalHoursTests {
    /// Unix seconds of a Bogotá local time (UTC−5).
    private func bogota(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        Int64(LocalTime.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60)
            + 5 * 3600
    }

    @Test(arguments: [
        // Inside: the same instant.
        ((2026, 11, 23, 10, 0), (2026, 11, 23, 10, 0)),  // Monday 10:00
        ((2026, 11, 28, 14, 59), (2026, 11, 28, 14, 59)),  // Saturday 14:59
        // Outside: the next opening.
        ((2026, 11, 23, 6, 0), (2026, 11, 23, 7, 0)),  // Monday before 7:00
        ((2026, 11, 27, 19, 0), (2026, 11, 28, 8, 0)),  // Friday 19:00 → Saturday 8:00
        ((2026, 11, 28, 15, 0), (2026, 11, 30, 7, 0)),  // Saturday 15:00 → Monday 7:00
        ((2026, 11, 29, 12, 0), (2026, 11, 30, 7, 0)),  // Sunday
        ((2026, 12, 8, 10, 0), (2026, 12, 9, 7, 0)),  // Tuesday, a holiday
        ((2026, 3, 21, 16, 0), (2026, 3, 24, 7, 0)),  // Saturday after hours, then Sunday and a holiday Monday
    ])
    func theNextWindowOpensWhereTheLawSays(
        at: (Int, Int, Int, Int, Int), opens: (Int, Int, Int, Int, Int)
    ) {
        let time = bogota(at.0, at.1, at.2, at.3, at.4)
        #expect(PromotionalHours.firstAllowed(atOrAfter: time) == bogota(opens.0, opens.1, opens.2, opens.3, opens.4))
    }

    @Test func timesAreDescribedInColombianTime() {
        #expect(PromotionalHours.describe(bogota(2026, 11, 30, 7, 0)) == "2026-11-30T07:00-05:00")
    }
}
