import Crypto
import Foundation
import Storage
import Synchronization

/// The pseudonymous id of a conversation, for logs and the agent API: the first 8 bytes, in hex, of
/// HMAC-SHA256 over the tenant and the contact with the store's key (`PseudonymKeyStore`).
///
/// A log line about a conversation must say which one without the contact's phone number (personal data,
/// never logged at info level). A plain hash of a phone number is undone by trying every number; a keyed one
/// needs the key, which lives in the database beside the numbers it would reveal. The id is stable across
/// restarts, the same for every line about the conversation, and different for the same number in two tenants.
public final class ConversationPseudonyms: Sendable {
    private let store: any PseudonymKeyStore
    private let key = Mutex<SymmetricKey?>(nil)

    public init(store: any PseudonymKeyStore) {
        self.store = store
    }

    /// The id of `contact`'s conversation with `tenant`, 16 lowercase hex digits. Reads the key from the store
    /// the first time; if the store cannot give it, returns `unavailable` (a log line is never worth failing a
    /// message for) and tries again next time.
    public func id(tenant: String, contact: String) async -> String {
        if let key = key.withLock({ $0 }) { return Self.id(tenant: tenant, contact: contact, key: key) }
        guard let bytes = try? await store.pseudonymKey() else { return "unavailable" }
        let loaded = SymmetricKey(data: bytes)
        key.withLock { $0 = loaded }
        return Self.id(tenant: tenant, contact: contact, key: loaded)
    }

    /// The id with a given key.
    static func id(tenant: String, contact: String, key: SymmetricKey) -> String {
        var message = Array(tenant.utf8)
        // A separator that neither a tenant id nor a WhatsApp id contains, so that no two pairs share a message.
        message.append(0)
        message += contact.utf8
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return SecretComparison.hex(Array(code.prefix(8)))
    }
}
