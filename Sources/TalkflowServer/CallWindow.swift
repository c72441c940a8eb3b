import FlowRuntime
import Logging
import Storage
import WhatsAppCloud

/// Renews a conversation's 24-hour window when its contact calls the business's number: Meta opens or renews
/// the window on a call as on a message ("When a WhatsApp user messages you or calls you, a 24-hour timer
/// called a customer service window starts"), so an agent may answer in writing after it. A call is no message:
/// nothing is stepped, logged in the thread or answered, and a caller with no conversation gets none.
struct CallWindow: Sendable {
    let store: any ConversationStore
    let pseudonyms: ConversationPseudonyms
    let clock: @Sendable () -> Int64

    /// Thrown inside the transaction for a caller without a conversation: nothing is written.
    struct NoConversation: Error {}

    func renew(tenant: Tenant, call: CallStarted, logger: Logger) async throws {
        let receivedAt = clock()
        // The window counts from the call, never from a later redelivery of its webhook.
        let at = min(receivedAt, call.timestamp)
        do {
            let committed = try await store.update(tenant: tenant.id, contact: call.caller, at: receivedAt) {
                session, _ in
                guard session.status != .new else { throw NoConversation() }
                session.lastContactMessageAt = max(session.lastContactMessageAt ?? at, at)
                return ConversationChanges()
            }
            let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
            logger.debug("contact called; the 24-hour window is renewed", metadata: ["conversation": "\(conversation)"])
        } catch is NoConversation {
            logger.debug("a contact without a conversation called; nothing to renew")
        }
    }
}
