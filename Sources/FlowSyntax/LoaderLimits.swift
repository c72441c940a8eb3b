/// The documented limits that keep hostile files from exhausting the linter or the server.
public struct LoaderLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes. Default 16 MiB: a 10,000-step flow is about 1 MiB.
    public var maxBytes: Int
    /// Deepest nesting of mappings and lists. Default 64: a flow needs fewer than 10.
    public var maxDepth: Int

    public init(maxBytes: Int = 16 * 1024 * 1024, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = LoaderLimits()
}
