import FlowRuntime
import Storage
import Testing

// The one transaction of an inbound message (issue 5, item 6): a message id seen before changes nothing; a
// failing step stores nothing; what is committed is there after a restart.

struct BodyFailure: Error {}

@Test(arguments: StoreFactory.all)
func inboundMessageIsStoredOnceAndSurvivesRestart(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    do {
        let store = try factory.open(folder)
        let first = try await store.handleInbound(
            tenant: "t1", contact: "573001", messageID: "wamid.1", receivedAt: Fixtures.monday
        ) { session, _ in
            #expect(session.status == .new)
            session.status = .waiting
            session.startedAt = Fixtures.monday
            return Fixtures.reply("hola")
        }
        let committed = try #require(first)
        #expect(committed.outboxIDs.count == 1)
        #expect(committed.session.status == .waiting)
    }
    // A restart: a new store on the same file.
    let store = try factory.open(folder)
    #expect(try await store.wasProcessed(tenant: "t1", messageID: "wamid.1"))
    let session = try #require(try await store.session(tenant: "t1", contact: "573001"))
    #expect(session.status == .waiting)
    #expect(session.startedAt == Fixtures.monday)
    let thread = try await store.thread(tenant: "t1", contact: "573001", after: nil, limit: 100)
    #expect(thread.count == 3)
    #expect(thread.first?.messageID == "wamid.1")
    #expect(try await store.outboxDepth() == 1)
}

@Test(arguments: StoreFactory.all)
func sameMessageIDTwiceChangesNothing(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let first = try await store.handleInbound(
        tenant: "t1", contact: "573001", messageID: "wamid.dup", receivedAt: Fixtures.monday
    ) { session, transaction in
        session.status = .waiting
        _ = try transaction.nextAgent(queue: "ventas", agents: ["ana", "bruno"])
        return Fixtures.reply("uno")
    }
    #expect(first != nil)
    let threadBefore = try await store.thread(tenant: "t1", contact: "573001", after: nil, limit: 100)

    let second = try await store.handleInbound(
        tenant: "t1", contact: "573001", messageID: "wamid.dup", receivedAt: Fixtures.monday + 5
    ) { session, transaction in
        Issue.record("the body must not run for a message id seen before")
        session.status = .closed
        _ = try transaction.nextAgent(queue: "ventas", agents: ["ana", "bruno"])
        return Fixtures.reply("dos")
    }
    #expect(second == nil)
    #expect(try await store.thread(tenant: "t1", contact: "573001", after: nil, limit: 100) == threadBefore)
    #expect(try await store.session(tenant: "t1", contact: "573001")?.status == .waiting)
    #expect(try await store.outboxDepth() == 1)
    // The rotation moved once: the next turn is 1.
    #expect(try await store.nextAgent(tenant: "t1", queue: "ventas", agents: ["ana", "bruno"])?.turn == 1)
}

@Test(arguments: StoreFactory.all)
func throwingBodyRollsEverythingBack(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    await #expect(throws: BodyFailure.self) {
        try await store.handleInbound(
            tenant: "t1", contact: "573001", messageID: "wamid.fail", receivedAt: Fixtures.monday
        ) { session, transaction in
            session.status = .waiting
            _ = try transaction.nextAgent(queue: "ventas", agents: ["ana", "bruno"])
            throw BodyFailure()
        }
    }
    #expect(try await store.wasProcessed(tenant: "t1", messageID: "wamid.fail") == false)
    #expect(try await store.session(tenant: "t1", contact: "573001") == nil)
    #expect(try await store.thread(tenant: "t1", contact: "573001", after: nil, limit: 100).isEmpty)
    #expect(try await store.outboxDepth() == 0)
    #expect(try await store.nextAgent(tenant: "t1", queue: "ventas", agents: ["ana", "bruno"])?.turn == 0)

    // Meta's retry of the same message then goes through.
    let retried = try await store.handleInbound(
        tenant: "t1", contact: "573001", messageID: "wamid.fail", receivedAt: Fixtures.monday + 60
    ) { session, _ in
        session.status = .waiting
        return Fixtures.reply("hola")
    }
    #expect(retried != nil)
}

