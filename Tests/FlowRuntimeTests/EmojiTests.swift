import FlowCompiler
import FlowRuntime
import Testing

// The no-emoji policy at run time: flow texts cannot hold emoji (the linter refuses them), values that come
// from outside (the contact's profile name, answers) are stored as given but lose their emoji when put into a
// text (and, when something was removed, the spaces left at the value's ends), and an agent's message with
// emoji is refused rather than sent.

private let greeting = """
      saludo:
        type: message
        text: "Hola {{contact.name}}. Dinos tu ciudad."
        next: ciudad
      ciudad:
        type: ask
        text: "Tu ciudad?"
        save: ciudad
        next: confirmacion
      confirmacion:
        type: message
        text: "Anotamos {{ciudad}}, {{contact.name}}."
        next: menu

    """ + Fixture.simpleMenu + Fixture.handoff

@Test(arguments: [
    ("Ana 😀", "Hola Ana. Dinos tu ciudad."),
    ("👍🏽Ana", "Hola Ana. Dinos tu ciudad."),
    ("Ana 🇨🇴", "Hola Ana. Dinos tu ciudad."),
    ("Ana 👨‍👩‍👧", "Hola Ana. Dinos tu ciudad."),
    // Only the ends are trimmed: the two spaces around the removed heart stay.
    ("Ana ❤️ María", "Hola Ana  María. Dinos tu ciudad."),
    (" Ana ", "Hola  Ana . Dinos tu ciudad."),
    ("Ñandú ¿José? ✓", "Hola Ñandú ¿José? ✓. Dinos tu ciudad."),
])
func emojiInVariableValuesAreStrippedWhenInterpolated(_ name: String, _ shown: String) throws {
    let interpreter = try Fixture.interpreter(consent: Fixture.consent(accept: "saludo"), steps: greeting)
    var chat = Chat(interpreter, session: Session(contactName: name, phone: "573001112233"))
    chat.type("hola")
    #expect(chat.tap("consentimiento.accept").texts == [shown, "Tu ciudad?"])
    // The stored value keeps what the contact's profile says.
    #expect(chat.value("contact.name") == name)
}

@Test func anAnswerIsStoredAsTypedAndShownWithoutEmoji() throws {
    let interpreter = try Fixture.interpreter(consent: Fixture.consent(accept: "saludo"), steps: greeting)
    var chat = Chat(interpreter, session: Session(contactName: "Ana", phone: "573001112233"))
    chat.openAndAccept()
    let effects = chat.type("Medellín 🌸")
    #expect(chat.value("ciudad") == "Medellín 🌸")
    #expect(effects.texts == ["Anotamos Medellín, Ana."])
}

@Test(arguments: ["Hola 😀", "Listo 👍", "Gracias 🙏🏽", "1️⃣ primero", "Bandera 🇨🇴"])
func anAgentMessageWithEmojiIsRefused(_ text: String) throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    #expect(
        chat.event(.agentMessage(text)) == [
            .agentMessageRefused(reason: "emoji are not allowed in messages to contacts")
        ])
}

@Test func anAgentMessageWithAccentsAndSymbolsIsSent() throws {
    var chat = Chat(try Fixture.interpreter(steps: Fixture.simpleMenu + Fixture.handoff))
    chat.openAndAccept()
    chat.tap("hablar")
    chat.event(.agentAssigned("ana"))
    let text = "¡Hola! El pago de € 20 → listo ✓ (ñ, ü, ©)."
    #expect(chat.event(.agentMessage(text)) == [.send(.text(text), from: .agent("ana"))])
}
