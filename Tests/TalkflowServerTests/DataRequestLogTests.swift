import Foundation
import Testing

@testable import TalkflowServer

/// The data request log lines name the agent by their id, never by their credential (finding 5 of the agent API
/// audit: they wrote the SHA-256 of the agent's key, which verifies it).
@Suite("Data request log lines", .hangGuard)
struct DataRequestLogTests {
    @Test func openingAndErasingLogTheAgentsIdOnly() async throws {
        let logs = LogRecorder()
        try await AgentServer.run(logs: logs) { server in
            try await server.handOff(EndToEnd.ana)
            #expect(
                try await server.request(.POST, "conversations/\(EndToEnd.ana)/close", key: "key-ana").status == 200)
            try await server.waitForEmptyOutbox()
            let body = #"{"contact": "\#(EndToEnd.ana)", "kind": "claim"}"#
            #expect(try await server.request(.POST, "data-requests", key: "key-ana", body: body).status == 201)
            #expect(try await server.request(.POST, "data-requests/1/erase", key: "key-jefa").status == 200)
        }
        let opened = try #require(logs.all.first { $0.message == "data request opened" })
        #expect(opened.metadata["agent"] == "ana")
        let erased = try #require(logs.all.first { $0.message == "contact data erased under a claim" })
        #expect(erased.metadata["agent"] == "jefa")
        for key in ["key-ana", "key-jefa"] {
            let hash = SecretComparison.sha256(key)
            #expect(!logs.text.contains("\(hash)"))
            #expect(!logs.text.contains(SecretComparison.hex(hash)))
        }
        #expect(!logs.text.contains("keyHash"))
    }

    @Test func aCredentialPrintsWithoutItsHash() {
        let credential = AgentCredential(agent: "esteban", keyHash: SecretComparison.sha256("key-esteban"), admin: true)
        var dumped = ""
        dump(credential, to: &dumped)
        for text in ["\(credential)", String(reflecting: credential), dumped] {
            #expect(text.contains("esteban"))
            #expect(!text.contains("keyHash") && !text.contains("\(credential.keyHash)"))
        }
        #expect("\(credential)" == #"AgentCredential(agent: "esteban", admin: true)"#)
    }
}
