import FlowRuntime
import Testing

/// A menu whose options lead to a template (`aviso`), to a `set` reading `contact.name` (`guardar`) and to a
/// `set` of a constant (`marcar`): the steps that do not wait but that the compiler's consent proof gates, and
/// one it does not.
private let steps = """
      menu:
        type: menu
        text: "En que te ayudamos?"
        options:
          - { id: avisar, title: Avisarme, next: aviso }
          - { id: guardar, title: Guardar mi nombre, next: guardar }
          - { id: marcar, title: Marcar, next: marcar }
      aviso:
        type: template
        template: confirmacion
        parameters: ["{{contact.name}}"]
        next: info
      guardado:
        type: message
        text: "Guardado: {{cliente}}"
        next: menu
      marcado:
        type: message
        text: "Marcado: {{origen}}"
        next: menu
      guardar:
        type: set
        values: { cliente: "{{contact.name}}" }
        next: guardado
      marcar:
        type: set
        values: { origen: menu }
        next: marcado

    """

private func flow(version: String) throws -> Interpreter {
    let yaml = Fixture.declaringUtilityTemplate(
        "confirmacion", name: "confirmacion_cita", body: "Hola {{1}}, registramos tu solicitud.",
        in: Fixture.flow(version: version, steps: steps + Fixture.handoff))
    return Interpreter(machine: try Fixture.machine(yaml))
}

/// A contact who accepted version 2026-01 and is at the menu when the flow is reloaded with 2026-02.
private func chatAtTheMenuUnderANewVersion() throws -> Chat {
    var before = Chat(try flow(version: "2026-01"), session: Session(contactName: "Ana", phone: "573001112233"))
    before.openAndAccept()
    #expect(before.step == "menu")
    return Chat(try flow(version: "2026-02"), session: before.session, at: before.now)
}

private func templatesSent(_ effects: [Effect]) -> [String] {
    effects.compactMap {
        if case .send(.template(let name, _, _, _, _), from: .bot) = $0 { return name }
        return nil
    }
}

/// A template uses the contact's data (habeas-data items 1 and 8): under a policy version the contact has not
/// accepted it is not sent; the new policy is asked for first and accepting sends it.
@Test func aTemplateUnderAnOlderPolicyVersionAsksForTheNewOneFirst() throws {
    var chat = try chatAtTheMenuUnderANewVersion()
    let asked = chat.tap("avisar")
    #expect(templatesSent(asked).isEmpty)
    #expect(asked.steps == ["consentimiento"])
    #expect(chat.session.pendingStep == "aviso")

    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.evidence.map(\.policyVersion) == ["2026-02"])
    #expect(accepted.steps.prefix(2) == ["aviso", "info"])
    #expect(templatesSent(accepted) == ["confirmacion_cita"])
    #expect(chat.session.pendingStep == nil)
}

/// Declining the new policy sends nothing and forgets the template.
@Test func decliningTheNewPolicyBeforeATemplateSendsNothing() throws {
    var chat = try chatAtTheMenuUnderANewVersion()
    chat.tap("avisar")
    let declined = chat.tap("consentimiento.decline")
    #expect(templatesSent(declined).isEmpty)
    #expect(!declined.steps.contains("aviso"))
    #expect(chat.session.pendingStep == nil)
}

/// A `set` copying `contact.*` stores the contact's data: under another version it waits for the new consent.
@Test func aSetReadingTheContactUnderAnOlderPolicyVersionAsksForTheNewOneFirst() throws {
    var chat = try chatAtTheMenuUnderANewVersion()
    let asked = chat.tap("guardar")
    #expect(asked.steps == ["consentimiento"])
    #expect(chat.value("cliente") == nil)
    #expect(chat.session.pendingStep == "guardar")

    let accepted = chat.tap("consentimiento.accept")
    #expect(accepted.steps.prefix(2) == ["guardar", "guardado"])
    #expect(chat.value("cliente") == "Ana")
}

/// A `set` of a constant holds no data of the contact's: it runs as before.
@Test func aSetOfAConstantIsNotGated() throws {
    var chat = try chatAtTheMenuUnderANewVersion()
    let effects = chat.tap("marcar")
    #expect(effects.steps.prefix(2) == ["marcar", "marcado"])
    #expect(effects.evidence.isEmpty)
    #expect(chat.value("origen") == "menu")
}

/// With consent of the current version nothing is asked again: the template goes at once.
@Test func underTheCurrentVersionTheTemplateGoesAtOnce() throws {
    var chat = Chat(try flow(version: "2026-01"), session: Session(contactName: "Ana", phone: "573001112233"))
    chat.openAndAccept()
    let effects = chat.tap("avisar")
    #expect(templatesSent(effects) == ["confirmacion_cita"])
    #expect(effects.evidence.isEmpty)
}
