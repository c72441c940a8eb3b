import Storage
import Testing

@testable import TalkflowServer

/// The retention purges the server runs: processed ids after a week, a tenant's log after its
/// `log_retention_days`, other tenants' log kept, the consent ledger never touched.
@Suite("Retention", .hangGuard) struct RetentionServiceTests {
    @Test func oldLinesOfATenantWithARetentionAreDeletedOthersKept() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = standardConfig().replacingOccurrences(
            of: "    flow: flows/acme.yaml\n", with: "    flow: flows/acme.yaml\n    log_retention_days: 30\n")
        let registry = TenantRegistry(
            try loadValid(try writeStandardSetup(in: folder, config: config)), logger: LogRecorder().logger())
        #expect(registry.tenant(id: "acme")?.config.logRetentionDays == 30)
        #expect(registry.tenant(id: "beta")?.config.logRetentionDays == nil)
        let store = try SQLiteStore(path: folder.file("store.sqlite"))
        let day: Int64 = 86_400
        let now: Int64 = 1_795_446_000
        for (tenant, at) in [("acme", now - 40 * day), ("acme", now - 10 * day), ("beta", now - 40 * day)] {
            _ = try await store.handleInbound(
                tenant: tenant, contact: "573001", messageID: "wamid.\(tenant).\(at)", receivedAt: at
            ) { session, _ in
                session.status = .waiting
                var changes = ConversationChanges()
                changes.log("step", detail: "menu")
                return changes
            }
        }
        let logs = LogRecorder()
        let service = RetentionService(store: store, registry: registry, clock: { now }, logger: logs.logger())
        await service.pass()
        let acme = try await store.thread(tenant: "acme", contact: "573001", after: nil, limit: 100)
        #expect(!acme.isEmpty && acme.allSatisfy { $0.at >= now - 30 * day })
        let beta = try await store.thread(tenant: "beta", contact: "573001", after: nil, limit: 100)
        #expect(beta.contains { $0.at == now - 40 * day })
        // Ids older than a week are forgotten; the recent one still deduplicates.
        #expect(try await !store.wasProcessed(tenant: "acme", messageID: "wamid.acme.\(now - 40 * day)"))
        #expect(try await !store.wasProcessed(tenant: "acme", messageID: "wamid.acme.\(now - 10 * day)"))
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
