import FlowRuntime
import Storage

/// The legal deadlines of a data subject's request (Ley 1581 de 2012 arts. 14 and 15; ../shared/design/
/// habeas-data.md items 5 and 7), in Colombian business days: Monday to Friday, national holidays excluded, in
/// Colombian time. A term starts the day after the request is received, and ends at the end (23:59:59) of its
/// last business day.
public enum DataRequestDeadlines {
    /// Business days to answer: a consulta 10, a reclamo 15.
    public static func term(_ kind: DataRequest.Kind) -> Int { kind == .access ? 10 : 15 }
    /// Business days the answer may be put off, once, after telling the contact why: +5 and +8.
    public static func extensionTerm(_ kind: DataRequest.Kind) -> Int { kind == .access ? 5 : 8 }
    /// A reclamo's data are flagged "reclamo en trámite" within 2 business days.
    public static let flagTerm = 2

    /// The deadline and, for a reclamo, the flag's deadline of a request received at `receivedAt`.
    public static func due(_ kind: DataRequest.Kind, receivedAt: Int64) -> (due: Int64, flagDue: Int64?) {
        let due = endOfBusinessDay(term(kind), after: receivedAt)
        return (due, kind == .claim ? endOfBusinessDay(flagTerm, after: receivedAt) : nil)
    }

    /// The deadline after the extension: `extensionTerm(kind)` business days after the day of `due`.
    public static func extended(_ kind: DataRequest.Kind, due: Int64) -> Int64 {
        endOfBusinessDay(extensionTerm(kind), after: due)
    }

    /// The end of the `count`-th business day after the Colombian day of `time`.
    public static func endOfBusinessDay(_ count: Int, after time: Int64) -> Int64 {
        var day = ColombianTime.day(of: time).day
        var left = count
        while left > 0 {
            day += 1
            if isBusinessDay(day) { left -= 1 }
        }
        return ColombianTime.start(ofDay: day + 1) - 1
    }

    /// Whether a day (days since 1970-01-01) is a Colombian business day.
    static func isBusinessDay(_ day: Int) -> Bool {
        guard (1...5).contains(LocalTime.weekday(days: day)) else { return false }
        let date = LocalTime.civil(days: day)
        return !ColombianHolidays.contains(year: date.year, month: date.month, day: date.day)
    }
}
