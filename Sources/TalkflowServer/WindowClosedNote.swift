import FlowRuntime
import Storage

extension ConversationStore {
    /// Notes on the contact's conversation that Meta refused a message because the 24-hour window had closed
    /// (code 131047, from a send or a status webhook): a `window_closed` log line with detail `graph_api`, in
    /// its own transaction. The session is saved unchanged.
    func recordWindowClosed(tenant: Tenant, contact: String, at: Int64) async throws {
        let stepper = ConversationStepper(
            flow: tenant.flow,
            evidence: EvidenceContext(
                channel: InboundProcessor.channel, phoneNumberID: tenant.config.phoneNumberID, receivedAt: at))
        try await update(tenant: tenant.id, contact: contact, at: at) { session, _ in
            var changes = ConversationChanges()
            stepper.describe(session, in: &changes)
            changes.log(ConversationEvent.windowClosed, detail: "graph_api")
            return changes
        }
    }
}
