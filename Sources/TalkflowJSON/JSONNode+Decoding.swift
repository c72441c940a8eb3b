// Reading a `JSONNode` tree the way a `Decodable` conformance reads its JSON, for the hot paths that read small
// documents by hand (webhook bodies, stored outbound messages): each accessor answers what the matching
// `KeyedDecodingContainer` call would, or throws `TreeMismatch` wherever the call would throw or the tree is not
// its plain case, so that the caller falls back to `JSONDecoder`.

/// The tree is not the plain shape a `Decodable` conformance reads: let `JSONDecoder` decide (and name what is
/// wrong).
public struct TreeMismatch: Error, Sendable {
    /// A mismatch; where does not matter, the fallback names it.
    public init() {}
}

extension JSONNode {
    /// `decode(String.self, forKey:)`.
    public func requiredString(_ key: String) throws(TreeMismatch) -> String {
        guard case .string(let value)? = self[key] else { throw TreeMismatch() }
        return value
    }

    /// `decodeIfPresent(String.self, forKey:)`: `nil` when missing or null.
    public func optionalString(_ key: String) throws(TreeMismatch) -> String? {
        guard let node = try present(key) else { return nil }
        guard case .string(let value) = node else { throw TreeMismatch() }
        return value
    }

    /// `decodeIfPresent(Bool.self, forKey:)`.
    public func optionalBool(_ key: String) throws(TreeMismatch) -> Bool? {
        guard let node = try present(key) else { return nil }
        guard case .bool(let value) = node else { throw TreeMismatch() }
        return value
    }

    /// The member when present and not null; this must be an object.
    public func present(_ key: String) throws(TreeMismatch) -> JSONNode? {
        guard case .object(let members) = self else { throw TreeMismatch() }
        guard let node = members[key], node != .null else { return nil }
        return node
    }

    /// `decodeIfPresent([T].self, forKey:)`.
    public func optionalArray<T>(_ key: String, _ element: (JSONNode) throws(TreeMismatch) -> T) throws(TreeMismatch)
        -> [T]?
    {
        guard let node = try present(key) else { return nil }
        return try Self.elements(of: node, element)
    }

    /// `decode([T].self, forKey:)`.
    public func requiredArray<T>(_ key: String, _ element: (JSONNode) throws(TreeMismatch) -> T) throws(TreeMismatch)
        -> [T]
    {
        guard let node = self[key] else { throw TreeMismatch() }
        return try Self.elements(of: node, element)
    }

    private static func elements<T>(
        of node: JSONNode, _ element: (JSONNode) throws(TreeMismatch) -> T
    ) throws(TreeMismatch) -> [T] {
        guard case .array(let nodes) = node else { throw TreeMismatch() }
        var values: [T] = []
        values.reserveCapacity(nodes.count)
        for node in nodes { values.append(try element(node)) }
        return values
    }
}
