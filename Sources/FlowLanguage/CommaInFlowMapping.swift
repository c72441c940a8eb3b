import FlowSyntax

/// A `,` inside `{ … }` ends a value written without quotes, so the rest of a text becomes a key: the flows'
/// and transcripts' option and expectation mappings are written in flow style, and a comma in a title or a text is
/// the first slip people make there. Its `unknown_key` gets this help instead of the closest allowed key.
public enum CommaInFlowMapping {
    /// The help for a "key" that is the rest of a text a `,` cut inside `{ … }`: `{ title: Hablar, con asesor }`
    /// reads as the title `Hablar` and a key `con asesor` without a value. Only a key with no value written, right
    /// after a text written without quotes on the same line (which a block mapping cannot have), is taken for that.
    public static func help(_ previous: Pair, _ pair: Pair) -> String? {
        guard pair.value.isNull, pair.value.range.start == pair.value.range.end || pair.value.range == pair.keyRange,
            case .scalar(let text, .plain) = previous.value.value, !text.isEmpty,
            previous.value.range.end.line == pair.keyRange.start.line
        else { return nil }
        let quoted = "\(previous.key): " + YAMLQuoting.example("\(text), \(pair.key)")
        return "a ',' inside { } ends the value before it, so YAML read '\(pair.key)' as a key; if it belongs to "
            + "the value of '\(previous.key)', quote that value, \(quoted)"
    }
}
