import FlowDiagnostics
import FlowLanguage
import Testing

@testable import FlowCompiler

/// A control character written into a text the bot sends (by an escape in double quotes) is `invalid_value` at
/// its exact column, naming it; line feeds and tabs are text. Before, NUL, ESC and DEL passed lint and reached
/// the contact.
@Suite struct ControlCharacterRuleTests {
    @Test func eachControlCharacterIsReportedWhereItIsWritten() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: message\n    text: \"Hola‹1›\\0 y ‹2›\\e[31m\\tcon tab\\ny salto\"\n    next: t\n"
                    + "  t:\n    type: template\n    template: aviso\n    parameters: [\"a‹3›\\x7fb\"]\n    next: f\n"
                    + "  f:\n    type: end\n    text: \"Gracias‹4›\\u0085\"\n",
                top: "templates:\n  aviso: { name: aviso, language: es, category: utility, body: \"Hola {{1}}\" }\n"))
        let found = try Inline.run(ControlCharacterRule(), marked.text)
        #expect(found.allSatisfy { $0.id == "invalid_value" })
        #expect(found.map { "\(Position($0))" } == (1...4).compactMap { marked($0).map { "\($0)" } })
        #expect(
            found.first?.message
                == "'text' of step 's' contains the control character \\u{0} (NUL); a phone shows it as a box or not "
                + "at all")
        #expect(found.map { $0.message.contains("\\u{1B} (ESC)") } == [false, true, false, false])
        #expect(found[2].message.hasPrefix("parameter 1 of step 't' contains the control character \\u{7F} (DEL)"))
        #expect(found[3].message.contains("\\u{85} (NEL)"))
        #expect(found.allSatisfy { $0.suggestion?.hasPrefix("remove it") == true })
        // Each covers the escape that wrote it: \0, \e, \x7f, \u0085.
        #expect(found.map { $0.range.end.column - $0.range.start.column } == [2, 2, 4, 6])
    }

    /// A carriage return in a template parameter is both a line break Meta refuses and a control character:
    /// one error, at its escape; a line feed beside it is still reported as the line break it is.
    @Test func aControlLineBreakInATemplateParameterIsReportedOnce() throws {
        let top = "templates:\n  aviso: { name: aviso, language: es, category: utility, body: \"Hola {{1}}\" }\n"
        func errors(_ parameter: String) throws -> [String] {
            let flow = Inline.flow(
                "  t:\n    type: template\n    template: aviso\n    parameters: [\"\(parameter)\"]\n    next: f\n"
                    + "  f:\n    type: end\n", top: top)
            return try (Inline.run(EmptyTextRule(), flow) + Inline.run(ControlCharacterRule(), flow)).map(\.message)
        }
        let alone = try errors("a\\rb")
        #expect(alone.count == 1, "\(alone)")
        #expect(alone.first?.contains("\\u{D} (carriage return)") == true)
        let beside = try errors("a\\r\\nb")
        #expect(beside.count == 2, "\(beside)")
        #expect(beside.contains { $0.contains("contains a line break") })
    }

    @Test func lineFeedsAndTabsAreText() throws {
        let flow = Inline.flow("  s:\n    type: end\n    text: \"Hola\\tmundo\\ny adiós\"\n")
        #expect(try Inline.run(ControlCharacterRule(), flow).isEmpty)
    }

    @Test func aTemplateParameterOfInvisibleCharactersIsRefused() {
        #expect(TemplateParameterText.problem(in: "\u{3164}") == .invisible)
        #expect(TemplateParameterText.problem(in: "\u{200B}\u{200B}") == .invisible)
        #expect(TemplateParameterText.problem(in: "a\u{1B}[2Jb") == .controlCharacter("\u{1B}"))
        #expect(TemplateParameterText.problem(in: "Ana\u{3164}") == nil)
    }
}
