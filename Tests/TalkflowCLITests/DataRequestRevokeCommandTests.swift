import FlowRuntime
import Foundation
import Storage
import Testing

/// `talkflow data-request revoke`: a revocation received outside the chat, recorded under an open reclamo through
/// the built binary; the consent and opt-in are cleared and the record shows where it came from.
@Suite struct DataRequestRevokeCommandTests {
    /// Monday 23 November 2026, 10:00 in Bogotá.
    static let monday: Int64 = 1_795_446_000

    /// A store where 573001112233 accepted policy 2026-01 and the opt-in, and waits at the menu of `ventas`.
    private func makeStore(_ folder: TemporaryFolder) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: folder.url.appendingPathComponent("store.sqlite").path)
        try await store.handleInbound(
            tenant: "ventas", contact: "573001112233", messageID: "wamid.1", receivedAt: Self.monday
        ) { session, _ in
            session.status = .waiting
            session.consent = Session.Consent(acceptedVersion: "2026-01", optIn: true)
            session.variables = ["Ana", "+573001112233", "calle 1"]
            return ConversationChanges(flow: "prueba", stateName: "menu")
        }
        try await store.appendConsent(
            tenant: "ventas", contact: "573001112233",
            [("accepted", "atencion"), ("opt_in_accepted", "promociones")].map { choice, purpose in
                LedgerEntry(
                    .consent(
                        ConsentEvidence(
                            flow: "prueba", step: "consentimiento", policyVersion: "2026-01",
                            policyURL: "https://example.co/datos", choice: choice, shownTexts: ["Texto", "Acepto"],
                            textSHA256: "", purposesAccepted: [purpose], purposesDeclined: [], sensitive: false,
                            at: Self.monday, replyMessageID: nil, language: "es")),
                    channel: "whatsapp_cloud", phoneNumberID: "1234567890", receivedAt: Self.monday)
            })
        return store
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A tenant the store never served is refused, naming those it served: the case would flag nobody and stay
    /// for good (the operator2 audit opened one under `Ventas` for `ventas`).
    @Test func aCaseForATenantTheStoreNeverServedIsRefused() async throws {
        let folder = try TemporaryFolder()
        _ = try await makeStore(folder)
        let open = try await folder.run(
            "data-request", "open", "573001112233", "--tenant", "Ventas", "--kind", "claim", "--store",
            "sqlite:store.sqlite")
        #expect(open.status == 1)
        #expect(
            open.stderr
                == "talkflow: error: unknown tenant 'Ventas': the store has served 'ventas'; tenant ids are the "
                + "configuration's, case and all; nothing was recorded\n")
        let list = try await folder.run("data-request", "list", "--store", "sqlite:store.sqlite")
        #expect(list.stdout == "[]\n")
    }

    @Test func aRevocationIsRecordedUnderAClaimOnce() async throws {
        let folder = try TemporaryFolder()
        let store = try await makeStore(folder)
        let open = try await folder.run(
            "data-request", "open", "573001112233", "--tenant", "ventas", "--kind", "claim", "--subject",
            "revoca por correo", "--store", "sqlite:store.sqlite", "--at", String(Self.monday + 60))
        #expect(open.status == 0, "\(open.stderr)")

        let early = try await folder.run(
            "data-request", "revoke", "1", "--store", "sqlite:store.sqlite", "--at", String(Self.monday))
        #expect(early.status == 1)
        #expect(early.stderr.contains("the revocation cannot be earlier"), "\(early.stderr)")

        let revoke = try await folder.run("data-request", "revoke", "1", "--store", "sqlite:store.sqlite")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let revoked = try json(revoke.stdout)
        #expect(revoked["contact"] as? String == "573001112233")
        #expect(revoked["revoked_version"] as? String == "2026-01")
        #expect(revoked["opt_in_withdrawn"] as? Bool == true)
        #expect(revoked["conversation_closed"] as? Bool == true)

        let history = try await store.consentHistory(tenant: "ventas", contact: "573001112233")
        #expect(history.records.map(\.choice) == ["accepted", "opt_in_accepted", "revoked"])
        #expect(history.records.last?.channel == "data_request")
        #expect(history.records.last?.words == "data request 1")
        #expect(history.current.acceptedVersion == nil && !history.current.optIn)
        let session = try #require(try await store.session(tenant: "ventas", contact: "573001112233"))
        #expect(session.status == .closed)
        #expect(session.consent == Session.Consent())

        let again = try await folder.run("data-request", "revoke", "1", "--store", "sqlite:store.sqlite")
        #expect(again.status == 1)
        #expect(
            again.stderr
                == "talkflow: error: the contact of data request 1 has no consent and no opt-in in force: nothing "
                + "to revoke\n")
    }
}
