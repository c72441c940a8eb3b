import FlowCompiler
import FlowLanguage
import Foundation

/// Local time in the flow's time zone, computed from Unix seconds without `Calendar`: the interpreter asks
/// for it on every handoff and attachment, and it must stay cheap and pure.
public struct LocalTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int
    /// Minutes since local midnight.
    public var minute: Int

    /// `YYYY-MM-DD`.
    public var date: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `year * 100 + month`: the key of a calendar month, clamped to `Int32` (a key past the year 21 million).
    public var monthKey: Int32 { Int32(clamping: year * 100 + month) }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The weekday of a day counted since 1970-01-01 (a Thursday): 1 = Monday … 7 = Sunday.
    public static func weekday(days: Int) -> Int {
        ((days % 7 + 7) % 7 + 3) % 7 + 1
    }

    /// Days since 1970-01-01 of a civil date, the inverse of `civil(days:)` (Howard Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// The flow's business-hours calendar: weekly open spans and holidays (listed dates and national calendars),
/// in the flow's time zone.
public struct BusinessCalendar: Sendable {
    public let timeZone: TimeZone
    /// The time zone as the flow writes it (`America/Bogota`, `UTC`, `GMT-5`), for people: Foundation's own
    /// name for a zone (`GMT` for `UTC`, `GMT-0500` for `GMT-5`) is not what the author wrote.
    public let timeZoneName: String
    /// Open spans per weekday (index 1…7), minutes since midnight.
    let spans: [[(start: Int, end: Int)]]
    let holidays: Set<String>
    let nationalCalendars: [NationalCalendar]

    public init(settings: MachineSettings) {
        if let zone = TimeZone(identifier: settings.timeZone) {
            timeZone = zone
            timeZoneName = settings.timeZone
        } else {
            timeZone = TimeZone(identifier: "America/Bogota")!
            timeZoneName = "America/Bogota"
        }
        var spans = [[(start: Int, end: Int)]](repeating: [], count: 8)
        for hours in settings.hours where (1...7).contains(hours.weekday) {
            spans[Int(hours.weekday)].append((Int(hours.startMinute), Int(hours.endMinute)))
        }
        self.spans = spans
        holidays = Set(settings.holidays)
        nationalCalendars = settings.nationalCalendars
    }

    /// The local time of a Unix instant.
    public func local(_ at: Int64) -> LocalTime {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(at)))
        let seconds = Int(at) + offset
        let days = Int((Double(seconds) / 86400).rounded(.down))
        let secondOfDay = seconds - days * 86400
        let (y, m, d) = LocalTime.civil(days: days)
        return LocalTime(
            year: y, month: m, day: d, weekday: LocalTime.weekday(days: days), minute: secondOfDay / 60)
    }

    /// How many seconds from `start` to `end` the business is open, holidays closed: the time to attend a
    /// contact counted in business hours, so that a night or a weekend is not held against an agent. A span is
    /// placed by the zone's offset at the day's noon (a daylight-saving change inside it moves its edges by the
    /// change). Counted over a year at most after `start`.
    public func openSeconds(from start: Int64, to end: Int64) -> Int64 {
        guard end > start else { return 0 }
        let end = min(end, start + 366 * 86_400)
        var total: Int64 = 0
        for day in localDay(of: start)...localDay(of: end) {
            let (year, month, date) = LocalTime.civil(days: day)
            let weekday = LocalTime.weekday(days: day)
            guard
                !isHoliday(LocalTime(year: year, month: month, day: date, weekday: weekday, minute: 0))
            else { continue }
            let noon = Int64(day) * 86_400 + 43_200
            let midnight =
                Int64(day) * 86_400
                - Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(noon))))
            for span in spans[weekday] {
                let open = max(start, midnight + Int64(span.start) * 60)
                let close = min(end, midnight + Int64(span.end) * 60)
                if close > open { total += close - open }
            }
        }
        return total
    }

    /// The local day of a Unix instant, as days since 1970-01-01.
    func localDay(of at: Int64) -> Int {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(at)))
        return Int((Double(Int(at) + offset) / 86400).rounded(.down))
    }

    /// Whether the business is open at this instant (holidays closed all day).
    public func isOpen(at: Int64) -> Bool {
        let t = local(at)
        guard spans[t.weekday].contains(where: { t.minute >= $0.start && t.minute < $0.end }) else { return false }
        return !isHoliday(t)
    }

    /// Whether a local day is a holiday: a listed date, or a holiday of one of the national calendars.
    func isHoliday(_ t: LocalTime) -> Bool {
        if !holidays.isEmpty && holidays.contains(t.date) { return true }
        for calendar in nationalCalendars {
            switch calendar {
            case .colombia:
                if ColombianHolidays.contains(year: t.year, month: t.month, day: t.day) { return true }
            }
        }
        return false
    }
}
