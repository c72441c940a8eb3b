import Foundation

/// Whether a regular expression compiles as the runtime will compile it (`NSRegularExpression`, that is ICU), and
/// if not, why. Foundation reports only "The value is invalid"; Swift's own regular expression parser, whose
/// syntax is ICU's for everything a flow needs, names the problem ("number overflow: 2147483647", "expected ')'"),
/// so its words are given when it refuses the pattern too. When it accepts it, or only says it does not support
/// a construct ICU has, the reason is the generic one.
public enum PatternCheck {
    /// `nil` when `pattern` compiles; otherwise what is wrong, without the pattern itself.
    public static func problem(_ pattern: String) -> String? {
        // ICU refuses an empty pattern; its generic reason would send the author looking for a bracket.
        if pattern.isEmpty { return "it is empty; write an expression, or remove the key" }
        guard (try? NSRegularExpression(pattern: pattern)) == nil else { return nil }
        do {
            _ = try Regex(pattern)
        } catch {
            let reason = "\(error)"
            if !reason.isEmpty, !reason.contains("not currently supported"), !reason.contains("unsupported") {
                return reason
            }
        }
        return "check its brackets, escapes and repeat counts"
    }
}
