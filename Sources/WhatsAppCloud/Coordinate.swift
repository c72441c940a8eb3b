import TalkflowJSON

/// A shared location's latitude or longitude, as a webhook writes it: a JSON number, or a string holding one
/// (client fixtures have both). A string is read by JSON's number grammar, not by Swift's `Double(_:)`, which
/// takes `NaN`, `inf` and hexadecimal floats (`0x1p3`): the agent would be shown the place `nan,inf`. No
/// latitude is past ±90 and no longitude past ±180.
enum Coordinate {
    /// The latitude's bound (degrees either way); a longitude's is 180.
    static let latitudeLimit = 90.0
    static let longitudeLimit = 180.0

    /// The number `text` writes in JSON's grammar (`-`? digits, an optional fraction and exponent), read by the
    /// webhook's own JSON reader; `nil` for anything else, white space around it and a number too large for a
    /// double included.
    static func number(_ text: String) -> Double? {
        guard let first = text.first, let last = text.last, !first.isWhitespace, !last.isWhitespace else {
            return nil
        }
        switch JSONNode.parse(text.utf8) {
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        default: return nil
        }
    }

    /// Whether `value` is a coordinate within `limit` degrees either way.
    static func fits(_ value: Double, limit: Double) -> Bool {
        value.isFinite && abs(value) <= limit
    }
}
