import FlowCompiler
import FlowLanguage

/// The texts a consent step showed, exactly, with their SHA-256: what the consent evidence records.
struct ShownTexts: Sendable, Hashable {
    /// The step's text as rendered, then each button label, in order.
    let texts: [String]
    /// Lower-case hex SHA-256 of the UTF-8 of `texts` joined by a line feed (`"\n"`).
    let sha256: String

    init(_ texts: [String]) {
        self.texts = texts
        // The same function as the consent lock's, so that a lock and the records of its version agree.
        self.sha256 = ConsentLock.hash(texts)
    }
}

/// What menus and consent steps show and record that does not depend on the session, built once per machine.
///
/// Most menu and consent texts have no placeholders, so their messages, reply ids and evidence hashes are the
/// same in every conversation: building them once keeps the interpreter's hot path free of string building,
/// array allocation and hashing. A class, so that copying an `Interpreter` costs one retain for all of it.
final class PromptTables: Sendable {
    /// A consent step's fixed parts.
    struct Consent: Sendable {
        /// `<step>.accept`, `<step>.decline`, `<step>.opt_in.accept`, `<step>.opt_in.decline`.
        let acceptID: String
        let declineID: String
        let optInAcceptID: String
        let optInDeclineID: String
        /// The opt-in labels normalized (`TextMatching.normalize`): typing one answers the opt-in.
        let optInAcceptKey: String
        let optInDeclineKey: String
        /// The purposes the consent covers, and the opt-in's purpose, as ids.
        let purposes: [String]
        let optInPurpose: String
        /// The request and the opt-in question, when their texts have no placeholders.
        let prompt: OutboundMessage?
        let optInPrompt: OutboundMessage?
        /// What the evidence records, when the texts have no placeholders.
        let shown: ShownTexts?
        let optInShown: ShownTexts?
    }

    /// Per state: a menu's message when its texts have no placeholders.
    let menus: [OutboundMessage?]
    /// Per state: a consent step's fixed parts (`nil` for other states).
    let consents: [Consent?]

    init(machine m: StateMachine) {
        var menus: [OutboundMessage?] = []
        var consents: [Consent?] = []
        for state in m.states {
            var menuMessage: OutboundMessage?
            var consentParts: Consent?
            switch state.payload {
            case .menu(let menu):
                if let body = Self.literal(m, menu.text) {
                    let header = menu.header.map { Self.literal(m, $0) }
                    let footer = menu.footer.map { Self.literal(m, $0) }
                    if header != .some(nil), footer != .some(nil) {
                        menuMessage = Self.menu(m, menu, body: body, header: header ?? nil, footer: footer ?? nil)
                    }
                }
            case .consent(let consent):
                let name = m.strings[Int(state.name)]
                let ids = (name + ".accept", name + ".decline", name + ".opt_in.accept", name + ".opt_in.decline")
                let accept = m.strings[Int(consent.acceptTitle)]
                let decline = m.strings[Int(consent.declineTitle)]
                let optIn = consent.optIn
                let optInAccept = optIn.map { m.strings[Int($0.acceptTitle)] } ?? ""
                let optInDecline = optIn.map { m.strings[Int($0.declineTitle)] } ?? ""
                let body = Self.literal(m, consent.text)
                let optInBody = optIn.flatMap { Self.literal(m, $0.text) }
                consentParts = Consent(
                    acceptID: ids.0, declineID: ids.1, optInAcceptID: ids.2, optInDeclineID: ids.3,
                    optInAcceptKey: TextMatching.normalize(optInAccept),
                    optInDeclineKey: TextMatching.normalize(optInDecline),
                    purposes: consent.purposes.map { m.strings[Int($0)] },
                    optInPurpose: optIn.map { m.strings[Int($0.purpose)] } ?? "",
                    prompt: body.map { Self.buttons($0, ids.0, accept, ids.1, decline) },
                    optInPrompt: optInBody.map { Self.buttons($0, ids.2, optInAccept, ids.3, optInDecline) },
                    shown: body.map { ShownTexts([$0, accept, decline]) },
                    optInShown: optInBody.map { ShownTexts([$0, optInAccept, optInDecline]) })
            default:
                break
            }
            menus.append(menuMessage)
            consents.append(consentParts)
        }
        self.menus = menus
        self.consents = consents
    }

    /// A text's value when it has no placeholders (it is then the same for every session), else `nil`.
    static func literal(_ m: StateMachine, _ text: Int32) -> String? {
        var out = ""
        for piece in m.texts[Int(text)].pieces {
            guard case .literal(let literal) = piece else { return nil }
            out += m.strings[Int(literal)]
        }
        return out
    }

    /// A menu as reply buttons or as a list, from its rendered texts.
    static func menu(
        _ m: StateMachine, _ menu: MenuPayload, body: String, header: String?, footer: String?
    ) -> OutboundMessage {
        if menu.buttons {
            var buttons: [ReplyButton] = []
            buttons.reserveCapacity(menu.options.count)
            for option in menu.options {
                buttons.append(ReplyButton(id: m.strings[Int(option.id)], title: m.strings[Int(option.title)]))
            }
            return .buttons(body: body, header: header, footer: footer, buttons: buttons)
        }
        var rows: [ListRow] = []
        rows.reserveCapacity(menu.options.count)
        for option in menu.options {
            rows.append(
                ListRow(
                    id: m.strings[Int(option.id)], title: m.strings[Int(option.title)],
                    description: option.description.map { m.strings[Int($0)] }))
        }
        return .list(body: body, header: header, footer: footer, button: m.strings[Int(menu.button)], rows: rows)
    }

    /// A two-button question (a consent or an opt-in).
    static func buttons(
        _ body: String, _ acceptID: String, _ accept: String, _ declineID: String, _ decline: String
    ) -> OutboundMessage {
        .buttons(
            body: body, header: nil, footer: nil,
            buttons: [ReplyButton(id: acceptID, title: accept), ReplyButton(id: declineID, title: decline)])
    }
}
