/// Why a date-time or a duration written by a person cannot be used, told in one set of words wherever such a
/// value is typed (a transcript's `time:`, `at:` and `wait:`, the REPL's `/clock` and `--at`): a value in the
/// right form that the calendar or the clock cannot take is explained, not answered with the form again.
public enum TimeValueProblem: Sendable, Hashable {
    /// Not in the form at all; the caller says which form it takes.
    case unreadable
    /// A date-time's form (`2026-02-30T10:00`) naming a day or a time the calendar does not have; `seconds` when
    /// the seconds were written.
    case notOnCalendar(seconds: Bool)
    /// A duration of nothing (`0s`, `0h00m`): it would not move the clock.
    case zeroDuration
    /// A duration with a number of more than 9 digits.
    case durationTooLong

    /// Why `text` is no date-time (`TranscriptDateTime(iso:)`); `nil` when it is one.
    public static func dateTime(_ text: String) -> TimeValueProblem? {
        guard TranscriptDateTime(iso: text) == nil else { return nil }
        let characters = Array(text)
        guard characters.count == 16 || characters.count == 19 else { return .unreadable }
        let shaped = characters.enumerated().allSatisfy { index, character in
            switch index {
            case 4, 7: return character == "-"
            case 10: return character == "T" || character == " "
            case 13, 16: return character == ":"
            default: return character.isASCII && character.isNumber
            }
        }
        return shaped ? .notOnCalendar(seconds: characters.count == 19) : .unreadable
    }

    /// Why `text` is no duration (`TranscriptUnits.parseDuration`); `nil` when it is one.
    public static func duration(_ text: String) -> TimeValueProblem? {
        guard TranscriptUnits.parseDuration(text) == nil else { return nil }
        // The form is one or more numbers each followed by a unit; only then is its size the problem.
        var numbers: [Substring] = []
        var digits = Substring()
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if "smhd".contains(character), !digits.isEmpty {
                numbers.append(digits)
                digits = ""
            } else {
                return .unreadable
            }
        }
        guard digits.isEmpty, !numbers.isEmpty else { return .unreadable }
        return numbers.contains { $0.count > 9 } ? .durationTooLong : .zeroDuration
    }

    /// The explanation, for `subject` (`'wait'`, `/clock +DURATION`) written as `found`; `nil` for `unreadable`,
    /// whose wording depends on the forms the caller takes.
    public func message(_ subject: String, found: String) -> String? {
        switch self {
        case .unreadable:
            return nil
        case .notOnCalendar(let seconds):
            return "\(subject) names a day or a time the calendar does not have, found '\(found)' (months have 28 "
                + "to 31 days, hours run 00 to 23, minutes \(seconds ? "and seconds " : "")00 to 59)"
        case .zeroDuration:
            return "\(subject) must move the clock forward: write a duration above 0, found '\(found)'"
        case .durationTooLong:
            return "\(subject) is too long: each number of a duration has at most 9 digits (999999999d), found "
                + "'\(found)'"
        }
    }
}
