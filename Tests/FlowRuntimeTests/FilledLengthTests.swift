import FlowLanguage
import FlowRuntime
import Testing

// Text that becomes longer than WhatsApp accepts only once variables are filled in: the contact still gets
// something Meta takes, the same every time (Docs/runtime.md, "Text longer than WhatsApp accepts").

/// The menu's second option asks for `algo`, echoes it twice in a message with a captioned file, sends it as a
/// template parameter, then shows it in a menu's header, body and footer before the handoff.
private let steps =
    Fixture.simpleMenu.replacingOccurrences(of: "next: asesor }", with: "next: pregunta }") + """
          pregunta:
            type: ask
            text: "Que quieres decirnos?"
            save: algo
            next: eco
          eco:
            type: message
            text: "Dijiste: {{algo}} / {{algo}}"
            attachment:
              url: https://www.example.co/resumen.pdf
              caption: "Resumen: {{algo}}"
            next: aviso
          aviso:
            type: template
            template: eco_tpl
            parameters: ["{{algo}}"]
            next: opciones
          opciones:
            type: menu
            header: "Sobre {{algo}}"
            text: "Sobre {{algo}}: elige."
            footer: "{{algo}}"
            options:
              - { id: si, title: Si, next: asesor }
              - { id: no, title: No, next: asesor }

        """ + Fixture.handoff

private func chat() throws -> Chat {
    let yaml = Fixture.declaringUtilityTemplate(
        "eco_tpl", name: "eco", body: "Recibimos tu mensaje: {{1}}. Gracias.", in: Fixture.flow(steps: steps))
    var chat = Chat(Interpreter(machine: try Fixture.machine(yaml)))
    chat.openAndAccept()
    chat.tap("hablar")
    return chat
}

/// The messages the bot sent in `effects`, in order.
private func sent(_ effects: [Effect]) -> [OutboundMessage] {
    effects.compactMap {
        if case .send(let message, from: .bot) = $0 { return message }
        return nil
    }
}

@Test func aTextOverFourThousandNinetySixCharactersOnceFilledInGoesAsSeveralMessages() throws {
    var chat = try chat()
    let answer = String(repeating: "palabra ", count: 500).trimmingCharacters(in: .whitespaces)  // 3,999
    let texts = chat.type(answer).texts
    // "Dijiste: " + 3,999 + " / " + 3,999 = 8,010 characters: two parts at word boundaries, none over 4096.
    #expect(texts.count == 2)
    #expect(texts.allSatisfy { $0.count <= WhatsAppTextLimit.textMessage })
    #expect(texts.joined(separator: " ") == "Dijiste: \(answer) / \(answer)")
    #expect(texts[0].hasSuffix("palabra") && !texts[1].hasPrefix(" "))
}

@Test func aSplitPrefersTheLastLineBreakWithinTheLimit() {
    let first = String(repeating: "a", count: 3000)
    let second = String(repeating: "b ", count: 1000)
    let text = first + "\n" + second + String(repeating: "c", count: 200)
    #expect(
        TextMessageSplitting.parts(of: text) == [
            first, second.trimmingCharacters(in: .whitespaces) + " " + String(repeating: "c", count: 200),
        ])
}

@Test func oneUnbrokenWordIsSplitAtTheLimit() {
    let word = String(repeating: "x", count: 9000)
    let parts = TextMessageSplitting.parts(of: word)
    #expect(parts.map(\.count) == [4096, 4096, 808])
    #expect(parts.joined() == word)
    #expect(TextMessageSplitting.parts(of: "corto") == ["corto"])
}

/// Splits and cuts fall between characters as people see them: never inside a letter with its combining accent,
/// a flag (two regional indicators) or a CRLF line break, whose parts would be invalid or change meaning.
@Test func splitsAndCutsNeverFallInsideACharacter() {
    let accented = String(repeating: "e\u{301}", count: 5000)
    let parts = TextMessageSplitting.parts(of: accented)
    #expect(parts.map(\.count) == [4096, 904])
    #expect(parts.allSatisfy { $0.unicodeScalars.count == 2 * $0.count })
    #expect(parts.joined() == accented)

    let flags = String(repeating: "\u{1F1E8}\u{1F1F4}", count: 4100)
    #expect(TextMessageSplitting.parts(of: flags).map(\.unicodeScalars.count) == [8192, 8])

    let lines = String(repeating: "a", count: 3000) + "\r\n" + String(repeating: "b", count: 2000)
    let split = TextMessageSplitting.parts(of: lines)
    #expect(split == [String(repeating: "a", count: 3000), String(repeating: "b", count: 2000)])

    let cut = FilledTextFitting.cut(String(repeating: "n\u{303}", count: 10), to: 5)
    #expect(cut == String(repeating: "n\u{303}", count: 4) + "…")
}

