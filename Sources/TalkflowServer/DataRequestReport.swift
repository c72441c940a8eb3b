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
    public var extendedAt: String?
    public var answeredAt: String?
    public var subject: String?
    public var answer: String?

    enum CodingKeys: String, CodingKey {
        case id, tenant, contact, kind, status, subject, answer
        case receivedAt = "received_at"
        case dueAt = "due_at"
        case flagDueAt = "flag_due_at"
        case extendedAt = "extended_at"
        case answeredAt = "answered_at"
    }

    /// The report of `request` as it stands at `now`.
    public init(_ request: DataRequest, now: Int64) {
        id = request.id
        tenant = request.tenant
        contact = request.contact
        kind = request.kind.rawValue
        status =
            request.answeredAt != nil ? "answered" : (now > request.dueAt ? "overdue" : "open")
        receivedAt = Self.colombian(request.receivedAt)
        dueAt = Self.colombian(request.dueAt)
        flagDueAt = request.flagDueAt.map(Self.colombian)
        extendedAt = request.extendedAt.map(Self.colombian)
        answeredAt = request.answeredAt.map(Self.colombian)
        subject = request.subject
        answer = request.answer
    }

    /// `time` in Colombian local time with seconds and the offset.
    public static func colombian(_ time: Int64) -> String {
        let local = time + PromotionalHours.offset
        let day = Int(PromotionalHours.floorDivide(local, 86_400))
        let date = LocalTime.civil(days: day)
        let second = Int(local - Int64(day) * 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date.year)-\(two(date.month))-\(two(date.day))T\(two(second / 3600)):\(two(second / 60 % 60)):"
            + "\(two(second % 60))-05:00"
    }
}
