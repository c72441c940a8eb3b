/// A number Meta writes as a string of digits: a webhook's `timestamp` (Unix seconds) and the media endpoint's
/// `file_size`. `Int64("-1")` and `Int64("+5")` would take a sign, which Meta never writes and the docs do not
/// promise, so the digits are checked first.
enum DigitString {
    /// The number `text` writes, `nil` when it is not only ASCII digits (no sign, space or fraction) or does
    /// not fit in 64 bits.
    static func int64(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int64(text)
    }
}
