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

    /// The deepest nesting the reader takes.
    public static var maximumDepth: Int { JSONNodeReader.maximumDepth }

    /// Why a reading stopped.
    public enum Failure: Equatable, Sendable {
        /// At this byte offset the bytes stop being JSON this reader accepts.
        case syntax(offset: Int)
        /// The document nests deeper than the reader's limit (32); it may be valid JSON.
        case tooDeep
    }

    /// Why `bytes` do not parse, or `nil` when they do.
    public static func failure(_ bytes: some Collection<UInt8>) -> Failure? {
        let (node, failure) = read(Array(bytes))
        return node == nil ? failure : nil
    }

    /// The document, or why the reading stopped.
    private static func read(_ bytes: [UInt8]) -> (node: JSONNode?, failure: Failure) {
        var reader = JSONNodeReader(bytes: bytes)
        guard let node = reader.value(depth: 0) else {
            return (nil, reader.tooDeep ? .tooDeep : .syntax(offset: reader.index))
        }
        reader.skipSpace()
        return reader.index == bytes.count ? (node, .syntax(offset: 0)) : (nil, .syntax(offset: reader.index))
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
