import FlowRuntime
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// An agent removed from the configuration while holding conversations: nobody can answer those contacts, so
/// start-up names the agent and the count in a warning (the agentapi2 audit found it silent).
@Suite("Conversations of an agent no longer configured", .hangGuard)
struct DepartedAgentTests {
    @Test func startUpWarnsOfAnAgentWhoIsGoneButHoldsConversations() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let registry = TenantRegistry(try loadValid(try writeStandardSetup(in: folder)), logger: LogRecorder().logger())
        let tenant = try #require(registry.tenants.first { !$0.flow.queues.isEmpty })
        let present = try #require(tenant.flow.queues.values.first?.first)
        let store = try SQLiteStore(path: folder.file("store.sqlite"))
        for (contact, agent, status) in [
            ("573001", "zoe", Session.Status.withAgent), ("573002", "zoe", .queued), ("573003", present, .withAgent),
            ("573004", "yago", .closed),
        ] {
            try await store.update(tenant: tenant.id, contact: contact, at: 1_795_446_000) { session, _ in
                session.status = status
                session.agent = agent
                return ConversationChanges()
            }
        }
        #expect(try store.handoffsByAgent(tenant: tenant.id) == ["zoe": 2, present: 1])
        let logs = LogRecorder()
        ServerApp.warnOfDepartedAgents(registry: registry, store: store, logger: logs.logger())
        let warnings = logs.all.filter { $0.level == .warning }
        #expect(warnings.map(\.metadata) == [["tenant": tenant.id, "agent": "zoe", "conversations": "2"]])
        #expect(
            warnings.first?.message
                == "an agent no longer in the configuration holds conversations; reassign or close them")
    }
}
