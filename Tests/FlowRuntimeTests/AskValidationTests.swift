import FlowLanguage
import FlowRuntime
import Foundation
import Testing

@testable import FlowCompiler

// `ask` at run time: each input type accepts some answers and stores them in a normal form; an answer that does
// not validate gets the retry text, up to `attempts` answers, then the fallback, and the variable stays unset.

/// An `ask` of the given input type and validation, then a message that shows what was stored.
private func askFlow(_ input: String, validate: String? = nil, language: String = "es") throws -> Interpreter {
    var ask = """
          pregunta:
            type: ask
            text: "Tu dato?"
            save: dato
            input: \(input)
            personal_data: true
            retry: "Dato no valido."
            attempts: 2
            fallback: despedida
            next: mostrar

        """
    if let validate { ask += "    validate: \(validate)\n" }
    let steps =
        ask + """
              mostrar:
                type: message
                text: "Guardado: {{dato}}"
                next: menu

            """ + Fixture.simpleMenu + Fixture.handoff
    return try Fixture.interpreter(language: language, consent: Fixture.consent(accept: "pregunta"), steps: steps)
}

/// One answer to one kind of question and what must be stored (`nil`: the answer is refused).
struct AskCase: Sendable, CustomTestStringConvertible {
    var input: String
    var validate: String?
    var language = "es"
    var answer: String
    var stored: String?

    var testDescription: String { "\(input) \(language) \(validate ?? "") '\(answer)' → \(stored ?? "refused")" }

    init(_ input: String, _ answer: String, _ stored: String?, validate: String? = nil, language: String = "es") {
        self.input = input
        self.answer = answer
        self.stored = stored
        self.validate = validate
        self.language = language
    }
}

private let textCases: [AskCase] = [
    AskCase("text", "Ana", "Ana", validate: "{ min_length: 2, max_length: 5 }"),
    AskCase("text", "  Ana \n", "Ana", validate: "{ min_length: 2, max_length: 5 }"),
    AskCase("text", "Ñoño", "Ñoño", validate: "{ min_length: 2, max_length: 5 }"),
    AskCase("text", "A", nil, validate: "{ min_length: 2, max_length: 5 }"),
    AskCase("text", "Ana Maria", nil, validate: "{ min_length: 2, max_length: 5 }"),
    AskCase("text", "   ", nil),
    AskCase("text", "1234567", "1234567", validate: "{ pattern: \"^[0-9]{6,10}$\" }"),
    AskCase("text", "12a4567", nil, validate: "{ pattern: \"^[0-9]{6,10}$\" }"),
    // A pattern that backtracks without end stops at the budget and takes the answer as not matching.
    AskCase("text", String(repeating: "a", count: 200), nil, validate: "{ pattern: \"(.*){12}Z\" }"),
]

private let numberCases: [AskCase] = [
    AskCase("number", "42", "42", validate: "{ min: 1, max: 120 }"),
    AskCase("number", "12,5", "12.5", validate: "{ min: 1, max: 120 }"),
    AskCase("number", "12.5", "12.5", validate: "{ min: 1, max: 120 }"),
    AskCase("number", "120", "120", validate: "{ min: 1, max: 120 }"),
    AskCase("number", "0", nil, validate: "{ min: 1, max: 120 }"),
    AskCase("number", "120,01", nil, validate: "{ min: 1, max: 120 }"),
    // Bounds compare the answer as written, not a rounded binary copy of it.
    AskCase("number", "120.00000000000000001", nil, validate: "{ min: 1, max: 120 }"),
    AskCase("number", "0.99999999999999999999", nil, validate: "{ min: 1, max: 120 }"),
    AskCase("number", "0.3", "0.3", validate: "{ min: 0.3, max: 0.3 }"),
    AskCase("number", "-0.5", "-0.5", validate: "{ min: -1, max: 0 }"),
    AskCase("number", "-1.5", nil, validate: "{ min: -1, max: 0 }"),
    // A bound of more than 15 significant digits is held as a binary number, and compared as one.
    AskCase("number", "12345678901234567890", "12345678901234567890", validate: "{ max: 12345678901234567890 }"),
    AskCase("number", "1 000", "1000"),
    AskCase("number", "-3", "-3"),
    AskCase("number", "+7", "7"),
    AskCase("number", "3,0", "3"),
    AskCase("number", "1.000", "1"),
    AskCase("number", "1.234,5", nil),
    AskCase("number", "1e3", nil),
    AskCase("number", "doce", nil),
    // Long numbers are stored exactly as written, never rounded or with an exponent.
    AskCase("number", "12345678901234567890", "12345678901234567890"),
    AskCase("number", "9007199254740993", "9007199254740993"),
    AskCase("number", "1000000000000000000000,5", "1000000000000000000000.5"),
    AskCase("number", "+007,50", "7.5"),
    AskCase("number", "-0,0", "0"),
    AskCase("number", ",5", "0.5"),
    AskCase("number", "5,", "5"),
    AskCase("number", "1-2", nil),
    AskCase("number", "--2", nil),
    AskCase("number", ",", nil),
    AskCase("number", "+", nil),
]