@Test(arguments: StoreFactory.all)
func throwingUpdateRollsBackTheRotation(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    await #expect(throws: BodyFailure.self) {
        try await store.update(tenant: "t1", contact: "573002", at: Fixtures.monday) { _, transaction in
            _ = try transaction.nextAgent(queue: "ventas", agents: ["ana"])
            _ = try transaction.nextAgent(queue: "ventas", agents: ["ana"])
            throw BodyFailure()
        }
    }
    #expect(try await store.nextAgent(tenant: "t1", queue: "ventas", agents: ["ana"])?.turn == 0)
}

@Test(arguments: StoreFactory.all)
func newContactGetsTheLedgersConsent(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    try await store.appendConsent(
        tenant: "t1", contact: "573003", [Fixtures.entry(.consent(Fixtures.consent(version: "2026-01")))])
    try await store.handleInbound(tenant: "t1", contact: "573003", messageID: "wamid.a", receivedAt: Fixtures.monday) {
        session, _ in
        #expect(session.status == .new)
        #expect(session.consent.acceptedVersion == "2026-01")
        return ConversationChanges()
    }
    // A revocation outside the conversation (an admin's) takes effect on the stored session's next load.
    try await store.appendConsent(
        tenant: "t1", contact: "573003", [Fixtures.entry(.revocation(Fixtures.revocation()), requests: nil)])
    try await store.handleInbound(tenant: "t1", contact: "573003", messageID: "wamid.b", receivedAt: Fixtures.monday) {
        session, _ in
        #expect(session.consent.acceptedVersion == nil)
        return ConversationChanges()
    }
    #expect(try await store.session(tenant: "t1", contact: "573003")?.consent.acceptedVersion == nil)
}

@Test(arguments: StoreFactory.all)
func realConversationKeepsNothingBeforeConsent(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let driver = Driver(store: store, interpreter: try Fixtures.interpreter(), tenant: "t1")
    let t = Fixtures.monday
    // First message: opens the conversation, never logged. Then free text at the consent step: not logged.
    try await driver.receive(
        .text("hola, soy Ana y mi cedula es 123", messageID: "w1"), from: "573004", id: "w1", at: t)
    try await driver.receive(.text("que es esto?", messageID: "w2"), from: "573004", id: "w2", at: t + 10)
    try await driver.receive(.reply(id: "consentimiento.accept", messageID: "w3"), from: "573004", id: "w3", at: t + 20)
    try await driver.receive(.text("quiero hablar", messageID: "w4"), from: "573004", id: "w4", at: t + 30)

    let thread = try await store.thread(tenant: "t1", contact: "573004", after: nil, limit: 1000)
    let inbound = thread.compactMap { entry -> (String?, RelayedMessage?)? in
        if case .inbound(_, let message, _) = entry.content { return (entry.messageID, message) }
        return nil
    }
    #expect(inbound.map(\.0) == ["w1", "w2", "w3", "w4"])
    #expect(inbound[0].1 == nil)
    #expect(inbound[1].1 == nil)
    #expect(inbound[2].1 == nil)
    #expect(inbound[3].1 == .text("quiero hablar"))
    // Every step entered is logged, in order.
    let steps = thread.compactMap { entry -> String? in
        if case .event(let event) = entry.content, event.kind == ConversationEvent.stepEntered { return event.detail }
        return nil
    }
    #expect(steps == ["consentimiento", "menu"])
    let history = try await store.consentHistory(tenant: "t1", contact: "573004")
    #expect(history.records.map(\.choice) == ["accepted"])
    #expect(history.records.first?.replyMessageID == "w3")
    #expect(history.current.acceptedVersion == "2026-01")
    let summary = try await store.conversations(tenant: "t1", filter: ConversationFilter())
    #expect(summary.map(\.state) == ["menu"])
    #expect(summary.first?.contactName == "Ana")
}

