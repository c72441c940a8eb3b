import Logging
import Storage

/// Withdraws a contact's opt-in to promotions when WhatsApp says they stopped the business's marketing messages
/// (the `user_preferences` webhook, or a message that failed with 131050), through the interpreter's
/// `marketingStopped` event: recorded in the consent ledger as `opt_in_withdrawn`. It is not a message of the
/// contact's: the thread gets the consent event, no inbound message. Safe to repeat: a contact without the opt-in is left
/// alone, and so is an opt-in given after the time the notice reports (a late or redelivered notice). A notice
/// dated by WhatsApp is compared with the opt-in's WhatsApp time (its message's `timestamp`), the only clock both
/// share: an opt-in whose webhook reached the server late is not dated by its late receipt.
struct OptInWithdrawal: Sendable {
    let store: any ConversationStore
    let pseudonyms: ConversationPseudonyms
    let clock: @Sendable () -> Int64

    /// `timestamp` is WhatsApp's time of the notice (a webhook's `timestamp`) when `whatsAppTime`, else the
    /// server's (a send Meta refused just now).
    func withdraw(
        tenant: Tenant, contact: String, at timestamp: Int64, whatsAppTime: Bool, because cause: String,
        logger: Logger
    ) async throws {
        // The history follows a phone number to a conversation first known by its business-scoped user id.
        let records = try await store.consentHistory(tenant: tenant.id, contact: contact).records
        guard ContactConsent(records: records).optIn, let key = records.last?.contact else {
            logger.debug(
                "marketing messages stopped by a contact who had not opted in; nothing to withdraw",
                metadata: ["cause": "\(cause)"])
            return
        }
        let optedIn = records.last { $0.choice == "opt_in_accepted" }
        if let optedIn, (whatsAppTime ? optedIn.whatsAppTimestamp ?? optedIn.at : optedIn.at) > timestamp {
            logger.debug(
                "marketing messages stopped before the contact's latest opt-in; it stands",
                metadata: ["cause": "\(cause)"])
            return
        }
        let receivedAt = clock()
        let stepper = ConversationStepper(tenant, receivedAt: receivedAt, requests: [], whatsAppTime: timestamp)
        let committed = try await store.update(tenant: tenant.id, contact: key, at: receivedAt) {
            session, transaction in
            var changes = ConversationChanges()
            try stepper.step(
                .marketingStopped(optInVersion: optedIn?.policyVersion), at: receivedAt, session: &session,
                transaction: transaction, into: &changes)
            return changes
        }
        let conversation = await pseudonyms.id(tenant: tenant.id, contact: committed.contact)
        logger.info(
            "contact stopped marketing messages in WhatsApp; opt-in withdrawn",
            metadata: ["conversation": "\(conversation)", "cause": "\(cause)"])
    }
}
