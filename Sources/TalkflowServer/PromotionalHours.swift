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

/// Colombia's national holidays (Ley 51 de 1983, "Ley Emiliani"): six on fixed dates, seven moved to the
/// following Monday, and five that follow Easter (two before it, three moved to a Monday after it).
public enum ColombianHolidays {
    public static func contains(year: Int, month: Int, day: Int) -> Bool {
        let date = LocalTime.days(year: year, month: month, day: day)
        return holidays(year: year).contains(date)
    }

    /// The holidays of a year, as days since 1970-01-01.
    static func holidays(year: Int) -> Set<Int> {
        func days(_ month: Int, _ day: Int) -> Int { LocalTime.days(year: year, month: month, day: day) }
        /// The date itself if a Monday, else the next Monday.
        func nextMonday(_ date: Int) -> Int {
            let weekday = LocalTime.weekday(days: date)
            return weekday == 1 ? date : date + (8 - weekday)
        }
        let fixed = [days(1, 1), days(5, 1), days(7, 20), days(8, 7), days(12, 8), days(12, 25)]
        let moved = [days(1, 6), days(3, 19), days(6, 29), days(8, 15), days(10, 12), days(11, 1), days(11, 11)]
            .map(nextMonday)
        let easter = easterSunday(year: year)
        // Holy Thursday and Good Friday; Ascension (+39), Corpus Christi (+60) and Sacred Heart (+68), each on
        // the Monday after.
        let paschal = [
            easter - 3, easter - 2, nextMonday(easter + 39), nextMonday(easter + 60), nextMonday(easter + 68),
        ]
        return Set(fixed + moved + paschal)
    }

    /// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm), as days since 1970-01-01.
    static func easterSunday(year: Int) -> Int {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalTime.days(year: year, month: month, day: day)
    }
}
