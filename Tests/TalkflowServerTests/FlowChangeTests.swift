import FlowCompiler
import Foundation
import Storage
import Testing

@testable import TalkflowServer

// A stored session holds indices into the flow it was stepped with. When the flow changes under an open
// conversation (a reload, a restart with an edited file), the server carries the session over by name: the same
// step id, variables by name, the queue by name; a step that is gone starts a new conversation that keeps
// consent. Never a trap, never another step.

/// Edits of the shipped default flow, made as an operator would.
enum EditedFlow {
    /// The same steps with `menu_principal` moved to the end: every step index after it moves.
    static func reordered(_ flow: String) -> String {
        let start = flow.range(of: "  menu_principal:\n")!
        let end = flow.range(of: "  pedir_nombre:\n")!
        let menu = String(flow[start.lowerBound..<end.lowerBound])
        var out = flow
        out.removeSubrange(start.lowerBound..<end.lowerBound)
        return out + "\n" + menu
    }

    /// Five steps: consent, a two-option menu, the handoff, its keyword branch and the goodbye. The FAQ, the
    /// purchase questions and the public information are gone.
    static func shrunk(_ flow: String) -> String {
        let head = String(flow[..<flow.range(of: "steps:\n")!.lowerBound])
            .replacingOccurrences(of: "    - words: [menu, inicio]\n      goto: ir_al_menu\n", with: "")
        func block(_ from: String, _ to: String) -> String {
            String(flow[flow.range(of: from)!.lowerBound..<flow.range(of: to)!.lowerBound])
        }
        let consent = block("  consentimiento:\n", "  menu_principal:\n")
            .replacingOccurrences(of: "next: info_publica", with: "next: despedida")
        // The main menu keeps its advisor option; the purchase and the FAQ become a way out.
        let menu = block("  menu_principal:\n", "  pedir_nombre:\n")
            .replacingOccurrences(
                of: "      - { id: comprar, title: Comprar, synonyms: [compra, pedido], next: pedir_nombre }\n",
                with: ""
            )
            .replacingOccurrences(
                of: "{ id: preguntas, title: Preguntas frecuentes, synonyms: [faq, ayuda], next: preguntas }",
                with: "{ id: salir, title: Salir, next: despedida }")
        let handoff = block("  asesor:\n", "  # Responde las preguntas")
        let tail = String(flow[flow.range(of: "  ir_al_asesor:\n")!.lowerBound...])
        return head + "steps:\n" + consent + menu + handoff + tail
    }

    /// The purchase asks for the city before the name, in a step written first: `ciudad` takes the variable
    /// index `nombre` had.
    static func askingTheCityFirst(_ flow: String) -> String {
        flow.replacingOccurrences(of: "next: pedir_nombre }", with: "next: pedir_ciudad }")
            .replacingOccurrences(
                of: "  pedir_nombre:\n",
                with: """
                      pedir_ciudad:
                        type: ask
                        text: "¿Desde qué ciudad nos escribes?"
                        save: ciudad
                        next: pedir_nombre

                      pedir_nombre:

                    """)
    }
}

@Suite(.serialized, .hangGuard) struct FlowChangeTests {
    /// Ana accepts the policy (message ids `wamid.<ids>1` and `2`) and is at the main menu.
    static func acceptAndReachTheMenu(_ server: EndToEnd, ids: String) async throws {
        #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.\(ids)1")) == 200)
        _ = try await server.waitForSends(1)
        let accept = EndToEnd.buttonReply(
            "consentimiento.accept", title: "Acepto", from: EndToEnd.ana, id: "wamid.\(ids)2", context: "wamid.FAKE1")
        #expect(try await server.post(accept) == 200)
        _ = try await server.waitForSends(2)
    }

    /// Ana taps `option` of the main menu (message id `wamid.<ids>3`); returns the sends so far, the reply included.
    static func choose(_ option: String, title: String, _ server: EndToEnd, ids: String) async throws -> [String] {
        let tap = EndToEnd.buttonReply(
            option, title: title, from: EndToEnd.ana, id: "wamid.\(ids)3", context: "wamid.FAKE2")
        #expect(try await server.post(tap) == 200)
        return try await server.waitForSends(3)
    }

    static func write(_ flow: String, to server: EndToEnd) throws {
        try Data(flow.utf8).write(to: URL(fileURLWithPath: server.flowFile))
    }

    static func summary(_ server: EndToEnd) async throws -> ConversationSummary? {
        try await server.store.conversations(tenant: "tienda", filter: ConversationFilter()).first {
            $0.contact == EndToEnd.ana
        }
    }

    @Test func aContactContinuesAtTheSameStepAfterAReloadReordersTheSteps() async throws {
        try await EndToEnd.run { server in
            try await Self.acceptAndReachTheMenu(server, ids: "O")
            let flow = try String(contentsOfFile: server.flowFile, encoding: .utf8)
            try Self.write(EditedFlow.reordered(flow), to: server)
            #expect(try await server.reload() == 200)
            let sends = try await Self.choose("preguntas", title: "Preguntas frecuentes", server, ids: "O")
            #expect(sends.last?.contains("Estas son nuestras preguntas frecuentes") == true, "\(sends.last ?? "")")
            #expect(try await Self.summary(server)?.state == "preguntas")
            try await server.waitForEmptyOutbox()
        }
    }

