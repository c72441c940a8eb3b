/// A whole number as the agent API reads it in a query (`limit`, `offset`, `after`) or a path (a data request's
/// `{id}`): one or more ASCII digits, leading zeros allowed (`007` is 7). `Int("+1")` would also take a sign,
/// which the docs do not promise, so the digits are checked first.
enum WholeNumber {
    /// The number `text` writes, `nil` when it is not only ASCII digits or does not fit `Number`.
    static func parse<Number: FixedWidthInteger>(_ text: String, as _: Number.Type = Number.self) -> Number? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Number(text)
    }
}
