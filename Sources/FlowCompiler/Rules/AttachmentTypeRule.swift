import FlowDiagnostics
import FlowLanguage

/// The bot sends files as WhatsApp documents or images, and talkflow supports only PDF, JPEG and PNG: other
/// types are refused by WhatsApp or not shown the same on every phone.
struct AttachmentTypeRule: LintRule {
    static let allowed = ["pdf", "jpg", "jpeg", "png"]

    static let descriptor = RuleDescriptor(
        id: "attachment_type", severity: .error,
        summary: "a message attachment that is not a pdf, jpg, jpeg or png file (by the extension of its file "
            + "name, or else of its URL)",
        fix: "Convert the file to PDF (documents) or JPEG/PNG (images), or give it a `filename` with the right "
            + "extension.",
        pointsAt: "the attachment's `url` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Checks the extension of each message attachment.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.flow.steps.compactMap { step in
            guard case .message(let message) = step.kind, let attachment = message.attachment else { return nil }
            let ext = attachment.fileExtension
            guard !Self.allowed.contains(ext) else { return nil }
            let field = attachment.filename ?? attachment.url
            let found = ext.isEmpty ? "has no file extension" : "is a '.\(ext)' file"
            return Self.descriptor.diagnostic(
                "the attachment of step '\(step.id.value)' \(found); send a pdf, jpg, jpeg or png file",
                at: field.range)
        }
    }
}
