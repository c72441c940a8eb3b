import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// A check over a decoded flow. Each rule lives in a file of its own under `Rules/`, carries its descriptor
/// (stable id, severity, summary, fix) and has a fixture folder `Tests/FlowCompilerTests/Fixtures/<id>/`
/// with a flow that triggers it and the expected diagnostics.
public protocol LintRule: Sendable {
    /// One rule may report under several ids (e.g. each WhatsApp limit); most have one.
    var descriptors: [RuleDescriptor] { get }
    func check(_ context: RuleContext) -> [Diagnostic]
}

/// What a rule may look at: the flow, its source text and the precomputed step graph.
public struct RuleContext: Sendable {
    public let flow: Flow
    public let source: SourceText
    public let graph: FlowGraph

    public init(flow: Flow, source: SourceText) {
        self.flow = flow
        self.source = source
        self.graph = FlowGraph(flow)
    }

    /// The range of the `n`-th scalar of a text field's value, so that a diagnostic about one character
    /// (an emoji) points at its exact column. Falls back to the field's start when the value was written
    /// with escapes or folding that make the position unknowable.
    public func range(ofScalars scalarRange: Range<Int>, in text: Located<String>) -> SourceRange {
        let scalars = Array(text.value.unicodeScalars)
        guard scalarRange.lowerBound >= 0, scalarRange.upperBound <= scalars.count else { return text.range }
        let needle = Array(String(String.UnicodeScalarView(scalars[scalarRange])).utf8)
        // Which occurrence of the same characters this is within the value.
        let before = Array(String(String.UnicodeScalarView(scalars[..<scalarRange.lowerBound])).utf8)
        var occurrence = 0
        if !needle.isEmpty, before.count >= needle.count {
            var i = 0
            while i + needle.count <= before.count {
                if Array(before[i..<(i + needle.count)]) == needle {
                    occurrence += 1
                    i += needle.count
                } else {
                    i += 1
                }
            }
        }
        let bytes = source.bytes
        let lower = min(text.range.start.offset, bytes.count)
        let upper = min(max(text.range.end.offset, lower), bytes.count)
        guard !needle.isEmpty, upper - lower >= needle.count else { return text.range }
        var i = lower
        var seen = 0
        while i + needle.count <= upper {
            if bytes[i] == needle[0], Array(bytes[i..<(i + needle.count)]) == needle {
                if seen == occurrence {
                    return SourceRange(
                        start: source.location(ofByte: i), end: source.location(ofByte: i + needle.count))
                }
                seen += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return text.range
    }
}
