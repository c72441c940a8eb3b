import FlowDiagnostics
import FlowLanguage
import Testing

@testable import FlowCompiler

/// A template's `opt_out`: the label of its quick-reply button that stops promotions, held to WhatsApp's
/// quick-reply limit (25 characters), the no-emoji rule and not blank; a marketing template without one is
/// warned of.
@Suite struct TemplateOptOutTests {
    /// A flow declaring template `t` of `category` with the given `opt_out` line (marked), sent by step `s`.
    static func flow(category: String = "marketing", optOut: String?) -> String {
        Inline.flow(
            "  s:\n    type: template\n    template: t\n    parameters: [Ana]\n",
            top: "templates:\n  t:\n    name: promo\n    language: es\n    category: ‹2›\(category)\n"
                + "    body: Hola {{1}}\n" + (optOut.map { "    opt_out: ‹1›\($0)\n" } ?? ""))
    }

    /// Text of exactly `count` characters as people see them, with accents and a decomposed ñ.
    static func label(_ count: Int) -> String {
        String(String(repeating: "n\u{303}o recibir más ", count: 3).prefix(count))
    }

    @Test("25 characters fit a quick-reply label, 26 do not, counted as people see them")
    func length() throws {
        let fits = Marked(Self.flow(optOut: "\"\(Self.label(25))\""))
        #expect(try Inline.run(InteractiveLimitsRule(), fits.text).isEmpty)
        let long = Marked(Self.flow(optOut: "\"\(Self.label(26))\""))
        let diagnostics = try Inline.run(InteractiveLimitsRule(), long.text)
        #expect(diagnostics.map(\.id) == ["button_title_too_long"])
        #expect(diagnostics.map(Position.init) == [long(1)!])
        #expect(
            diagnostics.first?.message
                == "'opt_out' of template 't' has 26 characters; a template's quick-reply button label holds at most 25"
        )
    }

    @Test func emojiAreRefusedAtTheirColumn() throws {
        let marked = Marked(Self.flow(optOut: "\"No recibir más ‹3›🚫\""))
        let diagnostics = try Inline.run(EmojiRule(), marked.text)
        #expect(diagnostics.map(\.id) == ["emoji_in_text"])
        #expect(diagnostics.map(Position.init) == [marked(3)!])
    }

    @Test func aBlankLabelIsAnInvalidValue() throws {
        let marked = Marked(Self.flow(optOut: "\"  \""))
        let diagnostics = try Inline.run(EmptyTextRule(), marked.text)
        #expect(diagnostics.map(\.id) == ["invalid_value"])
        #expect(diagnostics.map(Position.init) == [marked(1)!])
        #expect(diagnostics.first?.message.hasPrefix("'opt_out' of template 't' is empty") == true)
    }

    @Test func aLabelThatIsNotTextIsTheWrongType() throws {
        let result = FlowChecker.check(Marked(Self.flow(optOut: "[No, recibir]")).text)
        #expect(result.diagnostics.contains { $0.id == "wrong_type" && $0.message.contains("'opt_out'") })
    }

    @Test("a marketing template without opt_out is warned of at its category; with one, or another category, not")
    func missingOptOut() throws {
        let missing = Marked(Self.flow(optOut: nil))
        let diagnostics = try Inline.run(MarketingOptOutMissingRule(), missing.text)
        #expect(diagnostics.map(\.id) == ["marketing_opt_out_missing"])
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.map(Position.init) == [missing(2)!])
        #expect(try Inline.run(MarketingOptOutMissingRule(), Marked(Self.flow(optOut: "Salir")).text).isEmpty)
        let utility = Marked(Self.flow(category: "utility", optOut: nil))
        #expect(try Inline.run(MarketingOptOutMissingRule(), utility.text).isEmpty)
    }

    @Test func theCompiledMachineKeepsTheLabelAsWritten() throws {
        let result = FlowChecker.check(Marked(Self.flow(optOut: "\"No recibir  MÁS\"")).text)
        let machine = MachineCompiler.compile(try #require(result.flow))
        let optOut = try #require(machine.templates.first?.optOut)
        #expect(machine.strings[Int(optOut)] == "No recibir  MÁS")
    }
}
