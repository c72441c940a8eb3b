import FlowRuntime
import Testing

@testable import Storage

// The outbox (issue 5, item 6): messages queued with the session, claimed in order per conversation, marked
// sent with their wamid or failed, retried after a backoff, and never lost when a sender dies.

/// Queues `texts` for `contact` in one conversation step.
private func queue(_ store: any ConversationStore, _ contact: String, _ texts: [String], at: Int64) async throws
    -> [Int64]
{
    try await store.update(tenant: "t1", contact: contact, at: at) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        for text in texts { changes.send(.text(text)) }
        return changes
    }.outboxIDs
}

/// The status of each outbound message in the contact's log, in order.
private func statuses(_ store: any ConversationStore, _ contact: String) async throws -> [DeliveryStatus] {
    try await store.thread(tenant: "t1", contact: contact, after: nil, limit: 100).compactMap {
        if case .outbound(_, _, let status, _, _) = $0.content { return status }
        return nil
    }
}

@Test(arguments: StoreFactory.all)
func claimsOneMessagePerConversationInOrder(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let a = try await queue(store, "a", ["a1", "a2", "a3"], at: t)
    let b = try await queue(store, "b", ["b1"], at: t)
    #expect(try await store.outboxDepth() == 4)

    var claimed = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    #expect(claimed.map(\.id) == [a[0], b[0]])
    #expect(claimed.map(\.message) == [.text("a1"), .text("b1")])
    #expect(claimed.map(\.attempts) == [1, 1])
    #expect(claimed.map(\.sender) == [.bot, .bot])
    // While a1 is claimed, a2 waits.
    #expect(try await store.claimOutbox(now: t, limit: 10, lease: 30).isEmpty)

    try await store.completeOutbox([
        OutboxResult(id: a[0], .sent(messageID: "wamid.a1"), at: t + 1),
        OutboxResult(id: b[0], .sent(messageID: "wamid.b1"), at: t + 1),
    ])
    claimed = try await store.claimOutbox(now: t + 1, limit: 10, lease: 30)
    #expect(claimed.map(\.id) == [a[1]])
    try await store.completeOutbox([OutboxResult(id: a[1], .sent(messageID: "wamid.a2"), at: t + 2)])
    claimed = try await store.claimOutbox(now: t + 2, limit: 10, lease: 30)
    #expect(claimed.map(\.id) == [a[2]])
    try await store.completeOutbox([OutboxResult(id: a[2], .sent(messageID: "wamid.a3"), at: t + 3)])
    #expect(try await store.outboxDepth() == 0)
    #expect(try await statuses(store, "a") == [.sent, .sent, .sent])
    let ids = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 100).compactMap(\.messageID)
    #expect(ids == ["wamid.a1", "wamid.a2", "wamid.a3"])
}

@Test(arguments: StoreFactory.all)
func retryWaitsForItsTimeAndHoldsTheConversation(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let ids = try await queue(store, "a", ["a1", "a2"], at: t)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.completeOutbox([
        OutboxResult(id: ids[0], .retry(at: t + 8, OutboxError(kind: "rate_limited", detail: "130429")), at: t)
    ])
    // Before the backoff ends nothing is ready: a2 waits behind a1.
    #expect(try await store.claimOutbox(now: t + 7, limit: 10, lease: 30).isEmpty)
    let again = try await store.claimOutbox(now: t + 8, limit: 10, lease: 30)
    #expect(again.map(\.id) == [ids[0]])
    #expect(again.first?.attempts == 2)
    // Given up: terminal, with its error; the conversation goes on with a2.
    try await store.completeOutbox([
        OutboxResult(id: ids[0], .failed(OutboxError(kind: "invalid_parameter", detail: "100")), at: t + 9)
    ])
    #expect(try await store.claimOutbox(now: t + 9, limit: 10, lease: 30).map(\.id) == [ids[1]])
    let thread = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 100)
    guard
        case .outbound(_, _, let status, let times, let error) = thread.first(where: { $0.sequence == ids[0] })?
            .content
    else {
        Issue.record("a1 is not in the log")
        return
    }
    #expect(status == .failed)
    #expect(times.latest == t + 9)
    #expect(error == OutboxError(kind: "invalid_parameter", detail: "100"))
}

@Test(arguments: StoreFactory.all)
func delayedMessageWaitsUntilItsTime(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let ids = try await store.update(tenant: "t1", contact: "a", at: t) { _, _ in
        var changes = ConversationChanges()
        changes.lines.append(.message(QueuedMessage(.text("luego"), from: .agent("ana"), notBefore: t + 60)))
        return changes
    }.outboxIDs
    #expect(try await store.claimOutbox(now: t + 59, limit: 10, lease: 30).isEmpty)
    let claimed = try await store.claimOutbox(now: t + 60, limit: 10, lease: 30)
    #expect(claimed.map(\.id) == ids)
    #expect(claimed.first?.sender == .agent("ana"))
}

