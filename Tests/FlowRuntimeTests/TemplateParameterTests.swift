import FlowRuntime
import Testing

/// The menu that asks for the name (option `hablar`), then a utility template whose second parameter is the
/// answer, then the handoff.
private let steps =
    Fixture.menuAskingTheName.replacingOccurrences(of: "    next: asesor\n", with: "    next: aviso\n") + """
          aviso:
            type: template
            template: confirmacion
            parameters: ["{{contact.name}}", "{{nombre}}"]
            next: asesor

        """

/// The flow of `steps` with the template `confirmacion` declared.
private func flow() throws -> Interpreter {
    let yaml = Fixture.declaringUtilityTemplate(
        "confirmacion", name: "confirmacion_cita", body: "Hola {{1}}, registramos tu solicitud a nombre de {{2}}.",
        in: Fixture.flow(steps: steps))
    return Interpreter(machine: try Fixture.machine(yaml))
}

/// The conversation up to the name question, for a contact WhatsApp names `name`.
private func chatAtTheName(contactName name: String) throws -> Chat {
    var chat = Chat(try flow(), session: Session(contactName: name, phone: "573001112233"))
    chat.openAndAccept()
    chat.tap("hablar")
    return chat
}

/// The template the effects send, if any.
private func sentParameters(_ effects: [Effect]) -> [String]? {
    for effect in effects {
        if case .send(.template(_, _, let parameters, _, _), from: .bot) = effect { return parameters }
    }
    return nil
}

/// A multi-line answer is sent on one line: Meta refuses a parameter with a line break, a tab or more than 4
/// consecutive spaces (error 132018), and refusing would lose the whole message for its layout.
@Test func aFilledParameterWithLineBreaksTabsOrLongRunsOfSpacesIsSentNormalized() throws {
    var chat = try chatAtTheName(contactName: "Ana")
    let effects = chat.type("Ana María\nLópez\tPérez     de Restrepo")
    #expect(chat.value("nombre") == "Ana María\nLópez\tPérez     de Restrepo", "the answer is saved as typed")
    #expect(sentParameters(effects) == ["Ana", "Ana María López Pérez de Restrepo"])
    #expect(effects.steps == ["aviso", "asesor"])
}

/// A parameter left empty once filled in (a name made only of emoji, which the runtime strips) is not sent: the
/// step is refused with the parameter named, like a marketing template without the opt-in, and the flow goes on.
@Test func aParameterBlankOnceFilledInRefusesTheTemplate() throws {
    var chat = try chatAtTheName(contactName: "😀")
    let effects = chat.type("Ana López")
    #expect(sentParameters(effects) == nil)
    #expect(
        effects.contains(
            .templateRefused(
                name: "confirmacion_cita",
                reason: "parameter 1 ({{1}}) is empty once filled in; Meta refuses a template parameter without text")))
    #expect(effects.steps == ["aviso", "asesor"])
    #expect(chat.step == "asesor")
}

/// A name Meta takes as it is (emoji stripped, spaces kept) is sent as the runtime renders any text.
@Test func aParameterMetaTakesIsSentAsRendered() throws {
    var chat = try chatAtTheName(contactName: "Ana 😀")
    let effects = chat.type("Ana  López")
    #expect(sentParameters(effects) == ["Ana", "Ana  López"])
}
