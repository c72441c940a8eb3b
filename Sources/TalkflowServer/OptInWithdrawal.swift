import Logging
import Storage

/// Withdraws a contact's opt-in to promotions when WhatsApp says they stopped the business's marketing messages
/// (the `user_preferences` webhook, or a message that failed with 131050): recorded in the consent ledger as
/// `opt_in_withdrawn`, in one transaction deduplicated by the contact, the time and the cause, through the
/// interpreter's `marketingStopped` event. Nothing happens for a contact who had not opted in.
struct OptInWithdrawal: Sendable {
    let store: any ConversationStore
    let pseudonyms: ConversationPseudonyms
    let clock: @Sendable () -> Int64

    func withdraw(tenant: Tenant, contact: String, at timestamp: Int64, because cause: String, logger: Logger)
        async throws
    {
        guard try await store.consentState(tenant: tenant.id, contact: contact).optIn else {
            logger.debug(
                "marketing messages stopped by a contact who had not opted in; nothing to withdraw",
                metadata: ["cause": "\(cause)"])
            return
        }
        let receivedAt = clock()
        let stepper = InboundProcessor.stepper(tenant, receivedAt: receivedAt, requests: [], whatsAppTime: timestamp)
        let committed = try await store.handleInbound(
            tenant: tenant.id, contact: contact, aliases: [], messageID: "\(cause).\(contact).\(timestamp)",
            receivedAt: receivedAt
        ) { session, transaction in
            var changes = ConversationChanges(inboundKind: cause, inboundTimestamp: timestamp)
            try stepper.step(
                .marketingStopped, at: receivedAt, session: &session, transaction: transaction, into: &changes)
            return changes
        }
        guard let committed else { return }
        let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
        logger.info(
            "contact stopped marketing messages in WhatsApp; opt-in withdrawn",
            metadata: ["conversation": "\(conversation)", "cause": "\(cause)"])
    }
}
