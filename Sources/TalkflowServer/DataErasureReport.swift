import Storage

/// What `talkflow data-request erase` prints and `POST …/data-requests/{id}/erase` answers: the case as it now
/// stands, what was deleted, and what was kept and why (habeas-data items 7 and 15), so that the operator's
/// answer to the Titular can say so.
public struct DataErasureReport: Encodable, Sendable, Equatable {
    public struct Deleted: Encodable, Sendable, Equatable {
        public var logLines: Int
        public var earlyStatuses: Int

        enum CodingKeys: String, CodingKey {
            case logLines = "log_lines"
            case earlyStatuses = "early_statuses"
        }
    }

    public var dataRequest: DataRequestReport
    /// The conversation's key, under which the consent records stay.
    public var contact: String
    public var deleted: Deleted
    /// The conversation was waiting at a bot step and the erasure closed it.
    public var conversationClosed: Bool
    public var kept: [String]

    enum CodingKeys: String, CodingKey {
        case contact, deleted, kept
        case dataRequest = "data_request"
        case conversationClosed = "conversation_closed"
    }

    /// What an erasure never deletes, as the report lists it.
    public static let kept = [
        "consent evidence and consent texts (consent_ledger, consent_texts): kept under habeas-data item 15, "
            + "as the proof of consent outlives the data",
        "the session's consent state and attachment allowance, under the contact key, and the link between the "
            + "contact's WhatsApp ids (contact_aliases), which proves by either id whose the consent records are",
        "for the agent report, each erased conversation's start, end, last agent assigned, start of the wait for "
            + "them and first reply (erased_conversations), without the contact, so that past reports do not change",
        "this case: answer it, saying what was kept and under which legal or contractual duty",
    ]

    /// The report of `erasure` as it stands at `now`.
    public init(_ erasure: DataErasure, now: Int64) {
        dataRequest = DataRequestReport(erasure.request, now: now)
        contact = erasure.contact
        deleted = Deleted(
            logLines: erasure.logLines, earlyStatuses: erasure.earlyStatuses)
        conversationClosed = erasure.closedConversation
        kept = Self.kept
    }
}
