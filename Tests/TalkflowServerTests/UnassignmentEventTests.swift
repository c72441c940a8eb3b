import AsyncHTTPClient
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// An agent's event stream, read over real HTTP, says when a conversation leaves them, with the reason: an
/// admin's reassignment or close, the contact's revocation, a policy or flow change that ended the handoff.
@Suite("Unassignment events", .hangGuard) struct UnassignmentEventTests {
    /// `text` (ana's stream) holds one `unassignment` for the test contact, whose data are exactly these keys.
    static func expectUnassignment(
        _ text: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let frames = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: unassignment\n") }
        #expect(frames.count == 1, "\(text)", sourceLocation: sourceLocation)
        let data = frames.first?.components(separatedBy: "\ndata: ").last ?? ""
        let json = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: String] ?? [:]
        #expect(
            json.keys.sorted() == ["at", "contact", "reason", "tenant"], "\(data)", sourceLocation: sourceLocation)
        #expect(json["contact"] == EndToEnd.ana, sourceLocation: sourceLocation)
        #expect(json["tenant"] == "tienda", sourceLocation: sourceLocation)
        #expect(json["reason"] == reason, sourceLocation: sourceLocation)
        #expect(json["at"]?.hasSuffix("Z") == true, sourceLocation: sourceLocation)
    }

    /// (That the previous agent's event is published before the new agent's is the order of two calls in
    /// `reassign`; two streams read over HTTP cannot show it.)
    @Test func aReassignmentTellsThePreviousAgentAndOneToTheSameAgentTellsNobody() async throws {
        try await AgentServer.run { server in
            let ana = try await server.readEvents(of: "ana")
            defer { ana.cancel() }
            let bruno = try await server.readEvents(of: "bruno")
            defer { bruno.cancel() }
            try await server.handOff(EndToEnd.ana)
            let (status, _) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/reassign", key: "key-jefa", body: #"{"agent":"bruno"}"#)
            #expect(status == 200)
            try await server.waitUntil { ana.text.contains("event: unassignment") }
            try await server.waitUntil { bruno.text.contains("event: assignment") }
            Self.expectUnassignment(ana.text, reason: "reassigned")
            // Ana had the assignment first, then lost it.
            let text = ana.text
            let assigned = try #require(text.range(of: "event: assignment"))
            let unassigned = try #require(text.range(of: "event: unassignment"))
            #expect(assigned.lowerBound < unassigned.lowerBound)
            #expect(!bruno.text.contains("event: unassignment"))
            // Reassigning to the agent it is with changes nothing: no event.
            let (again, _) = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/reassign", key: "key-jefa", body: #"{"agent":"bruno"}"#)
            #expect(again == 200)
            try await Task.sleep(for: .milliseconds(200))
            #expect(!bruno.text.contains("event: unassignment"))
            #expect(bruno.text.components(separatedBy: "event: assignment\n").count == 2, "\(bruno.text)")
            #expect(ana.text.components(separatedBy: "event: unassignment\n").count == 2, "\(ana.text)")
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func anAdminsCloseTellsTheAgent() async throws {
        try await AgentServer.run { server in
            let ana = try await server.readEvents(of: "ana")
            defer { ana.cancel() }
            try await server.handOff(EndToEnd.ana)
            let (status, _) = try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-jefa")
            #expect(status == 200)
            try await server.waitUntil { ana.text.contains("event: unassignment") }
            Self.expectUnassignment(ana.text, reason: "closed")
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func theContactsRevocationTellsTheAgent() async throws {
        try await AgentServer.run { server in
            let ana = try await server.readEvents(of: "ana")
            defer { ana.cancel() }
            try await server.handOff(EndToEnd.ana)
            #expect(try await server.e2e.post(EndToEnd.text("revocar", from: EndToEnd.ana, id: "wamid.R1")) == 200)
            try await server.waitUntil { ana.text.contains("event: unassignment") }
            Self.expectUnassignment(ana.text, reason: "revoked")
            // The revocation word itself is not relayed to the agent.
            #expect(!ana.text.contains("event: message"))
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func aMessageAfterANewPolicyVersionTellsTheAgent() async throws {
        try await AgentServer.run(admin: true) { server in
            let ana = try await server.readEvents(of: "ana")
            defer { ana.cancel() }
            try await server.handOff(EndToEnd.ana)
            let flow = try String(contentsOfFile: server.e2e.flowFile, encoding: .utf8)
            let newVersion = flow.replacingOccurrences(of: #"version: "2026-01""#, with: #"version: "2026-02""#)
            #expect(newVersion != flow)
            try Data(newVersion.utf8).write(to: URL(fileURLWithPath: server.e2e.flowFile))
            _ = try await server.e2e.reload()
            #expect(try await server.e2e.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.P1")) == 200)
            try await server.waitUntil { ana.text.contains("event: unassignment") }
            Self.expectUnassignment(ana.text, reason: "policy_changed")
            try await server.waitForEmptyOutbox()
        }
    }

    /// Hands Ana's conversation to ana, reloads a flow without its handoff step, runs `act` and checks ana's
    /// stream tells her the handoff ended with `flow_changed`.
    private func afterAFlowChangeThatRemovedTheHandoff(
        _ act: @escaping @Sendable (AgentServer) async throws -> Void
    ) async throws {
        try await AgentServer.run(admin: true) { server in
            let ana = try await server.readEvents(of: "ana")
            defer { ana.cancel() }
            try await server.handOff(EndToEnd.ana)
            try await server.replaceTheHandoffStep()
            try await act(server)
            try await server.waitUntil { ana.text.contains("event: unassignment") }
            Self.expectUnassignment(ana.text, reason: "flow_changed")
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func aMessageAfterAFlowChangeThatRemovedTheHandoffTellsTheAgent() async throws {
        try await afterAFlowChangeThatRemovedTheHandoff { server in
            let status = try await server.e2e.post(EndToEnd.text("sigo aquí", from: EndToEnd.ana, id: "wamid.G1"))
            #expect(status == 200)
        }
    }

    /// An agent's action on a conversation whose handoff a flow change ended keeps that carry-over, as the contact's
    /// next message would: the audit found it computed only to refuse, so the list showed the conversation with
    /// ana for ever while her reply was 403 and every close or reassignment 409. The refusal stands; the list,
    /// the thread and her stream now say the handoff ended.
    @Test func anAgentsActionAfterAFlowChangeThatRemovedTheHandoffKeepsItsEnd() async throws {
        try await afterAFlowChangeThatRemovedTheHandoff { server in
            let reply = try await server.request(
                .POST, "conversations/\(EndToEnd.ana)/messages", key: "key-ana", body: #"{"text":"sigo aqui"}"#)
            #expect(reply.status == 403)
            let (listed, list) = try await server.request(
                .GET, "conversations?status=with_agent,queued", key: "key-jefa")
            #expect(listed == 200 && (list["conversations"] as? [Any])?.isEmpty == true)
            let thread = try await server.e2e.store.thread(
                tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 100)
            let ended = ConversationEvent(ConversationEvent.handoffEnded, detail: "ana")
            #expect(thread.contains { $0.content == .event(ended) })
            let close = try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-jefa")
            #expect(close.status == 409)
        }
    }
}

extension AgentServer {
    /// Reloads `tienda` with a flow whose handoff step `asesor` (queue `ventas`) is replaced by `atencion`
    /// (queue `soporte`): a handoff to `asesor` does not survive it. The reload answers 422: the second tenant
    /// shares the file and overrides `ventas`, so it keeps its flow; `tienda` takes it.
    func replaceTheHandoffStep() async throws {
        let flow = try String(contentsOfFile: e2e.flowFile, encoding: .utf8)
            .replacingOccurrences(of: "next: asesor }", with: "next: atencion }")
            .replacingOccurrences(of: "fallback: asesor\n", with: "fallback: atencion\n")
            .replacingOccurrences(of: "next: asesor\n", with: "next: atencion\n")
            .replacingOccurrences(
                of: "  asesor:\n    type: handoff\n    queue: ventas",
                with: "  atencion:\n    type: handoff\n    queue: soporte"
            )
            .replacingOccurrences(of: "  ventas: [ana, bruno, carla]", with: "  soporte: [ana, bruno, carla]")
        try Data(flow.utf8).write(to: URL(fileURLWithPath: e2e.flowFile))
        #expect(try await e2e.reload() == 422)
    }
}
