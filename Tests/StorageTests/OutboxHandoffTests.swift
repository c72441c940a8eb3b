import FlowRuntime
import Storage
import Synchronization
import Testing

// The outbox's hand-off to a sender in the same process (issue 5, items 6 and 10): messages are claimed as
// they are committed and handed over in order, so the hot path needs no claiming query; whatever cannot be
// handed over waits for `claimOutbox` as before.

/// Records what the store hands over, in order; its clock is what the test sets.
private final class RecordingHandoff: OutboxHandoff {
    let received = Mutex<[[OutboxMessage]]>([])
    let clock = Mutex<Int64>(Fixtures.monday)
    var now: Int64 { clock.withLock { $0 } }
    func take(_ messages: [OutboxMessage]) { received.withLock { $0.append(messages) } }
    var ids: [[Int64]] { received.withLock { $0.map { $0.map(\.id) } } }
    func set(_ time: Int64) { clock.withLock { $0 = time } }
}

/// Queues `messages` for `contact` in one conversation step.
private func queue(
    _ store: any ConversationStore, _ contact: String, _ messages: [QueuedMessage], at: Int64
) async throws -> CommittedChanges {
    try await store.update(tenant: "t1", contact: contact, at: at) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        for message in messages { changes.lines.append(.message(message)) }
        return changes
    }
}

/// A store in a fresh folder with a recording sender attached (claims leased for 30 s).
private func attached(_ factory: StoreFactory) throws -> (TestFolder, any ConversationStore, RecordingHandoff) {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let handoff = RecordingHandoff()
    store.attachSender(handoff, lease: 30)
    return (folder, store, handoff)
}

private func texts(_ texts: String...) -> [QueuedMessage] { texts.map { QueuedMessage(.text($0)) } }

@Test(arguments: StoreFactory.all)
func queuedMessagesAreClaimedAndHandedOverInOrderWithTheirCommit(factory: StoreFactory) async throws {
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday

    let a = try await queue(store, "a", texts("a1", "a2"), at: t)
    #expect(a.handedOffIDs == a.outboxIDs)
    #expect(!a.hasWaitingMessages)
    #expect(handoff.ids == [a.outboxIDs])
    let handed = handoff.received.withLock { $0[0] }
    #expect(handed.map(\.message) == [.text("a1"), .text("a2")])
    #expect(handed.map(\.attempts) == [1, 1])
    #expect(handed.map(\.leaseUntil) == [t + 30, t + 30])
    // Claimed: no poll takes them while the lease runs, and they count in the depth until reported.
    #expect(try await store.claimOutbox(now: t + 29, limit: 10, lease: 30).isEmpty)
    #expect(try await store.outboxDepth() == 2)

    try await store.completeOutbox([
        OutboxResult(id: a.outboxIDs[0], .sent(messageID: "wamid.a1"), at: t + 1),
        OutboxResult(id: a.outboxIDs[1], .sent(messageID: "wamid.a2"), at: t + 1),
    ])
    #expect(try await store.outboxDepth() == 0)
    // Nothing more to hand over.
    #expect(handoff.ids.count == 1)
}

@Test(arguments: StoreFactory.all)
func messagesBehindAnUnfinishedOneWaitAndAreHandedOverWhenItIsSent(factory: StoreFactory) async throws {
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday

    let first = try await queue(store, "a", texts("a1"), at: t)
    let second = try await queue(store, "a", texts("a2", "a3"), at: t)
    // a1 is still being sent: a2 and a3 are pending, not handed over, and no poll may take them yet; nobody
    // needs to claim them now (finishing a1 does).
    #expect(second.handedOffIDs.isEmpty)
    #expect(second.followsMessageInFlight)
    #expect(!second.hasWaitingMessages)
    #expect(handoff.ids == [first.outboxIDs])
    #expect(try await store.claimOutbox(now: t, limit: 10, lease: 30).isEmpty)

    // Sending a1 claims a2 and a3 with the same commit, in order, leased from the sender's clock.
    handoff.set(t + 1)
    try await store.completeOutbox([OutboxResult(id: first.outboxIDs[0], .sent(messageID: "wamid.a1"), at: t + 1)])
    #expect(handoff.ids == [first.outboxIDs, second.outboxIDs])
    #expect(handoff.received.withLock { $0[1].map(\.leaseUntil) } == [t + 31, t + 31])
    #expect(try await store.claimOutbox(now: t + 1, limit: 10, lease: 30).isEmpty)
}

