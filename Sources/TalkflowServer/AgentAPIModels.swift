import FlowLanguage
import FlowRuntime
import Foundation
import Hummingbird
import Storage
import TalkflowJSON

/// Shared pieces of the agent API: its JSON encoding, times in ISO 8601 and its error answers.
enum AgentAPI {
    /// Unix seconds as ISO 8601 in UTC (`2026-01-31T14:05:00Z`).
    static func iso8601(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// `iso8601` of an optional time.
    static func iso8601(_ seconds: Int64?) -> String? { seconds.map { iso8601($0) } }

    /// Unix seconds of an ISO 8601 date-time with its offset (`2026-01-31T14:05:00Z`, `…T14:05:00.5-05:00`,
    /// `…T14:05:00+0000`) or of a date (`2026-01-31`, midnight UTC); `nil` for anything else, a day the calendar
    /// does not have or text after the value included (a time without an offset would be ambiguous). A fraction of
    /// a second rounds up to the next whole second.
    static func unixTime(iso8601 text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count, range.allSatisfy({ (48...57).contains(b[$0]) }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(b[$1] - 48) }
        }
        func byte(_ index: Int, _ character: Character) -> Bool {
            index < b.count && b[index] == character.asciiValue!
        }
        guard b.count >= 10, byte(4, "-"), byte(7, "-"), Durations.isDate(String(decoding: b[0..<10], as: UTF8.self)),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else { return nil }
        let days = LocalTime.days(year: year, month: month, day: day)
        if b.count == 10 { return Int64(days) * 86_400 }
        guard byte(10, "T"), let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"),
            let second = number(17..<19), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        // Times are kept in whole seconds: a fraction rounds up, so that a bound keeps its meaning (`from` at or
        // after it, `to` before it) for the stored times.
        var fraction = 0
        if byte(index, ".") {
            index += 1
            let start = index
            while index < b.count, (48...57).contains(b[index]) {
                if b[index] != UInt8(ascii: "0") { fraction = 1 }
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if byte(index, "Z") {
            index += 1
        } else if byte(index, "+") || byte(index, "-") {
            let sign = byte(index, "-") ? -1 : 1
            guard let offsetHours = number((index + 1)..<(index + 3)), offsetHours < 24 else { return nil }
            index += 3
            if byte(index, ":") { index += 1 }
            guard let offsetMinutes = number(index..<(index + 2)), offsetMinutes < 60 else { return nil }
            index += 2
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second + fraction - offset)
    }

    /// A JSON answer with `status`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body + Data("\n".utf8))))
    }
}

/// An agent API refusal: an HTTP status and the JSON body `{"error": {"code": "...", "message": "..."}}`.
struct AgentAPIError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: String
    var message: String

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }

        var error: Detail
    }

    /// The answer sent for this error.
    var response: Response {
        var response = AgentAPI.json(Body(error: .init(code: code, message: message)), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static let unauthorized = AgentAPIError(
        status: .unauthorized, code: "unauthorized", message: "missing or wrong agent key")
    static let adminOnly = AgentAPIError(
        status: .forbidden, code: "admin_only", message: "this endpoint needs an admin agent")
    /// A non-admin asking for another agent's `what`: the endpoint is not admin-only, so the message says what
    /// they may see instead (the code stays `admin_only`: seeing others' is what admins may).
    static func ownOnly(_ what: String) -> AgentAPIError {
        AgentAPIError(
            status: .forbidden, code: "admin_only",
            message: "an agent who is not an admin may see only their own \(what)")
    }
    static let notYours = AgentAPIError(
        status: .forbidden, code: "not_assigned", message: "the conversation is not assigned to this agent")
    static let notFound = AgentAPIError(
        status: .notFound, code: "not_found", message: "no conversation with this contact")
    static let notWithAgent = AgentAPIError(
        status: .conflict, code: "not_with_agent", message: "the conversation is not with an agent")
    static let emoji = AgentAPIError(
        status: .unprocessableContent, code: "emoji_not_allowed",
        message: "emoji are not allowed in messages to contacts")
    static let windowClosed = AgentAPIError(
        status: .unprocessableContent, code: "window_closed",
        message: "more than 24 hours since the contact's last message; only an approved template can be sent")

    static func badRequest(_ message: String) -> AgentAPIError {
        AgentAPIError(status: .badRequest, code: "invalid_request", message: message)
    }
}

/// A conversation as `GET …/conversations` lists it.
struct ConversationItem: Encodable {
    var contact: String
    /// The pseudonymous id that log lines about the conversation carry (`ConversationPseudonyms`).
    var conversationID: String
    var contactName: String?
    var status: String
    var agent: String?
    var queue: String?
    var flow: String?
    var step: String?
    var startedAt: String?
    var endedAt: String?
    var handoffAt: String?
    var firstReplyAt: String?
    var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case contact, status, agent, queue, flow, step
        case conversationID = "conversation_id"
        case contactName = "contact_name"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case handoffAt = "handoff_at"
        case firstReplyAt = "first_reply_at"
        case updatedAt = "updated_at"
    }

    init(_ summary: ConversationSummary, conversationID: String) {
        contact = summary.contact
        self.conversationID = conversationID
        contactName = summary.contactName
        status = summary.status.rawValue
        agent = summary.agent
        queue = summary.queue
        flow = summary.flow
        step = summary.state
        startedAt = AgentAPI.iso8601(summary.startedAt)
        endedAt = AgentAPI.iso8601(summary.endedAt)
        handoffAt = AgentAPI.iso8601(summary.handoffAt)
        firstReplyAt = AgentAPI.iso8601(summary.agentFirstReplyAt)
        updatedAt = AgentAPI.iso8601(summary.updatedAt)
    }
}

