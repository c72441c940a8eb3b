import FlowRuntime

/// Colombian local time (America/Bogota: UTC−5 all year, without daylight saving since 1993), in which Ley 2300's
/// hours and Ley 1581's business-day terms are counted.
public enum ColombianTime {
    /// Bogotá's offset from UTC, in seconds.
    static let offset: Int64 = -5 * 3600

    /// The local day of `time` (Unix seconds), as days since 1970-01-01, and the second within it.
    static func day(of time: Int64) -> (day: Int, second: Int64) {
        // Within the years 1 to 9999: a damaged row's time at the edge of `Int64` must not trap (hostile2 #1).
        let local = min(max(time, -62_135_596_800), 253_402_300_799) + offset
        // Rounded down, for days before 1970.
        let day = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        return (Int(day), local - day * 86_400)
    }

    /// The Unix time of a local day's start.
    static func start(ofDay day: Int) -> Int64 { Int64(day) * 86_400 - offset }

    /// `time` as local time with seconds and the offset: `2026-12-21T23:59:59-05:00`.
    public static func iso8601(_ time: Int64) -> String {
        let (day, second) = day(of: time)
        let date = LocalTime.civil(days: day)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date.year)-\(two(Int64(date.month)))-\(two(Int64(date.day)))T\(two(second / 3600)):"
            + "\(two(second / 60 % 60)):\(two(second % 60))-05:00"
    }
}