    /// The layout of the flow a session was stepped with outlives the process: after a restart with the steps
    /// reordered, the contact goes on at the same step by id.
    @Test func aContactContinuesAtTheSameStepAfterARestartWithReorderedSteps() async throws {
        try await EndToEnd.run(
            { server in
                try await Self.acceptAndReachTheMenu(server, ids: "R")
                try await server.waitForEmptyOutbox()
                let flow = try String(contentsOfFile: server.flowFile, encoding: .utf8)
                try Self.write(EditedFlow.reordered(flow), to: server)
            },
            afterARestart: { server in
                let tap = EndToEnd.buttonReply(
                    "preguntas", title: "Preguntas frecuentes", from: EndToEnd.ana, id: "wamid.R3",
                    context: "wamid.FAKE2")
                #expect(try await server.post(tap) == 200)
                let sends = try await server.waitForSends(3)
                #expect(sends.last?.contains("Estas son nuestras preguntas frecuentes") == true, "\(sends.last ?? "")")
                #expect(try await Self.summary(server)?.state == "preguntas")
                try await server.waitForEmptyOutbox()
            })
    }

    @Test func aReloadThatRemovesTheContactsStepStartsANewConversationKeepingConsent() async throws {
        try await EndToEnd.run { server in
            try await Self.acceptAndReachTheMenu(server, ids: "V")
            _ = try await Self.choose("preguntas", title: "Preguntas frecuentes", server, ids: "V")
            #expect(try await Self.summary(server)?.state == "preguntas")
            // `preguntas` was step 5; the new flow has five steps.
            let flow = try String(contentsOfFile: server.flowFile, encoding: .utf8)
            try Self.write(EditedFlow.shrunk(flow), to: server)
            #expect(try await server.reload() == 200)
            #expect(try await server.post(EndToEnd.text("hola", from: EndToEnd.ana, id: "wamid.V4")) == 200)
            let sends = try await server.waitForSends(4)
            // Consent is kept: the new conversation goes past the policy to the new menu.
            #expect(sends.last?.contains(#""id":"salir""#) == true, "\(sends.last ?? "")")
            #expect(!(sends.last?.contains("Antes de continuar") ?? true))
            let session = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(session.status == .waiting)
            #expect(try await Self.summary(server)?.state == "menu_principal")
            let consent = try await server.store.consentState(tenant: "tienda", contact: EndToEnd.ana)
            #expect(consent.acceptedVersion == "2026-01")
            // The conversation that ended is closed before the new one starts, so the reports count it closed
            // (agentapi3 #2: it stayed open for ever).
            let events = try await server.store.thread(tenant: "tienda", contact: EndToEnd.ana, after: nil, limit: 99)
                .compactMap { if case .event(let event) = $0.content { event } else { nil } }
            let closed = try #require(events.firstIndex(of: ConversationEvent("closed", detail: "flow_changed")))
            #expect(events.lastIndex(of: ConversationEvent("started")) == closed + 1)
            #expect(events.filter { $0.kind == "closed" }.count == 1)
            try await server.waitForEmptyOutbox()
        }
    }

    @Test func aVariableIsCarriedByItsNameWhenItsIndexMoves() async throws {
        try await EndToEnd.run { server in
            try await Self.acceptAndReachTheMenu(server, ids: "N")
            _ = try await Self.choose("comprar", title: "Comprar", server, ids: "N")
            #expect(try await server.post(EndToEnd.text("Ana María", from: EndToEnd.ana, id: "wamid.N4")) == 200)
            _ = try await server.waitForSends(4)
            let before = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(before.variables.dropFirst(2).first == "Ana María")

            let flow = EditedFlow.askingTheCityFirst(try String(contentsOfFile: server.flowFile, encoding: .utf8))
            try Self.write(flow, to: server)
            #expect(try await server.reload() == 200)
            let machine = MachineCompiler.compile(try #require(FlowChecker.check(flow).flow))
            let nombre = try #require(machine.variables.firstIndex(of: "nombre"))
            #expect(nombre != 2)
            // A message to the agent steps the session under the new flow.
            #expect(try await server.post(EndToEnd.text("sigo aquí", from: EndToEnd.ana, id: "wamid.N5")) == 200)
            let after = try #require(try await server.store.session(tenant: "tienda", contact: EndToEnd.ana))
            #expect(after.variables.count == machine.variables.count)
            #expect(after.variables[nombre] == "Ana María")
            #expect(after.variables[try #require(machine.variables.firstIndex(of: "ciudad"))] == nil)
            #expect(after.flowVersion == CompiledFlow.layoutVersion(of: CompiledFlow.version(of: Array(flow.utf8))))
            #expect(try await Self.summary(server)?.state == "asesor")
            try await server.waitForEmptyOutbox()
        }
    }
}
