import FlowDiagnostics
import FlowLanguage

/// WhatsApp's length limits for plain text messages (4096) and media captions (1024): the Cloud API refuses
/// longer ones, and the runtime never shortens or splits what the author wrote (only text that values filled in
/// at run time made too long), so each is an error.
struct TextLimitsRule: LintRule {
    static let text = RuleDescriptor(
        id: "text_too_long", severity: .error,
        summary: "a text message (message, question, handoff, goodbye, revocation, inactivity, invalid-reply or "
            + "retry text) over 4096 characters",
        fix: "Split the text over several `message` steps. " + InteractiveLimitsRule.unit,
        pointsAt: "the `text` value that is too long")
    static let caption = RuleDescriptor(
        id: "caption_too_long", severity: .error,
        summary: "an attachment caption over 1024 characters",
        fix: "Shorten the caption to 1024 characters, or say the rest in the message text. "
            + InteractiveLimitsRule.unit,
        pointsAt: "the attachment's `caption` value")

    var descriptors: [RuleDescriptor] { [Self.text, Self.caption] }

    /// Checks text messages and captions against their limits.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.botTexts.compactMap { text in
            switch text.slot {
            case .message:
                return TextLength.check(
                    text, limit: 4096, slotName: "a text message", descriptor: Self.text,
                    suggestion: "split it over several 'message' steps")
            case .caption:
                return TextLength.check(text, limit: 1024, slotName: "a caption", descriptor: Self.caption)
            default:
                return nil
            }
        }
    }
}
