import Conversations
import FlowCompiler
import Foundation
import Testing

/// The repository's root, found from this file's place (`Tests/ConversationsTests/`).
let transcriptRepositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh folder for one test's transcripts and flows, removed when the test ends.
final class TranscriptFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("talkflow-transcripts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes a file (creating its folders) and returns its full path.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// Writes a transcript next to a copy of the shipped default flow (`default.yaml`) and runs it.
    func runAgainstDefault(_ transcript: String, name: String = "t.test.yaml") throws -> TranscriptResult {
        try copyDefaultFlow()
        return TranscriptRunner.run(file: try write(name, transcript))
    }

    /// Runs a transcript of `flows/tienda.yaml` (written beforehand) that is not exhaustive: the contact opens,
    /// accepts, declines the promotions, taps `option`, then the transcript's `steps` (YAML list items, without
    /// indentation). `fixtures` is a YAML mapping of the transcript's fixtures, if any.
    func runTienda(tapping option: String, fixtures: String? = nil, then steps: String, name: String = "t")
        throws -> TranscriptResult
    {
        let path = try write(
            "tests/\(name).test.yaml",
            "flow: ../flows/tienda.yaml\nexhaustive: false\n" + (fixtures.map { "fixtures: \($0)\n" } ?? "")
                + "steps:\n  - contact: hola\n  - tap: Acepto\n  - tap: \"no, GRACIAS\"\n  - tap: \(option)\n"
                + steps.split(separator: "\n").map { "  \($0)\n" }.joined())
        return TranscriptRunner.run(file: path)
    }

    /// Copies `Flows/default.yaml` into the folder.
    func copyDefaultFlow() throws {
        let text = try String(
            contentsOf: transcriptRepositoryRoot.appending(path: "Flows/default.yaml"), encoding: .utf8)
        try write("default.yaml", text)
    }

    /// Writes a transcript next to `variant.yaml`, the shipped default flow with two more steps that nothing
    /// reaches (a warning, which does not stop a transcript): `pedir_apellido` asks and saves `apellido`, and
    /// `marcar` sets `origen`. So a transcript can name a variable saved elsewhere, or only set.
    func runAgainstVariant(_ transcript: String, name: String = "t.test.yaml") throws -> TranscriptResult {
        let text = try String(
            contentsOf: transcriptRepositoryRoot.appending(path: "Flows/default.yaml"), encoding: .utf8)
        try write(
            "variant.yaml",
            text + """

                  pedir_apellido:
                    type: ask
                    text: "¿Y tu apellido?"
                    save: apellido
                    personal_data: true
                    next: marcar

                  marcar:
                    type: set
                    values: { origen: whatsapp }
                    next: despedida

                """)
        return TranscriptRunner.run(file: try write(name, transcript))
    }
}

