import FlowRuntime
import Foundation

/// The `sessions.session` column: the session as JSON with the keys of `Session`'s `Codable` form (so rows
/// stay readable with any JSON tool and by `JSONDecoder`), written and read by hand because the store does it
/// for every message: several times faster than `JSONEncoder`/`JSONDecoder`. A row this reader does not
/// understand is read with `JSONDecoder` instead.
enum SessionColumn {
    /// The session's JSON text.
    static func encode(_ session: Session) -> String {
        var out = "{\"state\":\(session.state),\"status\":\(session.status.rawValue)"
        out += ",\"awaitingOptIn\":\(session.awaitingOptIn),\"attempts\":\(session.attempts)"
        out += ",\"consent\":{"
        if let version = session.consent.acceptedVersion {
            out += "\"acceptedVersion\":"
            appendString(version, to: &out)
            out += ","
        }
        out += "\"sensitive\":\(session.consent.sensitive),\"optIn\":\(session.consent.optIn)}"
        out += ",\"variables\":["
        for (index, value) in session.variables.enumerated() {
            if index > 0 { out += "," }
            if let value { appendString(value, to: &out) } else { out += "null" }
        }
        out += "]"
        appendOptional("lastContactMessageAt", session.lastContactMessageAt, to: &out)
        out += ",\"attachmentMonth\":\(session.attachmentMonth),\"attachmentBytes\":\(session.attachmentBytes)"
        appendOptional("queue", session.queue.map(Int64.init), to: &out)
        if let agent = session.agent {
            out += ",\"agent\":"
            appendString(agent, to: &out)
        }
        appendOptional("inactivityDeadline", session.inactivityDeadline, to: &out)
        appendOptional("startedAt", session.startedAt, to: &out)
        appendOptional("endedAt", session.endedAt, to: &out)
        appendOptional("handoffAt", session.handoffAt, to: &out)
        appendOptional("agentFirstReplyAt", session.agentFirstReplyAt, to: &out)
        out += "}"
        return out
    }

    /// The session a column holds.
    static func decode(_ text: String) throws -> Session {
        if let session = fastDecode(text) { return session }
        do {
            return try JSONDecoder().decode(Session.self, from: Data(text.utf8))
        } catch {
            throw StorageError.corruptRow(table: "sessions", detail: "\(error)")
        }
    }

    /// The session, when the text is in the shape `encode` writes (key order and white space aside).
    static func fastDecode(_ text: String) -> Session? {
        guard let node = JSONNode.parse(text.utf8), case .object = node,
            let state = int32(node["state"]), let statusCode = node["status"]?.int,
            let status = UInt8(exactly: statusCode).flatMap(Session.Status.init(rawValue:)),
            let awaitingOptIn = node["awaitingOptIn"]?.bool, let attempts = int32(node["attempts"]),
            let consent = node["consent"], let sensitive = consent["sensitive"]?.bool,
            let optIn = consent["optIn"]?.bool, case .array(let values)? = node["variables"],
            let attachmentMonth = int32(node["attachmentMonth"]), let attachmentBytes = node["attachmentBytes"]?.int
        else { return nil }
        var session = Session()
        session.state = state
        session.status = status
        session.awaitingOptIn = awaitingOptIn
        session.attempts = attempts
        guard let version = optionalString(consent["acceptedVersion"]) else { return nil }
        session.consent = Session.Consent(acceptedVersion: version, sensitive: sensitive, optIn: optIn)
        var variables: [String?] = []
        variables.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .null: variables.append(nil)
            case .string(let text): variables.append(text)
            default: return nil
            }
        }
        session.variables = variables
        session.attachmentMonth = attachmentMonth
        session.attachmentBytes = attachmentBytes
        guard let last = optionalInt(node["lastContactMessageAt"]), let queue = optionalInt(node["queue"]),
            let agent = optionalString(node["agent"]), let deadline = optionalInt(node["inactivityDeadline"]),
            let startedAt = optionalInt(node["startedAt"]), let endedAt = optionalInt(node["endedAt"]),
            let handoffAt = optionalInt(node["handoffAt"]), let firstReply = optionalInt(node["agentFirstReplyAt"])
        else { return nil }
        session.lastContactMessageAt = last
        if let queue {
            guard let index = Int32(exactly: queue) else { return nil }
            session.queue = index
        }
        session.agent = agent
        session.inactivityDeadline = deadline
        session.startedAt = startedAt
        session.endedAt = endedAt
        session.handoffAt = handoffAt
        session.agentFirstReplyAt = firstReply
        return session
    }

    private static func int32(_ node: JSONNode?) -> Int32? {
        node?.int.flatMap { Int32(exactly: $0) }
    }

    /// `.some(nil)` for an absent or null member, `.some(value)` for an integer, `nil` for anything else.
    private static func optionalInt(_ node: JSONNode?) -> Int64?? {
        guard let node, !node.isNull else { return .some(nil) }
        return node.int.map { .some($0) }
    }

    /// `.some(nil)` for an absent or null member, `.some(value)` for a string, `nil` for anything else.
    private static func optionalString(_ node: JSONNode?) -> String?? {
        guard let node, !node.isNull else { return .some(nil) }
        return node.string.map { .some($0) }
    }

    private static func appendOptional(_ key: String, _ value: Int64?, to out: inout String) {
        guard let value else { return }
        out += ",\"\(key)\":\(value)"
    }

    /// A JSON string: escapes `"`, `\` and control characters; everything else is written as it is.
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
