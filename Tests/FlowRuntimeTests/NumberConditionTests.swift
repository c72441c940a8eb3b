import FlowRuntime
import Testing

// Number conditions read a variable's value as `input: number` reads an answer: digits with a sign and one
// decimal mark, spaces ignored. Hexadecimal, exponents, `inf` and `nan` are not numbers, so the conditions are
// false for them (Double(String) used to read `0x10` as 16 and `1e1` as 10).

/// A question for any text, then a branch on `less_than: 20` that says which way it went.
private func lessThanTwenty() throws -> Interpreter {
    let steps = """
          pregunta:
            type: ask
            text: "Tu dato?"
            save: dato
            personal_data: true
            next: decidir
          decidir:
            type: branch
            cases:
              - when: { variable: dato, less_than: 20 }
                next: menor
              - when: { variable: dato, at_least: 20 }
                next: mayor
            default: otro
          menor: { type: message, text: "menor", next: menu }
          mayor: { type: message, text: "mayor", next: menu }
          otro: { type: message, text: "no es numero", next: menu }

        """ + Fixture.simpleMenu + Fixture.handoff
    return try Fixture.interpreter(consent: Fixture.consent(accept: "pregunta"), steps: steps)
}

@Suite struct NumberConditionTests {
    @Test(arguments: [
        ("10", "menor"), ("-5", "menor"), ("19,5", "menor"), ("+7", "menor"), ("1 000", "mayor"), ("20", "mayor"),
        ("0x10", "no es numero"), ("1e1", "no es numero"), ("inf", "no es numero"), ("Infinity", "no es numero"),
        ("-inf", "no es numero"), ("nan", "no es numero"), ("0x1p3", "no es numero"), ("1.2.3", "no es numero"),
        ("diez", "no es numero"),
    ])
    func valueIsReadAsInputNumberReadsIt(_ answer: String, _ said: String) throws {
        var chat = Chat(try lessThanTwenty())
        chat.openAndAccept()
        let effects = chat.type(answer)
        #expect(effects.texts.first == said)
    }
}