@Test(arguments: StoreFactory.all)
func handoffTakesTheRotationInTheSameTransaction(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let driver = Driver(store: store, interpreter: try Fixtures.interpreter(), tenant: "t1")
    let t = Fixtures.monday
    var agents: [String?] = []
    for contact in ["c1", "c2", "c3", "c4"] {
        try await driver.receive(.text("hola"), from: contact, id: "\(contact).1", at: t)
        try await driver.receive(.reply(id: "consentimiento.accept"), from: contact, id: "\(contact).2", at: t + 1)
        let committed = try await driver.receive(.reply(id: "hablar"), from: contact, id: "\(contact).3", at: t + 2)
        agents.append(committed?.session.agent)
    }
    #expect(agents == ["ana", "bruno", "carla", "ana"])
    let withAna = try await store.conversations(tenant: "t1", filter: ConversationFilter(agent: "ana"))
    #expect(Set(withAna.map(\.contact)) == ["c1", "c4"])
    #expect(withAna.allSatisfy { $0.status == .withAgent && $0.queue == "ventas" && $0.handoffAt == t + 2 })
}

@Test(arguments: StoreFactory.all)
func concurrentStepsCommitTogetherButFailAlone(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    // Many messages at once (the store may write them in one transaction); every third body throws.
    let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
        for index in 0..<60 {
            group.addTask {
                do {
                    try await store.handleInbound(
                        tenant: "t1", contact: "c\(index)", messageID: "w\(index)", receivedAt: Fixtures.monday
                    ) { session, _ in
                        session.status = .waiting
                        if index.isMultiple(of: 3) { throw BodyFailure() }
                        return Fixtures.reply("hola \(index)")
                    }
                    return (index, true)
                } catch is BodyFailure {
                    return (index, false)
                }
            }
        }
        var all: [Int: Bool] = [:]
        for try await (index, ok) in group { all[index] = ok }
        return all
    }
    for index in 0..<60 {
        let ok = !index.isMultiple(of: 3)
        #expect(outcomes[index] == ok)
        #expect(try await store.wasProcessed(tenant: "t1", messageID: "w\(index)") == ok)
        #expect((try await store.session(tenant: "t1", contact: "c\(index)") != nil) == ok)
    }
    #expect(try await store.outboxDepth() == 40)
}

@Test(arguments: StoreFactory.all)
func sameMessageDeliveredConcurrentlyIsHandledOnce(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    let handled = try await withThrowingTaskGroup(of: Bool.self) { group in
        for _ in 0..<20 {
            group.addTask {
                try await store.handleInbound(
                    tenant: "t1", contact: "c", messageID: "wamid.same", receivedAt: Fixtures.monday
                ) { _, _ in Fixtures.reply("hola") } != nil
            }
        }
        var count = 0
        for try await wasHandled in group where wasHandled { count += 1 }
        return count
    }
    #expect(handled == 1)
    #expect(try await store.outboxDepth() == 1)
}

/// A step's lines are written a few rows per statement: a long step (more rows than one statement takes) keeps
/// its lines in order, gives each outbound message its own row's id, and a later step's rows follow.
@Test(arguments: StoreFactory.all)
func aLongStepKeepsItsLinesInOrderAndEachMessageItsOwnID(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    var expected: [String] = ["in"]
    let committed = try #require(
        try await store.handleInbound(
            tenant: "t1", contact: "573001", messageID: "wamid.long", receivedAt: Fixtures.monday
        ) { session, _ in
            session.status = .waiting
            var changes = ConversationChanges()
            for index in 0..<19 {
                if index % 4 == 1 {
                    changes.send(.text("mensaje \(index)"))
                } else {
                    changes.log("step", detail: "paso-\(index)")
                }
            }
            return changes
        })
    for index in 0..<19 { expected.append(index % 4 == 1 ? "out:mensaje \(index)" : "event:paso-\(index)") }
    let second = try #require(
        try await store.handleInbound(
            tenant: "t1", contact: "573001", messageID: "wamid.next", receivedAt: Fixtures.monday + 1
        ) { _, _ in Fixtures.reply("después") })
    expected += ["in", "event:menu", "out:después"]
    let thread = try await store.thread(tenant: "t1", contact: "573001", after: nil, limit: 100)
    let described = thread.map { entry -> String in
        switch entry.content {
        case .inbound: return "in"
        case .outbound(let message, _, _, _, _):
            if case .text(let text) = message { return "out:\(text)" }
            return "out:?"
        case .event(let event): return "event:\(event.detail ?? event.kind)"
        }
    }
    #expect(described == expected)
    let sequences = thread.map(\.sequence)
    #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
    let outboundIDs = thread.filter { if case .outbound = $0.content { true } else { false } }.map(\.sequence)
    #expect(committed.outboxIDs + second.outboxIDs == outboundIDs)
    #expect(committed.outboxIDs.count == 5)
}

