import FlowCompiler
import FlowRuntime
import Foundation
import GRDB
import ProcessTestSupport
import Storage
import Testing

/// Values the storage tests build: evidence as the interpreter writes it, and a real compiled flow for the
/// end-to-end tests (the interpreter's own records, not hand-made ones).
enum Fixtures {
    /// Monday 2026-11-23 10:00 in Bogota (15:00 UTC): inside the default business hours.
    static let monday: Int64 = 1_795_446_000

    static let consentText = "Ejemplo SAS tratara tus datos para atenderte. Puedes conocer, actualizar y suprimir."

    /// Consent evidence as the interpreter records it (decoded from its Codable form: the runtime type has no
    /// public memberwise initializer).
    static func consent(
        choice: String = "accepted", version: String = "2026-01", step: String = "consentimiento",
        texts: [String] = [consentText, "Acepto", "No acepto"], sensitive: Bool = false, at: Int64 = monday,
        reply: String? = "wamid.reply"
    ) -> ConsentEvidence {
        let optIn = choice.hasPrefix("opt_in")
        let accepted = choice.hasSuffix("accepted")
        let purposes = optIn ? ["promociones"] : ["atencion", "asesor"]
        let object: [String: Any] = [
            "flow": "prueba", "step": step, "policyVersion": version, "policyURL": "https://example.co/datos",
            "choice": choice, "shownTexts": texts, "textSHA256": sha256Hex(texts.joined(separator: "\n")),
            "purposesAccepted": accepted ? purposes : [], "purposesDeclined": accepted ? [] : purposes,
            "sensitive": sensitive, "at": at, "replyMessageID": reply as Any, "language": "es",
        ]
        return decode(object)
    }

    /// A revocation as the interpreter records it.
    static func revocation(version: String = "2026-01", at: Int64 = monday, message: String? = "wamid.revoke")
        -> RevocationEvidence
    {
        decode([
            "flow": "prueba", "policyVersion": version, "words": "revocar", "at": at, "messageID": message as Any,
        ])
    }

    /// A ledger entry from the WhatsApp channel.
    static func entry(_ evidence: LedgerEntry.Evidence, requests: [String]? = ["wamid.request"]) -> LedgerEntry {
        LedgerEntry(
            evidence, channel: "whatsapp_cloud", phoneNumberID: "1234567890", receivedAt: monday + 1,
            requestMessageIDs: requests)
    }

