/// Finds the first byte that makes a file unreadable as text: a NUL or a broken UTF-8 sequence.
enum UTF8Check {
    enum Problem: Equatable {
        case nul(offset: Int)
        case invalid(offset: Int)
    }

    /// The first problem in `bytes`, or `nil` when the bytes are valid UTF-8 without NUL.
    /// Overlong forms, surrogates and scalars past U+10FFFF count as invalid, as the Unicode standard says.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b == 0 { return .nul(offset: i) }
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return .invalid(offset: i)
            }
            guard i + length <= n else { return .invalid(offset: i) }
            let second = bytes[i + 1]
            guard second >= lower, second <= upper else { return .invalid(offset: i) }
            var k = 2
            while k < length {
                guard bytes[i + k] & 0xC0 == 0x80 else { return .invalid(offset: i) }
                k += 1
            }
            i += length
        }
        return nil
    }
}
