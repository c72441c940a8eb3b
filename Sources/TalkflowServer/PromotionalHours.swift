import FlowRuntime

/// When promotional (marketing) messages may reach a contact in Colombia: Ley 2300 de 2023, art. 3, allows
/// advertising through messaging apps Monday to Friday 7:00–19:00 and Saturday 8:00–15:00, never on Sundays or
/// national holidays, in Colombian time (America/Bogota: UTC−5 all year, without daylight saving). A marketing
/// template asked for outside these hours is refused with the time the next window opens
/// (../shared/design/habeas-data.md, item 9).
public enum PromotionalHours {
    /// The first instant at or after `time` (Unix seconds) inside a window.
    public static func firstAllowed(atOrAfter time: Int64) -> Int64 {
        var (day, secondOfDay) = ColombianTime.day(of: time)
        // A window opens within a week whatever the holidays (at most three in a row).
        for ahead in 0..<8 {
            if let (open, close) = window(onDay: day) {
                if ahead > 0 || secondOfDay < open { return ColombianTime.start(ofDay: day) + open }
                if secondOfDay < close { return time }
            }
            day += 1
        }
        return time
    }

    /// The window of a day (days since 1970-01-01, local), as seconds since local midnight, or `nil` when the day
    /// has none (a Sunday or a holiday).
    static func window(onDay day: Int) -> (open: Int64, close: Int64)? {
        let date = LocalTime.civil(days: day)
        if ColombianHolidays.contains(year: date.year, month: date.month, day: date.day) { return nil }
        switch LocalTime.weekday(days: day) {
        case 1...5: return (7 * 3600, 19 * 3600)
        case 6: return (8 * 3600, 15 * 3600)
        default: return nil
        }
    }

    /// `time` as Colombian local time, `2026-11-30T07:00-05:00`.
    public static func describe(_ time: Int64) -> String {
        // `2026-11-30T07:00:00-05:00` without its seconds.
        String(ColombianTime.iso8601(time).prefix(16)) + "-05:00"
    }
}
