import FlowRuntime
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// An erasure under a reclamo deletes the contact's log lines but not their conversations' place in the agent
/// report (finding 7 of the agent API audit): past reports stay as they were, from figures that name nobody.
@Suite("Erased conversations in the agent report", .hangGuard)
struct ErasedConversationReportTests {
    /// The report as sorted JSON, to compare two readings whole.
    private func report(_ server: AgentServer, _ query: String = "") async throws -> String {
        let (status, json) = try await server.request(.GET, "reports/agents\(query)", key: "key-jefa")
        #expect(status == 200)
        return String(decoding: try JSONSerialization.data(withJSONObject: json, options: .sortedKeys), as: UTF8.self)
    }

    @Test func anErasureLeavesEveryPeriodsReportAsItWas() async throws {
        try await AgentServer.run { server in
            let started = server.e2e.clock.now
            try await server.handOff(EndToEnd.ana)
            // A second contact, who stays: the report holds both before and after.
            try await server.handOff("573005556677")
            try await server.anaRepliesThenCloses(EndToEnd.ana, after: 40, closingAfter: 60)
            let periods = ["", "?from=\(AgentAPI.iso8601(started))", "?to=\(AgentAPI.iso8601(started + 1))"]
            var before: [String] = []
            for period in periods { before.append(try await report(server, period)) }
            #expect(before[0].contains(#""agent":"ana""#))

            let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)
            let (erased, erasure) = try await server.request(.POST, "data-requests/1/erase", key: "key-jefa")
            #expect(erased == 200)
            #expect(((erasure["deleted"] as? [String: Any])?["log_lines"] as? Int ?? 0) > 0)
            #expect(
                try await server.e2e.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 9).isEmpty
            )

            for (period, expected) in zip(periods, before) {
                #expect(try await report(server, period) == expected, "\(period)")
            }
            // A period after the conversation started still leaves it out.
            let later = try await report(server, "?from=\(AgentAPI.iso8601(server.e2e.clock.now + 1))")
            #expect(later.contains(#""conversations":0"#))
        }
    }

    @Test func theKeptFiguresGoWithTheLogsRetention() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("store.sqlite"))
        let contact = "573001112233"
        try await store.handleInbound(tenant: "t", contact: contact, messageID: "wamid.1", receivedAt: 1_000) {
            session, _ in
            session.status = .waiting
            var changes = ConversationChanges(flow: "prueba", stateName: "menu")
            changes.log(ConversationEvent.started)
            return changes
        }
        let request = try await store.openDataRequest(
            tenant: "t", contact: contact, kind: .claim, receivedAt: 1_100, dueAt: 9_999_999, flagDueAt: nil,
            subject: nil, recordedAt: 1_100)
        _ = try #require(try await store.eraseContactData(id: request.id, at: 1_200))
        let kept = try await store.loggedConversations(tenant: "t", startedFrom: nil, startedBefore: nil)
        #expect(kept.map(\.startedAt) == [1_000])
        // The conversation the erasure closed ends at the erasure.
        #expect(kept.first?.endedAt == 1_200)
        #expect(try await store.loggedConversations(tenant: "u", startedFrom: nil, startedBefore: nil).isEmpty)
        try await store.purgeConversationLog(tenant: "t", before: 1_001)
        #expect(try await store.loggedConversations(tenant: "t", startedFrom: nil, startedBefore: nil).isEmpty)
    }
}
