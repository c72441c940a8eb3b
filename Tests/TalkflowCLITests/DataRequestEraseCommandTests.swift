import FlowRuntime
import Foundation
import Storage
import Testing

/// `talkflow data-request erase` and the "reclamo en trámite" flag, through the built binary on a store holding
/// real conversations.
@Suite struct DataRequestEraseCommandTests {
    /// Monday 23 November 2026, 10:00 in Bogotá.
    static let monday: Int64 = 1_795_446_000

    /// A store with the contact's conversation with `ventas` (waiting at a bot step, a line in and an event) and
    /// with `soporte`, and another contact with an agent.
    private func makeStore(_ folder: TemporaryFolder) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: folder.url.appendingPathComponent("store.sqlite").path)
        for (tenant, contact, status) in [
            ("ventas", "573001112233", Session.Status.waiting), ("soporte", "573001112233", .waiting),
            ("ventas", "573009998877", .withAgent),
        ] {
            try await store.handleInbound(
                tenant: tenant, contact: contact, messageID: "wamid.\(tenant).\(contact)", receivedAt: Self.monday
            ) { session, _ in
                session.status = status
                session.variables = ["Ana", contact, "calle 1"]
                var changes = ConversationChanges(flow: "prueba", stateName: "menu")
                changes.log(ConversationEvent.stepEntered, detail: "menu")
                return changes
            }
        }
        return store
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aClaimIsFlaggedItsContactErasedOnceAndConsentKept() async throws {
        let folder = try TemporaryFolder()
        let store = try await makeStore(folder)
        let linesOfSoporte = try await store.thread(tenant: "soporte", contact: "573001112233", after: nil, limit: 99)
        let lines = try await store.thread(tenant: "ventas", contact: "573001112233", after: nil, limit: 99).count
        #expect(lines == 2)  // the inbound message and the step
        // Received a week before it was recorded: flagged late.
        let open = try await folder.run(
            "data-request", "open", "573001112233", "--tenant", "ventas", "--kind", "claim", "--store",
            "sqlite:store.sqlite", "--at", String(Self.monday))
        #expect(open.status == 0, "\(open.stderr)")
        let opened = try json(open.stdout)
        #expect(opened["flagged_at"] is String)
        #expect(opened["flag_late"] as? Bool == true)
        let export = try await folder.run("consent", "export", "573001112233", "--store", "sqlite:store.sqlite")
        #expect(export.status == 0)
        let histories = try #require(try json(export.stdout)["histories"] as? [[String: Any]])
        #expect(histories.isEmpty)  // no consent records: no history, as documented
        let scoped = try await folder.run(
            "consent", "export", "573001112233", "--store", "sqlite:store.sqlite", "--tenant", "ventas")
        let ventas = try #require((try json(scoped.stdout)["histories"] as? [[String: Any]])?.first)
        #expect(ventas["claim_in_progress"] as? Bool == true)
        // The number as the case took it (and as people write it) is the same contact (habeas3 #3).
        let written = try await folder.run(
            "consent", "export", "+57 300 111-2233", "--store", "sqlite:store.sqlite", "--tenant", "ventas")
        #expect(written.stdout == scoped.stdout)
        let punctuation = try await folder.run("consent", "export", "+", "--store", "sqlite:store.sqlite")
        #expect(punctuation.status == 64 && punctuation.stderr.contains("holds no digit or letter"))

        let erase = try await folder.run("data-request", "erase", "1", "--store", "sqlite:store.sqlite")
        #expect(erase.status == 0, "\(erase.stderr)")
        let erased = try json(erase.stdout)
        #expect(erased["contact"] as? String == "573001112233")
        #expect((erased["deleted"] as? [String: Any])?["log_lines"] as? Int == lines)
        #expect(erased["conversation_closed"] as? Bool == true)
        #expect((erased["kept"] as? [String])?.first?.hasPrefix("consent evidence and consent texts") == true)
        let report = try #require(erased["data_request"] as? [String: Any])
        #expect(report["erased_at"] is String && report["erased_lines"] as? Int == lines)
        #expect(report["status"] as? String == "open")
        #expect(try await store.thread(tenant: "ventas", contact: "573001112233", after: nil, limit: 99).isEmpty)
        #expect(
            try await store.thread(tenant: "soporte", contact: "573001112233", after: nil, limit: 99)
                == linesOfSoporte)

        let again = try await folder.run("data-request", "erase", "1", "--store", "sqlite:store.sqlite")
        #expect(again.status == 1)
        #expect(again.stderr == "talkflow: error: data request 1 was already erased\n")

        let answer = try await folder.run(
            "data-request", "answer", "1", "--note", "suprimidos; la prueba del consentimiento se conserva", "--store",
            "sqlite:store.sqlite")
        #expect(answer.status == 0)
        let afterAnswer = try await folder.run(
            "consent", "export", "573001112233", "--store", "sqlite:store.sqlite", "--tenant", "ventas")
        #expect(
            (try json(afterAnswer.stdout)["histories"] as? [[String: Any]])?.first?["claim_in_progress"] as? Bool
                == false)
        let answered = try await folder.run("data-request", "erase", "1", "--store", "sqlite:store.sqlite")
        #expect(answered.status == 1)
        #expect(answered.stderr.contains("already answered"))
    }

    @Test func aConsultaAHandoffAndAnEarlyTimeAreRefused() async throws {
        let folder = try TemporaryFolder()
        _ = try await makeStore(folder)
        for (contact, kind) in [("573001112233", "access"), ("573009998877", "claim")] {
            let open = try await folder.run(
                "data-request", "open", contact, "--tenant", "ventas", "--kind", kind, "--store", "sqlite:store.sqlite",
                "--at", String(Self.monday))
            #expect(open.status == 0)
        }
        let consulta = try await folder.run("data-request", "erase", "1", "--store", "sqlite:store.sqlite")
        #expect(consulta.status == 1)
        #expect(consulta.stderr.contains("is a consulta (access), not a reclamo (claim)"))
        let handoff = try await folder.run("data-request", "erase", "2", "--store", "sqlite:store.sqlite")
        #expect(handoff.status == 1)
        #expect(handoff.stderr.contains("close the conversation first"))
        let early = try await folder.run(
            "data-request", "erase", "2", "--store", "sqlite:store.sqlite", "--at", String(Self.monday - 1))
        #expect(early.status == 1)
        #expect(early.stderr.contains("the erasure cannot be earlier"))
        #expect(try await folder.run("data-request", "erase", "9", "--store", "sqlite:store.sqlite").status == 1)
        #expect(try await folder.run("data-request", "erase", "--store", "sqlite:store.sqlite").status == 64)
    }

    /// A number written as people write it is the `wa_id` the conversation is kept under, so the claim reaches
    /// it; a case whose contact the tenant has nothing of is refused, not recorded as an erasure of nothing.
    @Test func aNumberAsWrittenReachesTheConversationAndAContactWithoutDataIsRefused() async throws {
        let folder = try TemporaryFolder()
        let store = try await makeStore(folder)
        let open = try await folder.run(
            "data-request", "open", "+57 300 111-2233", "--tenant", "ventas", "--kind", "claim", "--store",
            "sqlite:store.sqlite")
        #expect(open.status == 0, "\(open.stderr)")
        #expect(try json(open.stdout)["contact"] as? String == "573001112233")
        #expect(try await store.claimInProgress(tenant: "ventas", contact: "573001112233"))
        let short = try await folder.run(
            "data-request", "open", "+57 300", "--tenant", "ventas", "--kind", "claim", "--store", "sqlite:store.sqlite"
        )
        #expect(short.status == 64)
        #expect(short.stderr.contains("the contact '+57 300' has 5 digits"))

        let stranger = try await folder.run(
            "data-request", "open", "573000000000", "--tenant", "ventas", "--kind", "claim", "--store",
            "sqlite:store.sqlite")
        #expect(stranger.status == 0)
        let refused = try await folder.run("data-request", "erase", "2", "--store", "sqlite:store.sqlite")
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "talkflow: error: the tenant has no conversation, log line or id link of the contact of data request 2")
        )
        #expect(try await store.dataRequest(id: 2)?.erasedAt == nil)
        let erased = try await folder.run("data-request", "erase", "1", "--store", "sqlite:store.sqlite")
        #expect(erased.status == 0, "\(erased.stderr)")
    }
}
