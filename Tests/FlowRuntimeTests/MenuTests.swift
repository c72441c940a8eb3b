import FlowCompiler
import FlowRuntime
import Testing

// Menus at run time: an option is chosen by its reply id, or by typing its number, title, a synonym or its id,
// ignoring case, accents and surrounding or repeated spaces; anything else gets the invalid-choice reply and
// the menu again, up to `retries` times, then the fallback.

/// A list menu (four options) with synonyms, a custom invalid text, two retries and a fallback.
private let productMenu = """
      menu:
        type: menu
        text: "Que producto te interesa?"
        options:
          - { id: ahorro, title: Ahorro, next: info }
          - { id: credito_libre, title: Crédito, description: Libre inversion, synonyms: [préstamo, plata], next: elegido }
          - { id: seguros, title: Seguros, next: info }
          - { id: hablar, title: Hablar con un asesor, next: asesor }
        invalid: "Elige una opcion de la lista."
        retries: 2
        fallback: despedida
      elegido:
        type: message
        text: "Elegiste credito."
        next: menu

    """

/// The list message of `productMenu`.
private let productList: Effect = .send(
    .list(
        body: "Que producto te interesa?", header: nil, footer: nil, button: "Ver opciones",
        rows: [
            ListRow(id: "ahorro", title: "Ahorro", description: nil),
            ListRow(id: "credito_libre", title: "Crédito", description: "Libre inversion"),
            ListRow(id: "seguros", title: "Seguros", description: nil),
            ListRow(id: "hablar", title: "Hablar con un asesor", description: nil),
        ]), from: .bot)

private func menuChat() throws -> Chat {
    var chat = Chat(try Fixture.interpreter(steps: productMenu + Fixture.handoff))
    chat.openAndAccept()
    return chat
}

@Test func aMenuOfMoreThanThreeOptionsIsAList() throws {
    var chat = Chat(try Fixture.interpreter(steps: productMenu + Fixture.handoff))
    chat.type("hola")
    let effects = chat.tap("consentimiento.accept")
    #expect(
        Array(effects.dropFirst()) == [
            .stepEntered("menu"), productList, .scheduleInactivityTimer(at: chat.now + 1800),
        ])
}

/// Every way of choosing "Crédito": number, title, synonym, id, in any case, with or without accents and spaces.
private let ways: [Event.Kind] = [
    .text("2"), .text(" 2 "), .text("02"), .text("+2"), .text("Crédito"), .text("credito"), .text("  CREDITO "),
    .text("CRÉDITO"),
    .text("préstamo"), .text("PRESTAMO"), .text(" Plata"), .text("credito_libre"), .text("CREDITO_LIBRE"),
    .reply(id: "credito_libre"),
]

@Test(arguments: ways)
func anOptionIsChosenByNumberTitleSynonymOrID(_ input: Event.Kind) throws {
    var chat = try menuChat()
    let effects = chat.event(input)
    #expect(effects.steps == ["elegido", "menu"])
    #expect(effects.texts == ["Elegiste credito."])
    #expect(chat.session.attempts == 0)
}

@Test(arguments: ["0", "5", "2.0", "dos", "credit", "credito libre", "ahorro y credito", "", "   "])
func otherRepliesAreInvalid(_ text: String) throws {
    var chat = try menuChat()
    let effects = chat.type(text)
    #expect(
        effects == [
            .logContactMessage(.text(text)), .send(.text("Elige una opcion de la lista."), from: .bot), productList,
            .scheduleInactivityTimer(at: chat.now + 1800),
        ])
    #expect(chat.session.attempts == 1)
    #expect(chat.step == "menu")
}

@Test func afterTheRetriesTheFallbackIsTaken() throws {
    var chat = try menuChat()
    // `retries: 2`: two invalid replies are answered with the invalid text and the menu ...
    for attempt in 1...2 {
        let effects = chat.type("no se")
        #expect(effects.texts == ["Elige una opcion de la lista."])
        #expect(effects.contains(productList))
        #expect(chat.session.attempts == Int32(attempt))
    }
    // ... and the third goes to the fallback.
    let effects = chat.type("no se")
    #expect(
        effects == [
            .logContactMessage(.text("no se")), .stepEntered("despedida"),
            .send(.text("Gracias por escribirnos."), from: .bot), .cancelInactivityTimer, .closeConversation(.end),
        ])
}

@Test func aValidChoiceResetsTheCount() throws {
    var chat = try menuChat()
    chat.type("no se")
    chat.type("no se")
    chat.type("2")
    #expect(chat.session.attempts == 0)
    chat.type("no se")
    chat.type("no se")
    #expect(chat.step == "menu")
}

@Test func withoutAFallbackTheMenuKeepsAsking() throws {
    let menu = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con un asesor, next: asesor }
            retries: 1
        """
    var chat = Chat(try Fixture.interpreter(steps: menu + "\n" + Fixture.handoff))
    chat.openAndAccept()
    for _ in 0..<5 {
        let effects = chat.type("nada")
        // The language's default invalid-choice text.
        #expect(effects.texts == ["No entendí tu respuesta. Elige una de las opciones, por favor."])
        #expect(effects.contains(simpleMenuMessage))
    }
    #expect(chat.step == "menu")
    #expect(chat.session.status == .waiting)
}

@Test func aRetriesOfZeroFallsBackAtOnce() throws {
    let menu = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Hablar con un asesor, next: asesor }
            retries: 0
            fallback: despedida
        """
    var chat = Chat(try Fixture.interpreter(steps: menu + "\n" + Fixture.handoff))
    chat.openAndAccept()
    #expect(chat.type("nada").steps == ["despedida"])
}

@Test func aFileAtAMenuIsAnInvalidReply() throws {
    var chat = try menuChat()
    let effects = chat.send("image/png", size: 1000)
    #expect(effects.texts == ["Elige una opcion de la lista."])
    #expect(chat.session.attempts == 1)
}

@Test func aTapOnAnOlderMessageIsReadAsItsText() throws {
    // The reply id of another menu's option matches nothing here: it is an invalid reply, not a crash.
    var chat = try menuChat()
    #expect(chat.tap("otro_menu.opcion").texts == ["Elige una opcion de la lista."])
    // An old consent button is no option either.
    #expect(chat.tap("consentimiento.accept").texts == ["Elige una opcion de la lista."])
}

@Test func aKeywordWinsOverAnOptionOfTheSameName() throws {
    let menu = """
          menu:
            type: menu
            text: "En que te ayudamos?"
            options:
              - { id: horario, title: Horario, next: info }
              - { id: hablar, title: Asesor, next: info }
        """
    var chat = Chat(try Fixture.interpreter(steps: menu + "\n" + Fixture.handoff))
    chat.openAndAccept()
    // "asesor" is a keyword (to ir_al_asesor) and the title of option 2 (to info): the keyword is taken.
    #expect(chat.type("asesor").steps == ["ir_al_asesor", "asesor"])
}
