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

    /// A history of `records` (in ledger order), with the current consent derived from them.
    public init(tenant: String, contact: String, records: [ConsentRecord]) {
        self.tenant = tenant
        self.contact = contact
        self.current = ContactConsent(records: records)
        self.records = records
    }
}