private let emailCases: [AskCase] = [
    AskCase("email", "ana@example.co", "ana@example.co"),
    AskCase("email", " Ana.Perez@Example.co ", "Ana.Perez@Example.co"),
    AskCase("email", "ana@example", nil),
    AskCase("email", "ana perez@example.co", nil),
    AskCase("email", "a@b@example.co", nil),
    AskCase("email", "@example.co", nil),
    AskCase("email", "ana@.co", nil),
]

private let phoneCases: [AskCase] = [
    AskCase("phone", "+57 300 111 2233", "+573001112233"),
    AskCase("phone", "(601) 555-0100", "6015550100"),
    AskCase("phone", "300.111.2233", "3001112233"),
    AskCase("phone", "123456", nil),
    AskCase("phone", "1234567890123456", nil),
    AskCase("phone", "300 abc 2233", nil),
    AskCase("phone", "57+3001112233", nil),
    AskCase("phone", "(+57) 300-111-2233", "+573001112233"),
    AskCase("phone", "++57 300 111 2233", nil),
]

private let dateCases: [AskCase] = [
    AskCase("date", "2026-11-23", "2026-11-23"),
    AskCase("date", "2026/11/23", "2026-11-23"),
    AskCase("date", "23/11/2026", "2026-11-23"),
    AskCase("date", "23-11-2026", "2026-11-23"),
    AskCase("date", "23.11.2026", "2026-11-23"),
    AskCase("date", "5/1/2026", "2026-01-05"),
    AskCase("date", "29/02/2028", "2028-02-29"),
    AskCase("date", "29/02/2026", nil),
    AskCase("date", "11/23/2026", nil),
    AskCase("date", "23/11/26", nil),
    AskCase("date", "mañana", nil),
]

private let yesNoCases: [AskCase] = [
    AskCase("yes_no", "Sí", "si"), AskCase("yes_no", " SI ", "si"), AskCase("yes_no", "s", "si"),
    AskCase("yes_no", "claro", "si"), AskCase("yes_no", "Por supuesto", "si"), AskCase("yes_no", "de acuerdo", "si"),
    AskCase("yes_no", "No", "no"), AskCase("yes_no", "nop", "no"), AskCase("yes_no", "N", "no"),
    AskCase("yes_no", "tal vez", nil), AskCase("yes_no", "yes", nil),
    AskCase("yes_no", "Yes", "yes", language: "en"), AskCase("yes_no", "yeah", "yes", language: "en"),
    AskCase("yes_no", "sure", "yes", language: "en"), AskCase("yes_no", "Nope", "no", language: "en"),
    AskCase("yes_no", "si", nil, language: "en"),
    AskCase("yes_no", "Sim", "sim", language: "pt"), AskCase("yes_no", "claro", "sim", language: "pt"),
    AskCase("yes_no", "Não", "nao", language: "pt"), AskCase("yes_no", "no", nil, language: "pt"),
]

