import TalkflowJSON

/// A JSON value for request bodies, written with sorted keys and no insignificant white space, so the same
/// request always gives the same bytes (tests compare them exactly) at a fraction of JSONEncoder's cost.
/// Strings are written by `JSONStringWriter`: `/` and non-ASCII are left as they are, which Meta accepts.
enum JSONValue: Sendable, Hashable {
    case string(String)
    case bool(Bool)
    case int(Int)
    case array([JSONValue])
    case object(JSONObject)

    /// The compact, key-sorted UTF-8 form.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .string(let value):
            JSONStringWriter.append(value, to: &out)
        case .bool(let value):
            Self.append(value ? "true" : "false", to: &out)
        case .int(let value):
            out.append(contentsOf: String(value).utf8)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            // Byte order of the UTF-8 keys, like JSONEncoder's `.sortedKeys` for the ASCII keys used here.
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringWriter.append(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

/// A JSON object's members, written as a dictionary literal (`["type": .string("text")]`) but kept in an array:
/// request bodies are small objects built once and written once, where a dictionary's hashing and storage cost
/// more than the linear search of a set key. A key set twice keeps its last value, as in a dictionary.
struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    struct Member: Sendable, Hashable {
        let key: String
        var value: JSONValue
    }

    private(set) var members: [Member]

    init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count + 2)
        for (key, value) in elements { self[key] = value }
    }

    /// The value of `key`; setting `nil` removes it.
    subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }
}
