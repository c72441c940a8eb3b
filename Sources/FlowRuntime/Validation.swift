import FlowCompiler
import FlowLanguage
import Foundation

/// A compiled regular expression the interpreter may share across threads: `NSRegularExpression` is
/// immutable and documented thread-safe, but not marked `Sendable`.
final class SharedRegex: @unchecked Sendable {
    let regex: NSRegularExpression

    init?(_ pattern: String) {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.regex = regex
    }

    /// Whether the pattern matches somewhere in `text`; a search stopped at `NSRegularExpression.matchBudget`
    /// counts as none (see `boundedSearch`).
    func matches(_ text: String) -> Bool {
        regex.boundedSearch(in: text) == true
    }
}

extension NSRegularExpression {
    /// How much work one search may do, in ICU's progress reports beyond one per character: ICU reports at each
    /// position the search starts from, and after a fixed number of steps of its matcher (3 to 7 per
    /// millisecond here: some 70 to 150 ms). Counting work rather than time keeps the interpreter deterministic
    /// (the same answer is judged the same on every machine), and a pattern that backtracks without end, such as
    /// `(.*){12}Z`, cannot hold a conversation and its thread for hours.
    public static let matchBudget = 500

    /// Whether the pattern matches somewhere in `text`: `true` or `false`, or `nil` when the search was
    /// stopped after `budget` progress reports more than the text has UTF-16 code units (one report per start
    /// position is the scan itself: a budget of 500 alone stopped a plain search at the 500th character).
    public func boundedSearch(in text: String, budget: Int = matchBudget) -> Bool? {
        var found = false
        var reports = 0
        let budget = budget + text.utf16.count + 1
        enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) {
            match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
            } else {
                reports += 1
                if reports > budget { stop.pointee = true }
            }
        }
        return found ? true : (reports > budget ? nil : false)
    }
}

/// Checks and normalizes an answer to an `ask` step by its input type. Returns the value to store, or
/// `nil` when the answer is not valid.
enum AnswerValidation {
    static func validate(
        _ raw: String, input: String, validation: MachineValidation, pattern: SharedRegex?,
        defaults: LanguageDefaults
    ) -> String? {
        let text = trimmed(raw)
        guard !text.isEmpty else { return nil }
        let value: String?
        switch input {
        case "number": value = number(text, validation)
        case "email": value = email(text)
        case "phone": value = phone(text)
        case "date": value = date(text)
        case "yes_no": value = yesNo(text, defaults)
        case "document", "image": value = nil
        default: value = text
        }
        guard let value else { return nil }
        if input == "text" || input == "email" {
            let length = value.count
            if let min = validation.minLength, length < Int(min) { return nil }
            if let max = validation.maxLength, length > Int(max) { return nil }
        }
        if let pattern, !pattern.matches(value) { return nil }
        return value
    }

    /// `text` without leading and trailing white space (Unicode `White_Space`: the same set as Foundation's
    /// `whitespacesAndNewlines`), without Foundation's bridging: every answer goes through here.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while start < end {
            let last = scalars.index(before: end)
            guard isWhitespace(scalars[last]) else { break }
            end = last
        }
        if start == scalars.startIndex && end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }

    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    /// A number written with `.` or `,` as the decimal mark, stored as written in its shortest form: no sign for
    /// a positive number, no leading zeros, no trailing decimal zeros (`"+007,50"` → `7.5`, `"3,0"` → `3`). The
    /// digits are kept as text, so a long number is stored exactly (`12345678901234567890`), never rounded
    /// through a binary floating point or written with an exponent; `min` and `max` compare its value exactly
    /// (`DecimalNumber`), so an answer just past a bound is past it however many digits it has.
    static func number(_ text: String, _ validation: MachineValidation) -> String? {
        guard let stored = number(text) else { return nil }
        if let min = validation.min, let order = DecimalNumber.compare(stored, with: min), order < 0 { return nil }
        if let max = validation.max, let order = DecimalNumber.compare(stored, with: max), order > 0 { return nil }
        return stored
    }

    /// A number as `input: number` reads it, in its shortest form, or `nil` when the text is not one: digits
    /// with one optional `.` or `,` decimal mark and a leading sign, spaces ignored. Hexadecimal, exponents,
    /// `inf` and `nan` are not numbers to a contact, so number conditions read values through this too.
    static func number(_ text: String) -> String? {
        var scalars = Substring(text.replacingOccurrences(of: " ", with: "")).unicodeScalars[...]
        var negative = false
        if let first = scalars.first, first == "+" || first == "-" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        var whole = ""
        var fraction = ""
        var marks = 0
        for scalar in scalars {
            if scalar == "." || scalar == "," {
                marks += 1
            } else if ("0"..."9").contains(scalar) {
                if marks == 0 { whole.unicodeScalars.append(scalar) } else { fraction.unicodeScalars.append(scalar) }
            } else {
                return nil
            }
        }
        guard marks <= 1, !(whole.isEmpty && fraction.isEmpty) else { return nil }
        let digits = whole.drop { $0 == "0" }
        let decimals = fraction.reversed().drop { $0 == "0" }.reversed()
        var stored = digits.isEmpty ? "0" : String(digits)
        if !decimals.isEmpty { stored += "." + String(decimals) }
        if negative, stored != "0" { stored = "-" + stored }
        guard let n = Double(stored), n.isFinite else { return nil }
        return stored
    }

    static func email(_ text: String) -> String? {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(where: \.isWhitespace)
        else { return nil }
        return text
    }

    /// 7 to 15 digits, with an optional `+` before them; spaces, dots, dashes and parentheses are dropped
    /// (`(+57) 300-111-2233`: the `+` is first once they are).
    static func phone(_ text: String) -> String? {
        var digits = ""
        var plus = false
        for c in text {
            if c == "+" && !plus && digits.isEmpty {
                plus = true
            } else if c.isASCII && c.isNumber {
                digits.append(c)
            } else if !" .-()".contains(c) {
                return nil
            }
        }
        guard (7...15).contains(digits.count) else { return nil }
        return (plus ? "+" : "") + digits
    }

    /// `YYYY-MM-DD`, `DD/MM/YYYY` or `DD-MM-YYYY`, stored as `YYYY-MM-DD`.
    static func date(_ text: String) -> String? {
        let separators: Set<Character> = ["-", "/", "."]
        let parts = text.split(whereSeparator: { separators.contains($0) }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let (y, m, d): (Int?, Int?, Int?) =
            parts[0].count == 4
            ? (Int(parts[0]), Int(parts[1]), Int(parts[2])) : (Int(parts[2]), Int(parts[1]), Int(parts[0]))
        guard let y, let m, let d, y >= 1900, y <= 2200 else { return nil }
        let iso = String(format: "%04d-%02d-%02d", y, m, d)
        return Durations.isDate(iso) ? iso : nil
    }

    /// The language's yes or no word (`si`/`no`, `yes`/`no`, `sim`/`nao`), from the words it accepts.
    static func yesNo(_ text: String, _ defaults: LanguageDefaults) -> String? {
        let normalized = InputText.normalize(text)
        if defaults.yesWords.contains(normalized) { return defaults.yesWords[0] }
        if defaults.noWords.contains(normalized) { return defaults.noWords[0] }
        return nil
    }
}
