/// A shared location's latitude or longitude, as a webhook writes it: a JSON number, or a string holding one
/// (client fixtures have both). A string is read by JSON's number grammar, not by Swift's `Double(_:)`, which
/// takes `NaN`, `inf` and hexadecimal floats (`0x1p3`): the agent would be shown the place `nan,inf`. No
/// latitude is past ±90 and no longitude past ±180.
enum Coordinate {
    /// The latitude's bound (degrees either way); a longitude's is 180.
    static let latitudeLimit = 90.0
    static let longitudeLimit = 180.0

    /// The number `text` writes in JSON's grammar (`-`? digits, an optional fraction and exponent), `nil` for
    /// anything else, a number too large for a double included.
    static func number(_ text: String) -> Double? {
        var bytes = text.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0, !(leadingZero && integer > 1) else { return nil }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return nil }
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digits() > 0 else { return nil }
        }
        guard bytes.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Whether `value` is a coordinate within `limit` degrees either way.
    static func fits(_ value: Double, limit: Double) -> Bool {
        value.isFinite && abs(value) <= limit
    }
}
