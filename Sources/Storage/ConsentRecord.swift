/// One record of the consent ledger as stored and exported: the interpreter's evidence, what the driver added
/// and what the store added, with the exact texts shown (habeas-data checklist items 4 and 5). Records are
/// never updated: a revocation or a new decision is a new record with a higher `sequence`.
public struct ConsentRecord: Codable, Sendable, Hashable {
    /// `consent` (a decision: accepted, declined or an opt-in answer) or `revocation`.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A decision at a consent step or its opt-in question.
        case consent
        /// The contact revoked their consent.
        case revocation
    }

    /// The ledger's sequence number: the order of records, across contacts and tenants.
    public var sequence: Int64
    /// A decision or a revocation.
    public var kind: Kind
    /// The tenant (the Responsable's account in talkflow).
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`, the phone number in international form).
    public var contact: String
    /// The channel the decision came through (`whatsapp_cloud`).
    public var channel: String
    /// The business phone number id the contact wrote to.
    public var phoneNumberID: String
    /// The flow that asked.
    public var flow: String
    /// The version of that flow: the lower-case hex SHA-256 of the flow file's bytes as the server loaded it
    /// (`sha256sum flow.yaml`); `nil` when the decision was recorded by a driver that did not know the file,
    /// or before the column existed.
    public var flowVersion: String?
    /// The consent step id; `nil` for a revocation and for an opt-in withdrawn (no step asked).
    public var step: String?
    /// The policy version decided on (for a revocation: the version the contact had accepted, or the current
    /// one when none).
    public var policyVersion: String
    /// The policy's URL as shown; `nil` for a revocation.
    public var policyURL: String?
    /// `accepted`, `declined`, `opt_in_accepted`, `opt_in_declined` or `opt_in_withdrawn` (the contact stopped the
    /// business's marketing messages in WhatsApp, or with a template's opt-out button: then `replyMessageID` is
    /// their message); `revoked` for a revocation.
    public var choice: String
    /// The exact texts shown, in order (the consent text, then each button label); empty for a revocation.
    public var shownTexts: [String]
    /// The lower-case hex SHA-256 of `shownTexts` joined by a line feed, as the interpreter computed it.
    public var textSHA256: String?
    /// Whether `textSHA256` is the hash of `shownTexts` as stored: a check anyone can repeat
    /// (`printf '%s\n%s\n%s' … | sha256sum`).
    public var textsMatchHash: Bool
    /// The purpose ids the decision accepted.
    public var purposesAccepted: [String]
    /// The purpose ids the decision declined.
    public var purposesDeclined: [String]
    /// Whether it was a sensitive-data consent (habeas-data checklist item 11).
    public var sensitive: Bool
    /// The flow's language.
    public var language: String?
    /// When the contact answered (WhatsApp's time, as the interpreter's event had it), Unix seconds.
    public var at: Int64
    /// When the server received it, Unix seconds (UTC).
    public var receivedAt: Int64
    /// The time WhatsApp gave the contact's message (its webhook `timestamp`), Unix seconds; `nil` when the
    /// decision did not come through WhatsApp (the simulator) or was recorded before the column existed.
    public var whatsAppTimestamp: Int64?
    /// The `wamid` of the contact's answer (or of the revoking message).
    public var replyMessageID: String?
    /// The `wamid`s of the messages that asked: those known when the record was written, then those whose
    /// send was reported afterwards (empty while none is known).
    public var requestMessageIDs: [String]
    /// The messages that asked, each with its outbox id and where its send stood (empty for a revocation, an
    /// opt-in withdrawn, and a decision whose request the store did not find).
    public var requestMessages: [ConsentRequestMessage]
    /// What the contact wrote to revoke, as written; `nil` for a consent decision.
    public var words: String?

    enum CodingKeys: String, CodingKey {
        case sequence, kind, tenant, contact, channel, flow, step, choice, sensitive, language, at, words
        case phoneNumberID = "phone_number_id"
        case flowVersion = "flow_version"
        case policyVersion = "policy_version"
        case policyURL = "policy_url"
        case shownTexts = "shown_texts"
        case textSHA256 = "text_sha256"
        case textsMatchHash = "texts_match_hash"
        case purposesAccepted = "purposes_accepted"
        case purposesDeclined = "purposes_declined"
        case receivedAt = "received_at"
        case whatsAppTimestamp = "wa_timestamp"
        case replyMessageID = "reply_message_id"
        case requestMessageIDs = "request_message_ids"
        case requestMessages = "request_messages"
    }

    /// Encodes every key, absent values as `null`, so that an export always has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(kind, forKey: .kind)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(contact, forKey: .contact)
        try c.encode(channel, forKey: .channel)
        try c.encode(phoneNumberID, forKey: .phoneNumberID)
        try c.encode(flow, forKey: .flow)
        try c.encode(flowVersion, forKey: .flowVersion)
        try c.encode(step, forKey: .step)
        try c.encode(policyVersion, forKey: .policyVersion)
        try c.encode(policyURL, forKey: .policyURL)
        try c.encode(choice, forKey: .choice)
        try c.encode(shownTexts, forKey: .shownTexts)
        try c.encode(textSHA256, forKey: .textSHA256)
        try c.encode(textsMatchHash, forKey: .textsMatchHash)
        try c.encode(purposesAccepted, forKey: .purposesAccepted)
        try c.encode(purposesDeclined, forKey: .purposesDeclined)
        try c.encode(sensitive, forKey: .sensitive)
        try c.encode(language, forKey: .language)
        try c.encode(at, forKey: .at)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(whatsAppTimestamp, forKey: .whatsAppTimestamp)
        try c.encode(replyMessageID, forKey: .replyMessageID)
        try c.encode(requestMessageIDs, forKey: .requestMessageIDs)
        try c.encode(requestMessages, forKey: .requestMessages)
        try c.encode(words, forKey: .words)
    }

    /// A record as stored; stores build it, callers read it.
    public init(
        sequence: Int64, kind: Kind, tenant: String, contact: String, channel: String, phoneNumberID: String,
        flow: String, step: String?, policyVersion: String, policyURL: String?, choice: String,
        shownTexts: [String], textSHA256: String?, textsMatchHash: Bool, purposesAccepted: [String],
        purposesDeclined: [String], sensitive: Bool, language: String?, at: Int64, receivedAt: Int64,
        replyMessageID: String?, requestMessageIDs: [String], words: String?, whatsAppTimestamp: Int64? = nil,
        flowVersion: String? = nil, requestMessages: [ConsentRequestMessage] = []
    ) {
        self.requestMessages = requestMessages
        self.whatsAppTimestamp = whatsAppTimestamp
        self.flowVersion = flowVersion
        self.sequence = sequence
        self.kind = kind
        self.tenant = tenant
        self.contact = contact
        self.channel = channel
        self.phoneNumberID = phoneNumberID
        self.flow = flow
        self.step = step
        self.policyVersion = policyVersion
        self.policyURL = policyURL
        self.choice = choice
        self.shownTexts = shownTexts
        self.textSHA256 = textSHA256
        self.textsMatchHash = textsMatchHash
        self.purposesAccepted = purposesAccepted
        self.purposesDeclined = purposesDeclined
        self.sensitive = sensitive
        self.language = language
        self.at = at
        self.receivedAt = receivedAt
        self.replyMessageID = replyMessageID
        self.requestMessageIDs = requestMessageIDs
        self.words = words
    }
}