@Test(arguments: textCases + numberCases + emailCases + phoneCases + dateCases + yesNoCases)
func answersAreValidatedByType(_ c: AskCase) throws {
    var chat = Chat(try askFlow(c.input, validate: c.validate, language: c.language))
    chat.openAndAccept()
    #expect(chat.step == "pregunta")
    let effects = chat.type(c.answer)
    if let stored = c.stored {
        #expect(chat.value("dato") == stored)
        #expect(effects.contains(.variableSaved(name: "dato")))
        #expect(effects.texts.first == "Guardado: \(stored)")
        #expect(chat.step == "menu")
    } else {
        #expect(chat.value("dato") == nil)
        #expect(
            effects == [
                .logContactMessage(.text(c.answer)), .send(.text("Dato no valido."), from: .bot),
                .scheduleInactivityTimer(at: chat.now + 1800),
            ])
        #expect(chat.step == "pregunta")
    }
}

/// A `validate` key with a value no answer of any kind meets, so that it refuses whatever it is applied to.
private let refusingEverything = [
    "min_length": "4096", "max_length": "1", "min": "1000000000", "max": "-1000000000", "pattern": "\"^x$\"",
]

/// A valid answer of each kind, without any `validate`.
private func answer(_ input: InputType, in chat: inout Chat) {
    switch input {
    case .text: chat.type("Ana")
    case .number: chat.type("42")
    case .email: chat.type("ana@example.co")
    case .phone: chat.type("3001234567")
    case .date: chat.type("23/11/2026")
    case .yesNo: chat.type("si")
    case .document: chat.send("application/pdf", size: 10_000, fileName: "cedula.pdf")
    case .image: chat.send("image/png", size: 10_000, fileName: "foto.png")
    }
}

/// The runtime applies each `validate` key to exactly the kinds of answer `validation_not_applicable` says it
/// does, and ignores it on the others: the warning and the behaviour cannot drift apart.
@Test(arguments: InputType.allCases)
func validateKeysApplyToTheKindsTheLintRuleSays(_ input: InputType) throws {
    for key in ValidationNotApplicableRule.keys {
        var chat = Chat(try askFlow(input.rawValue, validate: "{ \(key.name): \(refusingEverything[key.name]!) }"))
        chat.openAndAccept()
        answer(input, in: &chat)
        let applied = chat.value("dato") == nil
        #expect(applied == key.kinds.contains(input), "\(key.name) on input \(input.rawValue)")
    }
    // Each answer is valid without the key.
    var chat = Chat(try askFlow(input.rawValue))
    chat.openAndAccept()
    answer(input, in: &chat)
    #expect(chat.value("dato") != nil)
}

@Test func afterTheAttemptsTheFallbackIsTakenAndTheVariableStaysUnset() throws {
    var chat = Chat(try askFlow("number"))
    chat.openAndAccept()
    // `attempts: 2`: the first invalid answer is answered with the retry text ...
    #expect(chat.type("diez").texts == ["Dato no valido."])
    // ... the second leads to the fallback.
    let effects = chat.type("once")
    #expect(
        effects == [
            .logContactMessage(.text("once")), .stepEntered("despedida"),
            .send(.text("Gracias por escribirnos."), from: .bot), .cancelInactivityTimer, .closeConversation(.end),
        ])
    #expect(chat.value("dato") == nil)
}

@Test func theDefaultRetryTextAndThreeAttempts() throws {
    let steps = """
          pregunta:
            type: ask
            text: "Tu edad?"
            save: edad
            input: number
            fallback: despedida
            next: menu
        """ + "\n" + Fixture.simpleMenu + Fixture.handoff
    var chat = Chat(try Fixture.interpreter(consent: Fixture.consent(accept: "pregunta"), steps: steps))
    chat.openAndAccept()
    for _ in 0..<2 {
        #expect(chat.type("x").texts == ["Esa respuesta no es válida. Inténtalo de nuevo, por favor."])
    }
    #expect(chat.type("x").steps == ["despedida"])
}

@Test func aDocumentQuestionTakesAPDF() throws {
    var chat = Chat(try askFlow("document"))
    chat.openAndAccept()
    let effects = chat.send("application/pdf", size: 10_000, fileName: "cedula.pdf")
    #expect(
        effects.prefix(3) == [
            .logContactMessage(
                .attachment(Event.Attachment(mimeType: "application/pdf", size: 10_000, fileName: "cedula.pdf"))),
            .variableSaved(name: "dato"), .stepEntered("mostrar"),
        ])
    #expect(chat.value("dato") == "cedula.pdf")
}

