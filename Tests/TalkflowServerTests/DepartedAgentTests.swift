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
        let warnings = logs.all.filter { $0.level == .warning && $0.metadata["agent"] != nil }
        #expect(warnings.map(\.metadata) == [["tenant": tenant.id, "agent": "zoe", "conversations": "2"]])
        // A tenant that lists agents without an admin is told so; one with an admin, or without agents, is not.
        let noAdmin = logs.all.filter { $0.message.hasPrefix("the tenant lists agents but no admin") }
        let expected = registry.tenants.filter {
            !$0.config.agents.isEmpty && !$0.config.agents.contains(where: \.admin)
        }
        #expect(noAdmin.map { $0.metadata["tenant"] } == expected.map(\.id))
        #expect(
            warnings.first?.message
                == "an agent no longer in the configuration holds conversations; reassign or close them")
    }
}
