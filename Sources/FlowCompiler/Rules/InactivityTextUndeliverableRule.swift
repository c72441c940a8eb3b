import FlowDiagnostics
import FlowLanguage

/// The inactivity timer fires `after` the contact's last message, and WhatsApp takes a free-form message only
/// within 24 hours of it: with `after` over one day the 24-hour window has always closed when the goodbye is due,
/// so its `text` is held back at every conversation and no contact ever reads it. Exactly one day (86,400 s)
/// still sends, as the window check does. A warning: the conversation is still closed on time.
struct InactivityTextUndeliverableRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "inactivity_text_undeliverable", severity: .warning,
        summary: "`settings.inactivity` has a `text` and an `after` over one day: the goodbye is due when the "
            + "24-hour window has closed, so WhatsApp never delivers it",
        fix: "Shorten 'after' to at most 1d (24h) for the goodbye to be delivered, or leave the 'text' out; the "
            + "conversation is closed after 'after' either way.",
        pointsAt: "the `after` value of `settings.inactivity`, with a note at its `text`")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// The longest wait after which a free-form message still goes out (runtime.md, "The 24-hour window").
    static let window = 86_400

    func check(_ context: RuleContext) -> [Diagnostic] {
        let settings = context.flow.settings
        guard let text = settings.inactivityText, !text.value.allSatisfy(\.isWhitespace),
            settings.inactivityTimeout.value > Self.window
        else { return [] }
        let after = Self.written(settings.inactivityTimeout.value)
        return [
            Self.descriptor.diagnostic(
                "the inactivity text is due \(after) after the contact's last message, when the 24-hour window has "
                    + "always closed: WhatsApp refuses a free-form message then, so no contact ever reads it",
                at: settings.inactivityTimeout.range,
                notes: [DiagnosticNote(message: "the text that is never delivered", range: text.range)],
                suggestion: "shorten 'after' to at most 1d (24h), or leave the 'text' out")
        ]
    }

    /// `seconds` in the largest unit that writes it whole, as a flow would (`2d`, `25h`, `1441m`).
    static func written(_ seconds: Int) -> String {
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