/// The answer of `GET …/conversations`.
struct ConversationList: Encodable {
    var conversations: [ConversationItem]
}

/// One line of a thread as `GET …/conversations/{contact}/messages` shows it.
struct ThreadItem: Encodable {
    var sequence: Int64
    var at: String
    /// `inbound`, `outbound` or `event`.
    var direction: String
    /// The message type (`text`, `buttons`, `list`, `attachment`, `template`, or WhatsApp's inbound type), or
    /// the event's kind.
    var type: String
    var text: String?
    var from: String?
    var status: String?
    var statusAt: String?
    /// An outbound message's time of each stage WhatsApp reported, beside the latest (`statusAt`).
    var sentAt: String?
    var deliveredAt: String?
    var readAt: String?
    /// An inbound message's time by WhatsApp's clock (when the contact wrote it).
    var whatsAppAt: String?
    var error: String?
    var detail: String?
    var messageID: String?
    /// A contact's file: its type, name and WhatsApp media id (the bytes stay at Meta).
    var mimeType: String?
    var fileName: String?
    var mediaID: String?

    enum CodingKeys: String, CodingKey {
        case sequence, at, direction, type, text, from, status, error, detail
        case statusAt = "status_at"
        case sentAt = "sent_at"
        case deliveredAt = "delivered_at"
        case readAt = "read_at"
        case whatsAppAt = "whatsapp_at"
        case messageID = "message_id"
        case mimeType = "mime_type"
        case fileName = "file_name"
        case mediaID = "media_id"
    }

    init(_ entry: LogEntry) {
        sequence = entry.sequence
        at = AgentAPI.iso8601(entry.at)
        messageID = entry.messageID
        switch entry.content {
        case .inbound(let kind, let message, let whatsAppTimestamp):
            direction = "inbound"
            type = kind
            from = "contact"
            whatsAppAt = whatsAppTimestamp.map { AgentAPI.iso8601($0) }
            switch message {
            case .text(let body): text = body
            case .attachment(let attachment):
                text = attachment.caption
                mimeType = attachment.mimeType
                fileName = attachment.fileName
                mediaID = attachment.mediaID
            case nil: text = nil
            }
        case .outbound(let message, let sender, let delivery, let times, let failure):
            direction = "outbound"
            switch sender {
            case .bot: from = "bot"
            case .agent(let name): from = name
            }
            status = delivery.rawValue
            statusAt = AgentAPI.iso8601(times.latest)
            sentAt = AgentAPI.iso8601(times.sent)
            deliveredAt = AgentAPI.iso8601(times.delivered)
            readAt = AgentAPI.iso8601(times.read)
            error = failure.map { [$0.kind, $0.detail].compactMap { $0 }.joined(separator: " ") }
            switch message {
            case .text(let body): (type, text) = ("text", body)
            case .buttons(let body, _, _, _): (type, text) = ("buttons", body)
            case .list(let body, _, _, _, _): (type, text) = ("list", body)
            case .attachment(_, let fileName, let caption, _): (type, text) = ("attachment", caption ?? fileName)
            case .template(let name, _, _, _, _): (type, text) = ("template", name)
            }
        case .event(let event):
            direction = "event"
            type = event.kind
            detail = event.detail
        }
    }
}

