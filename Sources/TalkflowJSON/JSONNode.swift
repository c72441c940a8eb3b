/// A JSON document as a tree, read by `JSONNode.parse` without Foundation. It serves the hot paths that read
/// small documents many times a second: the store's own columns (sessions) and Meta's webhook bodies and send
/// answers, where it is several times cheaper than `JSONDecoder`. It is strict: whatever it does not read
/// exactly as RFC 8259 says (or a duplicate key, or arrays and objects nested deeper than 32) gives `nil`, and
/// the callers then fall back to `JSONDecoder`, which reads every valid document and names what is wrong with an
/// invalid one, or refuse the document outright for a duplicate key or too deep a nesting (`failure`), which
/// `JSONDecoder` would read, silently keeping one of the values.
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
        /// The document nests arrays and objects deeper than the reader's limit (32); it may be valid JSON.
        case tooDeep
        /// An object has the key at the end of `path` twice (`entry[0].changes[0].value.messages`): valid JSON
        /// by RFC 8259's grammar, but which value counts is up to each reader. A key that is not plain (ASCII
        /// letters, digits, `_`, `-` and `.`, at most 64 bytes) is written `?`, so that the path can be logged
        /// and quoted without carrying what a body put in its keys.
        case duplicateKey(path: String)
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
            if let components = reader.duplicateKeyPath {
                return (nil, .duplicateKey(path: path(components.reversed())))
            }
            return (nil, reader.tooDeep ? .tooDeep : .syntax(offset: reader.index))
        }
        reader.skipSpace()
        return reader.index == bytes.count ? (node, .syntax(offset: 0)) : (nil, .syntax(offset: reader.index))
    }

    /// `entry[0].changes` of the reader's components (`.entry`, `[0]`, `.changes`): keys joined with dots, indexes
    /// in brackets, keys that are not plain as `?`.
    private static func path(_ components: some Sequence<String>) -> String {
        var out = ""
        for component in components {
            if component.hasPrefix("[") {
                out += component
                continue
            }
            let component = component.dropFirst()
            let plain =
                (1...64).contains(component.utf8.count)
                && component.utf8.allSatisfy {
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                        || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                }
            if !out.isEmpty { out += "." }
            out += plain ? component : "?"
        }
        return out
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
