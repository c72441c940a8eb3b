import Foundation
import NIOCore
import TalkflowJSON

/// A JSON request body of the agent API (and the template route) read field by field, so that a refusal says
/// which field is wrong and how, instead of one sentence for every fault: the body that is not UTF-8 (with the
/// byte and its offset), not JSON, not an object; a field missing, of another type (naming what was found), or
/// `null` where the field is a string or absent; a value that is none of those allowed (naming them). Every
/// refusal is 400 `invalid_request` and ends with an example of the body. Fields the route does not read are
/// ignored, as before.
struct RequestFields {
    let members: [String: JSONNode]
    /// The body the route takes, written as a caller would send it (`{"text": "..."}`).
    let example: String

    /// The fields of `bytes`, or the refusal that names the body's fault.
    init(_ bytes: ByteBuffer, example: String) throws(AgentAPIError) {
        self.example = example
        let data = Array(bytes.readableBytesView)
        if let offset = Self.firstInvalidUTF8(data) {
            throw .badRequest(
                "the body is not UTF-8 (byte 0x\(String(data[offset], radix: 16, uppercase: true)) at offset \(offset)); "
                    + "send JSON in UTF-8, e.g. \(example)")
        }
        guard let node = JSONNode.parse(data) else {
            switch JSONNode.failure(data) {
            case .duplicateKey(let path)?:
                throw .badRequest("the body gives '\(path)' more than once; give each field once")
            case .tooDeep?:
                throw .badRequest(
                    "the body nests arrays and objects deeper than \(JSONNode.maximumDepth); send e.g. \(example)")
            case .syntax(let offset)?:
                let blank = data.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
                throw .badRequest(
                    blank
                        ? "the body is empty; send e.g. \(example)"
                        : "the body is not JSON (it stops being JSON at byte offset \(offset)); send e.g. \(example)")
            case nil:
                throw .badRequest("the body is not JSON; send e.g. \(example)")
            }
        }
        // JSON's grammar allows a surrogate escape without its pair, which the tree reader takes as U+FFFD: it is
        // no character a message could carry, so it is refused here rather than sent as U+FFFD.
        if let offset = Self.loneSurrogateEscape(data) {
            throw .badRequest(
                "the body has at byte offset \(offset) a \\u escape of half a surrogate pair (such as \\ud83d "
                    + "without its \\ude00), which is no character; escape both halves or write the character in UTF-8")
        }
        guard case .object(let members) = node else {
            throw .badRequest("the body must be a JSON object, e.g. \(example); found \(Self.kind(of: node))")
        }
        self.members = members
    }

    /// The string field `name`, which must be there.
    func string(_ name: String) throws(AgentAPIError) -> String {
        guard let node = members[name] else { throw .badRequest("'\(name)' is missing; send e.g. \(example)") }
        guard case .string(let value) = node else {
            throw .badRequest("'\(name)' must be a string, found \(Self.kind(of: node)); send e.g. \(example)")
        }
        return value
    }

    /// The string field `name`, or `nil` when it is absent; `null` is refused as any other type: the
    /// documented body has a string or nothing, and a client's bug that sends `null` should not pass for "none".
    func optionalString(_ name: String) throws(AgentAPIError) -> String? {
        guard let node = members[name] else { return nil }
        guard case .string(let value) = node else {
            throw .badRequest(
                "'\(name)' must be a string or absent, found \(Self.kind(of: node)); send e.g. \(example)")
        }
        return value
    }

    /// The array of strings `name`, or `nil` when it is absent (`null` is refused, as in `optionalString`).
    func optionalStrings(_ name: String) throws(AgentAPIError) -> [String]? {
        guard let node = members[name] else { return nil }
        guard case .array(let elements) = node else {
            throw .badRequest(
                "'\(name)' must be an array of strings or absent, found \(Self.kind(of: node)); send e.g. \(example)")
        }
        var values: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let value) = element else {
                throw .badRequest(
                    "'\(name)[\(index)]' must be a string, found \(Self.kind(of: element)); send e.g. \(example)")
            }
            values.append(value)
        }
        return values
    }

    /// The field `name`, one of `Value`'s raw values, which must be there.
    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) throws(AgentAPIError)
        -> Value where Value.RawValue == String
    {
        let text = try string(name)
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue)
            let listed = allowed.dropLast().joined(separator: ", ") + " or " + (allowed.last ?? "")
            throw .badRequest("'\(name)' must be \(listed), not '\(text)'")
        }
        return value
    }

    /// What a JSON value is, as a refusal names it.
    static func kind(of node: JSONNode) -> String {
        switch node {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or `nil`.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// The offset of the first `\u` escape of a surrogate without its other half, in a document the tree reader
    /// read (so every backslash is in a string and starts an escape).
    static func loneSurrogateEscape(_ bytes: [UInt8]) -> Int? {
        func unit(at index: Int) -> UInt32? {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                let text = String(bytes: bytes[(index + 2)..<(index + 6)], encoding: .ascii)
            else { return nil }
            return UInt32(text, radix: 16)
        }
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            guard let first = unit(at: index) else {
                index += 2
                continue
            }
            switch first {
            case 0xD800..<0xDC00:
                guard let second = unit(at: index + 6), (0xDC00..<0xE000).contains(second) else { return index }
                index += 12
            case 0xDC00..<0xE000:
                return index
            default:
                index += 6
            }
        }
        return nil
    }
}
