extension Unicode.Scalar {
    /// `U+1F600`, `U+202E`: names a character unambiguously in a diagnostic, even where a terminal cannot draw it
    /// or it is invisible.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
