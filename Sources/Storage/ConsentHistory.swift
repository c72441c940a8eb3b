/// A contact's whole consent and revocation history with one tenant, with the texts shown: the proof a
/// Titular may demand (L. 1581 art. 8(b), art. 12 par.; habeas-data checklist item 5). JSON-encodable as
/// `talkflow consent export` prints it.
public struct ConsentHistory: Codable, Sendable, Hashable {
    /// The tenant whose ledger this is.
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`).
    public var contact: String
    /// Where the contact stands now, derived from `records`.
    public var current: ContactConsent
    /// Every record, in ledger order.
    public var records: [ConsentRecord]
    /// The tenant has an open claim (reclamo) about the contact: the data are flagged "reclamo en trámite" (Ley
    /// 1581 art. 15.2) until it is answered, and whoever reads this history sees so.
    public var claimInProgress: Bool

    enum CodingKeys: String, CodingKey {
        case tenant, contact, current, records
        case claimInProgress = "claim_in_progress"
    }

    /// A history of `records` (in ledger order), with the current consent derived from them.
    public init(tenant: String, contact: String, records: [ConsentRecord], claimInProgress: Bool = false) {
        self.tenant = tenant
        self.contact = contact
        self.current = ContactConsent(records: records)
        self.records = records
        self.claimInProgress = claimInProgress
    }

    /// Reads a history; one written before the flag existed has none in progress.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decode(String.self, forKey: .tenant)
        contact = try c.decode(String.self, forKey: .contact)
        current = try c.decode(ContactConsent.self, forKey: .current)
        records = try c.decode([ConsentRecord].self, forKey: .records)
        claimInProgress = try c.decodeIfPresent(Bool.self, forKey: .claimInProgress) ?? false
    }
}
