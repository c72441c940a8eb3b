import FlowDiagnostics
import FlowLanguage

/// The runtime fills placeholders only in texts (a step's text, a menu's header and footer, `invalid`, `retry`,
/// captions, `set` values, template parameters); option titles and descriptions, the list button, consent and
/// opt-in labels, file names and links are sent exactly as written. A placeholder there would reach the contact
/// (or Meta) as the braces themselves, so it is an error. Titles and labels stay fixed on purpose: the contact's
/// typed answer is matched against them.
struct PlaceholderNotFilledRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "placeholder_not_filled", severity: .error,
        summary: "a `{{placeholder}}` in a field the bot sends as written: an option title or description, a list "
            + "`button` label (not on a menu shown as buttons, which sends neither), a consent or opt-in label, an "
            + "attachment's `filename` or `url`, a template header `link`",
        fix: "Write the field without placeholders and say the changing part in the step's text, where "
            + "placeholders are filled in. Titles and labels stay fixed because the contact's typed answer is "
            + "matched against them.",
        pointsAt: "the `{{placeholder}}` in the text sent as written")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Reports every placeholder of every field sent as written, where the placeholder is written.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ text: Located<String>, _ what: @autoclosure () -> String, suggestion: String) {
            let placeholders = TextTemplate.placeholders(in: text.value)
            guard !placeholders.isEmpty else { return }
            let scalars = Array(text.value.unicodeScalars)
            let what = what()
            for placeholder in placeholders {
                let written = String(String.UnicodeScalarView(scalars[placeholder.scalars]))
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "\(what) is sent as written, so '\(written)' would reach the contact as it stands: "
                            + "placeholders are filled only in texts",
                        at: context.range(ofScalars: placeholder.scalars, in: text),
                        suggestion: suggestion))
            }
        }
        // A list button on a menu shown as buttons, or a description it ignores, is not sent at all: nothing
        // reaches the contact (`description_ignored` says so of the description).
        for text in context.botTexts
        where text.sentAsWritten && text.slot != .unusedListButton && text.slot != .ignoredDescription {
            report(
                text.text, text.what,
                suggestion: "write it without placeholders and say the changing part in the step's text")
        }
        for step in context.flow.steps {
            guard case .message(let message) = step.kind, let attachment = message.attachment else { continue }
            report(
                attachment.url, "the 'url' of the attachment of step '\(step.id.value)'",
                suggestion: "write the file's full link")
        }
        for template in context.flow.templates {
            guard let header = template.header else { continue }
            report(
                header.link, "the header 'link' of template '\(template.key.value)'",
                suggestion: "write the media's full link")
        }
        return diagnostics
    }
}
