import Testing

@testable import FlowRuntime

/// Colombia's national holidays, as business hours (`holidays: [colombia]`), data-request deadlines and Ley
/// 2300's promotional hours count them.
@Suite("Colombian holidays") struct ColombianHolidaysTests {
    @Test func the2026HolidaysAreColombias() {
        let expected: [(Int, Int)] = [
            (1, 1), (1, 12), (3, 23), (4, 2), (4, 3), (5, 1), (5, 18), (6, 8), (6, 15), (6, 29), (7, 20), (8, 7),
            (8, 17), (10, 12), (11, 2), (11, 16), (12, 8), (12, 25),
        ]
        let found = ColombianHolidays.holidays(year: 2026)
        #expect(found == Set(expected.map { LocalTime.days(year: 2026, month: $0.0, day: $0.1) }))
    }

    /// Easter Sunday, which five holidays follow, for years whose date is published.
    @Test(arguments: [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25)])
    func easterSundayIsComputed(_ year: Int, _ month: Int, _ day: Int) {
        #expect(ColombianHolidays.easterSunday(year: year) == LocalTime.days(year: year, month: month, day: day))
    }

    @Test func containsNamesAHolidayAndNotTheDayAfter() {
        #expect(ColombianHolidays.contains(year: 2026, month: 12, day: 8))
        #expect(ColombianHolidays.contains(year: 2026, month: 4, day: 2))
        #expect(!ColombianHolidays.contains(year: 2026, month: 12, day: 9))
        #expect(!ColombianHolidays.contains(year: 2026, month: 4, day: 6))
    }
}
