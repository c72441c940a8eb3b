import FlowRuntime
import Storage

/// The legal deadlines of a data subject's request (Ley 1581 de 2012 arts. 14 and 15; ../shared/design/
/// habeas-data.md items 5 and 7), in Colombian business days: Monday to Friday, national holidays excluded, in
/// Colombian time. A term starts the day after the request is received, and ends at the end (23:59:59) of its
/// last business day.
public enum DataRequestDeadlines {
    /// Business days to answer: a consulta 10, a reclamo 15.
    public static func term(_ kind: DataRequest.Kind) -> Int { kind == .access ? 10 : 15 }
    /// Business days the answer may be put off, once, after telling the contact why: +5 and +8.
    public static func extensionTerm(_ kind: DataRequest.Kind) -> Int { kind == .access ? 5 : 8 }
    /// A reclamo's data are flagged "reclamo en trámite" within 2 business days.
    public static let flagTerm = 2

    /// The deadline and, for a reclamo, the flag's deadline of a request received at `receivedAt`.
    public static func due(_ kind: DataRequest.Kind, receivedAt: Int64) -> (due: Int64, flagDue: Int64?) {
        let due = endOfBusinessDay(term(kind), after: receivedAt)
        return (due, kind == .claim ? endOfBusinessDay(flagTerm, after: receivedAt) : nil)
    }

    /// The deadline after the extension: `extensionTerm(kind)` business days after the day of `due`.
    public static func extended(_ kind: DataRequest.Kind, due: Int64) -> Int64 {
        endOfBusinessDay(extensionTerm(kind), after: due)
    }

    /// Why a case refuses a step: extending it, or answering it at a given time.
    public enum Refusal: Error, Equatable, Sendable {
        case alreadyAnswered
        case alreadyExtended
        /// The extension's notice is dated before the request was received.
        case noticeBeforeReceipt(receivedAt: Int64)
        /// The answer is dated before the request was received.
        case answerBeforeReceipt(receivedAt: Int64)
        /// The erasure is dated before the request was received.
        case erasureBeforeReceipt(receivedAt: Int64)
        /// Ley 1581 art. 14: the contact is told of the extension before the first term expires.
        case pastDeadline(dueAt: Int64)

        /// The sentence that tells a user why, naming the case.
        public func message(id: Int64) -> String {
            switch self {
            case .alreadyAnswered: "data request \(id) is already answered"
            case .alreadyExtended: "data request \(id) is already extended"
            case .noticeBeforeReceipt(let receivedAt):
                "data request \(id) was received at \(ColombianTime.iso8601(receivedAt)); the notice cannot be earlier"
            case .answerBeforeReceipt(let receivedAt):
                "data request \(id) was received at \(ColombianTime.iso8601(receivedAt)); the answer cannot be earlier"
            case .erasureBeforeReceipt(let receivedAt):
                "data request \(id) was received at \(ColombianTime.iso8601(receivedAt)); the erasure cannot be earlier"
            case .pastDeadline(let dueAt):
                "data request \(id) was due at \(ColombianTime.iso8601(dueAt)); an extension must be told before "
                    + "the deadline"
            }
        }

        /// The short code the agent API answers with.
        public var code: String {
            switch self {
            case .alreadyAnswered, .alreadyExtended: "data_request_closed"
            case .noticeBeforeReceipt, .answerBeforeReceipt, .erasureBeforeReceipt: "before_receipt"
            case .pastDeadline: "deadline_passed"
            }
        }
    }

    /// The new deadline of `request` extended at `toldAt`, the time the contact was told; refused when the case
    /// is answered or already extended, or `toldAt` is before its receipt or after its deadline. The one rule for
    /// `talkflow data-request extend` and the agent API.
    public static func extendedDeadline(of request: DataRequest, toldAt: Int64) throws(Refusal) -> Int64 {
        if request.answeredAt != nil { throw .alreadyAnswered }
        if request.extendedAt != nil { throw .alreadyExtended }
        if toldAt < request.receivedAt { throw .noticeBeforeReceipt(receivedAt: request.receivedAt) }
        if toldAt > request.dueAt { throw .pastDeadline(dueAt: request.dueAt) }
        return extended(request.kind, due: request.dueAt)
    }

    /// Refuses to answer `request` at `at` when it is answered already or `at` is before its receipt. An overdue
    /// case can still be answered (late).
    public static func checkAnswer(of request: DataRequest, at: Int64) throws(Refusal) {
        if request.answeredAt != nil { throw .alreadyAnswered }
        if at < request.receivedAt { throw .answerBeforeReceipt(receivedAt: request.receivedAt) }
    }

    /// Refuses to erase under `request` at `at` when `at` is before its receipt (what the case itself allows is
    /// `DataErasure.check`'s).
    public static func checkErasure(of request: DataRequest, at: Int64) throws(Refusal) {
        if at < request.receivedAt { throw .erasureBeforeReceipt(receivedAt: request.receivedAt) }
    }

    /// The end of the `count`-th business day after the Colombian day of `time`.
    public static func endOfBusinessDay(_ count: Int, after time: Int64) -> Int64 {
        var day = ColombianTime.day(of: time).day
        var left = count
        while left > 0 {
            day += 1
            if isBusinessDay(day) { left -= 1 }
        }
        return ColombianTime.start(ofDay: day + 1) - 1
    }

    /// Whether a day (days since 1970-01-01) is a Colombian business day.
    static func isBusinessDay(_ day: Int) -> Bool {
        guard (1...5).contains(LocalTime.weekday(days: day)) else { return false }
        let date = LocalTime.civil(days: day)
        return !ColombianHolidays.contains(year: date.year, month: date.month, day: date.day)
    }
}
