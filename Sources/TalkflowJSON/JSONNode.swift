/// A JSON document as a tree, read by `JSONNode.parse` without Foundation. It serves the hot paths that read
/// small documents many times a second: the store's own columns (sessions) and Meta's webhook bodies and send
/// answers, where it is several times cheaper than `JSONDecoder`. It is strict: whatever it does not read
/// exactly as RFC 8259 says (or a duplicate key, or nesting deeper than 32) gives `nil`, and the callers then
/// fall back to `JSONDecoder`, which reads every valid document and names what is wrong with an invalid one.
public enum JSONNode: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case int(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    /// The document in `bytes`, or `nil` when it is not JSON this reader accepts.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONNode? {
        read(Array(bytes)).node
    }

    /// The byte offset at which `bytes` stop being JSON this reader accepts, or `nil` when they parse.
    public static func failureOffset(_ bytes: some Collection<UInt8>) -> Int? {
        let (node, failure) = read(Array(bytes))
        return node == nil ? failure : nil
    }

    /// The document, or where the reading stopped.
    private static func read(_ bytes: [UInt8]) -> (node: JSONNode?, failure: Int) {
        var reader = JSONNodeReader(bytes: bytes)
        guard let node = reader.value(depth: 0) else { return (nil, reader.index) }
        reader.skipSpace()
        return reader.index == bytes.count ? (node, 0) : (nil, reader.index)
    }

    /// The member named `key` of an object; `nil` for a missing member or when this is not an object.
    public subscript(key: String) -> JSONNode? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value of an `.int`.
    public var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The value of a `.bool`.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value of a `.string`.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements of an `.array`.
    public var array: [JSONNode]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is an `.object`.
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// Whether this is JSON's `null`.
    public var isNull: Bool { self == .null }
}