@Test(arguments: StoreFactory.all)
func aRetryClaimsNothingBehindItAndAReleaseGivesTheClaimBack(factory: StoreFactory) async throws {
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday

    let a = try await queue(store, "a", texts("a1", "a2"), at: t)
    // a1 must be retried at t + 5; the sender gives a2 back, unattempted.
    try await store.completeOutbox([
        OutboxResult(id: a.outboxIDs[0], .retry(at: t + 5, OutboxError(kind: "rate_limited")), at: t + 1),
        OutboxResult(id: a.outboxIDs[1], .released, at: t + 1),
    ])
    #expect(handoff.ids.count == 1)
    // A message queued now waits behind a pending one, not one in flight: it needs a claim (the worker's poll
    // wakes for it), no completion will hand it over.
    let b = try await queue(store, "a", texts("a3"), at: t + 2)
    #expect(b.handedOffIDs.isEmpty && !b.followsMessageInFlight && b.hasWaitingMessages)
    // a2 does not overtake a1: nothing is ready before t + 5, then a1 alone.
    #expect(try await store.claimOutbox(now: t + 4, limit: 10, lease: 30).isEmpty)
    let retried = try await store.claimOutbox(now: t + 5, limit: 10, lease: 30)
    #expect(retried.map(\.id) == [a.outboxIDs[0]])
    #expect(retried.map(\.attempts) == [2])
    // Sending a1 hands a2 (its released claim not counted as an attempt) and a3 over.
    handoff.set(t + 6)
    try await store.completeOutbox([OutboxResult(id: a.outboxIDs[0], .sent(messageID: "wamid.a1"), at: t + 6)])
    let last = try #require(handoff.received.withLock { $0.last })
    #expect(last.map(\.id) == [a.outboxIDs[1], b.outboxIDs[0]])
    #expect(last.map(\.attempts) == [1, 1])
}

@Test(arguments: StoreFactory.all)
func aScheduledMessageAndThoseAfterItWaitForAPoll(factory: StoreFactory) async throws {
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday

    let a = try await queue(
        store, "a",
        [QueuedMessage(.text("now")), QueuedMessage(.text("later"), notBefore: t + 60), QueuedMessage(.text("after"))],
        at: t)
    #expect(a.handedOffIDs == [a.outboxIDs[0]])
    try await store.completeOutbox([OutboxResult(id: a.outboxIDs[0], .sent(messageID: "wamid.now"), at: t + 1)])
    // "later" is not due, so nothing is handed over, and "after" waits behind it.
    #expect(handoff.ids == [[a.outboxIDs[0]]])
    #expect(try await store.claimOutbox(now: t + 59, limit: 10, lease: 30).isEmpty)
    #expect(try await store.claimOutbox(now: t + 60, limit: 10, lease: 30).map(\.id) == [a.outboxIDs[1]])
}

@Test(arguments: StoreFactory.all)
func leasesRunFromTheSendersClockNotTheStepsTime(factory: StoreFactory) async throws {
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday
    // An inactivity timer that came due an hour ago steps at its deadline; its goodbye is claimed from now.
    handoff.set(t + 3600)
    let goodbye = try await queue(store, "a", texts("adiós"), at: t)
    #expect(handoff.received.withLock { $0[0].map(\.leaseUntil) } == [t + 3630])
    #expect(try await store.claimOutbox(now: t + 3629, limit: 10, lease: 30).isEmpty)
    #expect(try await store.claimOutbox(now: t + 3630, limit: 10, lease: 30).map(\.id) == goodbye.outboxIDs)
}

@Test(arguments: StoreFactory.all)
func withoutASenderEverythingWaitsForAClaim(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let handoff = RecordingHandoff()
    store.attachSender(handoff, lease: 30)
    store.attachSender(nil, lease: 30)
    let t = Fixtures.monday

    let a = try await queue(store, "a", texts("a1"), at: t)
    #expect(a.handedOffIDs.isEmpty)
    #expect(handoff.ids.isEmpty)
    #expect(try await store.claimOutbox(now: t, limit: 10, lease: 30).map(\.id) == a.outboxIDs)
}

@Test(arguments: StoreFactory.all)
func aFailedStepHandsNothingOver(factory: StoreFactory) async throws {
    struct Refused: Error {}
    let (folder, store, handoff) = try attached(factory)
    defer { withExtendedLifetime(folder) {} }
    let t = Fixtures.monday

    await #expect(throws: Refused.self) {
        try await store.update(tenant: "t1", contact: "a", at: t) { _, _ in
            throw Refused()
        }
    }
    #expect(handoff.ids.isEmpty)
    #expect(try await store.outboxDepth() == 0)
}
