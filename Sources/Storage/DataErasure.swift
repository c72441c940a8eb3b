/// What erasing a contact's data under a reclamo did (habeas-data checklist item 7; Ley 1581 art. 15, D. 1377
/// art. 9). Deleted: every conversation log line of the contact with the tenant, the session's variables and
/// profile name and the early statuses of its messages. Kept: the consent evidence and texts (item 15: the proof
/// of consent outlives the data), the session's consent state and attachment allowance (so that consent stays
/// provable and the allowance holds), the contact key and the link between the contact's ids (which proves whose
/// the consent records are, by either id), and the case itself.
public struct DataErasure: Sendable, Hashable {
    /// The case, with `erasedAt` and `erasedLines` recorded.
    public var request: DataRequest
    /// The conversation's key (the contact's ledger records are kept under it).
    public var contact: String
    /// Conversation log lines deleted.
    public var logLines: Int
    /// Status webhooks kept for the contact's messages, deleted.
    public var earlyStatuses: Int
    /// The conversation was waiting at a bot step and was closed by the erasure.
    public var closedConversation: Bool

    /// Refuses a case that cannot be erased: a consulta, an answered case, one erased already. The store checks
    /// it again, with the conversation, in the erasure's transaction.
    public static func check(_ request: DataRequest) throws(Refusal) {
        if request.kind != .claim { throw .notAClaim }
        if request.answeredAt != nil { throw .answered }
        if request.erasedAt != nil { throw .alreadyErased }
    }

    /// Why an erasure is refused; nothing was changed.
    public enum Refusal: Error, Equatable, Sendable {
        /// A consulta asks to know the data, not to delete them.
        case notAClaim
        /// An answered case never changes: the erasure belongs before the answer.
        case answered
        case alreadyErased
        /// The conversation is queued for or with an agent: the agent would lose the thread mid-conversation.
        case conversationOpen
        /// Messages to the contact are still being sent: their lines cannot go before the sender is done.
        case outboxPending
        /// The tenant has no conversation, log line or id link of the case's contact: an erasure would delete
        /// nothing and record the case as erased while the contact's data (under another id) are all there.
        case unknownContact

        /// The sentence that tells a user why, naming the case.
        public func message(id: Int64) -> String {
            switch self {
            case .notAClaim: "data request \(id) is a consulta (access), not a reclamo (claim): nothing to erase"
            case .answered: "data request \(id) is already answered; erase before answering"
            case .alreadyErased: "data request \(id) was already erased"
            case .conversationOpen:
                "the contact of data request \(id) is in a conversation with an agent (queued or with_agent): "
                    + "close the conversation first"
            case .outboxPending:
                "messages to the contact of data request \(id) are still being sent; try again once the outbox "
                    + "has sent them (or they failed)"
            case .unknownContact:
                "the tenant has no conversation, log line or id link of the contact of data request \(id): nothing "
                    + "was erased; check the case's contact (the WhatsApp id, e.g. 573001112233) and, if it is wrong, "
                    + "answer the case saying so and open one under the right id"
            }
        }

        /// The short code the agent API answers with.
        public var code: String {
            switch self {
            case .notAClaim: "not_a_claim"
            case .answered: "data_request_closed"
            case .alreadyErased: "already_erased"
            case .conversationOpen: "conversation_open"
            case .outboxPending: "outbox_pending"
            case .unknownContact: "unknown_contact"
            }
        }
    }
}