/// One person, two WhatsApp ids (the phone's `wa_id` and the business-scoped user id), either of which a message
/// may lack: every message lands in the one conversation, whichever ids it carries and whichever came first.
@Test(arguments: StoreFactory.all)
func aPersonKeepsOneConversationWhicheverOfTheirIdsAMessageCarries(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    var number = 0
    func message(_ contact: String, aliases: [String] = []) async throws -> String? {
        number += 1
        let current = number
        return try await store.handleInbound(
            tenant: "t1", contact: contact, aliases: aliases, messageID: "wamid.\(current)",
            receivedAt: Fixtures.monday + Int64(current)
        ) { session, _ in
            session.status = .waiting
            return Fixtures.reply("hola \(current)")
        }?.contact
    }
    // Known first by the user id alone (a username, no phone number in the webhook).
    #expect(try await message("US.1") == "US.1")
    #expect(try await message("16505551234", aliases: ["US.1"]) == "US.1")
    #expect(try await message("16505551234") == "US.1")
    #expect(try await message("US.1") == "US.1")
    #expect(try await store.session(tenant: "t1", contact: "16505551234") == nil)
    // Known first by the phone number.
    #expect(try await message("573001112233") == "573001112233")
    #expect(try await message("573001112233", aliases: ["CO.9"]) == "573001112233")
    #expect(try await message("CO.9") == "573001112233")
    #expect(try await store.session(tenant: "t1", contact: "CO.9") == nil)
    // Another person, and the same ids in another tenant, are their own.
    #expect(try await message("573009998877", aliases: ["CO.7"]) == "573009998877")
    let other = try await store.handleInbound(
        tenant: "t2", contact: "CO.9", aliases: [], messageID: "wamid.t2", receivedAt: Fixtures.monday
    ) { _, _ in Fixtures.reply("hola") }
    #expect(other?.contact == "CO.9")
    let thread = try await store.thread(tenant: "t1", contact: "US.1", after: nil, limit: 100)
    #expect(thread.filter { if case .inbound = $0.content { true } else { false } }.count == 4)
}

/// An alias is learned per tenant: the phone number linked to a user id in one tenant names nothing in another
/// that has a conversation under the same user id, and each tenant follows only its own links.
@Test(arguments: StoreFactory.all)
func theSameAliasInTwoTenantsLeadsToEachTenantsOwnConversation(factory: StoreFactory) async throws {
    let folder = try TestFolder()
    let store = try factory.open(folder)
    func message(_ tenant: String, _ contact: String, aliases: [String] = [], id: String) async throws {
        try await store.handleInbound(
            tenant: tenant, contact: contact, aliases: aliases, messageID: id, receivedAt: Fixtures.monday
        ) { session, _ in
            session.status = .waiting
            return Fixtures.reply("hola")
        }
    }
    try await message("t1", "US.1", id: "wamid.1")
    try await message("t1", "16505551234", aliases: ["US.1"], id: "wamid.2")
    try await message("t2", "US.1", id: "wamid.3")
    #expect(try await store.conversationKey(tenant: "t1", contact: "16505551234") == "US.1")
    #expect(try await store.conversationKey(tenant: "t2", contact: "16505551234") == "16505551234")
    #expect(try await store.conversationKey(tenant: "t2", contact: "US.1") == "US.1")
    // In the second tenant the same phone number is linked to another conversation: each follows its own link.
    try await message("t2", "US.2", id: "wamid.4")
    try await message("t2", "16505551234", aliases: ["US.2"], id: "wamid.5")
    #expect(try await store.conversationKey(tenant: "t2", contact: "16505551234") == "US.2")
    #expect(try await store.conversationKey(tenant: "t1", contact: "16505551234") == "US.1")
}
