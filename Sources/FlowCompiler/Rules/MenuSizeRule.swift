import FlowDiagnostics
import FlowLanguage

/// How many options a menu may have: WhatsApp sends at most 3 reply buttons and a list of 1 to 10 rows, and
/// refuses anything else, so a menu that does not fit its display cannot be shown at all.
struct MenuSizeRule: LintRule {
    static let maxButtons = 3
    static let maxRows = 10

    static let tooManyButtons = RuleDescriptor(
        id: "too_many_buttons", severity: .error,
        summary: "a menu with `display: buttons` and more than 3 options (WhatsApp shows at most 3 reply buttons)",
        fix: "Use `display: list` (up to 10 rows) or `display: auto`, or keep 3 options.",
        pointsAt: "the first option past the third (the fourth); a note points at `display: buttons`")
    static let tooManyRows = RuleDescriptor(
        id: "too_many_rows", severity: .error,
        summary: "a menu shown as a list with more than 10 options, or a menu with an empty `options` list",
        fix: "A WhatsApp list holds 1 to 10 rows: split a longer menu into two (an option 'More' leading to the "
            + "second), and give every menu at least one option.",
        pointsAt: "the first option past the tenth (the eleventh), or an empty `options` list")

    var descriptors: [RuleDescriptor] { [Self.tooManyButtons, Self.tooManyRows] }

    /// Counts each menu's options against the display it is shown with.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in context.flow.steps {
            guard case .menu(let menu) = step.kind else { continue }
            let count = menu.options.count
            // An `options` that is missing, not a list, or whose items are all malformed was reported already.
            if count == 0, menu.listedOptions == 0 {
                out.append(
                    Self.tooManyRows.diagnostic(
                        "menu '\(step.id.value)' has no options; a menu needs at least one", at: step.id.range))
            } else if menu.display.value == .buttons, count > Self.maxButtons {
                let suggestion =
                    count <= Self.maxRows
                    ? "use 'display: list'" : "split the menu: a list holds at most \(Self.maxRows) rows"
                out.append(
                    Self.tooManyButtons.diagnostic(
                        "menu '\(step.id.value)' has \(count) options but 'display: buttons' shows at most "
                            + "\(Self.maxButtons) reply buttons", at: menu.options[Self.maxButtons].range,
                        notes: [DiagnosticNote(message: "shown as buttons here", range: menu.display.range)],
                        suggestion: suggestion))
            } else if !menu.showsButtons, count > Self.maxRows {
                out.append(
                    Self.tooManyRows.diagnostic(
                        "menu '\(step.id.value)' has \(count) options; a WhatsApp list holds at most "
                            + "\(Self.maxRows) rows", at: menu.options[Self.maxRows].range,
                        suggestion: "split the menu, with an option leading to a second menu"))
            }
        }
        return out
    }
}
