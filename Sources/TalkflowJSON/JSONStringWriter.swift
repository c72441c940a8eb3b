/// Writes a JSON string literal, the one escaper for every JSON talkflow writes by hand (request bodies to the
/// Graph API, the store's JSON columns): it escapes only what JSON requires (`"`, `\` and control characters)
/// and leaves `/` and non-ASCII as they are, so a text is stored and sent as it was written.
public enum JSONStringWriter {
    /// Lower-case hexadecimal digits, for `\u00XX` escapes.
    private static let hex = Array("0123456789abcdef".utf8)

    /// Whether `value` is copied as it is: most strings need no escape.
    private static func needsNoEscape(_ value: String) -> Bool {
        !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
    }

    /// Appends `value` as a quoted JSON string to UTF-8 bytes.
    public static func append(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if needsNoEscape(value) {
            out.append(contentsOf: value.utf8)
        } else {
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x00..<0x20:
                    out.append(contentsOf: Array("\\u00".utf8))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0f)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as a quoted JSON string to a text.
    public static func append(_ value: String, to out: inout String) {
        if needsNoEscape(value) {
            out += "\""
            out += value
            out += "\""
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(value.utf8.count + 8)
            append(value, to: &bytes)
            out += String(decoding: bytes, as: UTF8.self)
        }
    }
}
