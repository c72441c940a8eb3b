import FlowDiagnostics
import FlowLanguage

/// One piece of text the bot sends, with the WhatsApp slot it fills, so that the emoji rule and the length
/// rules walk the same list and a new text field only has to be added here.
struct BotText: Sendable {
    /// Where in a WhatsApp message the text goes; each slot has its own length limit (or none here).
    enum Slot: Equatable, Sendable {
        /// A text message `body` (4096).
        case message
        /// The body of an interactive message: a menu, a consent or an opt-in (1024).
        case interactiveBody
        /// An interactive header (60).
        case header
        /// An interactive footer (60).
        case footer
        /// The label of the button that opens a list (20).
        case listButton
        /// A list button label on a menu shown as reply buttons, which has no list button: not sent, nor limited.
        case unusedListButton
        /// A reply-button title (20).
        case buttonTitle
        /// A consent's or an opt-in's accept or decline title: a reply button whose length
        /// `consent_label_ambiguous` checks.
        case consentButton
        /// A template's quick-reply button label, its `opt_out` (25).
        case quickReplyLabel
        /// A list row title (24).
        case rowTitle
        /// A list row description (72).
        case rowDescription
        /// A description on a menu shown as buttons, which WhatsApp does not show.
        case ignoredDescription
        /// A media caption (1024).
        case caption
        /// Text without a limit of its own here: set values, template bodies and parameters, file names.
        case other
    }

    let text: Located<String>
    /// Builds the description only when a diagnostic needs it: most texts are fine, and formatting a
    /// description for each of them dominated the lint time of large flows.
    let describe: @Sendable () -> String
    let slot: Slot
    /// The text as the contact will read it when it has `{{policy.…}}` placeholders, which the compiler fills
    /// in (their values are known now, so they count towards the length); `nil` when it has none.
    var filled: String? = nil
    /// Whether the runtime sends the field exactly as written, filling no placeholder: titles, labels and
    /// descriptions stay fixed (typed replies are matched against them), and file names are sent as they are.
    var sentAsWritten = false

    /// What the text is, for messages: "'text' of step 'menu'".
    var what: String { describe() }

