import FlowDiagnostics
import FlowLanguage

/// WhatsApp refuses an interactive message whose reply ids are too long: at most 256 characters for a reply
/// button and 200 for a list row. A menu option's `id` is sent as its reply id; a consent step sends
/// `<step>.accept` and `<step>.decline`, and its opt-in `<step>.opt_in.accept` and `<step>.opt_in.decline`, all
/// as reply buttons. The runtime shortens nothing, so a longer id is an error where it is written.
struct ReplyIDLengthRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "reply_id_too_long", severity: .error,
        summary: "a reply id over WhatsApp's limit: a menu option `id` over 256 characters on a menu shown as reply "
            + "buttons or over 200 on one shown as a list (`display: auto` takes the form the menu takes), or a "
            + "consent step id that makes `<step>.decline` (or, with an opt-in, `<step>.opt_in.decline`) longer "
            + "than 256",
        fix: "Shorten the option id or the consent step's id (and the references to it). Ids are ASCII, so "
            + "characters are bytes.",
        pointsAt: "the option's `id` value, or the consent step's name")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// A reply button's id, at most (WhatsApp Cloud API, interactive reply buttons).
    static let buttonLimit = 256
    /// A list row's id, at most (WhatsApp Cloud API, interactive lists).
    static let rowLimit = 200

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for step in context.flow.steps {
            switch step.kind {
            case .menu(let menu):
                let buttons = menu.showsButtons
                let limit = buttons ? Self.buttonLimit : Self.rowLimit
                let form = buttons ? "a reply-button id" : "a list row id"
                // The option is named by its id, as the other option rules name it, shortened.
                for option in menu.options where option.id.value.count > limit {
                    diagnostics.append(
                        Self.descriptor.diagnostic(
                            "the id of option '\(Self.shortened(option.id.value))' of step "
                                + "'\(Self.shortened(step.id.value))' has "
                                + "\(option.id.value.count) characters; it is sent as \(form), which WhatsApp "
                                + "refuses over \(limit)", at: option.id.range,
                            suggestion: "shorten it to \(limit) characters"))
                }
            case .consent(let consent):
                // The longest id the step sends: its decline button's, or its opt-in's decline button's.
                let suffix = consent.optIn == nil ? ".decline" : ".opt_in.decline"
                let length = step.id.value.count + suffix.count
                guard length > Self.buttonLimit else { continue }
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "consent step '\(Self.shortened(step.id.value))' sends the reply-button id "
                            + "'<step>\(suffix)' of \(length) characters, which WhatsApp refuses over "
                            + "\(Self.buttonLimit)", at: step.id.range,
                        suggestion: "shorten the step id to \(Self.buttonLimit - suffix.count) characters"))
            default:
                continue
            }
        }
        return diagnostics
    }

    /// A long id cut for a message: its first 20 characters and an ellipsis.
    static func shortened(_ id: String) -> String {
        id.count <= 40 ? id : id.prefix(20) + "…"
    }
}
