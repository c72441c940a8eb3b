/// A number written in decimal, compared exactly: `min`, `max` and the number conditions compare a contact's answer
/// as written (`100.00000000000000001` is more than 100) rather than a rounded binary copy, which would let an
/// answer just past a bound through.
struct DecimalNumber: Comparable {
    /// Whether the number is below zero (never for zero).
    var negative: Bool
    /// The significant digits, without leading or trailing zeros; empty for zero.
    var digits: [UInt8]
    /// The number is `0.d₁d₂… × 10^exponent`.
    var exponent: Int

    /// Reads `[+-]digits[.digits][e[+-]digits]` (the stored form of an answer, or a `Double`'s description such as
    /// `1e-05`); `nil` for anything else, `inf` and `nan` included.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var all: [UInt8] = []
        var pointAt: Int?
        var exponentPart = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                all.append(byte - UInt8(ascii: "0"))
            } else if byte == UInt8(ascii: "."), pointAt == nil {
                pointAt = all.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let written = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)),
                    written > -100_000, written < 100_000
                else { return nil }
                exponentPart = written
                break
            } else {
                return nil
            }
            index += 1
        }
        guard !all.isEmpty else { return nil }
        let integerDigits = pointAt ?? all.count
        let leading = all.prefix { $0 == 0 }.count
        var significant = Array(all.dropFirst(leading))
        while significant.last == 0 { significant.removeLast() }
        self.negative = negative && !significant.isEmpty
        self.digits = significant
        self.exponent = significant.isEmpty ? 0 : integerDigits - leading + exponentPart
    }

    /// `value`'s shortest decimal form, which is the number the flow's author wrote (`0.1`, not the binary value's
    /// expansion) when it has at most 15 significant digits; `nil` for a longer one, which a `Double` did not
    /// keep (`12345678901234567890` is held as `12345678901234567000`).
    init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init("\(value)")
        guard digits.count <= 15 else { return nil }
    }

    /// How `answer` (an answer as `input: number` stores it) compares with a flow's `bound`: exactly when the bound
    /// keeps the author's digits (at most 15 significant ones, every practical bound), else as binary numbers, as
    /// the bound itself is held. -1, 0 or 1.
    static func compare(_ answer: String, with bound: Double) -> Int? {
        if let exact = DecimalNumber(bound), let stored = DecimalNumber(answer) {
            return stored < exact ? -1 : (exact < stored ? 1 : 0)
        }
        guard let n = Double(answer) else { return nil }
        return n < bound ? -1 : (n > bound ? 1 : 0)
    }

    static func < (a: DecimalNumber, b: DecimalNumber) -> Bool {
        if a.negative != b.negative { return a.negative }
        let magnitude = compareMagnitude(a, b)
        return a.negative ? magnitude > 0 : magnitude < 0
    }

    /// -1, 0 or 1 as `|a|` is less than, equal to or more than `|b|`.
    static func compareMagnitude(_ a: DecimalNumber, _ b: DecimalNumber) -> Int {
        if a.digits.isEmpty || b.digits.isEmpty { return a.digits.isEmpty ? (b.digits.isEmpty ? 0 : -1) : 1 }
        if a.exponent != b.exponent { return a.exponent < b.exponent ? -1 : 1 }
        for index in 0..<max(a.digits.count, b.digits.count) {
            let x = index < a.digits.count ? a.digits[index] : 0
            let y = index < b.digits.count ? b.digits[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
