/// The scanner behind `JSONNode.parse`: one pass over the bytes, answering `nil` at the first thing that is not
/// exactly JSON.
struct JSONNodeReader {
    let bytes: [UInt8]
    var index = 0
    /// Whether the reading stopped at the nesting limit rather than at something that is not JSON.
    var tooDeep = false
    /// Where the reading stopped at a key its object already has, once it did: the path's components from the
    /// duplicate key outwards as the reading unwinds (`[".messages", ".value", "[0]", …]`: a key after a dot, an
    /// index in brackets).
    var duplicateKeyPath: [String]?

    /// Arrays and objects nested deeper than this are refused (a webhook body with a shared contact card is
    /// twelve levels deep).
    static let maximumDepth = 32

    mutating func skipSpace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
                || bytes[index] == 0x09
        {
            index += 1
        }
    }

    /// The value at `index`; `depth` counts the arrays and objects around it.
    mutating func value(depth: Int) -> JSONNode? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Only arrays and objects count: the limit is one number of levels, whatever the innermost value.
            guard depth < Self.maximumDepth else {
                tooDeep = true
                return nil
            }
            return bytes[index] == UInt8(ascii: "{") ? object(depth: depth) : array(depth: depth)
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    mutating func literal(_ word: StaticString, _ node: JSONNode) -> JSONNode? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return node
    }

    private func isDigit(_ at: Int) -> Bool {
        at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9")
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: an `.int` when it has neither fraction nor
    /// exponent and fits in 64 bits (and is not `-0`), else a `.double`.
    mutating func number() -> JSONNode? {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard isDigit(index) else { return nil }
        var value: Int64 = 0
        var fits = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            // No leading zeros.
            if isDigit(index) { return nil }
        } else {
            while isDigit(index) {
                let digit = Int64(bytes[index] - UInt8(ascii: "0"))
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                // Accumulated as a negative number, so that Int64.min fits.
                let (sum, overflow2) = times.subtractingReportingOverflow(digit)
                if overflow1 || overflow2 { fits = false }
                value = sum
                index += 1
            }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        // `-0` stays a double, so that its sign is not lost.
        if integral, fits, value != 0 || !negative {
            if negative { return .int(value) }
            if value != Int64.min { return .int(-value) }
        }
        // A number too large for a double is refused, as JSONDecoder refuses it.
        guard let double = Double(String(decoding: bytes[start..<index], as: UTF8.self)), double.isFinite else {
            return nil
        }
        return .double(double)
    }

    mutating func string() -> String? {
        index += 1  // the opening quote
        var scalars: [UInt8] = []
        var start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                if scalars.isEmpty {
                    return Self.text(bytes[start..<index], ascii: ascii)
                }
                scalars += bytes[start..<index]
                return Self.text(scalars[...], ascii: ascii)
            }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") {
                scalars += bytes[start..<index]
                index += 1
                guard index < bytes.count, escape(into: &scalars) else { return nil }
                start = index
                continue
            }
            index += 1
        }
        return nil
    }

    /// The string of the bytes; `nil` for bytes that are not valid UTF-8.
    private static func text(_ utf8: ArraySlice<UInt8>, ascii: Bool) -> String? {
        ascii ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
    }

    /// Reads one escape after the backslash, appending its UTF-8 to `out`.
    mutating func escape(into out: inout [UInt8]) -> Bool {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return false }
            // JSON's grammar allows a surrogate escape without its pair (RFC 8259 section 8.2), and a contact's
            // text can carry one: it reads as U+FFFD, rather than refusing every update of the POST.
            if (0xD800..<0xDC00).contains(scalar) {
                let afterHigh = index
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    guard let low = hex4() else { return false }
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        // The next escape is read on its own.
                        index = afterHigh
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            guard let unicode = Unicode.Scalar(scalar) else { return false }
            out += Array(String(Character(unicode)).utf8)
        default:
            return false
        }
        return true
    }

    mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func array(depth: Int) -> JSONNode? {
        index += 1
        var elements: [JSONNode] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            guard let element = value(depth: depth + 1) else {
                duplicateKeyPath?.append("[\(elements.count)]")
                return nil
            }
            elements.append(element)
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { return nil }
            index += 1
            return .array(elements)
        }
    }

    mutating func object(depth: Int) -> JSONNode? {
        index += 1
        var members: [String: JSONNode] = [:]
        var spellings: Set<[UInt8]>?
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let member = value(depth: depth + 1) else {
                duplicateKeyPath?.append("." + key)
                return nil
            }
            // A duplicate key is ambiguous (readers differ on which one wins, and one value would be dropped
            // unseen): the reading stops, and the failure says where, for the callers to refuse the document.
            // Keys are the same only byte for byte: Swift's strings compare canonically equivalent spellings equal
            // ("é" and "e" + U+0301), which JSON holds as two keys. Such a pair is kept as its first (no key
            // talkflow reads has a second spelling); from the first such pair on, the object's keys are also kept
            // as bytes, so that a spelling given twice is still caught.
            if let existing = members.index(forKey: key) {
                if spellings == nil { spellings = Set(members.keys.map { Array($0.utf8) }) }
                guard !members.keys[existing].utf8.elementsEqual(key.utf8),
                    spellings?.insert(Array(key.utf8)).inserted != false
                else {
                    duplicateKeyPath = ["." + key]
                    return nil
                }
            } else {
                members[key] = member
                spellings?.insert(Array(key.utf8))
            }
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            return .object(members)
        }
    }
}