    /// Every text of the flow the bot sends, in file order within each part. Words the contact types
    /// (keywords, revocation words, synonyms) are not here: the bot never sends them.
    static func all(in flow: Flow) -> [BotText] {
        var out: [BotText] = []
        /// The purposes of the consent step being walked, for `{{policy.purposes}}`.
        var purposes: [String] = []
        func add(
            _ text: Located<String>?, _ what: @autoclosure @escaping @Sendable () -> String, _ slot: Slot,
            asWritten: Bool = false
        ) {
            guard let text else { return }
            var entry = BotText(text: text, describe: what, slot: slot, sentAsWritten: asWritten)
            if !asWritten, TextTemplate.mayHavePlaceholder(text.value),
                PolicyPlaceholders.isUsed(in: TextTemplate(parsing: text.value))
            {
                let filled = PolicyPlaceholders.expand(
                    text.value, policy: flow.policy, language: flow.language.value, purposes: purposes)
                if filled != text.value { entry.filled = filled }
            }
            out.append(entry)
        }
        // The policy's own texts reach the contact through the placeholders: no emoji there either.
        if let policy = flow.policy {
            let responsible = policy.responsible
            add(responsible.name, "'name' of the policy's responsible", .other)
            add(responsible.address, "'address' of the policy's responsible", .other)
            add(responsible.email, "'email' of the policy's responsible", .other)
            add(responsible.phone, "'phone' of the policy's responsible", .other)
            add(policy.url, "'url' of the policy", .other)
            add(policy.version, "'version' of the policy", .other)
            for purpose in policy.purposes {
                add(purpose.description, "description of purpose '\(purpose.id.value)'", .other)
            }
        }
        if let revocation = flow.settings.revocation {
            add(revocation.text, "'text' of revocation", .message)
        }
        add(flow.settings.inactivityText, "'text' of inactivity", .message)
        for template in flow.templates {
            add(template.body, "body of template '\(template.key.value)'", .other)
            add(template.optOut, "'opt_out' of template '\(template.key.value)'", .quickReplyLabel, asWritten: true)
        }
        for step in flow.steps {
            let name = "step '\(step.id.value)'"
            switch step.kind {
            case .consent(let consent):
                purposes = consent.purposes.map(\.value)
                defer { purposes = [] }
                add(consent.text, "'text' of \(name)", .interactiveBody)
                add(consent.accept.title, "accept title of \(name)", .consentButton, asWritten: true)
                add(consent.decline.title, "decline title of \(name)", .consentButton, asWritten: true)
                if let optIn = consent.optIn {
                    purposes = optIn.placeholderPurposes
                    add(optIn.text, "opt-in text of \(name)", .interactiveBody)
                    add(optIn.accept, "opt-in accept title of \(name)", .consentButton, asWritten: true)
                    add(optIn.decline, "opt-in decline title of \(name)", .consentButton, asWritten: true)
                }
            case .message(let message):
                add(message.text, "'text' of \(name)", .message)
                if let attachment = message.attachment {
                    add(attachment.filename, "file name of the attachment of \(name)", .other, asWritten: true)
                    add(attachment.caption, "caption of the attachment of \(name)", .caption)
                }
            case .menu(let menu):
                add(menu.text, "'text' of \(name)", .interactiveBody)
                add(menu.header, "'header' of \(name)", .header)
                add(menu.footer, "'footer' of \(name)", .footer)
                let buttons = menu.showsButtons
                // A menu shown as reply buttons has no list button: its label is not sent, nor limited.
                add(menu.button, "'button' of \(name)", buttons ? .unusedListButton : .listButton, asWritten: true)
                for option in menu.options {
                    // A long id (up to WhatsApp's 200 characters) is shortened, as `reply_id_too_long` names it.
                    let optionName = "option '\(ReplyIDLengthRule.shortened(option.id.value))' of \(name)"
                    add(option.title, "title of \(optionName)", buttons ? .buttonTitle : .rowTitle, asWritten: true)
                    add(
                        option.description, "description of \(optionName)",
                        buttons ? .ignoredDescription : .rowDescription, asWritten: true)
                }
                add(menu.invalid, "'invalid' of \(name)", .message)
            case .ask(let ask):
                add(ask.text, "'text' of \(name)", .message)
                add(ask.retry, "'retry' of \(name)", .message)
            case .branch:
                break
            case .set(let set):
                for assignment in set.assignments {
                    add(assignment.value, "value of '\(assignment.variable.value)' in \(name)", .other)
                }
            case .handoff(let handoff):
                add(handoff.text, "'text' of \(name)", .message)
                add(handoff.closedText, "'closed.text' of \(name)", .message)
            case .template(let template):
                for (index, parameter) in template.parameters.enumerated() {
                    add(parameter, "parameter \(index + 1) of \(name)", .other)
                }
            case .end(let end):
                add(end.text, "'text' of \(name)", .message)
            }
        }
        return out
    }
}

/// Length checks shared by the WhatsApp limit rules: lengths in `Character`s (grapheme clusters), the unit in
/// which WhatsApp counts what people see, and only the literal part of text with `{{variables}}` (a field sent
/// as written is counted whole, braces included: that is what WhatsApp receives).
enum TextLength {
    /// The diagnostic for `text` when its literal part is longer than `limit`, or `nil` when it fits.
    static func check(
        _ text: BotText, limit: Int, slotName: String, descriptor: RuleDescriptor, suggestion: String? = nil
    ) -> Diagnostic? {
        let source = text.filled ?? text.text.value
        // A Character takes at least one UTF-8 byte: text this short in bytes fits without counting.
        if source.utf8.count <= limit { return nil }
        let template = text.sentAsWritten ? TextTemplate(pieces: [.literal(source)]) : TextTemplate(parsing: source)
        let length = template.literalLength
        guard length > limit else { return nil }
        let filled = text.filled == nil ? "" : " once its policy placeholders are filled in"
        let variables = template.variables.isEmpty ? "" : " without its variables, which add to it"
        return descriptor.diagnostic(
            "\(text.what) has \(length) characters\(filled)\(variables); \(slotName) holds at most \(limit)",
            at: text.text.range, suggestion: suggestion)
    }
}
