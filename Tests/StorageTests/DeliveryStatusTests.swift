import FlowRuntime
import Storage
import Testing

// Delivery statuses from WhatsApp's webhooks arrive at least once and out of order: sent < delivered < read,
// failed terminal, regressions ignored.

@Test func statusOrder() {
    #expect(DeliveryStatus.sent.canMove(to: .delivered))
    #expect(DeliveryStatus.sent.canMove(to: .read))
    #expect(DeliveryStatus.delivered.canMove(to: .read))
    #expect(DeliveryStatus.sent.canMove(to: .failed))
    #expect(DeliveryStatus.delivered.canMove(to: .failed))
    #expect(!DeliveryStatus.read.canMove(to: .delivered))
    #expect(!DeliveryStatus.delivered.canMove(to: .sent))
    #expect(!DeliveryStatus.read.canMove(to: .failed))
    #expect(!DeliveryStatus.failed.canMove(to: .read))
    #expect(!DeliveryStatus.sent.canMove(to: .sent))
}

/// Queues one message for `contact`, has it sent with `wamid` and returns its outbox id.
private func sentMessage(_ store: any ConversationStore, contact: String, wamid: String) async throws -> Int64 {
    let t = Fixtures.monday
    let id = try #require(
        try await store.update(tenant: "t1", contact: contact, at: t) { _, _ in Fixtures.reply("hola") }.outboxIDs.first
    )
    _ = try await store.claimOutbox(now: t, limit: 100, lease: 30)
    try await store.completeOutbox([OutboxResult(id: id, .sent(messageID: wamid), at: t + 1)])
    return id
}

private func status(_ store: any ConversationStore, contact: String, id: Int64) async throws -> (
    DeliveryStatus, Int64?
)? {
    let entry = try await store.thread(tenant: "t1", contact: contact, after: nil, limit: 100).first {
        $0.sequence == id
    }
    if case .outbound(_, _, let status, let at, _) = entry?.content { return (status, at) }
    return nil
}

@Test(arguments: StoreFactory.all)
func statusesOnlyMoveForward(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let id = try await sentMessage(store, contact: "a", wamid: "wamid.1")
    #expect(
        try await store.updateDeliveryStatus(tenant: "t1", messageID: "wamid.1", status: .read, at: t + 5, error: nil))
    // A late `delivered` and a repeated `read` change nothing.
    #expect(
        try await !store.updateDeliveryStatus(
            tenant: "t1", messageID: "wamid.1", status: .delivered, at: t + 6, error: nil))
    #expect(
        try await !store.updateDeliveryStatus(tenant: "t1", messageID: "wamid.1", status: .read, at: t + 7, error: nil))
    #expect(
        try await !store.updateDeliveryStatus(tenant: "t1", messageID: "wamid.1", status: .sent, at: t + 8, error: nil))
    let current = try #require(try await status(store, contact: "a", id: id))
    #expect(current.0 == .read)
    #expect(current.1 == t + 5)
}

@Test(arguments: StoreFactory.all)
func failedIsTerminal(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let id = try await sentMessage(store, contact: "a", wamid: "wamid.2")
    let error = OutboxError(kind: "undeliverable", detail: "131026")
    #expect(
        try await store.updateDeliveryStatus(
            tenant: "t1", messageID: "wamid.2", status: .failed, at: t + 5, error: error))
    #expect(
        try await !store.updateDeliveryStatus(
            tenant: "t1", messageID: "wamid.2", status: .delivered, at: t + 6, error: nil))
    let entry = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 100).first { $0.sequence == id }
    guard case .outbound(_, _, let status, _, let stored) = entry?.content else {
        Issue.record("no outbound line")
        return
    }
    #expect(status == .failed)
    #expect(stored == error)
}

@Test(arguments: StoreFactory.all)
func statusBeforeTheSendersReportIsAppliedWhenItComes(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let id = try #require(
        try await store.update(tenant: "t1", contact: "a", at: t) { _, _ in Fixtures.reply("hola") }.outboxIDs.first)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    // The webhook outruns the sender's report.
    #expect(
        try await !store.updateDeliveryStatus(
            tenant: "t1", messageID: "wamid.fast", status: .delivered, at: t + 1, error: nil))
    try await store.completeOutbox([OutboxResult(id: id, .sent(messageID: "wamid.fast"), at: t + 2)])
    #expect(try await status(store, contact: "a", id: id)?.0 == .delivered)
}