@Test(arguments: StoreFactory.all)
func claimedButUnsentMessagesComeBackAfterACrash(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let t = Fixtures.monday
    var ids: [Int64] = []
    do {
        let store = try factory.open(folder)
        ids = try await queue(store, "a", ["a1"], at: t) + (try await queue(store, "b", ["b1"], at: t))
        let claimed = try await store.claimOutbox(now: t, limit: 10, lease: 300)
        #expect(claimed.count == 2)
        try await store.completeOutbox([OutboxResult(id: ids[1], .sent(messageID: "wamid.b1"), at: t + 1)])
        // The process dies here with a1 claimed and not reported.
    }
    let store = try factory.open(folder)
    #expect(try await store.outboxDepth() == 1)
    // Still leased to the dead sender…
    #expect(try await store.claimOutbox(now: t + 2, limit: 10, lease: 300).isEmpty)
    // …until the only sender releases the orphans at start-up.
    #expect(try await store.releaseOutboxClaims() == 1)
    let again = try await store.claimOutbox(now: t + 2, limit: 10, lease: 300)
    #expect(again.map(\.id) == [ids[0]])
    #expect(again.first?.attempts == 2)
}

@Test(arguments: StoreFactory.all)
func expiredLeaseReturnsTheMessageToAnotherSender(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let ids = try await queue(store, "a", ["a1"], at: t)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    #expect(try await store.claimOutbox(now: t + 29, limit: 10, lease: 30).isEmpty)
    #expect(try await store.claimOutbox(now: t + 30, limit: 10, lease: 30).map(\.id) == ids)
    // The first sender's late report of success still keeps the wamid.
    try await store.completeOutbox([OutboxResult(id: ids[0], .sent(messageID: "wamid.late"), at: t + 31)])
    #expect(try await store.outboxDepth() == 0)
    #expect(try await statuses(store, "a") == [.sent])
}

/// At start-up, messages held back by a refused access token are due at once (the restart brought the renewed
/// token); messages waiting for another reason keep their wait.
@Test(arguments: StoreFactory.all)
func messagesHeldByARefusedTokenAreDueAgainAtRestart(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    let paused = try await queue(store, "a", ["a1"], at: t)
    let limited = try await queue(store, "b", ["b1"], at: t)
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.completeOutbox([
        OutboxResult(
            id: paused[0], .deferred(until: t + 300, OutboxError(kind: "authentication", detail: "190")), at: t),
        OutboxResult(id: limited[0], .retry(at: t + 300, OutboxError(kind: "rate_limited", detail: "130429")), at: t),
    ])
    #expect(try await store.claimOutbox(now: t + 10, limit: 10, lease: 30).isEmpty)
    #expect(try await store.resumeDeferredMessages(errorKind: "authentication", tenant: nil, now: t + 10) == ["t1": 1])
    #expect(try await store.claimOutbox(now: t + 10, limit: 10, lease: 30).map(\.id) == paused)
}

/// Queues, for contact `a` of tenant `t1`, the template `promo` and the bot's text "hola" behind it.
private func queueTemplateAndGreeting(_ store: any ConversationStore, at t: Int64) async throws {
    _ = try await store.update(tenant: "t1", contact: "a", at: t) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        changes.send(.template(name: "promo", language: "es", parameters: ["Ana"], headerType: nil, headerLink: nil))
        changes.send(.text("hola"))
        return changes
    }
}

/// A revocation fails every message still waiting to be sent (habeas-data item 6): a template, an agent's reply
/// (the audit saw one about the contact's health sent after the revocation), the bot's. The messages the
/// revoking step queues itself (its confirmation) are sent.
@Test(arguments: StoreFactory.all)
func aRevocationFailsEverythingStillWaiting(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    _ = try await store.update(tenant: "t1", contact: "a", at: t) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        changes.send(.template(name: "promo", language: "es", parameters: ["Ana"], headerType: nil, headerLink: nil))
        changes.send(.text("hola"))
        changes.send(.text("sobre tu consulta"), from: .agent("ana"))
        return changes
    }
    _ = try await store.update(tenant: "t1", contact: "a", at: t + 1) { session, _ in
        var changes = ConversationChanges()
        changes.record(
            [.recordRevocation(Fixtures.revocation()), .send(.text("Registramos la revocatoria."), from: .bot)],
            evidence: EvidenceContext(channel: "whatsapp_cloud", phoneNumberID: "1", receivedAt: t + 1))
        return changes
    }
    #expect(try await statuses(store, "a") == [.failed, .failed, .failed, .pending])
    let thread = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 10)
    let errors = thread.compactMap { line -> String? in
        guard case .outbound(_, _, _, _, let error) = line.content else { return nil }
        return error?.kind ?? "none"
    }
    #expect(errors == ["revoked", "revoked", "revoked", "none"])
}

