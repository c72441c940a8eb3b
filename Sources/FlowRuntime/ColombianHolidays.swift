/// Colombia's national holidays (Ley 51 de 1983, "Ley Emiliani"): six on fixed dates, seven moved to the
/// following Monday, and five that follow Easter (two before it, three moved to a Monday after it).
/// Business hours with `holidays: [colombia]`, data-request deadlines and Ley 2300's promotional hours count them.
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
