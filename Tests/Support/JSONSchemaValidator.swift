// Test support shared by the test targets that validate files against the project's JSON Schemas.
import FlowSyntax
import Foundation
import TalkflowJSON

/// A JSON value as read from a schema file: what the validator compares `enum` and `const` against and reads
/// keywords from.
public indirect enum JSONValue: Equatable, Sendable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes any JSON document; booleans are tried before numbers so `true` never becomes `1`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a JSON document, strictly: Foundation's `JSONDecoder` takes a trailing comma, which editors and
    /// other validators refuse, so a schema file with one would pass here and fail everywhere else.
    public static func parse(_ data: Data) throws -> JSONValue {
        if case .syntax(let offset)? = JSONNode.failure(data) {
            throw StrictJSONError(offset: offset)
        }
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// A document that is not JSON as RFC 8259 writes it (or holds a duplicate key).
    public struct StrictJSONError: Error, CustomStringConvertible {
        /// The byte offset where the document stops being JSON.
        public let offset: Int
        public var description: String { "not strict JSON (RFC 8259) at byte \(offset)" }
    }

    /// The member `key` of an object, for reading schemas tersely.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The members of an object, if this is one.
    public var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The items of an array, if this is one.
    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The text of a string, if this is one.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of a number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

/// A YAML node seen as a JSON instance. Scalars stay untyped text until the schema asks for a type, exactly as
/// the flow decoder reads them: only a plain scalar can be a number, a boolean or null, and any non-null
/// scalar is a string, so `personal_data: "true"` is not a boolean but `title: 5` is text.
public indirect enum Instance: Sendable {
    case scalar(String, plain: Bool)
    case array([Instance])
    case object([(key: String, value: Instance)])

    /// Converts the loader's tree, keeping the key order.
    public init(_ node: Node) {
        switch node.value {
        case .scalar(let text, let style): self = .scalar(text, plain: style == .plain)
        case .sequence(let items): self = .array(items.map(Instance.init))
        case .mapping(let pairs): self = .object(pairs.map { (key: $0.key, value: Instance($0.value)) })
        }
    }

    /// A plain `~`, `null` or nothing at all, as `Node.isNull` reads it.
    public var isNull: Bool {
        guard case .scalar(let text, plain: true) = self else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// The scalar as text, when it is a non-null scalar.
    public var asString: String? {
        guard case .scalar(let text, _) = self, !isNull else { return nil }
        return text
    }

    /// `true` or `false` written plain, and nothing else (the decoder refuses `yes`, `on`, `True`).
    public var asBool: Bool? {
        guard case .scalar(let text, plain: true) = self, text == "true" || text == "false" else { return nil }
        return text == "true"
    }

    /// A plain whole number, read as the decoder reads one.
    public var asInteger: Int? {
        guard case .scalar(let text, plain: true) = self else { return nil }
        return Int(text)
    }

    /// A plain finite number, read as the decoder reads one.
    public var asNumber: Double? {
        guard case .scalar(let text, plain: true) = self, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Whether the instance has the JSON type `name` when typed as the schema asks.
    public func hasType(_ name: String) -> Bool {
        switch (name, self) {
        case ("object", .object), ("array", .array): return true
        case ("string", _): return asString != nil
        case ("boolean", _): return asBool != nil
        case ("integer", _): return asInteger != nil
        case ("number", _): return asNumber != nil
        case ("null", _): return isNull
        default: return false
        }
    }

    /// Whether the instance equals a schema value (`enum`, `const`), typed as that value.
    public func equals(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return isNull
        case .bool(let b): return asBool == b
        case .number(let n): return asNumber == n
        case .string(let s): return asString == s
        case .array, .object: return false
        }
    }

    /// The same instance without the members named `key` at any depth, for stripping test probes.
    public func removingKey(_ key: String) -> Instance {
        switch self {
        case .scalar: return self
        case .array(let items): return .array(items.map { $0.removingKey(key) })
        case .object(let members):
            return .object(members.filter { $0.key != key }.map { (key: $0.key, value: $0.value.removingKey(key)) })
        }
    }
}

/// The schemas' patterns, each compiled once: the schema tests validate hundreds of flows against the same few
/// dozen patterns, and compiling dominated their time.
final class CompiledPatterns: @unchecked Sendable {
    static let shared = CompiledPatterns()

    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression?] = [:]

    /// The pattern compiled as ICU reads it, or `nil` when it does not compile.
    func regex(_ pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let known = compiled[pattern] { return known }
        let regex = try? NSRegularExpression(pattern: JSONSchemaValidator.icuPattern(pattern))
        compiled[pattern] = regex
        return regex
    }
}

/// One reason an instance does not satisfy a schema, with a JSON-pointer-like path to the offending value.
public struct SchemaViolation: Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

/// A small JSON Schema (draft 2020-12) validator covering exactly the keywords `Schemas/flow.schema.json` uses.
///
/// The schema-sync tests need it because no validator ships with the toolchain. A keyword it does not know is
/// reported as a violation rather than ignored, so the schema cannot grow a constraint that the tests silently
/// skip.
public struct JSONSchemaValidator: Sendable {
    /// The whole schema document, against which `$ref`s resolve.
    public let root: JSONValue

    public init(root: JSONValue) {
        self.root = root
    }

    /// Keywords that only annotate and never constrain.
    static let annotations: Set<String> = [
        "$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
    ]

    /// Keywords the validator checks.
    static let assertions: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "propertyNames",
        "minProperties", "maxProperties", "items", "minItems", "maxItems", "pattern", "minLength", "maxLength",
        "minimum", "maximum", "oneOf", "anyOf", "allOf", "not", "dependentSchemas",
    ]

    /// An ECMA-262 pattern as ICU (`NSRegularExpression`) reads it: the Unicode-mode escape `\u{1D173}` of a
    /// character beyond U+FFFF is ICU's `\x{1D173}`; the rest of what the schemas use is spelled alike.
    public static func icuPattern(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: #"\u{"#, with: #"\x{"#)
    }

    /// Every violation of `instance` against the root schema.
    public func validate(_ instance: Instance) -> [SchemaViolation] {
        violations(instance, root, path: "")
    }

    /// Whether `instance` satisfies `schema`.
    public func isValid(_ instance: Instance, _ schema: JSONValue) -> Bool {
        violations(instance, schema, path: "").isEmpty
    }

    /// The schema a `$ref` such as `#/$defs/step` names, or `nil` when it points nowhere.
    public func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node: JSONValue? = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    /// Every violation of `instance` against `schema`, the instance being at `path`.
    public func violations(_ instance: Instance, _ schema: JSONValue, path: String) -> [SchemaViolation] {
        if case .bool(let accepts) = schema {
            return accepts ? [] : [SchemaViolation(path: path, message: "no value is allowed here")]
        }
        guard let keywords = schema.object else {
            return [SchemaViolation(path: path, message: "the schema here is neither an object nor a boolean")]
        }
        var found: [SchemaViolation] = []
        for key in keywords.keys.sorted()
        where !Self.annotations.contains(key) && !Self.assertions.contains(key) {
            found.append(SchemaViolation(path: path, message: "the validator does not support keyword '\(key)'"))
        }
        if let reference = keywords["$ref"] {
            if let target = reference.string.flatMap(resolve) {
                found += violations(instance, target, path: path)
            } else {
                found.append(SchemaViolation(path: path, message: "unresolvable $ref \(reference)"))
            }
        }
        found += typeViolations(instance, keywords, path: path)
        found += objectViolations(instance, keywords, path: path)
        found += arrayViolations(instance, keywords, path: path)
        found += scalarViolations(instance, keywords, path: path)
        found += combinatorViolations(instance, keywords, path: path)
        return found
    }

    private func typeViolations(
        _ instance: Instance, _ keywords: [String: JSONValue], path: String
    ) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        if let type = keywords["type"] {
            let names = type.string.map { [$0] } ?? type.array?.compactMap(\.string) ?? []
            if !names.contains(where: instance.hasType) {
                found.append(
                    SchemaViolation(
                        path: path, message: "expected \(names.joined(separator: " or ")), found \(kind(instance))"))
            }
        }
        if let allowed = keywords["enum"]?.array, !allowed.contains(where: instance.equals) {
            found.append(SchemaViolation(path: path, message: "\(show(instance)) is not one of \(allowed.map(show))"))
        }
        if let value = keywords["const"], !instance.equals(value) {
            found.append(SchemaViolation(path: path, message: "\(show(instance)) is not \(show(value))"))
        }
        return found
    }

    private func objectViolations(
        _ instance: Instance, _ keywords: [String: JSONValue], path: String
    ) -> [SchemaViolation] {
        guard case .object(let members) = instance else { return [] }
        var found: [SchemaViolation] = []
        let properties = keywords["properties"]?.object ?? [:]
        for name in keywords["required"]?.array?.compactMap(\.string) ?? []
        where !members.contains(where: { $0.key == name }) {
            found.append(SchemaViolation(path: path, message: "missing required property '\(name)'"))
        }
        for member in members {
            let memberPath = path + "/" + member.key
            if let nameSchema = keywords["propertyNames"] {
                for violation in violations(.scalar(member.key, plain: false), nameSchema, path: memberPath) {
                    found.append(SchemaViolation(path: memberPath, message: "property name: \(violation.message)"))
                }
            }
            if let propertySchema = properties[member.key] {
                found += violations(member.value, propertySchema, path: memberPath)
            } else if let additional = keywords["additionalProperties"] {
                if case .bool(false) = additional {
                    found.append(SchemaViolation(path: memberPath, message: "property '\(member.key)' is not allowed"))
                } else {
                    found += violations(member.value, additional, path: memberPath)
                }
            }
        }
        for (name, schema) in keywords["dependentSchemas"]?.object ?? [:]
        where members.contains(where: { $0.key == name }) {
            found += violations(instance, schema, path: path)
        }
        if let least = keywords["minProperties"]?.number, Double(members.count) < least {
            found.append(
                SchemaViolation(path: path, message: "has \(members.count) properties, fewer than \(Int(least))"))
        }
        if let most = keywords["maxProperties"]?.number, Double(members.count) > most {
            found.append(
                SchemaViolation(path: path, message: "has \(members.count) properties, more than \(Int(most))"))
        }
        return found
    }

    private func arrayViolations(
        _ instance: Instance, _ keywords: [String: JSONValue], path: String
    ) -> [SchemaViolation] {
        guard case .array(let items) = instance else { return [] }
        var found: [SchemaViolation] = []
        if let itemSchema = keywords["items"] {
            for (index, item) in items.enumerated() {
                found += violations(item, itemSchema, path: "\(path)/\(index)")
            }
        }
        if let least = keywords["minItems"]?.number, Double(items.count) < least {
            found.append(SchemaViolation(path: path, message: "has \(items.count) items, fewer than \(Int(least))"))
        }
        if let most = keywords["maxItems"]?.number, Double(items.count) > most {
            found.append(SchemaViolation(path: path, message: "has \(items.count) items, more than \(Int(most))"))
        }
        return found
    }

    private func scalarViolations(
        _ instance: Instance, _ keywords: [String: JSONValue], path: String
    ) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        if let text = instance.asString {
            // JSON Schema counts code points, as talkflow counts columns.
            let length = text.unicodeScalars.count
            if let most = keywords["maxLength"]?.number, Double(length) > most {
                found.append(
                    SchemaViolation(path: path, message: "'\(text)' is \(length) characters, over \(Int(most))"))
            }
            if let least = keywords["minLength"]?.number, Double(length) < least {
                found.append(
                    SchemaViolation(path: path, message: "'\(text)' is \(length) characters, under \(Int(least))"))
            }
            if let pattern = keywords["pattern"]?.string {
                // ECMA-262 semantics: the pattern may match anywhere unless it is anchored.
                if let regex = CompiledPatterns.shared.regex(pattern) {
                    let range = NSRange(text.startIndex..<text.endIndex, in: text)
                    if regex.firstMatch(in: text, range: range) == nil {
                        found.append(SchemaViolation(path: path, message: "'\(text)' does not match \(pattern)"))
                    }
                } else {
                    found.append(
                        SchemaViolation(path: path, message: "the schema's pattern \(pattern) does not compile"))
                }
            }
        }
        if let value = instance.asNumber {
            if let least = keywords["minimum"]?.number, value < least {
                found.append(SchemaViolation(path: path, message: "\(value) is less than \(least)"))
            }
            if let most = keywords["maximum"]?.number, value > most {
                found.append(SchemaViolation(path: path, message: "\(value) is more than \(most)"))
            }
        }
        return found
    }

    private func combinatorViolations(
        _ instance: Instance, _ keywords: [String: JSONValue], path: String
    ) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        for schema in keywords["allOf"]?.array ?? [] {
            found += violations(instance, schema, path: path)
        }
        if let choices = keywords["anyOf"]?.array {
            let results = choices.map { violations(instance, $0, path: path) }
            if !results.contains(where: \.isEmpty) {
                found.append(SchemaViolation(path: path, message: "matches none of the \(choices.count) alternatives"))
                found += closest(results, at: path)
            }
        }
        if let choices = keywords["oneOf"]?.array {
            let results = choices.map { violations(instance, $0, path: path) }
            let matching = results.filter(\.isEmpty).count
            if matching == 0 {
                found.append(SchemaViolation(path: path, message: "matches none of the \(choices.count) alternatives"))
                found += closest(results, at: path)
            } else if matching > 1 {
                found.append(
                    SchemaViolation(path: path, message: "matches \(matching) alternatives; exactly one must match"))
            }
        }
        if let negated = keywords["not"], violations(instance, negated, path: path).isEmpty {
            found.append(SchemaViolation(path: path, message: "matches a schema it must not match"))
        }
        return found
    }

    /// The violations of the alternative that came closest, to say why nothing matched: the one that failed
    /// least at the value itself (for steps, the one whose `type` matched), then the one that failed least.
    private func closest(_ results: [[SchemaViolation]], at path: String) -> [SchemaViolation] {
        func rank(_ found: [SchemaViolation]) -> (Int, Int) { (found.filter { $0.path == path }.count, found.count) }
        return results.min { rank($0) < rank($1) } ?? []
    }

    private func kind(_ instance: Instance) -> String {
        switch instance {
        case .object: return "an object"
        case .array: return "an array"
        case .scalar: return instance.isNull ? "null" : show(instance)
        }
    }

    private func show(_ instance: Instance) -> String {
        if case .scalar(let text, _) = instance { return "'\(text)'" }
        return kind(instance)
    }

    private func show(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let n): return n == n.rounded() ? String(Int(n)) : String(n)
        case .string(let s): return "'\(s)'"
        case .array, .object: return "a structure"
        }
    }
}
