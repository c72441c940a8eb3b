import FlowRuntime
import Storage
import Testing

// One tenant's data can never be read or changed through another tenant's calls (issue 5, item 4).

@Test(arguments: StoreFactory.all)
func tenantBNeverSeesOrChangesTenantARows(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    // Tenant A: a session, log lines, an outbound message sent, ledger records, a processed message id.
    let committed = try await store.handleInbound(tenant: "A", contact: "573001", messageID: "wamid.x", receivedAt: t) {
        session, _ in
        session.status = .withAgent
        session.agent = "ana"
        session.startedAt = t
        var changes = Fixtures.reply("hola")
        changes.ledger.append(Fixtures.entry(.consent(Fixtures.consent())))
        return changes
    }
    let id = try #require(committed?.outboxIDs.first)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.completeOutbox([OutboxResult(id: id, .sent(messageID: "wamid.out"), at: t)])

    // Tenant B, same contact and ids.
    #expect(try await store.session(tenant: "B", contact: "573001") == nil)
    #expect(try await store.conversations(tenant: "B", filter: ConversationFilter()).isEmpty)
    #expect(try await store.conversations(tenant: "B", filter: ConversationFilter(agent: "ana")).isEmpty)
    #expect(try await store.thread(tenant: "B", contact: "573001", after: nil, limit: 100).isEmpty)
    #expect(try await store.consentHistory(tenant: "B", contact: "573001").records.isEmpty)
    #expect(try await store.consentState(tenant: "B", contact: "573001") == ContactConsent())
    #expect(try await store.wasProcessed(tenant: "B", messageID: "wamid.x") == false)
    #expect(
        try await !store.updateDeliveryStatus(tenant: "B", messageID: "wamid.out", status: .read, at: t, error: nil))
    #expect(try await store.purgeConversationLog(tenant: "B", before: t + 1_000_000) == 0)

    // B's own message with A's message id is processed (ids are per tenant), and its session starts afresh:
    // A's consent does not leak into it.
    let b = try await store.handleInbound(tenant: "B", contact: "573001", messageID: "wamid.x", receivedAt: t) {
        session, _ in
        #expect(session.status == .new)
        #expect(session.consent.acceptedVersion == nil)
        return ConversationChanges()
    }
    #expect(b != nil)

    // A's rows are as they were.
    #expect(try await store.session(tenant: "A", contact: "573001")?.agent == "ana")
    let thread = try await store.thread(tenant: "A", contact: "573001", after: nil, limit: 100)
    let outbound = thread.compactMap { entry -> DeliveryStatus? in
        if case .outbound(_, _, let status, _, _) = entry.content { return status }
        return nil
    }
    #expect(outbound == [.sent])
    #expect(try await store.consentHistory(tenant: "A", contact: "573001").records.count == 1)
    #expect(try await store.consentTenants(contact: "573001") == ["A"])
}
