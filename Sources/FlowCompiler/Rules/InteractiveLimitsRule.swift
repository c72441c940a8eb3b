import FlowDiagnostics
import FlowLanguage

/// WhatsApp's length limits for the parts of interactive messages (menus, consents, opt-ins): the Cloud API
/// refuses a message that exceeds any of them, and the runtime never shortens what the author wrote (only values
/// filled in at run time, `FilledTextFitting`), so each is an error.
struct InteractiveLimitsRule: LintRule {
    /// How lengths are counted, said in every descriptor of the length limits.
    static let unit =
        "Lengths count characters as people see them (grapheme clusters); in text with `{{variables}}` only the "
        + "written part is counted, and the values add to it at run time."
    /// How lengths of the fields sent as written (titles, descriptions, the list button) are counted.
    static let writtenUnit =
        "Lengths count characters as people see them (grapheme clusters), over the whole field as written: "
        + "titles, descriptions and labels are sent without filling placeholders (`placeholder_not_filled`)."

    static let buttonTitle = RuleDescriptor(
        id: "button_title_too_long", severity: .error,
        summary: "a reply-button title (a menu option shown as a button) over 20 characters, or a template's "
            + "`opt_out` (the label of its quick-reply button) over 25",
        fix: "Shorten the title to 20 characters, or show the menu as a list (`display: list`, row titles hold 24); "
            + "shorten an `opt_out` to 25, as the button was approved. " + writtenUnit,
        pointsAt: "the option's `title` value, or the template's `opt_out` value")
    static let rowTitle = RuleDescriptor(
        id: "row_title_too_long", severity: .error,
        summary: "a list row title (a menu option shown in a list) over 24 characters",
        fix: "Shorten the title to 24 characters; put the detail in the option's `description` (72). " + writtenUnit,
        pointsAt: "the option's `title` value")
    static let rowDescription = RuleDescriptor(
        id: "row_description_too_long", severity: .error,
        summary: "a list row description over 72 characters",
        fix: "Shorten the description to 72 characters. " + writtenUnit,
        pointsAt: "the option's `description` value")
    static let descriptionIgnored = RuleDescriptor(
        id: "description_ignored", severity: .warning,
        summary: "an option description on a menu shown as reply buttons, which WhatsApp does not show",
        fix: "Remove the description, or show the menu as a list (`display: list`), where rows show it.",
        pointsAt: "the option's `description` value")
    static let header = RuleDescriptor(
        id: "header_too_long", severity: .error,
        summary: "a menu header over 60 characters",
        fix: "Shorten the header to 60 characters. " + unit,
        pointsAt: "the menu's `header` value")
    static let footer = RuleDescriptor(
        id: "footer_too_long", severity: .error,
        summary: "a menu footer over 60 characters",
        fix: "Shorten the footer to 60 characters. " + unit,
        pointsAt: "the menu's `footer` value")
    static let listButton = RuleDescriptor(
        id: "list_button_too_long", severity: .error,
        summary: "a menu's list button label (`button`) over 20 characters",
        fix: "Shorten the label to 20 characters. " + writtenUnit,
        pointsAt: "the menu's `button` value")
    static let interactiveBody = RuleDescriptor(
        id: "interactive_body_too_long", severity: .error,
        summary: "the text of a menu, consent or opt-in over 1024 characters (they are sent as interactive messages)",
        fix: "Shorten the text to 1024 characters, or say the rest in a `message` step before it. " + unit,
        pointsAt: "the `text` value that is too long")

    var descriptors: [RuleDescriptor] {
        [
            Self.buttonTitle, Self.rowTitle, Self.rowDescription, Self.descriptionIgnored, Self.header, Self.footer,
            Self.listButton, Self.interactiveBody,
        ]
    }

    /// Checks each interactive text against the limit of the slot it fills.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.botTexts.compactMap { text in
            switch text.slot {
            case .buttonTitle:
                return TextLength.check(
                    text, limit: 20, slotName: "a reply-button title", descriptor: Self.buttonTitle,
                    suggestion: "shorten it, or use 'display: list', whose row titles hold 24")
            case .quickReplyLabel:
                return TextLength.check(
                    text, limit: 25, slotName: "a template's quick-reply button label", descriptor: Self.buttonTitle)
            case .rowTitle:
                return TextLength.check(text, limit: 24, slotName: "a list row title", descriptor: Self.rowTitle)
            case .rowDescription:
                return TextLength.check(
                    text, limit: 72, slotName: "a list row description", descriptor: Self.rowDescription)
            case .ignoredDescription:
                return Self.descriptionIgnored.diagnostic(
                    "\(text.what) is not shown: the menu is shown as reply buttons, which have no description",
                    at: text.text.range, suggestion: "remove it, or use 'display: list' to show it")
            case .header:
                return TextLength.check(text, limit: 60, slotName: "a header", descriptor: Self.header)
            case .footer:
                return TextLength.check(text, limit: 60, slotName: "a footer", descriptor: Self.footer)
            case .listButton:
                return TextLength.check(
                    text, limit: 20, slotName: "a list button label", descriptor: Self.listButton)
            case .interactiveBody:
                return TextLength.check(
                    text, limit: 1024, slotName: "the body of an interactive message",
                    descriptor: Self.interactiveBody)
            case .message, .consentButton, .caption, .unusedListButton, .other:
                return nil
            }
        }
    }
}