@Test func aTemplateParameterIsCutSoTheFilledBodyFits() throws {
    var chat = try chat()
    let answer = String(repeating: "x", count: 4000)
    let template = sent(chat.type(answer)).compactMap { message -> [String]? in
        if case .template(_, _, let parameters, _, _) = message { return parameters }
        return nil
    }
    let parameters = try #require(template.first)
    // The body's own text is 32 characters: the parameter keeps 992, the last of them `…`.
    let body = TemplateBodyFilling(body: "Recibimos tu mensaje: {{1}}. Gracias.")
    #expect(body.filledLength(with: parameters) == 1024)
    #expect(parameters == [String(repeating: "x", count: 991) + "…"])
}

@Test func aCaptionAndAMenusHeaderBodyAndFooterHaveTheValueCutToFit() throws {
    var chat = try chat()
    let answer = String(repeating: "y", count: 2000)
    let messages = sent(chat.type(answer))
    let caption = messages.compactMap { message -> String? in
        if case .attachment(_, _, let caption, _) = message { return caption }
        return nil
    }
    #expect(caption == ["Resumen: " + String(repeating: "y", count: 1014) + "…"])
    let menu = try #require(
        messages.compactMap { message -> (String, String?, String?)? in
            if case .buttons(let body, let header, let footer, _) = message { return (body, header, footer) }
            return nil
        }.first)
    #expect(menu.0 == "Sobre " + String(repeating: "y", count: 1009) + "…: elige.")
    #expect(menu.1 == "Sobre " + String(repeating: "y", count: 53) + "…")
    #expect(menu.2 == String(repeating: "y", count: 59) + "…")
}

@Test func valuesAreCutToACommonLengthTheShortestKeptWhole() {
    let fitted = FilledTextFitting.fitted(
        [
            .literal("A: "), .value("corto"), .literal(" B: "), .value(String(repeating: "m", count: 30)),
            .literal(" C: "), .value(String(repeating: "n", count: 50)),
        ],
        limit: 40)
    // 11 written characters leave 29: "corto" whole (5), the other two cut to 12 each.
    #expect(
        fitted == "A: corto B: " + String(repeating: "m", count: 11) + "… C: " + String(repeating: "n", count: 11) + "…"
    )
    #expect(fitted.count == 40)
}

@Test func textThatFitsIsLeftAsItIs() {
    #expect(FilledTextFitting.fitted([.literal("Hola "), .value("Ana")], limit: 60) == "Hola Ana")
    #expect(TemplateBodyFilling(body: "Hola {{1}}").fitting(["Ana"]) == ["Ana"])
}

/// An answer made only of emoji is stripped to nothing: a text it leaves blank is not sent, a caption, header
/// or footer it leaves blank is left out, and a menu body it leaves blank is sent as `…` (WhatsApp refuses an
/// interactive message without a body, and the options must still reach the contact).
@Test func aValueThatLeavesATextBlankIsNotSentAndAFieldItLeavesBlankIsLeftOut() throws {
    let blank =
        Fixture.simpleMenu.replacingOccurrences(of: "next: asesor }", with: "next: pregunta }") + """
              pregunta:
                type: ask
                text: "Que quieres decirnos?"
                save: algo
                next: eco
              eco:
                type: message
                text: "{{algo}}"
                attachment:
                  url: https://www.example.co/resumen.pdf
                  caption: "{{algo}}"
                next: opciones
              opciones:
                type: menu
                header: "{{algo}}"
                text: "{{algo}}"
                footer: " {{algo}} "
                options:
                  - { id: si, title: Si, next: asesor }
                  - { id: no, title: No, next: asesor }

            """ + Fixture.handoff
    var chat = Chat(Interpreter(machine: try Fixture.machine(Fixture.flow(steps: blank))))
    chat.openAndAccept()
    chat.tap("hablar")
    let messages = sent(chat.type("😀 🎉"))
    #expect(
        messages == [
            .attachment(
                url: "https://www.example.co/resumen.pdf", fileName: nil, caption: nil, fileExtension: "pdf"),
            .buttons(
                body: "…", header: nil, footer: nil,
                buttons: [ReplyButton(id: "si", title: "Si"), ReplyButton(id: "no", title: "No")]),
        ])
}
