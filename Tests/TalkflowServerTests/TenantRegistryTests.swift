import FlowDiagnostics
import Foundation
import Testing

@testable import TalkflowServer

@Suite("Tenant registry", .hangGuard)
struct TenantRegistryTests {
    @Test func tenantsAreFoundByPhoneNumberID() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.id == "acme")
        #expect(registry.tenant(phoneNumberID: Phone.gamma)?.id == "gamma")
        #expect(registry.tenant(phoneNumberID: Phone.unknown) == nil)
        #expect(registry.tenants.map(\.id) == ["acme", "beta", "gamma"])
    }

    @Test func reloadRunsTheNewFlowWithoutARestart() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        try folder.write(
            "flows/acme.yaml", try shippedFlow("faq.yaml").replacingOccurrences(of: "flow: faq", with: "flow: faq_v2"))
        let report = registry.reload()
        #expect(report.refused.isEmpty)
        #expect(report.results.map(\.tenant) == ["acme", "beta", "gamma"])
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_v2")
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.secrets.verifyToken == "acme-verify")
    }

    @Test func aFlowThatFailsLintIsRefusedAndTheOldOneKeepsRunning() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let logs = LogRecorder()
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: logs.logger())
        let broken = try shippedFlow("faq.yaml")
            .replacingOccurrences(of: "flow: faq", with: "flow: faq_broken")
            .replacingOccurrences(of: "start: consentimiento", with: "start: nada")
        try folder.write("flows/acme.yaml", broken)
        let report = registry.reload()
        #expect(report.refused == ["acme"])
        let acme = try #require(registry.tenant(phoneNumberID: Phone.acme))
        #expect(acme.flow.flowID == "faq")
        let files = report.files
        let flowFile = try #require(files.first { $0.path == folder.file("flows/acme.yaml") })
        #expect(flowFile.diagnostics.contains { $0.id == "unknown_step" && $0.range.start.column == 8 })
        // The refusal's log line counts the flow's errors, not the configuration's line that wraps them.
        let refusal = try #require(logs.all.first { $0.message.hasPrefix("flow refused on reload") })
        #expect(refusal.metadata["errors"] == String(flowFile.errorCount))
        #expect(flowFile.errorCount == 1)
        // The other tenants reloaded normally.
        #expect(registry.tenant(phoneNumberID: Phone.beta)?.flow.flowID == "support")

        // Fixed, the next reload takes it.
        try folder.write(
            "flows/acme.yaml", try shippedFlow("faq.yaml").replacingOccurrences(of: "flow: faq", with: "flow: faq_v3"))
        #expect(registry.reload().refused.isEmpty)
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_v3")
    }

    /// With a consent lock beside the flow, a reload that changes a consent text under the locked policy version
    /// is refused, at the flow's line; a damaged lock is refused at the lock's line. The old flow keeps running.
    @Test func aConsentTextChangedUnderALockedVersionIsRefused() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        try folder.write("flows/acme.consent.lock", try shippedFlow("faq.consent.lock"))
        #expect(registry.reload().refused.isEmpty)

        let changed = try shippedFlow("faq.yaml")
            .replacingOccurrences(of: "flow: faq", with: "flow: faq_v2")
            .replacingOccurrences(of: "Te ayudamos con las preguntas", with: "Te ayudamos con todas las preguntas")
        try folder.write("flows/acme.yaml", changed)
        let report = registry.reload()
        #expect(report.refused == ["acme"])
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq")
        let flowFile = try #require(report.files.first { $0.path == folder.file("flows/acme.yaml") })
        #expect(flowFile.diagnostics.map(\.id) == ["consent_text_changed"])

        // Bumping the version alone is a warning (the lock does not list it yet): the reload takes it.
        try folder.write(
            "flows/acme.yaml", changed.replacingOccurrences(of: "version: \"2026-01\"", with: "version: \"2026-02\""))
        #expect(registry.reload().refused.isEmpty)
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_v2")

        try folder.write("flows/acme.consent.lock", "versions: [")
        let damaged = registry.reload()
        #expect(damaged.refused == ["acme"])
        let lockFile = try #require(damaged.files.first { $0.path == folder.file("flows/acme.consent.lock") })
        #expect(lockFile.diagnostics.first?.id == "consent_lock_invalid")
    }

    @Test func aDeletedFlowOrADroppedQueueIsRefusedToo() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let config = standardConfig().replacingOccurrences(
            of: "flow: flows/beta.yaml", with: "flow: flows/beta.yaml\n    queues:\n      soporte: [ana]")
        let registry = TenantRegistry(
            try loadValid(try writeStandardSetup(in: folder, config: config)), logger: LogRecorder().logger())
        #expect(registry.tenant(phoneNumberID: Phone.beta)?.flow.queues == ["soporte": ["ana"]])
        try folder.write(
            "flows/beta.yaml",
            try shippedFlow("support.yaml").replacingOccurrences(of: "soporte: [diana", with: "mesa: [diana")
                .replacingOccurrences(of: "queue: soporte", with: "queue: mesa"))
        try FileManager.default.removeItem(atPath: folder.file("flows/gamma.yaml"))
        let report = registry.reload()
        #expect(report.refused == ["beta", "gamma"])
        let ids = report.files.flatMap(\.diagnostics).map(\.id)
        #expect(ids.contains("config_unknown_queue"))
        #expect(ids.contains("config_flow_unreadable"))
        #expect(registry.tenant(phoneNumberID: Phone.beta)?.flow.queues == ["soporte": ["ana"]])
        #expect(registry.tenant(phoneNumberID: Phone.gamma)?.flow.flowID == "support")
    }

    /// Lookups while reloads swap flows always see a whole tenant: one of the two flows, never a mix or nothing.
    @Test func lookupsDuringReloadsSeeWholeTenants() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        let faq = try shippedFlow("faq.yaml")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<10 {
                    let id = round.isMultiple(of: 2) ? "faq_even" : "faq_odd"
                    try folder.write("flows/acme.yaml", faq.replacingOccurrences(of: "flow: faq", with: "flow: \(id)"))
                    registry.reload()
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<500 {
                        let tenant = try #require(registry.tenant(phoneNumberID: Phone.acme))
                        #expect(["faq", "faq_even", "faq_odd"].contains(tenant.flow.flowID))
                        #expect(tenant.flow.interpreter.machine.flow == tenant.flow.flowID)
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(registry.tenant(phoneNumberID: Phone.acme)?.flow.flowID == "faq_odd")
    }
}
