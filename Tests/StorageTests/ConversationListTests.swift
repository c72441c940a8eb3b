import FlowRuntime
import Storage
import Testing

// Listing conversations for the agent API (by agent, status and date), timers due after a restart, and
// retention.

/// Saves a session with the given facts.
private func save(
    _ store: any ConversationStore, _ contact: String, status: Session.Status, agent: String? = nil, started: Int64,
    deadline: Int64? = nil
) async throws {
    try await store.update(tenant: "t1", contact: contact, at: started) { session, _ in
        session.status = status
        session.agent = agent
        session.startedAt = started
        session.inactivityDeadline = deadline
        return ConversationChanges(flow: "prueba", stateName: "menu")
    }
}

@Test(arguments: StoreFactory.all)
func listsConversationsByAgentStatusAndDate(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    try await save(store, "c1", status: .withAgent, agent: "ana", started: t)
    try await save(store, "c2", status: .withAgent, agent: "bruno", started: t + 100)
    try await save(store, "c3", status: .waiting, started: t + 200)
    try await save(store, "c4", status: .closed, started: t + 300)

    let all = try await store.conversations(tenant: "t1", filter: ConversationFilter())
    #expect(all.map(\.contact) == ["c4", "c3", "c2", "c1"])
    #expect(all.first?.status == .closed)
    #expect(all.first?.flow == "prueba")
    #expect(all.first?.state == "menu")
    let ana = try await store.conversations(tenant: "t1", filter: ConversationFilter(agent: "ana"))
    #expect(ana.map(\.contact) == ["c1"])
    let open = try await store.conversations(
        tenant: "t1", filter: ConversationFilter(statuses: [.waiting, .withAgent]))
    #expect(open.map(\.contact) == ["c3", "c2", "c1"])
    let window = try await store.conversations(
        tenant: "t1", filter: ConversationFilter(startedFrom: t + 100, startedBefore: t + 300))
    #expect(window.map(\.contact) == ["c3", "c2"])
    let page = try await store.conversations(tenant: "t1", filter: ConversationFilter(limit: 2, offset: 1))
    #expect(page.map(\.contact) == ["c3", "c2"])
}

@Test(arguments: StoreFactory.all)
func dueTimersAreOnlyThoseOfWaitingSessions(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    try await save(store, "c1", status: .waiting, started: t, deadline: t + 1800)
    try await save(store, "c2", status: .waiting, started: t, deadline: t + 600)
    try await save(store, "c3", status: .queued, started: t, deadline: t + 60)
    #expect(try await store.dueInactivityTimers(now: t + 599, limit: 10).isEmpty)
    #expect(try await store.dueInactivityTimers(now: t + 1800, limit: 10).map(\.contact) == ["c2", "c1"])
    #expect(try await store.dueInactivityTimers(now: t + 1800, limit: 1).map(\.deadline) == [t + 600])
}

@Test(arguments: StoreFactory.all)
func retentionPurgesOldLinesButNotTheOutboxOrTheLedger(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    try await store.handleInbound(tenant: "t1", contact: "c", messageID: "w1", receivedAt: t) { _, _ in
        var changes = Fixtures.reply("hola")
        changes.ledger.append(Fixtures.entry(.consent(Fixtures.consent())))
        return changes
    }
    // Of the three lines (inbound, step, pending message) the pending message stays until it is sent.
    #expect(try await store.purgeConversationLog(tenant: "t1", before: t + 1) == 2)
    #expect(try await store.outboxDepth() == 1)
    #expect(try await store.thread(tenant: "t1", contact: "c", after: nil, limit: 10).count == 1)
    #expect(try await store.consentHistory(tenant: "t1", contact: "c").records.count == 1)
    #expect(try await store.purgeProcessedMessageIDs(before: t) == 0)
    #expect(try await store.purgeProcessedMessageIDs(before: t + 1) == 1)
    #expect(try await store.wasProcessed(tenant: "t1", messageID: "w1") == false)
}
