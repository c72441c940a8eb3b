/// Durations (`wait: 25h`) and file sizes (`size: 2MB`) as transcripts write them, both ways.
public enum TranscriptUnits {
    /// Seconds of a duration such as `30s`, `31m`, `25h`, `2d` or a sum such as `1h30m`; `nil` for anything
    /// else, zero included (`TimeValueProblem.duration` says why). A sum beyond `Int64.max` seconds is
    /// `Int64.max`.
    public static func parseDuration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                guard digits.count <= 9 else { return nil }
                continue
            }
            guard let number = Int64(digits) else { return nil }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            // A sum past what the clock can hold moves it as far as it goes (it stops at its latest time anyway).
            let (sum, overflow) = total.addingReportingOverflow(number * unit)
            total = overflow ? Int64.max : sum
            digits = ""
            sawUnit = true
        }
        guard digits.isEmpty, sawUnit, total > 0 else { return nil }
        return total
    }

    /// The duration text for seconds in its largest exact unit (`90000` → `25h`, `5400` → `90m`), the way
    /// people write waits.
    public static func formatDuration(_ seconds: Int64) -> String {
        guard seconds > 0 else { return "0s" }
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// The most bytes a size may have: `Int64.max`, 9,223,372,036,854,775,807.
    public static let largestSize = Int64.max

    /// What a size text says: a number of bytes, a size beyond `largestSize`, or no size at all.
    public enum SizeReading: Sendable, Hashable {
        case bytes(Int64)
        case tooLarge
        case unreadable
    }

    /// Bytes of a size such as `2MB`, `1.5 MB`, `512KB`, `100B` or `100` (bytes). `KB`, `MB` and `GB` are
    /// binary (1024, 1024², 1024³), as the monthly allowance (50 MB = 50 × 1024 × 1024 bytes) is; `KiB`,
    /// `MiB`, `GiB` mean the same. Units are case-insensitive. A size that is not a whole number of bytes
    /// is rounded down. Computed in integers, so that every size up to `Int64.max` bytes is exact; `tooLarge`
    /// beyond it.
    public static func readSize(_ text: String) -> SizeReading {
        let trimmed = text.trimmingCharacters(in: " ")
        var number = ""
        var unit = ""
        for character in trimmed {
            if unit.isEmpty, character.isASCII, character.isNumber || character == "." {
                number.append(character)
            } else if character != " " || !unit.isEmpty {
                unit.append(character)
            }
        }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, whole.count + (parts.count > 1 ? parts[1].count : 0) > 0,
            parts.count == 1 || !parts[1].contains(".")
        else { return .unreadable }
        let multiplier: Int64
        switch unit.lowercased() {
        case "", "b": multiplier = 1
        case "kb", "kib": multiplier = 1 << 10
        case "mb", "mib": multiplier = 1 << 20
        case "gb", "gib": multiplier = 1 << 30
        default: return .unreadable
        }
        // `whole` is ASCII digits, so `Int64` fails only by overflow; it is empty for a bare fraction (`.5KB`).
        guard let value = whole.isEmpty ? 0 : Int64(whole) else { return .tooLarge }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return .tooLarge }
        // The fraction's bytes, rounded down: 0.d₁d₂…dₖ × multiplier by long multiplication from the last
        // digit, whose final carry is the whole part (exact however many digits there are).
        var fractionBytes: Int64 = 0
        if parts.count > 1 {
            for digit in parts[1].utf8.reversed() {
                fractionBytes = (Int64(digit - UInt8(ascii: "0")) * multiplier + fractionBytes) / 10
            }
        }
        let (total, carry) = bytes.addingReportingOverflow(fractionBytes)
        return carry ? .tooLarge : .bytes(total)
    }

    /// The shortest exact size text for bytes (`2097152` → `2MB`, `1536` → `1536B`… `1.5KB` is not used,
    /// so that the text reads back exactly).
    public static func formatSize(_ bytes: Int64) -> String {
        for (unit, size) in [("GB", Int64(1 << 30)), ("MB", 1 << 20), ("KB", 1 << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }
}

extension String {
    /// The string without the given character at either end.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var scalars = Substring(self)
        while scalars.first == character { scalars.removeFirst() }
        while scalars.last == character { scalars.removeLast() }
        return String(scalars)
    }
}