/// A template being sent when the contact revokes, whose attempt then fails and is given back for a retry (or
/// deferred, or released), is not tried again: it fails as `revoked` (the message waiting behind it failed at the
/// revocation), and nothing is left to claim. The audit saw such a template sent 15 s after the revocation.
@Test(arguments: StoreFactory.all)
func aTemplateInFlightAtARevocationIsNotRetried(factory: StoreFactory) async throws {
    let t = Fixtures.monday
    let outcomes: [OutboxResult.Outcome] = [
        .retry(at: t + 1, OutboxError(kind: "network", detail: "connection refused")),
        .deferred(until: t + 300, OutboxError(kind: "authentication", detail: "190")), .released,
    ]
    for outcome in outcomes {
        let folder = try TestFolder()
        let store = try factory.open(folder)
        try await queueTemplateAndGreeting(store, at: t)
        let claimed = try await store.claimOutbox(now: t, limit: 10, lease: 30)
        #expect(claimed.count == 1)
        try await store.appendConsent(
            tenant: "t1", contact: "a", [Fixtures.entry(.revocation(Fixtures.revocation()), requests: nil)])
        #expect(try await statuses(store, "a") == [.sending, .failed], "\(outcome)")
        try await store.completeOutbox([OutboxResult(id: claimed[0].id, outcome, at: t + 2)])
        #expect(try await statuses(store, "a") == [.failed, .failed], "\(outcome)")
        #expect(try await store.claimOutbox(now: t + 400, limit: 10, lease: 30).isEmpty)
        let thread = try await store.thread(tenant: "t1", contact: "a", after: nil, limit: 10)
        if case .outbound(_, _, _, _, let error) = thread.first?.content {
            #expect(error?.kind == "revoked")
        } else {
            Issue.record("no template line")
        }
    }
}

/// A template being sent when the server crashed, whose contact revoked before the restart: the restart's release
/// makes it pending, and the next claim fails it as `revoked` instead of sending it (the review found the crash
/// path skipped the check); the message waiting behind it failed at the revocation, so nothing is claimed.
@Test(arguments: StoreFactory.all)
func aTemplateInterruptedByACrashIsNotSentAfterARevocation(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    try await queueTemplateAndGreeting(store, at: t)
    let claimed = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.appendConsent(
        tenant: "t1", contact: "a", [Fixtures.entry(.revocation(Fixtures.revocation()), requests: nil)])
    #expect(try await store.releaseOutboxClaims() == 1)
    #expect(try await store.claimOutbox(now: t + 5, limit: 10, lease: 30).isEmpty)
    #expect(claimed.count == 1)
    #expect(try await statuses(store, "a") == [.failed, .failed])
}

/// An agent's reply being sent when the contact revokes, whose attempt then fails and is given back for a
/// retry, fails as `revoked` (as a template does); a bot message in the same place is sent, since the
/// revocation's own confirmation is one.
@Test(arguments: StoreFactory.all)
func anAgentReplyInFlightAtARevocationIsNotRetried(factory: StoreFactory) async throws {
    let t = Fixtures.monday
    for agent in ["ana", nil] {
        let folder = try TestFolder()
        let store = try factory.open(folder)
        _ = try await store.update(tenant: "t1", contact: "a", at: t) { session, _ in
            session.status = .withAgent
            var changes = ConversationChanges()
            changes.send(.text("sobre tu diabetes"), from: agent.map { .agent($0) } ?? .bot)
            return changes
        }
        let claimed = try await store.claimOutbox(now: t, limit: 10, lease: 30)
        try await store.appendConsent(
            tenant: "t1", contact: "a", [Fixtures.entry(.revocation(Fixtures.revocation()), requests: nil)])
        let retry = OutboxResult.Outcome.retry(at: t + 1, OutboxError(kind: "server", detail: "500"))
        try await store.completeOutbox([OutboxResult(id: claimed[0].id, retry, at: t + 2)])
        #expect(try await statuses(store, "a") == [agent == nil ? .pending : .failed])
    }
}

/// The check every claim runs reads the partial index of unfinished messages, not the whole log.
@Test func failingRevokedTemplatesReadsOnlyTheUnfinishedMessages() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("talkflow.sqlite"))
    let plan = try store.queryPlan(
        SQLiteStore.failRevokedTemplatesSQL.replacingOccurrences(of: "UPDATE", with: "UPDATE"), [0])
    #expect(plan.contains { $0.contains("outbox_open") }, "\(plan)")
}

