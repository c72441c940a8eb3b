import FlowDiagnostics
import FlowLanguage

/// A text written empty (`text: ""`, `button: "  "`) where WhatsApp needs one: the Cloud API refuses a message,
/// a body, a header or footer, a list button or a caption without text, so the send would fail at run time; and
/// the policy's version, link and responsible's name, which every consent record and consent text carries.
/// Reported as `invalid_value`, like any value the field does not accept. A template step's parameter is also
/// refused with a line break, a tab or more than 4 consecutive spaces written in it, which Meta refuses as it
/// refuses a blank one (`TemplateParameterText`). Option titles and consent labels are
/// checked where they are read (the decoder, `consent_label_ambiguous`), so they are not repeated here. A blank
/// list button or description is refused on a menu shown as buttons too, where it is not sent: written blank it
/// says nothing on any menu, and refusing it everywhere lets the JSON Schema, which cannot tell how `auto`
/// shows a menu, refuse exactly what lint refuses.
struct EmptyTextRule: LintRule {
    var descriptors: [RuleDescriptor] { [] }

    /// The slots whose text must not be empty here.
    static let checked: [BotText.Slot] = [
        .message, .interactiveBody, .header, .footer, .listButton, .unusedListButton, .caption, .rowDescription,
        .ignoredDescription, .quickReplyLabel,
    ]

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ text: Located<String>, _ what: String, _ why: String) {
            // A placeholder for a missing field (an empty range) was reported as missing_field already.
            guard text.value.allSatisfy(\.isWhitespace), text.range.start != text.range.end else { return }
            diagnostics.append(
                SchemaRules.invalidValue.diagnostic("\(what) is empty; \(why)", at: text.range))
        }
        for text in context.botTexts where Self.checked.contains(text.slot) {
            let optional = [
                .header, .footer, .caption, .rowDescription, .ignoredDescription, .listButton,
                .unusedListButton,
            ].contains(text.slot)
            guard text.slot != .quickReplyLabel else {
                report(
                    text.text, text.what,
                    "it is the label of the template's quick-reply button: write it as Meta approved it, or leave the "
                        + "key out")
                continue
            }
            report(
                text.text, text.what,
                "WhatsApp refuses to send it without text: " + (optional ? "write it or leave the key out" : "write it")
            )
        }
        if let policy = context.flow.policy {
            let why = "every consent record and consent text carries it"
            report(policy.version, "'version' of the policy", why)
            report(policy.url, "'url' of the policy", why)
            report(policy.responsible.name, "'name' of the policy's responsible", why)
            for purpose in policy.purposes {
                report(
                    purpose.description, "the 'description' of purpose '\(purpose.id.value)'",
                    "the contact must read what each purpose is before accepting it")
            }
        }
        for template in context.flow.templates {
            report(
                template.body, "the 'body' of template '\(template.key.value)'",
                "write the body exactly as Meta approved it")
            report(
                template.language, "the 'language' of template '\(template.key.value)'",
                "Meta sends a template in an approved language: write its code, such as 'es'")
        }
        // Names and values that reach a contact, a record or an agent's screen: blank, they say nothing.
        for processor in context.flow.policy?.processors ?? [] {
            let why = "the consent text must name who processes the data and where"
            report(processor.name, "the 'name' of a processor of the policy", why)
            report(processor.country, "the 'country' of a processor of the policy", why)
        }
        for queue in context.flow.queues where !queue.isMalformed {
            for agent in queue.agents {
                report(agent, "an agent of queue '\(queue.name.value)'", "a handoff would go to no one: name the agent")
            }
        }
        for step in context.flow.steps {
            let name = "step '\(step.id.value)'"
            switch step.kind {
            case .consent(let consent):
                for item in consent.sensitiveData {
                    report(item, "an item of 'data' of \(name)", "the contact must read which data are sensitive")
                }
            case .menu(let menu):
                for option in menu.options {
                    for synonym in option.synonyms {
                        report(
                            synonym, "a synonym of option '\(option.id.value)' of \(name)",
                            "no message would ever match it; remove it")
                    }
                }
            case .template(let template):
                for (index, parameter) in template.parameters.enumerated() {
                    report(
                        parameter, "parameter \(index + 1) of \(name)",
                        "Meta refuses a template parameter without text: write it")
                    // Written so, it is refused every time (error 132018); a filled-in value is normalized instead.
                    // A control character is reported where it is written (`ControlCharacterRule`), and so is a
                    // line break that is one (a carriage return, vertical tab, form feed or U+0085) when the
                    // parameter has no other: one error per character.
                    let plainBreaks = "\n\u{2028}\u{2029}".unicodeScalars
                    if let problem = TemplateParameterText.problem(in: parameter.value), problem != .blank,
                        !problem.isControlCharacter,
                        problem != .lineBreak || parameter.value.unicodeScalars.contains(where: plainBreaks.contains)
                    {
                        diagnostics.append(
                            SchemaRules.invalidValue.diagnostic(
                                "parameter \(index + 1) of \(name) \(problem.found); \(problem.advice)",
                                at: parameter.range))
                    }
                }
            case .message(let message):
                if let filename = message.attachment?.filename {
                    report(filename, "the 'filename' of the attachment of \(name)", "write it or leave the key out")
                }
            default:
                break
            }
        }
        return diagnostics
    }
}
