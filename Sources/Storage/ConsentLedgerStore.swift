/// The consent ledger: append-only records of consent decisions and revocations, with the exact texts shown
/// kept content-addressed (habeas-data checklist items 4, 5 and 15). No call updates or deletes a record; the
/// SQLite store also refuses such statements from any client with triggers. A contact's current consent is
/// derived from the records, never stored apart.
public protocol ConsentLedgerStore: Sendable {
    /// Appends records for the contact outside a conversation step (an admin's revocation, an import), in
    /// order; returns their sequence numbers. Records from a step go through `ConversationStore` instead.
    @discardableResult
    func appendConsent(tenant: String, contact: String, _ entries: [LedgerEntry]) async throws -> [Int64]

    /// The contact's consent as it stands (the latest record wins).
    func consentState(tenant: String, contact: String) async throws -> ContactConsent

    /// The contact's whole history with the tenant, with the texts shown: the consent export.
    func consentHistory(tenant: String, contact: String) async throws -> ConsentHistory

    /// The tenants that hold ledger records about the contact, sorted: for an operator's export across
    /// tenants (`talkflow consent export` without `--tenant`). Never used on a tenant's behalf.
    func consentTenants(contact: String) async throws -> [String]
}
