import FlowRuntime
import Storage

/// A data subject's request as the command line (and an operator's tools) show it: times in Colombian local
/// time (`2026-12-14T23:59:59-05:00`), as the legal terms are counted, and whether the deadline has passed.
public struct DataRequestReport: Encodable, Sendable, Equatable {
    public var id: Int64
    public var tenant: String
    public var contact: String
    public var kind: String
    /// `open`, `overdue` (open past its deadline) or `answered`.
    public var status: String
    public var receivedAt: String
    public var dueAt: String
    public var flagDueAt: String?
    /// When a claim's data were flagged "reclamo en trámite" (when the case was recorded).
    public var flaggedAt: String?
    /// Whether that was after `flagDueAt`.
    public var flagLate: Bool?
    public var extendedAt: String?
    public var answeredAt: String?
    public var subject: String?
    public var answer: String?
    /// When the contact's conversation data were erased, and how many log lines went.
    public var erasedAt: String?
    public var erasedLines: Int64?

    enum CodingKeys: String, CodingKey {
        case id, tenant, contact, kind, status, subject, answer
        case receivedAt = "received_at"
        case dueAt = "due_at"
        case flagDueAt = "flag_due_at"
        case flaggedAt = "flagged_at"
        case flagLate = "flag_late"
        case extendedAt = "extended_at"
        case answeredAt = "answered_at"
        case erasedAt = "erased_at"
        case erasedLines = "erased_lines"
    }

    /// The report of `request` as it stands at `now`.
    public init(_ request: DataRequest, now: Int64) {
        id = request.id
        tenant = request.tenant
        contact = request.contact
        kind = request.kind.rawValue
        status =
            request.answeredAt != nil ? "answered" : (now > request.dueAt ? "overdue" : "open")
        receivedAt = ColombianTime.iso8601(request.receivedAt)
        dueAt = ColombianTime.iso8601(request.dueAt)
        flagDueAt = request.flagDueAt.map(ColombianTime.iso8601)
        flaggedAt = request.flaggedAt.map(ColombianTime.iso8601)
        flagLate = request.flagLate
        extendedAt = request.extendedAt.map(ColombianTime.iso8601)
        answeredAt = request.answeredAt.map(ColombianTime.iso8601)
        subject = request.subject
        answer = request.answer
        erasedAt = request.erasedAt.map(ColombianTime.iso8601)
        erasedLines = request.erasedLines
    }
}
