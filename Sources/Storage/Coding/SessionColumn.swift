import FlowRuntime
import Foundation
import TalkflowJSON

/// The `sessions.session` column: the session as JSON with the keys of `Session`'s `Codable` form (so rows
/// stay readable with any JSON tool and by `JSONDecoder`), written and read by hand because the store does it
/// for every message: several times faster than `JSONEncoder`/`JSONDecoder`. A row this reader does not
/// understand is read with `JSONDecoder` instead.
enum SessionColumn {
    /// The session's JSON text.
    static func encode(_ session: Session) -> String {
        var json = ColumnJSON()
        json.member("state", Int64(session.state))
        json.member("status", Int64(session.status.rawValue))
        json.member("awaitingOptIn", session.awaitingOptIn)
        if session.optInAsked == true { json.member("optInAsked", true) }
        if let step = session.pendingStep { json.member("pendingStep", step) }
        json.member("attempts", Int64(session.attempts))
        json.member("consent") { consent in
            consent.member("acceptedVersion", session.consent.acceptedVersion)
            consent.member("sensitive", session.consent.sensitive)
            consent.member("optIn", session.consent.optIn)
        }
        json.member("variables", strings: session.variables)
        json.member("lastContactMessageAt", session.lastContactMessageAt)
        json.member("attachmentMonth", Int64(session.attachmentMonth))
        json.member("attachmentBytes", session.attachmentBytes)
        json.member("queue", session.queue.map(Int64.init))
        json.member("agent", session.agent)
        json.member("inactivityDeadline", session.inactivityDeadline)
        json.member("startedAt", session.startedAt)
        json.member("endedAt", session.endedAt)
        json.member("handoffAt", session.handoffAt)
        if let version = session.flowVersion { json.member("flowVersion", version) }
        if let held = session.heldRevocation {
            json.member("heldRevocation") { revocation in
                revocation.member("words", held.words)
                revocation.member("messageID", held.messageID)
                revocation.member("sentAt", held.sentAt)
                revocation.member("applied", held.applied)
            }
        }
        return json.object
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
        if let asked = node["optInAsked"] {
            guard let asked = asked.bool else { return nil }
            session.optInAsked = asked
        }
        // A step id. A row written when it was a step index (which a reload could make name another step) is
        // read without it: the acceptance then goes to the consent's `accept.next`.
        // Stored as `pendingHandoff` before data questions were asked again too: read under either name.
        if let step = node["pendingStep"] ?? node["pendingHandoff"], !step.isNull, step.int == nil {
            guard let id = step.string else { return nil }
            session.pendingStep = id
        }
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
            let handoffAt = optionalInt(node["handoffAt"])
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
        // Absent in rows stored before sessions recorded their flow's version: unknown.
        guard let flowVersion = optionalString(node["flowVersion"]) else { return nil }
        session.flowVersion = flowVersion
        // Absent in rows stored before revocations were held, and in sessions that never met one.
        if let held = node["heldRevocation"], !held.isNull {
            guard let words = held["words"]?.string, let messageID = optionalString(held["messageID"]),
                let sentAt = held["sentAt"]?.int, let applied = held["applied"]?.bool
            else { return nil }
            session.heldRevocation = Session.HeldRevocation(
                words: words, messageID: messageID, sentAt: sentAt, applied: applied)
        }
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
}
