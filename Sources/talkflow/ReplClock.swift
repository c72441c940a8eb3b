import Conversations
import FlowRuntime
import Foundation

/// The REPL's view of time: where the virtual clock starts, and instants written as a person reads them, in
/// the flow's time zone (`2026-03-02T10:00 Monday`), with the same parsing as transcripts so that what is
/// typed at `/clock` and `--at` is what a saved transcript says.
enum ReplClock {
    /// Where the clock starts: `--at` if given; otherwise, at a terminal, the current time rounded down to
    /// the minute; otherwise (a pipe) the transcripts' default morning, Monday 2026-03-02T10:00 in the flow's
    /// time zone, so that piped runs give the same output every day.
    static func start(at: TranscriptDateTime?, interactive: Bool, timeZone: TimeZone) -> Int64 {
        if let at { return TranscriptDriver.unixTime(at, in: timeZone) }
        if interactive {
            let seconds = Int64(Date().timeIntervalSince1970.rounded(.down))
            return seconds - seconds % 60
        }
        return TranscriptDriver.unixTime(TranscriptFixtures.defaultTime, in: timeZone)
    }

    /// What `/clock ARGUMENT` asks for.
    enum Move: Equatable {
        /// Forward by this many seconds (`+25h`).
        case by(Int64)
        /// To a local date-time (`2026-12-01T09:00`).
        case to(TranscriptDateTime)
    }

    /// Why a `/clock` argument moves nothing: what to tell the user.
    struct Refusal: Error, Equatable {
        var message: String
    }

    /// Reads `+DURATION` or `YYYY-MM-DDTHH:MM[:SS]` (a space may replace the `T`). A value in one of these forms
    /// that the clock cannot take (`+0s`, `2026-02-30T10:00`) is explained as a transcript's `wait:` and `at:`
    /// are; anything else is answered with the forms.
    static func move(_ argument: String) -> Result<Move, Refusal> {
        let problem: TimeValueProblem?
        let subject: String
        if argument.hasPrefix("+") {
            let duration = String(argument.dropFirst())
            if let seconds = TranscriptUnits.parseDuration(duration) { return .success(.by(seconds)) }
            problem = TimeValueProblem.duration(duration)
            subject = "/clock +DURATION"
        } else {
            if let local = TranscriptDateTime(iso: argument) { return .success(.to(local)) }
            problem = TimeValueProblem.dateTime(argument)
            subject = "/clock DATE-TIME"
        }
        return .failure(
            Refusal(
                message: problem?.message(subject, found: argument)
                    ?? "cannot read '\(argument)'; write +DURATION (30s, 30m, 25h, 2d, 1h30m) or YYYY-MM-DDTHH:MM"))
    }

    /// English weekday names, Monday first (as `LocalTime.weekday` counts).
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// `2026-03-02T10:00 Monday` in the calendar's time zone.
    static func describe(_ instant: Int64, calendar: BusinessCalendar) -> String {
        let local = TranscriptDriver.localTime(instant, in: calendar.timeZone)
        let weekday = calendar.local(instant).weekday
        return "\(local) \(weekdays[(weekday - 1 + 7) % 7])"
    }

    /// The `/clock` line: the time, the zone, whether the business is open, and the inactivity timer.
    static func status(of simulator: Simulator) -> String {
        let calendar = simulator.interpreter.calendar
        var line = "clock \(describe(simulator.now, calendar: calendar)) (\(calendar.timeZoneName))"
        line += calendar.isOpen(at: simulator.now) ? ", business hours: open" : ", business hours: closed"
        if let deadline = simulator.session.inactivityDeadline {
            line += "; inactivity timer at \(TranscriptDriver.localTime(deadline, in: calendar.timeZone))"
        }
        return line
    }
}