@Test func aFileWithoutANameIsStoredUnderAGenericName() throws {
    var chat = Chat(try askFlow("document"))
    chat.openAndAccept()
    chat.send("application/pdf", size: 10_000)
    #expect(chat.value("dato") == "archivo.pdf")
}

/// The generic name is in the flow's language, as every other word the bot supplies.
@Test(arguments: [("es", "archivo.png"), ("en", "file.png"), ("pt", "arquivo.png")])
func aFileWithoutANameIsNamedInTheFlowsLanguage(_ language: String, _ stored: String) throws {
    var chat = Chat(try askFlow("image", language: language))
    chat.openAndAccept()
    chat.send("image/png", size: 10_000)
    #expect(chat.value("dato") == stored)
}

@Test(arguments: [("image/jpeg", "archivo.jpg"), ("image/jpg", "archivo.jpg"), ("image/png", "archivo.png")])
func anImageQuestionTakesJPEGAndPNG(_ mime: String, _ stored: String) throws {
    var chat = Chat(try askFlow("image"))
    chat.openAndAccept()
    chat.send(mime, size: 10_000)
    #expect(chat.value("dato") == stored)
}

@Test func theWrongKindOfFileIsAnInvalidAnswer() throws {
    var chat = Chat(try askFlow("image"))
    chat.openAndAccept()
    #expect(chat.send("application/pdf", size: 10_000).texts == ["Dato no valido."])
    #expect(chat.session.attempts == 1)
    var document = Chat(try askFlow("document"))
    document.openAndAccept()
    #expect(document.send("image/png", size: 10_000).texts == ["Dato no valido."])
    #expect(document.value("dato") == nil)
    // Text is no file either.
    var text = Chat(try askFlow("document"))
    text.openAndAccept()
    #expect(text.type("aqui va").texts == ["Dato no valido."])
}

@Test func aFileTypeTheServiceRefusesIsNotAnAttempt() throws {
    var chat = Chat(try askFlow("image"))
    chat.openAndAccept()
    let effects = chat.send("image/gif", size: 10_000)
    #expect(
        effects.texts == [
            "Solo podemos recibir archivos PDF, JPG, JPEG o PNG. Envíalo en uno de esos formatos, por favor."
        ])
    #expect(chat.session.attempts == 0)
}

@Test func aFileAtATextQuestionIsAnInvalidAnswer() throws {
    var chat = Chat(try askFlow("text"))
    chat.openAndAccept()
    #expect(chat.send("application/pdf", size: 100).texts == ["Dato no valido."])
}

@Test func aTapOnAnOlderMessageIsAnInvalidAnswerToATextQuestion() throws {
    var chat = Chat(try askFlow("text"))
    chat.openAndAccept()
    #expect(chat.tap("horario").texts == ["Dato no valido."])
    #expect(chat.value("dato") == nil)
    #expect(chat.session.attempts == 1)
}

/// A search is bounded by work: a catastrophic pattern is stopped after the budget (`nil`), an ordinary one
/// answers.
@Test func regularExpressionSearchesStopAtTheirBudget() throws {
    let runaway = try NSRegularExpression(pattern: "(.*){12}Z")
    let started = ContinuousClock.now
    #expect(runaway.boundedSearch(in: String(repeating: "a", count: 200), budget: 50) == nil)
    // The budget bounds it; the margin is for a loaded machine, against a search of hours.
    #expect(ContinuousClock.now - started < .seconds(5))
    let digits = try NSRegularExpression(pattern: "^[0-9]+$")
    #expect(digits.boundedSearch(in: "12345") == true)
    #expect(digits.boundedSearch(in: "12a45") == false)
    // A plain search reads the whole longest message (the audit found one stopped at the 500th character).
    let order = try NSRegularExpression(pattern: "PED-[0-9]{4}")
    for length in [499, 600, 4_090] {
        let text = String(repeating: "x", count: length) + " PED-1234"
        #expect(order.boundedSearch(in: text) == true, "\(length)")
        #expect(order.boundedSearch(in: String(repeating: "x", count: length)) == false, "\(length)")
    }
}
