import FlowDiagnostics
import Testing

@testable import FlowCompiler

/// `reply_id_too_long`: the reply ids WhatsApp accepts (256 for a reply button, 200 for a list row), at their
/// boundaries, for menu options and for the ids consent steps build from their step id.
@Suite struct ReplyIDLengthTests {
    /// An id of exactly `count` characters.
    func id(_ count: Int) -> String { "o" + String(repeating: "x", count: count - 1) }

    /// The ids and positions the rule reports for `marked`.
    func report(_ marked: Marked) throws -> [String] {
        try Inline.run(ReplyIDLengthRule(), marked.text).map { "\($0.id) \(Position($0))" }
    }

    /// A menu with `keys`, its first option with an id of `count` characters, then `others` short options.
    func menu(_ keys: String, id count: Int, others: Int) -> Marked {
        Marked(
            Inline.menu(
                keys,
                options: "      - { id: ‹1›\(id(count)), title: Uno, next: s }\n"
                    + (0..<others).map { "      - { id: b\($0), title: Otra \($0), next: s }\n" }.joined()))
    }

    @Test("an option shown as a reply button: an id of 256 characters fits, 257 do not")
    func buttonID() throws {
        #expect(try report(menu("    display: buttons\n", id: 256, others: 1)) == [])
        let long = menu("    display: buttons\n", id: 257, others: 1)
        #expect(try report(long) == ["reply_id_too_long \(long(1)!)"])
        let diagnostic = try #require(try Inline.run(ReplyIDLengthRule(), long.text).first)
        #expect(
            diagnostic.message
                == "the id of option 'oxxxxxxxxxxxxxxxxxxx…' of step 's' has 257 characters; it is sent as a "
                + "reply-button id, which WhatsApp refuses over 256")
        #expect(diagnostic.suggestion == "shorten it to 256 characters")
    }

    @Test("an option shown as a list row: an id of 200 characters fits, 201 do not")
    func rowID() throws {
        #expect(try report(menu("    display: list\n", id: 200, others: 0)) == [])
        let long = menu("    display: list\n", id: 201, others: 0)
        #expect(try report(long) == ["reply_id_too_long \(long(1)!)"])
        let diagnostic = try #require(try Inline.run(ReplyIDLengthRule(), long.text).first)
        #expect(diagnostic.message.hasSuffix("it is sent as a list row id, which WhatsApp refuses over 200"))
    }

    /// A length error about an option with a long id names it shortened, as `reply_id_too_long` does: the full
    /// 200-character id made a line of 300 (newcomer5 #6).
    @Test func aLongTitleOfAnOptionWithALongIDNamesTheIDShortened() throws {
        let marked = Marked(
            Inline.menu(
                "    display: list\n",
                options: "      - { id: \(id(200)), title: Un titulo de fila demasiado largo, next: s }\n"
                    + (0..<3).map { "      - { id: b\($0), title: Otra \($0), next: s }\n" }.joined()))
        let diagnostics = try Inline.run(InteractiveLimitsRule(), marked.text)
        let title = try #require(diagnostics.first { $0.id == "row_title_too_long" })
        #expect(title.message.hasPrefix("title of option 'oxxxxxxxxxxxxxxxxxxx…' of step 's' has 33 characters"))
    }

    @Test("display: auto takes the limit of the form the menu takes: buttons up to 3 options, a list from 4")
    func auto() throws {
        #expect(try report(menu("", id: 256, others: 2)) == [])
        let list = menu("    display: auto\n", id: 201, others: 3)
        #expect(try report(list) == ["reply_id_too_long \(list(1)!)"])
        #expect(try report(menu("", id: 200, others: 3)) == [])
    }

    /// A consent step whose id has `count` characters, with an opt-in or not.
    func consent(id count: Int, optIn: Bool) -> Marked {
        Marked(
            Inline.flow(
                "  ‹1›\(id(count)):\n    type: consent\n    text: Autorizas?\n"
                    + "    accept: { title: Acepto, next: s }\n    decline: { title: No acepto, next: s }\n"
                    + (optIn
                        ? "    opt_in: { purpose: promos, text: Promociones?, accept: Si, decline: \"No\" }\n" : "")
            ))
    }

    @Test("a consent step sends '<step>.decline': a step id of 248 characters fits, 249 do not")
    func consentID() throws {
        #expect(try report(consent(id: 248, optIn: false)) == [])
        let long = consent(id: 249, optIn: false)
        #expect(try report(long) == ["reply_id_too_long \(long(1)!)"])
        let diagnostic = try #require(try Inline.run(ReplyIDLengthRule(), long.text).first)
        #expect(
            diagnostic.message
                == "consent step 'oxxxxxxxxxxxxxxxxxxx…' sends the reply-button id '<step>.decline' of 257 characters, "
                + "which WhatsApp refuses over 256")
        #expect(diagnostic.suggestion == "shorten the step id to 248 characters")
    }

    @Test("with an opt-in it also sends '<step>.opt_in.decline': a step id of 241 characters fits, 242 do not")
    func optInID() throws {
        #expect(try report(consent(id: 241, optIn: true)) == [])
        let long = consent(id: 242, optIn: true)
        #expect(try report(long) == ["reply_id_too_long \(long(1)!)"])
        let diagnostic = try #require(try Inline.run(ReplyIDLengthRule(), long.text).first)
        #expect(diagnostic.message.contains("'<step>.opt_in.decline' of 257 characters"))
        #expect(diagnostic.suggestion == "shorten the step id to 241 characters")
    }
}