/// Without a revocation, a template given back for a retry waits for it as any message does.
@Test(arguments: StoreFactory.all)
func aTemplateGivenBackWithoutARevocationWaitsForItsRetry(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    _ = try await store.update(tenant: "t1", contact: "a", at: t) { session, _ in
        session.status = .waiting
        var changes = ConversationChanges()
        changes.send(.template(name: "promo", language: "es", parameters: ["Ana"], headerType: nil, headerLink: nil))
        return changes
    }
    let claimed = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    try await store.completeOutbox([
        OutboxResult(id: claimed[0].id, .retry(at: t + 5, OutboxError(kind: "network", detail: "refused")), at: t)
    ])
    #expect(try await statuses(store, "a") == [.pending])
    #expect(try await store.claimOutbox(now: t + 5, limit: 10, lease: 30).map(\.id) == claimed.map(\.id))
}

@Test(arguments: StoreFactory.all)
func claimLimitIsRespectedOldestFirst(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    var firsts: [Int64] = []
    for index in 0..<5 { firsts += try await queue(store, "c\(index)", ["hola"], at: t) }
    #expect(try await store.claimOutbox(now: t, limit: 2, lease: 30).map(\.id) == Array(firsts.prefix(2)))
    #expect(try await store.claimOutbox(now: t, limit: 10, lease: 30).map(\.id) == Array(firsts.suffix(3)))
    #expect(try await store.claimOutbox(now: t, limit: 0, lease: 30).isEmpty)
}

@Test func aClaimReadsOnlyTheUnfinishedMessagesNotTheWholeLog() async throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("talkflow.sqlite"))
    let plan = try store.queryPlan(SQLiteStore.claimSQL, [0, 1])
    // The heads come from the partial index of unfinished messages; the log itself is only looked up by rowid.
    #expect(plan.contains { $0.contains("USING INDEX outbox_open") })
    #expect(plan.contains { $0.contains("SEARCH o USING INTEGER PRIMARY KEY") })
    #expect(!plan.contains { $0 == "SCAN o" || $0 == "SCAN conversation_log" })
}

@Test func aRetentionPurgeFindsOldLinesThroughTheTimeIndex() throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("talkflow.sqlite"))
    let plan = try store.queryPlan(SQLiteStore.purgeLogSQL, ["t1", 1_000, 5_000])
    #expect(
        plan.contains { $0.contains("USING INDEX log_by_time") || $0.contains("USING COVERING INDEX log_by_time") },
        "\(plan)")
    #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
}

/// The start-up's clock-step check reads the unfinished messages only (review4 #5: a scan of the whole log).
@Test func theClockStepCheckReadsTheOutboxIndexOnly() throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("talkflow.sqlite"))
    let plan = try store.queryPlan(SQLiteStore.dueAfterAClockStepSQL, [1_000, 7_200])
    #expect(plan.contains { $0.contains("outbox_open") }, "\(plan)")
    #expect(!plan.contains { $0 == "SCAN conversation_log" }, "\(plan)")
}

@Test func aStatusWebhookFindsItsMessageThroughTheOutboundIndex() throws {
    let folder = try TestFolder()
    let store = try SQLiteStore(path: folder.path("talkflow.sqlite"))
    let plan = try store.queryPlan(SQLiteStore.statusLookupSQL, ["t1", "wamid.x"])
    #expect(plan.contains { $0.contains("USING INDEX log_out_by_message_id") }, "\(plan)")
}

/// A message waiting until later than any retry waits was scheduled by a clock that has stepped back since: it is
/// due now (hostile2 #3 (b): a clock a day fast, then corrected, held a contact's replies for a day). A wait within
/// the longest one is kept.
@Test(arguments: StoreFactory.all)
func aWaitLongerThanAnyRetryIsDueAfterAClockStep(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let t = Fixtures.monday
    var ids: [Int64] = []
    for contact in ["a", "b"] {
        ids += try await store.update(tenant: "t1", contact: contact, at: t) { _, _ in Fixtures.reply("hola") }
            .outboxIDs
    }
    _ = try await store.claimOutbox(now: t, limit: 10, lease: 30)
    let error = OutboxError(kind: "rate_limited", detail: "130429")
    try await store.completeOutbox([
        OutboxResult(id: ids[0], .retry(at: t + 86_400, error), at: t),
        OutboxResult(id: ids[1], .retry(at: t + 3_601, error), at: t),
    ])
    #expect(try await store.dueAfterAClockStep(now: t, longestWait: 7_200) == 1)
    #expect(try await store.claimOutbox(now: t, limit: 10, lease: 30).map(\.id) == [ids[0]])
    try await store.completeOutbox([OutboxResult(id: ids[0], .sent(messageID: "wamid.a"), at: t)])
    #expect(try await store.claimOutbox(now: t + 3_600, limit: 10, lease: 30).isEmpty)
    #expect(try await store.claimOutbox(now: t + 3_601, limit: 10, lease: 30).map(\.id) == [ids[1]])
}