/// The answer of `GET …/conversations/{contact}/messages`.
struct ThreadAnswer: Encodable {
    var contact: String
    var conversationID: String
    var consent: ConsentSummary
    /// An open claim (reclamo) about the contact: the data are flagged "reclamo en trámite" (Ley 1581 art. 15.2)
    /// until it is answered, and the agent must see so.
    var claimInProgress: Bool
    var messages: [ThreadItem]

    enum CodingKeys: String, CodingKey {
        case contact, consent, messages
        case conversationID = "conversation_id"
        case claimInProgress = "claim_in_progress"
    }
}

/// The contact's consent as an agent needs it beside the thread (habeas-data item 10): the policy version the
/// contact last accepted and did not revoke (`null`: none), the version in force (the tenant's flow's
/// `policy.version` now), whether the first is the second (what sending a template and the flow's data steps
/// require), and whether promotional messages may be sent.
struct ConsentSummary: Encodable {
    var acceptedVersion: String?
    var policyVersion: String?
    var optIn: Bool

    /// The contact's consent covers the policy version in force (both set and equal).
    var inForce: Bool { Session.Consent(acceptedVersion: acceptedVersion).covers(policyVersion) }

    enum CodingKeys: String, CodingKey {
        case acceptedVersion = "accepted_version"
        case policyVersion = "policy_version"
        case inForce = "in_force"
        case optIn = "opt_in"
    }

    /// Encodes absent versions as `null`, so the shape is always the same.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(acceptedVersion, forKey: .acceptedVersion)
        try c.encode(policyVersion, forKey: .policyVersion)
        try c.encode(inForce, forKey: .inForce)
        try c.encode(optIn, forKey: .optIn)
    }
}

/// The body of `POST …/messages`.
enum AgentMessageRequest {
    /// The body as refusals show it.
    static let example = #"{"text": "..."}"#
}

/// The body of `POST …/reassign`.
enum ReassignRequest {
    /// The body as refusals show it.
    static let example = #"{"agent": "AGENT"}"#
}

/// The answer of a conversation action (reply, close, reassign).
struct ActionAnswer: Encodable {
    var contact: String
    var conversationID: String
    var status: String
    var agent: String?
    var outboxIDs: [Int64]

    enum CodingKeys: String, CodingKey {
        case contact, status, agent
        case conversationID = "conversation_id"
        case outboxIDs = "outbox_ids"
    }
}

/// One row of `GET …/reports/agents`.
struct AgentReportItem: Encodable {
    var agent: String?
    var conversations: Int
    var open: Int
    var closed: Int
    var answered: Int
    var unanswered: Int
    var averageDurationSeconds: Double?
    var averageSecondsToAttend: Double?
    var averageBusinessSecondsToAttend: Double?
    var firstStartedAt: String?
    var lastStartedAt: String?

    enum CodingKeys: String, CodingKey {
        case agent, conversations, open, closed, answered, unanswered
        case averageDurationSeconds = "average_duration_seconds"
        case averageSecondsToAttend = "average_seconds_to_attend"
        case averageBusinessSecondsToAttend = "average_business_seconds_to_attend"
        case firstStartedAt = "first_started_at"
        case lastStartedAt = "last_started_at"
    }

    init(_ report: AgentReport) {
        agent = report.agent
        conversations = report.conversations
        open = report.open
        closed = report.closed
        answered = report.answered
        unanswered = report.unanswered
        averageDurationSeconds = report.averageDurationSeconds
        averageSecondsToAttend = report.averageSecondsToAttend
        averageBusinessSecondsToAttend = report.averageBusinessSecondsToAttend
        firstStartedAt = AgentAPI.iso8601(report.firstStartedAt)
        lastStartedAt = AgentAPI.iso8601(report.lastStartedAt)
    }

    /// Every key is written, `null` included, so that a console need not guess which are missing.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(conversations, forKey: .conversations)
        try container.encode(open, forKey: .open)
        try container.encode(closed, forKey: .closed)
        try container.encode(answered, forKey: .answered)
        try container.encode(unanswered, forKey: .unanswered)
        try container.encode(averageDurationSeconds, forKey: .averageDurationSeconds)
        try container.encode(averageSecondsToAttend, forKey: .averageSecondsToAttend)
        try container.encode(averageBusinessSecondsToAttend, forKey: .averageBusinessSecondsToAttend)
        try container.encode(firstStartedAt, forKey: .firstStartedAt)
        try container.encode(lastStartedAt, forKey: .lastStartedAt)
    }
}

/// The answer of `GET …/reports/agents`.
struct AgentReportAnswer: Encodable {
    var agents: [AgentReportItem]
    var totals: AgentReportItem
}
