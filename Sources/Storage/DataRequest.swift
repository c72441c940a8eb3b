/// A data subject's request under Ley 1581 de 2012 (habeas-data checklist items 5 and 7): a **consulta** (to
/// know the data held, art. 14) or a **reclamo** (to correct or delete them, or to complain, art. 15). Each has a
/// legal deadline in business days; the store keeps the case so that none is missed.
public struct DataRequest: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A consulta: what data are held and how they are used. Due in 10 business days, +5 with a notice.
        case access
        /// A reclamo: correct, update or delete the data, or a complaint. Due in 15 business days, +8 with a
        /// notice; the data are flagged "reclamo en trámite" within 2 business days.
        case claim
    }

    public enum Status: String, Sendable, Hashable, Codable {
        case open
        case answered
    }

    public var id: Int64
    public var tenant: String
    public var contact: String
    public var kind: Kind
    /// When the request was received (Unix seconds).
    public var receivedAt: Int64
    /// The deadline: the end of the last business day to answer (Unix seconds), extended when a notice was sent.
    public var dueAt: Int64
    /// For a reclamo: the end of the day by which the data must be flagged "reclamo en trámite".
    public var flagDueAt: Int64?
    /// For a reclamo: when the data were flagged "reclamo en trámite", which is when the case was recorded in the
    /// store (the flag shows from then on, while the case is open); after `flagDueAt` it was late.
    public var flaggedAt: Int64?
    /// When the contact was told the answer needs more time (the deadline was extended once, then).
    public var extendedAt: Int64?
    public var answeredAt: Int64?
    /// What the request asks, as the operator wrote it (no message text is copied here automatically).
    public var subject: String?
    /// How it was answered.
    public var answer: String?
    /// For a reclamo: when the contact's conversation data were erased (`DataRequestStore.eraseContactData`).
    public var erasedAt: Int64?
    /// How many conversation log lines that erasure deleted.
    public var erasedLines: Int64?
    /// The key of the conversation the contact named when the case was opened (the store's own id for it): the
    /// data the case flags and erases, even after a number change moves the contact's ids. `nil` for a case
    /// recorded before the store kept it (version 13), whose contact is looked up again.
    public var conversation: String?

    public var status: Status { answeredAt == nil ? .open : .answered }

    /// A subject or an answer as kept: a blank one (only white space, line breaks included) is none, whether it
    /// came from the command line or the agent API.
    public static func nonBlank(_ text: String?) -> String? {
        text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
    }

    /// Whether the flag was put on after its deadline (a case recorded more than 2 business days after it was
    /// received).
    public var flagLate: Bool? {
        guard let flaggedAt, let flagDueAt else { return nil }
        return flaggedAt > flagDueAt
    }

    public init(
        id: Int64, tenant: String, contact: String, kind: Kind, receivedAt: Int64, dueAt: Int64,
        flagDueAt: Int64? = nil, flaggedAt: Int64? = nil, extendedAt: Int64? = nil, answeredAt: Int64? = nil,
        subject: String? = nil, answer: String? = nil, erasedAt: Int64? = nil, erasedLines: Int64? = nil,
        conversation: String? = nil
    ) {
        self.conversation = conversation
        self.id = id
        self.tenant = tenant
        self.contact = contact
        self.kind = kind
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.flagDueAt = flagDueAt
        self.flaggedAt = flaggedAt
        self.extendedAt = extendedAt
        self.answeredAt = answeredAt
        self.subject = subject
        self.answer = answer
        self.erasedAt = erasedAt
        self.erasedLines = erasedLines
    }
}

/// Where data subjects' requests are kept. A case is opened, possibly extended once, and answered; it is never
/// deleted (it is the proof that the deadline was kept).
public protocol DataRequestStore: Sendable {
    /// Opens a case, recorded at `recordedAt` (now; `receivedAt` may be earlier); returns it with its id. A claim
    /// flags the contact's data "reclamo en trámite" at once: its `flaggedAt` is `recordedAt`.
    func openDataRequest(
        tenant: String, contact: String, kind: DataRequest.Kind, receivedAt: Int64, dueAt: Int64, flagDueAt: Int64?,
        subject: String?, recordedAt: Int64
    ) async throws -> DataRequest

    /// The case with this id, or `nil`.
    func dataRequest(id: Int64) async throws -> DataRequest?

    /// The cases, oldest first: of one tenant or all; `open`: `true` only those not answered yet, `false` only
    /// the answered ones, `nil` all.
    func dataRequests(tenant: String?, open: Bool?) async throws -> [DataRequest]

    /// Records the notice that the answer needs more time and moves the deadline to `dueAt`. Only an open,
    /// not yet extended case can be extended: returns `nil` otherwise (the case unchanged).
    func extendDataRequest(id: Int64, at: Int64, dueAt: Int64) async throws -> DataRequest?

    /// Records the answer. Only an open case can be answered: returns `nil` otherwise.
    func answerDataRequest(id: Int64, at: Int64, answer: String?) async throws -> DataRequest?

    /// Whether the tenant has an open claim about the contact (either of its ids): its data are flagged
    /// "reclamo en trámite" (Ley 1581 art. 15.2) until the case is answered.
    func claimInProgress(tenant: String, contact: String) async throws -> Bool

    /// Erases, in one transaction, the personal data kept for the conversation of the open claim `id`'s contact
    /// with its tenant, and records `erasedAt` on the case (`DataErasure` says what goes and what stays). Returns
    /// `nil` for no such case; throws `DataErasure.Refusal` (nothing changed) when the case or the conversation
    /// does not allow it.
    func eraseContactData(id: Int64, at: Int64) async throws -> DataErasure?
}
