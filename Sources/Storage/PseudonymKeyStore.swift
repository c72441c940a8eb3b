/// The installation's secret for pseudonymous conversation ids.
///
/// Logs and the agent API name a conversation by an id that is not the contact's phone number (which is
/// personal data): a keyed hash of the tenant and the contact. The key is made at random with the store and
/// never changes, so a conversation keeps its id across restarts, while the id cannot be turned back into a
/// phone number without the database (which holds the number anyway).
public protocol PseudonymKeyStore: Sendable {
    /// The key: 32 random bytes, made when the store was created (or migrated), the same on every call.
    func pseudonymKey() async throws -> [UInt8]
}
