import FlowRuntime
import Foundation
import Hummingbird
import Storage

/// Shared pieces of the agent API: its JSON encoding, times in ISO 8601 and its error answers.
enum AgentAPI {
    /// Unix seconds as ISO 8601 in UTC (`2026-01-31T14:05:00Z`).
    static func iso8601(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// `iso8601` of an optional time.
    static func iso8601(_ seconds: Int64?) -> String? { seconds.map { iso8601($0) } }

    /// Unix seconds of an ISO 8601 date-time (`2026-01-31T14:05:00Z`, fractional seconds and offsets
    /// allowed) or date (`2026-01-31`, midnight UTC); `nil` when it is neither.
    static func unixTime(iso8601 text: String) -> Int64? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return Int64(date.timeIntervalSince1970) }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return Int64(date.timeIntervalSince1970) }
        full.formatOptions = [.withFullDate]
        if let date = full.date(from: text) { return Int64(date.timeIntervalSince1970) }
        return nil
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
    var error: String?
    var detail: String?
    var messageID: String?

    enum CodingKeys: String, CodingKey {
        case sequence, at, direction, type, text, from, status, error, detail
        case statusAt = "status_at"
        case messageID = "message_id"
    }

    init(_ entry: LogEntry) {
        sequence = entry.sequence
        at = AgentAPI.iso8601(entry.at)
        messageID = entry.messageID
        switch entry.content {
        case .inbound(let kind, let message, _):
            direction = "inbound"
            type = kind
            from = "contact"
            switch message {
            case .text(let body): text = body
            case .attachment(let attachment): text = attachment.fileName
            case nil: text = nil
            }
        case .outbound(let message, let sender, let delivery, let deliveryAt, let failure):
            direction = "outbound"
            switch sender {
            case .bot: from = "bot"
            case .agent(let name): from = name
            }
            status = delivery.rawValue
            statusAt = AgentAPI.iso8601(deliveryAt)
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
    var messages: [ThreadItem]

    enum CodingKeys: String, CodingKey {
        case contact, messages
        case conversationID = "conversation_id"
    }
}

/// The body of `POST …/messages`.
struct AgentMessageRequest: Decodable {
    var text: String
}

/// The body of `POST …/reassign`.
struct ReassignRequest: Decodable {
    var agent: String
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