/// Flows and transcripts the runner tests share.
enum TranscriptSamples {
    /// `Flows/default.yaml` compiled, for driving a simulator without a transcript file.
    static func defaultMachine() throws -> StateMachine {
        let text = try String(
            contentsOf: transcriptRepositoryRoot.appending(path: "Flows/default.yaml"), encoding: .utf8)
        return MachineCompiler.compile(try #require(FlowChecker.check(text).flow))
    }

    /// The first lines of every transcript against `default.yaml`: hello, the consent, acceptance, the menu.
    static let acceptedHeader = """
        flow: default.yaml
        steps:
          - contact: hola
          - bot:
              contains: Antes de continuar necesitamos tu autorización
              buttons: [Acepto, No acepto]
          - tap: Acepto
          - consent: accepted
          - bot:
              body: ¿En qué te podemos ayudar?
              buttons: [Comprar, Preguntas frecuentes, Hablar con un asesor]

        """

    /// `acceptedHeader`, then the contact asks for an agent and the rotation gives the conversation to ana.
    static let withAgentHeader =
        acceptedHeader + """
              - tap: Hablar con un asesor
              - bot: { contains: asesor }
              - handoff: { queue: ventas, agent: ana }

            """

    /// A small shop flow with what the shipped flows lack: an opt-in, a message with a file, a marketing and a
    /// utility template, and an ask for a document. It checks clean.
    static let tiendaFlow = """
        flow: tienda
        language: es
        start: consentimiento
        settings:
          time_zone: America/Bogota
          inactivity:
            after: 30m
            text: "Cerramos por inactividad."
          keywords:
            - words: [menu]
              goto: menu
          revocation:
            words: [revocar]
            text: "Registramos la revocatoria."
        policy:
          version: "2026-01"
          url: https://example.co/datos
          responsible:
            name: Tienda SAS
            address: "Calle 1 # 2-3, Bogota"
            email: datos@example.co
            phone: "+57 601 0000000"
          purposes:
            - id: atencion
              description: atender tus pedidos
            - id: promociones
              description: enviarte promociones
              optional: true
              marketing: true
          processors:
            - name: Meta Platforms (WhatsApp Cloud API)
              country: Estados Unidos
        templates:
          oferta:
            name: oferta_mensual
            language: es
            category: marketing
            body: "Hola {{1}}, esta semana tenemos descuentos."
            opt_out: "No recibir más"
          aviso:
            name: aviso_pedido
            language: es
            category: utility
            body: "Hola {{1}}, tu pedido va en camino."
        steps:
          consentimiento:
            type: consent
            text: >-
              Tienda SAS (datos@example.co, +57 601 0000000) tratara tus datos para atender tus pedidos. Tus datos se
              procesan fuera de Colombia (Meta Platforms, Estados Unidos). Puedes conocer, actualizar, rectificar y
              suprimir tus datos, revocar esta autorizacion, solicitar prueba de ella, presentar quejas ante la SIC y
              acceder gratuitamente a tus datos. Politica: https://example.co/datos
            accept: { title: Acepto, next: menu }
            decline: { title: No acepto, next: despedida }
            opt_in:
              purpose: promociones
              text: "¿Quieres recibir promociones?"
              accept: Sí, quiero
              decline: No, gracias
          menu:
            type: menu
            text: "¿Qué quieres hacer?"
            options:
              - { id: catalogo, title: Ver catálogo, next: catalogo }
              - { id: ofertas, title: Ofertas, next: ofertas }
              - { id: aviso, title: Estado del pedido, next: aviso }
              - { id: factura, title: Enviar factura, next: factura }
            fallback: despedida
          catalogo:
            type: message
            text: "Este es nuestro catálogo."
            attachment:
              url: https://example.co/catalogo.pdf
              filename: catalogo.pdf
              caption: Catálogo de marzo
            next: menu
          ofertas:
            type: template
            template: oferta
            parameters: ["{{contact.name}}"]
            next: menu
          aviso:
            type: template
            template: aviso
            parameters: ["{{contact.name}}"]
            next: menu
          factura:
            type: ask
            text: "Envía tu factura en PDF."
            input: document
            save: factura
            personal_data: true
            next: gracias
          gracias:
            type: message
            text: "Recibimos {{factura}}."
            next: despedida
          despedida:
            type: end
            text: "Gracias por escribirnos."

        """

    /// A transcript value using every input, every expectation and every fixture, for format round trips.
    static let everyKind = Transcript(
        name: "todo: cada clase de paso",
        flowPath: "../flows/tienda.yaml",
        fixtures: TranscriptFixtures(
            step: "menu", variables: [TranscriptVariable(name: "factura", value: "f.pdf")],
            consent: ConsentFixture(version: "2025-01", optIn: true), contactName: "Ana María",
            contactPhone: "573001112233", time: TranscriptDateTime(year: 2026, month: 3, day: 7, hour: 22, minute: 30),
            rotation: [TranscriptRotation(queue: "ventas", agent: "bruno")]),
        exhaustive: false,
        steps: [
            .init(.input(.contact("hola"))),
            .init(.input(.contact(""))),
            .init(.input(.forwarded("Acepto"))),
            .init(.input(.unreadable("nfm_reply"))),
            .init(.input(.tap("Sí, quiero"))),
            .init(.input(.attachment(TranscriptAttachment(type: "pdf", size: 2 * 1024 * 1024, name: "x.pdf")))),
            .init(.input(.attachment(TranscriptAttachment(type: "video/mp4", size: 1500, name: nil)))),
            .init(.input(.agent("Hola: soy Ana"))),
            .init(.input(.agentClose)),
            .init(.input(.wait(seconds: 25 * 3600))),
            .init(.input(.at(TranscriptDateTime(year: 2026, month: 12, day: 1, hour: 9, minute: 0, second: 30)))),
            .init(.expect(.bot(MessageExpectation(text: "true")))),
            .init(
                .expect(.bot(MessageExpectation(text: String(repeating: "palabra larga ", count: 20) + "fin\n\notro")))),
            .init(.expect(.bot(MessageExpectation(contains: "a", pattern: "^b.*$")))),
            .init(
                .expect(
                    .bot(MessageExpectation(body: "B", header: "H", footer: "F", form: .buttons(["Sí", "No, no"]))))),
            .init(.expect(.bot(MessageExpectation(body: "B", form: .list(button: "Ver", rows: ["1", "dos"]))))),
            .init(.expect(.bot(MessageExpectation(form: .list(button: nil, rows: nil))))),
            .init(
                .expect(
                    .bot(MessageExpectation(form: .attachment(url: "https://x.co/a.pdf", name: "a.pdf", caption: "C"))))
            ),
            .init(
                .expect(.bot(MessageExpectation(form: .template(name: "t", language: "es", parameters: ["1", ""]))))),
            .init(.expect(.bot(MessageExpectation()))),
            .init(.expect(.windowClosed(MessageExpectation(text: "¿Sigues ahí?")))),
            .init(.expect(.consent(choice: "accepted", purposes: ["atencion", "asesor"]))),
            .init(.expect(.consent(choice: "opt_in_declined", purposes: nil))),
            .init(.expect(.consent(choice: "accepted", purposes: nil, sensitive: true))),
            .init(.expect(.consent(choice: "declined", purposes: ["atencion"], sensitive: false))),
            .init(.expect(.revoked)),
            .init(.expect(.handoff(queue: "ventas", agent: "ana"))),
            .init(.expect(.handoff(queue: nil, agent: nil))),
            .init(.expect(.handoffEnded)),
            .init(.expect(.closed("agent_closed"))),
            .init(.expect(.refused(.agentMessage))),
            .init(.expect(.refused(.template(nil)))),
            .init(.expect(.refused(.template("oferta_mensual")))),
            .init(.expect(.relayed(.exact("x.pdf")))),
            .init(.expect(.relayed(.exact("[order]")))),
            .init(.expect(.relayed(.contains("zapatos")))),
            .init(.expect(.relayed(.pattern("^U")))),
            .init(.expect(.step("menu"))),
            .init(.expect(.saved("nombre"))),
        ])
}
