import FlowDiagnostics

/// A value read from the flow file together with where it was written, so that every later check can
/// point at the exact place (a reference to an unknown step underlines the reference, not the step).
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var range: SourceRange

    public init(_ value: Value, range: SourceRange) {
        self.value = value
        self.range = range
    }
}
