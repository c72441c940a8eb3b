import Storage
import Testing

@testable import TalkflowServer

/// The retention purges the server runs: processed ids after a week, a tenant's log after its
/// `log_retention_days`, other tenants' log kept, the consent ledger never touched.
@Suite("Retention", .hangGuard) struct RetentionServiceTests {
    @Test func oldLinesOfATenantWithARetentionAreDeletedOthersKept() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let (registry, store) = try Self.acmeKeepingThirtyDays(in: folder)
        #expect(registry.tenant(id: "acme")?.config.logRetentionDays == 30)
        #expect(registry.tenant(id: "beta")?.config.logRetentionDays == nil)
        let day: Int64 = 86_400
        let now: Int64 = 1_795_446_000
        for (tenant, at) in [("acme", now - 40 * day), ("acme", now - 10 * day), ("beta", now - 40 * day)] {
            try await Self.stepLine(store, tenant: tenant, contact: "573001", at: at)
        }
        let logs = LogRecorder()
        let service = RetentionService(store: store, registry: registry, clock: { now }, logger: logs.logger())
        await service.pass()
        let acme = try await store.thread(tenant: "acme", contact: "573001", after: nil, limit: 100)
        #expect(!acme.isEmpty && acme.allSatisfy { $0.at >= now - 30 * day })
        let beta = try await store.thread(tenant: "beta", contact: "573001", after: nil, limit: 100)
        #expect(beta.contains { $0.at == now - 40 * day })
        // Ids older than a week are forgotten; the recent one still deduplicates.
        #expect(try await !store.wasProcessed(tenant: "acme", messageID: "wamid.acme.573001.\(now - 40 * day)"))
        #expect(try await !store.wasProcessed(tenant: "acme", messageID: "wamid.acme.573001.\(now - 10 * day)"))
        // One info line per purge that deleted something, as operations.md shows them; the ids' line names no
        // tenant, since the purge is of every tenant's.
        #expect(
            logs.all.map { "\($0.level) \($0.message) \($0.metadata.sorted { $0.key < $1.key })" } == [
                #"info old processed message ids deleted [(key: "rows", value: "3")]"#,
                #"info conversation log lines past their retention deleted [(key: "days", value: "30"), "#
                    + #"(key: "rows", value: "2"), (key: "tenant", value: "acme")]"#,
            ])
        // A pass that deletes nothing writes nothing.
        let quiet = LogRecorder()
        await RetentionService(store: store, registry: registry, clock: { now }, logger: quiet.logger()).pass()
        #expect(quiet.all.isEmpty)
    }

    /// A tenant's lines older than its retention go in batches, every one of them (hostile2 #6: one transaction
    /// of 4 million deletes held every webhook for 30 s); the ids too.
    @Test func aBacklogGoesInBatches() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let (registry, store) = try Self.acmeKeepingThirtyDays(in: folder)
        let now: Int64 = 1_795_446_000
        for index in 0..<25 {
            try await Self.stepLine(store, tenant: "acme", contact: "57300\(index)", at: now - 40 * 86_400)
        }
        let logs = LogRecorder()
        var service = RetentionService(store: store, registry: registry, clock: { now }, logger: logs.logger())
        service.batch = 4
        await service.pass()
        for index in 0..<25 {
            #expect(try await store.thread(tenant: "acme", contact: "57300\(index)", after: nil, limit: 9).isEmpty)
        }
        #expect(
            logs.all.map { "\($0.message) \($0.metadata["rows"] ?? "")" } == [
                "old processed message ids deleted 25", "conversation log lines past their retention deleted 50",
            ])
    }

    /// The purges wait until a webhook shows this machine's clock agrees with WhatsApp's within a day, and stop
    /// again two days after the latest agreement (hostile2 #3: a clock 400 days fast at start-up deleted the whole
    /// log in its first second).
    @Test func thePurgesWaitForTheClockToAgreeWithWhatsApps() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let (registry, store) = try Self.acmeKeepingThirtyDays(in: folder)
        let real: Int64 = 1_795_446_000
        try await Self.stepLine(store, tenant: "acme", contact: "573001", at: real)
        let ahead = real + 400 * 86_400
        let agreement = ClockAgreement()
        func pass(at now: Int64) async throws -> Bool {
            await RetentionService(
                store: store, registry: registry, clock: { now }, logger: LogRecorder().logger(),
                clockAgreement: agreement
            ).pass()
            return try await store.thread(tenant: "acme", contact: "573001", after: nil, limit: 9).isEmpty
        }
        #expect(try await !pass(at: ahead))
        // A webhook written now by WhatsApp's clock, received by a clock 400 days fast: no agreement.
        agreement.note(whatsAppTime: real + 60, receivedAt: ahead + 60)
        #expect(try await !pass(at: ahead + 120))
        // An agreement, then the clock jumps: more than two days after it nothing is deleted.
        agreement.note(whatsAppTime: real + 100, receivedAt: real + 110)
        #expect(try await !pass(at: ahead + 200))
        // Agreement within two days: the purge runs (the line is not 30 days old yet, so 31 days later here).
        agreement.note(whatsAppTime: real + 31 * 86_400, receivedAt: real + 31 * 86_400 + 5)
        #expect(try await pass(at: real + 31 * 86_400 + 3_600))
    }

    /// The running service tries a waiting pass again soon: the start-up purge runs once a webhook shows the clock
    /// right, not an hour later (review4 #1: a server restarted within the hour never purged).
    @Test func theRunningServicePurgesSoonAfterTheClockIsConfirmed() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let (registry, store) = try Self.acmeKeepingThirtyDays(in: folder)
        let now: Int64 = 1_795_446_000
        try await Self.stepLine(store, tenant: "acme", contact: "573001", at: now - 40 * 86_400)
        let agreement = ClockAgreement()
        var service = RetentionService(
            store: store, registry: registry, clock: { now }, logger: LogRecorder().logger(),
            clockAgreement: agreement)
        service.waitingInterval = .milliseconds(20)
        let running = Task { [service] in await service.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await !store.thread(tenant: "acme", contact: "573001", after: nil, limit: 9).isEmpty)
        agreement.note(whatsAppTime: now - 30, receivedAt: now)
        let purged = try await poll(within: .seconds(5)) {
            try await store.thread(tenant: "acme", contact: "573001", after: nil, limit: 9).isEmpty
        }
        #expect(purged)
    }

    /// The standard setup with `acme` keeping its log 30 days, and a store.
    static func acmeKeepingThirtyDays(in folder: TestFolder) throws -> (TenantRegistry, SQLiteStore) {
        let config = standardConfig().replacingOccurrences(
            of: "    flow: flows/acme.yaml\n", with: "    flow: flows/acme.yaml\n    log_retention_days: 30\n")
        let registry = TenantRegistry(
            try loadValid(try writeStandardSetup(in: folder, config: config)), logger: LogRecorder().logger())
        return (registry, try SQLiteStore(path: folder.file("store.sqlite")))
    }

    /// One inbound message of `contact` at `at`, with one step line.
    static func stepLine(_ store: SQLiteStore, tenant: String, contact: String, at: Int64) async throws {
        _ = try await store.handleInbound(
            tenant: tenant, contact: contact, messageID: "wamid.\(tenant).\(contact).\(at)", receivedAt: at
        ) { session, _ in
            session.status = .waiting
            var changes = ConversationChanges()
            changes.log("step", detail: "menu")
            return changes
        }
    }

    @Test(arguments: ["0", "36501", "\"30\"", "treinta"])
    func aRetentionOutOfRangeIsRefused(value: String) throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = standardConfig().replacingOccurrences(
            of: "    flow: flows/acme.yaml\n", with: "    flow: flows/acme.yaml\n    log_retention_days: \(value)\n")
        let result = ConfigLoader.load(
            path: try writeStandardSetup(in: folder, config: config), environment: testEnvironment)
        #expect(result.loaded == nil)
        #expect(
            result.files.first?.diagnostics.contains { $0.message.contains("log_retention_days") } == true,
            "\(result.files.first?.diagnostics.map(\.message) ?? [])")
    }
}