    static func decode<T: Decodable>(_ object: [String: Any]) -> T {
        // `nil` optionals are left out, as a synthesized Codable encoder leaves them out.
        let data = try! JSONSerialization.data(withJSONObject: object.compactMapValues { unwrap($0) })
        return try! JSONDecoder().decode(T.self, from: data)
    }

    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { $0.value }
    }

    /// `sha256sum` of the UTF-8 text, by the command-line tool: an implementation outside Swift.
    static func sha256Hex(_ text: String) -> String {
        let data = try! ChildProcess.output(of: "/usr/bin/env", ["sha256sum"], input: Array(text.utf8))
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// Changes that only send a text and log a step: enough for tests about the transaction itself.
    static func reply(_ text: String, step: String = "menu") -> ConversationChanges {
        var changes = ConversationChanges(flow: "prueba", stateName: step)
        changes.log(ConversationEvent.stepEntered, detail: step)
        changes.send(.text(text))
        return changes
    }

    /// A small real flow: consent (with an opt-in), a menu, a handoff to `ventas` (ana, bruno, carla).
    static let flowYAML = """
        flow: prueba
        language: es
        start: consentimiento
        settings:
          revocation:
            words: [revocar, "no autorizo"]
            text: "Registramos la revocatoria de tu autorizacion."
        policy:
          version: "2026-01"
          url: https://example.co/datos
          responsible:
            name: Ejemplo SAS
            address: "Calle 1 # 2-3, Bogota"
            email: datos@example.co
            phone: "+57 601 0000000"
          purposes:
            - { id: atencion, description: atender tus solicitudes }
            - { id: asesor, description: la atencion por un asesor humano, human_attention: true }
            - { id: promociones, description: enviarte promociones, optional: true, marketing: true }
          processors:
            - { name: Meta Platforms, country: Estados Unidos }
        queues:
          ventas: [ana, bruno, carla]
        steps:
          consentimiento:
            type: consent
            text: "Ejemplo SAS (datos@example.co, +57 601 0000000) tratara tus datos para atender tus solicitudes y para la atencion por un asesor humano. Tus datos se procesan fuera de Colombia (Meta Platforms, Estados Unidos). Puedes conocer, actualizar, rectificar y suprimir tus datos, revocar esta autorizacion, solicitar prueba de ella, presentar quejas ante la SIC y acceder gratuitamente a tus datos. Politica: https://example.co/datos"
            accept: { title: Acepto, next: menu }
            decline: { title: No acepto, next: info }
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con un asesor, next: asesor }
          asesor:
            type: handoff
            queue: ventas
            text: "Ya te atiende un asesor."
            closed:
              text: "Estamos fuera de horario."
            next: menu
          info:
            type: message
            text: "Atendemos de lunes a viernes de 8:00 a 18:00."
            next: despedida
          despedida:
            type: end
            text: "Gracias por escribirnos."
        """

    /// Writes an accepted record of "c" with "t1" with only the ledger columns of the first schema (a file of an
    /// older version), answered by `reply`; `requests` is the `request_message_ids` JSON.
    static func insertFirstSchemaRecord(_ db: Database, reply: String, requests: String) throws {
        try db.execute(
            sql: """
                INSERT INTO consent_ledger (tenant, contact, kind, channel, phone_number_id, flow, step,
                    policy_version, policy_url, choice, text_hashes, text_sha256, purposes_accepted,
                    purposes_declined, sensitive, language, at, received_at, reply_message_id, request_message_ids)
                VALUES ('t1', 'c', 'consent', 'whatsapp_cloud', '99', 'prueba', 'consentimiento', '2026-01',
                    'https://example.co/datos', 'accepted', '[]', NULL, '[]', '[]', 0, 'es', 1, 2, ?, ?)
                """, arguments: [reply, requests])
    }

    /// The compiled flow (checked: no errors allowed).
    static func interpreter() throws -> Interpreter {
        let result = FlowChecker.check(flowYAML)
        let errors = result.hasErrors ? result.diagnostics.map { "\($0.id): \($0.message)" } : []
        #expect(errors.isEmpty, "\(errors)")
        return Interpreter(machine: MachineCompiler.compile(try #require(result.flow)))
    }
}

/// A driver as the server would write one: for each inbound message, one `handleInbound` that steps the real
/// interpreter, answers a handoff request from the store's rotation in the same transaction, and maps the
/// effects with `ConversationChanges.record`.
struct Driver: Sendable {
    let store: any ConversationStore
    let interpreter: Interpreter
    let tenant: String

    @discardableResult
    func receive(
        _ kind: Event.Kind, from contact: String, id: String, at: Int64, quoting quoted: String? = nil
    ) async throws -> CommittedChanges? {
        let interpreter = self.interpreter
        return try await store.handleInbound(tenant: tenant, contact: contact, messageID: id, receivedAt: at) {
            session, transaction in
            // As the server does: every message carries the contact's profile name again.
            while session.variables.count < 2 { session.variables.append(nil) }
            session.variables[0] = "Ana"
            if session.variables[1] == nil { session.variables[1] = contact }
            var changes = ConversationChanges(flow: "prueba", inboundKind: "text")
            var pending: [Event.Kind] = [kind]
            while !pending.isEmpty {
                var effects: [Effect] = []
                interpreter.step(&session, Event(at: at, pending.removeFirst()), into: &effects)
                for case .requestHandoff(let queue) in effects {
                    if let assignment = try transaction.nextAgent(queue: queue, agents: ["ana", "bruno", "carla"]) {
                        changes.log(ConversationEvent.agentAssigned, detail: assignment.agent)
                        pending.append(.agentAssigned(assignment.agent))
                    }
                }
                changes.record(
                    effects,
                    evidence: EvidenceContext(
                        channel: "whatsapp_cloud", phoneNumberID: "1234", receivedAt: at,
                        requestMessageIDs: quoted.map { [$0] }))
            }
            changes.stateName = interpreter.name(of: session.state)
            changes.queueName = session.queue == nil ? nil : "ventas"
            return changes
        }
    }
}
