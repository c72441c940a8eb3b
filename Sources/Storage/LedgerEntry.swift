import FlowRuntime

/// A consent decision or revocation to append to the ledger, as the driver hands it over: the interpreter's
/// evidence plus what only the driver knows (habeas-data checklist item 4). The store adds the tenant, the
/// contact's `wa_id` and a sequence number, keeps each shown text content-addressed, and never changes the
/// record afterwards.
public struct LedgerEntry: Sendable, Hashable {
    /// The interpreter's evidence: a consent decision (accept, decline, opt-in answer) or a revocation.
    public enum Evidence: Sendable, Hashable {
        /// A decision at a consent step or its opt-in question.
        case consent(ConsentEvidence)
        /// A revocation.
        case revocation(RevocationEvidence)
    }

    /// The interpreter's evidence.
    public var evidence: Evidence
    /// The channel the decision came through (`whatsapp_cloud`, `simulated`).
    public var channel: String
    /// The business phone number id (WhatsApp's `phone_number_id`) the contact wrote to.
    public var phoneNumberID: String
    /// When the server received the contact's message, Unix seconds (UTC).
    public var receivedAt: Int64
    /// The message's own WhatsApp timestamp, when it came through WhatsApp.
    public var whatsAppTimestamp: Int64?
    /// The `wamid`s of the messages that asked for the decision. `nil` lets the store find them: the latest
    /// sent message to the contact whose buttons carry the step's accept id (for a consent decision).
    public var requestMessageIDs: [String]?
    /// The version of the flow that stepped the conversation: the SHA-256 of its file (`CompiledFlow.version`).
    public var flowVersion: String?

    /// An entry from the evidence and what the driver knows.
    public init(
        _ evidence: Evidence, channel: String, phoneNumberID: String, receivedAt: Int64,
        requestMessageIDs: [String]? = nil, whatsAppTimestamp: Int64? = nil, flowVersion: String? = nil
    ) {
        self.whatsAppTimestamp = whatsAppTimestamp
        self.flowVersion = flowVersion
        self.evidence = evidence
        self.channel = channel
        self.phoneNumberID = phoneNumberID
        self.receivedAt = receivedAt
        self.requestMessageIDs = requestMessageIDs
    }
}
