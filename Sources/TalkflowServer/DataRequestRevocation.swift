import FlowRuntime
import Storage
import Synchronization

/// A revocation the Responsable received outside the chat (a letter, an e-mail, a call, a free sentence to an
/// agent), recorded under the open reclamo that carries it (Ley 1581 art. 8(e), Decreto 1377 art. 9;
/// habeas-data items 6 and 7). Only the contact's own revocation word in WhatsApp revoked before, so a
/// revocation reclamo left consent and the opt-in in force. It is what the chat's revocation records, without
/// the confirmation message (the answer to the case tells the contact): a `revocation` record in the ledger
/// (channel `data_request`, words `data request <id>`), the consent and opt-in cleared, templates still waiting
/// failed as `revoked`, and a conversation waiting at a bot step closed. `talkflow data-request revoke` and
/// `POST …/data-requests/{id}/revoke` run it.
public struct DataRequestRevocation: Sendable, Equatable {
    /// The ledger channel of such a record.
    public static let channel = "data_request"

    /// The case, as it stands.
    public var request: DataRequest
    /// The conversation's key, under which the record is kept.
    public var contact: String
    /// The policy version whose acceptance was revoked (`nil` when only the opt-in was in force).
    public var revokedVersion: String?
    /// The opt-in to promotional messages was in force and is withdrawn.
    public var optInWithdrawn: Bool
    /// The conversation was waiting at a bot step and was closed.
    public var closedConversation: Bool

    /// Why a revocation under a case is refused; nothing was changed.
    public enum Refusal: Error, Equatable, Sendable {
        /// A consulta asks to know the data: a revocation is a reclamo.
        case notAClaim
        /// An answered case never changes.
        case answered
        /// The tenant has no conversation with the case's contact.
        case unknownContact
        /// The contact has no consent and no opt-in in force.
        case nothingToRevoke
        /// The conversation is queued for or with an agent: the agent closes it first.
        case conversationOpen
        /// A revocation recorded before the case was received.
        case beforeReceipt(receivedAt: Int64)

        /// The API's error code.
        public var code: String {
            switch self {
            case .notAClaim: "not_a_claim"
            case .answered: "data_request_closed"
            case .unknownContact: "unknown_contact"
            case .nothingToRevoke: "nothing_to_revoke"
            case .conversationOpen: "conversation_open"
            case .beforeReceipt: "before_receipt"
            }
        }

        /// The sentence that tells a user why, naming the case.
        public func message(id: Int64) -> String {
            switch self {
            case .notAClaim:
                "data request \(id) is a consulta (access), not a reclamo (claim): open a claim for the revocation"
            case .answered: "data request \(id) is already answered; revoke before answering"
            case .unknownContact:
                "the tenant has no conversation with the contact of data request \(id): nothing was revoked; check "
                    + "the case's contact (the WhatsApp id, e.g. 573001112233)"
            case .nothingToRevoke:
                "the contact of data request \(id) has no consent and no opt-in in force: nothing to revoke"
            case .conversationOpen:
                "the contact of data request \(id) is in a conversation with an agent (queued or with_agent): "
                    + "close the conversation first"
            case .beforeReceipt(let receivedAt):
                "data request \(id) was received at \(ColombianTime.iso8601(receivedAt)); the revocation cannot be "
                    + "earlier"
            }
        }
    }

    /// Refuses a case no revocation can be recorded under at `at`: a consulta, an answered case, a time before
    /// the case was received.
    public static func check(_ request: DataRequest, at: Int64) throws(Refusal) {
        if request.kind != .claim { throw .notAClaim }
        if request.answeredAt != nil { throw .answered }
        if at < request.receivedAt { throw .beforeReceipt(receivedAt: request.receivedAt) }
    }

    /// Records the revocation of `request`'s contact at `at`, in one conversation transaction of `store`.
    public static func record(_ request: DataRequest, in store: any ConversationStore, at: Int64) async throws
        -> DataRequestRevocation
    {
        try check(request, at: at)
        let contact = request.conversation ?? request.contact
        // The flow the contact's consent was given in, as its records name it.
        let flow = try await store.consentHistory(tenant: request.tenant, contact: contact).records.last?.flow ?? ""
        let evidence = EvidenceContext(channel: channel, phoneNumberID: "", receivedAt: at)
        let outcome = Mutex<(version: String?, optIn: Bool, closed: Bool)>((nil, false, false))
        let committed = try await store.update(tenant: request.tenant, contact: contact, at: at) {
            session, transaction in
            guard transaction.hasStoredSession else { throw Refusal.unknownContact }
            if session.status == .queued || session.status == .withAgent { throw Refusal.conversationOpen }
            let consent = session.consent
            guard consent.acceptedVersion != nil || consent.optIn else { throw Refusal.nothingToRevoke }
            var changes = ConversationChanges()
            changes.record(
                [
                    .recordRevocation(
                        RevocationEvidence(
                            flow: flow, policyVersion: consent.acceptedVersion ?? "",
                            words: "data request \(request.id)",
                            at: at, messageID: nil))
                ], evidence: evidence)
            session.consent = Session.Consent()
            session.pendingStep = nil
            session.awaitingOptIn = false
            session.optInAsked = nil
            let closing = session.status == .waiting
            if closing {
                session.closeConversation(at: at)
                session.attempts = 0
                changes.log(ConversationEvent.closed, detail: "revoked")
            } else if session.variables.count > 2 {
                // What was collected under the consent counts as not given, as after a revocation in the chat.
                session.variables.removeSubrange(2...)
            }
            outcome.withLock { $0 = (consent.acceptedVersion, consent.optIn, closing) }
            return changes
        }
        let (version, optIn, closed) = outcome.withLock { $0 }
        return DataRequestRevocation(
            request: request, contact: committed.contact, revokedVersion: version, optInWithdrawn: optIn,
            closedConversation: closed)
    }
}

/// What `talkflow data-request revoke` prints and `POST …/data-requests/{id}/revoke` answers.
public struct DataRequestRevocationReport: Encodable, Sendable, Equatable {
    public var dataRequest: DataRequestReport
    public var contact: String
    public var revokedVersion: String?
    public var optInWithdrawn: Bool
    public var conversationClosed: Bool

    enum CodingKeys: String, CodingKey {
        case contact
        case dataRequest = "data_request"
        case revokedVersion = "revoked_version"
        case optInWithdrawn = "opt_in_withdrawn"
        case conversationClosed = "conversation_closed"
    }

    /// The report of `revocation` as it stands at `now`.
    public init(_ revocation: DataRequestRevocation, now: Int64) {
        dataRequest = DataRequestReport(revocation.request, now: now)
        contact = revocation.contact
        revokedVersion = revocation.revokedVersion
        optInWithdrawn = revocation.optInWithdrawn
        conversationClosed = revocation.closedConversation
    }

    /// Encodes `revoked_version` as `null` when absent, so the field is always there.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataRequest, forKey: .dataRequest)
        try c.encode(contact, forKey: .contact)
        try c.encode(revokedVersion, forKey: .revokedVersion)
        try c.encode(optInWithdrawn, forKey: .optInWithdrawn)
        try c.encode(conversationClosed, forKey: .conversationClosed)
    }
}
