import TalkflowJSON

/// Writes the JSON objects the store keeps in its columns (sessions, log messages) straight into a string:
/// the store writes several for every message, and `JSONEncoder` costs several times more. Optional members
/// that are `nil` are left out, as `Codable`'s `encodeIfPresent` does, so `JSONDecoder` reads the result with the
/// types' `Codable` conformances.
struct ColumnJSON {
    private(set) var text = "{"
    private var first = true

    /// The finished object.
    var object: String { text + "}" }

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += "\""
        text += name
        text += "\":"
    }

    mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONStringWriter.append(value, to: &text)
    }

    mutating func member(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        text += String(value)
    }

    mutating func member(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    mutating func member(_ name: String, strings: [String?]) {
        key(name)
        text += "["
        for (index, value) in strings.enumerated() {
            if index > 0 { text += "," }
            if let value { JSONStringWriter.append(value, to: &text) } else { text += "null" }
        }
        text += "]"
    }

    /// An array of objects, each written by `write`.
    mutating func member<Element>(_ name: String, objects: [Element], _ write: (Element, inout ColumnJSON) -> Void) {
        key(name)
        text += "["
        for (index, element) in objects.enumerated() {
            if index > 0 { text += "," }
            var object = ColumnJSON()
            write(element, &object)
            text += object.object
        }
        text += "]"
    }

    /// A nested object written by `write`.
    mutating func member(_ name: String, object write: (inout ColumnJSON) -> Void) {
        key(name)
        var object = ColumnJSON()
        write(&object)
        text += object.object
    }

    /// A JSON array of strings (the ledger's lists of hashes, purposes and message ids).
    static func array(_ strings: [String]) -> String {
        var text = "["
        for (index, value) in strings.enumerated() {
            if index > 0 { text += "," }
            JSONStringWriter.append(value, to: &text)
        }
        return text + "]"
    }
}
