import FlowDiagnostics

/// How a scalar was written. Plain scalars are the only ones a tenant may expect YAML to reinterpret;
/// talkflow never does: the schema decides a field's type, and text fields take the characters as written.
public enum ScalarStyle: String, Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// A node of the syntax tree: a scalar, a mapping or a sequence, with the source range it spans.
///
/// The tree keeps every scalar as text; typing happens later, directed by the flow schema, so
/// `no`, `si`, `on`, `1.10` and `0800` reach a text field exactly as the tenant wrote them.
public struct Node: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case scalar(String, ScalarStyle)
        case mapping([Pair])
        case sequence([Node])
    }

    public var value: Value
    public var range: SourceRange

    public init(_ value: Value, range: SourceRange) {
        self.value = value
        self.range = range
    }

    /// The scalar's text, if this node is a scalar.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// The mapping's pairs, if this node is a mapping.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = value { return pairs }
        return nil
    }

    /// The sequence's items, if this node is a sequence.
    public var sequence: [Node]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// Whether this is a plain scalar that YAML reads as null (`~`, `null`, or nothing at all).
    public var isNull: Bool {
        if case .scalar(let text, .plain) = value {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    /// "a mapping", "a list" or "text", for messages that say what was found.
    public var kindDescription: String {
        switch value {
        case .scalar: return isNull ? "nothing (null)" : "text"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

/// A key and its value in a mapping. Keys are always scalars: the loader rejects complex keys.
public struct Pair: Sendable, Hashable {
    public var key: String
    public var keyRange: SourceRange
    public var value: Node

    public init(key: String, keyRange: SourceRange, value: Node) {
        self.key = key
        self.keyRange = keyRange
        self.value = value
    }
}
