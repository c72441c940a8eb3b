/// Why a business-hours span or a holiday date written in its form (`22:00-06:00`, `08:00-25:00`, `8:00-12:00`,
/// `2026-02-29`, `2026-13-01`) cannot be used, told as a transcript's `time:` is: what is wrong, the range the
/// calendar allows, and a `help:` with the value to write, never the form the tenant already followed.
struct CalendarValueProblem: Sendable, Hashable {
    /// The `invalid_value` message.
    var message: String
    /// The help line.
    var help: String

    /// The problem of span `text` of `day` that `Durations.timeSpan` refused; `nil` when `text` is not two times
    /// of one or two digits each (`HH:MM-HH:MM`) at all, whose message is the form.
    static func span(_ text: String, of day: Weekday) -> CalendarValueProblem? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces
        }
        guard parts.count == 2, let start = ClockTime(parts[0]), let end = ClockTime(parts[1]) else { return nil }
        let subject = "span '\(text)' of \(day.rawValue)"
        let days = Weekday.allCases
        let next = days[((days.firstIndex(of: day) ?? 0) + 1) % days.count].rawValue
        let ranges = "hours run 00 to 24 and minutes 00 to 59, each with two digits; '24:00' only ends a span"
        for time in [start, end] where !time.isOnClock {
            var help = "write each time as HH:MM, e.g. '08:00-12:00'"
            let carried = ClockTime(hour: time.hour + time.minute / 60, minute: time.minute % 60)
            if time.minute > 59, carried.isOnClock {
                help = "an hour has 60 minutes: '\(time.written)' is '\(carried.text)'"
            }
            if time == end, start.isOnClock, start.minuteOfDay < 1440, time.minute < 60, time.hour < 48 {
                // Past midnight: the rest of the span belongs to the next day's list.
                help =
                    "a span ends by midnight: write \"\(start.text)-24:00\" on \(day.rawValue) and "
                    + "\"00:00-\(ClockTime(hour: time.hour - 24, minute: time.minute).text)\" on \(next)"
            }
            return CalendarValueProblem(
                message: "\(subject) names a time the day does not have, '\(time.written)' (\(ranges))", help: help)
        }
        if let short = [start, end].first(where: { !$0.hasTwoDigits }) {
            let padded = "\(start.text)-\(end.text)"
            return CalendarValueProblem(
                message: "\(subject) writes '\(short.written)' with one digit where two are needed (\(ranges))",
                help: Durations.timeSpan(padded) != nil
                    ? "did you mean '\(padded)'?" : "write each time as HH:MM, e.g. '08:00-12:00'")
        }
        if start.minuteOfDay == 1440 {
            return CalendarValueProblem(
                message: "\(subject) starts at '24:00', the end of the day; '24:00' only ends a span",
                help: "a span from midnight starts at '00:00' of the next day's list, e.g. \"00:00-\(end.text)\"")
        }
        guard start.minuteOfDay >= end.minuteOfDay else { return nil }
        let message = "\(subject) does not start before it ends; a span ends on the day it starts"
        if start.minuteOfDay == end.minuteOfDay {
            return CalendarValueProblem(
                message: message, help: "write the start before the end, e.g. '08:00-12:00', or leave the span out")
        }
        if end.minuteOfDay == 0 {
            return CalendarValueProblem(
                message: message, help: "a span that ends at midnight ends at '24:00': \"\(start.text)-24:00\"")
        }
        return CalendarValueProblem(
            message: message,
            help: "split a night shift: \"\(start.text)-24:00\" on \(day.rawValue) and \"00:00-\(end.text)\" on \(next)"
        )
    }

    /// The problem of holiday `text` that `Durations.isDate` refused; `nil` when `text` is not a 4-digit year, a
    /// month and a day of one or two digits each at all, whose message is the form.
    static func date(_ text: String) -> CalendarValueProblem? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }), let year = Int(parts[0]),
            let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let subject = "holiday '\(text)'"
        let form = "write a date as 'YYYY-MM-DD', year, month and day, e.g. '2026-12-25'"
        guard (1...12).contains(month) else {
            let swapped = "\(parts[0])-\(twoDigits(day))-\(twoDigits(month))"
            return CalendarValueProblem(
                message: "\(subject) names a month the calendar does not have, '\(parts[1])' (months run 01 to 12)",
                help: Durations.isDate(swapped) ? "did you mean '\(swapped)'? \(form)" : form)
        }
        let name = monthNames[month - 1]
        let last = Durations.days(inMonth: month, of: year)
        if day == 0 {
            return CalendarValueProblem(
                message: "\(subject) names a day the calendar does not have, '\(parts[2])' (days run from 01)",
                help: "the first day of \(name) \(parts[0]) is '\(parts[0])-\(twoDigits(month))-01'")
        }
        if day > last {
            let why =
                month == 2 && day == 29
                ? "\(parts[0]) has no 29 February (February has 28 days in \(parts[0]))" : "\(name) has \(last) days"
            return CalendarValueProblem(
                message: "\(subject) names a day the calendar does not have: \(why)",
                help: "the last day of \(name) \(parts[0]) is '\(parts[0])-\(twoDigits(month))-\(last)'")
        }
        let padded = "\(parts[0])-\(twoDigits(month))-\(twoDigits(day))"
        return CalendarValueProblem(
            message: "\(subject) writes the month or the day with one digit; a date takes two for each (YYYY-MM-DD)",
            help: "did you mean '\(padded)'?")
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    private static func twoDigits(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }

    /// A time of a span as written, `H:MM` to `HH:MM` with one or two digits each.
    private struct ClockTime: Equatable {
        var hour: Int
        var minute: Int
        var written: String

        init?(_ written: String) {
            let parts = written.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) }),
                parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }), let hour = Int(parts[0]),
                let minute = Int(parts[1])
            else { return nil }
            (self.hour, self.minute, self.written) = (hour, minute, written)
        }

        init(hour: Int, minute: Int) {
            (self.hour, self.minute) = (hour, minute)
            written = CalendarValueProblem.twoDigits(hour) + ":" + CalendarValueProblem.twoDigits(minute)
        }

        /// Hours 00 to 24, minutes 00 to 59, `24` only with `00`.
        var isOnClock: Bool { hour <= 24 && minute <= 59 && (hour < 24 || minute == 0) }
        var hasTwoDigits: Bool { written.count == 5 }
        var minuteOfDay: Int { hour * 60 + minute }
        /// Written with two digits each.
        var text: String { CalendarValueProblem.twoDigits(hour) + ":" + CalendarValueProblem.twoDigits(minute) }
    }
}

extension Substring {
    /// Without the spaces (U+0020) a span may have around its `-` and around itself.
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
