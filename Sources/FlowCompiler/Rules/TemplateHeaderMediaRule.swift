import FlowDiagnostics
import FlowLanguage

/// Template header media must be a JPEG image or a PDF document: Meta refuses other formats when the template
/// is sent, and by then the conversation has no other way to reach the contact.
struct TemplateHeaderMediaRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "template_header_media", severity: .error,
        summary: "a template header `image` whose link is not a .jpg/.jpeg file, or a `document` not a .pdf",
        fix: "Link a JPEG for `type: image` or a PDF for `type: document`, as the template was approved.",
        pointsAt: "the header's `link` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Checks the extension of each template header link against its media type.
    func check(_ context: RuleContext) -> [Diagnostic] {
        context.flow.templates.compactMap { template in
            guard let header = template.header else { return nil }
            // The same extension logic as message attachments: the URL's path, without query or fragment.
            let ext = Attachment(url: header.link, filename: nil, caption: nil, range: header.range).fileExtension
            let allowed: [String]
            let expected: String
            switch header.type.value {
            case .image:
                allowed = ["jpg", "jpeg"]
                expected = "a JPEG image (.jpg or .jpeg)"
            case .document:
                allowed = ["pdf"]
                expected = "a PDF document (.pdf)"
            }
            guard !allowed.contains(ext) else { return nil }
            let found = ext.isEmpty ? "has no file extension" : "is a '.\(ext)' file"
            return Self.descriptor.diagnostic(
                "the \(header.type.value.rawValue) header of template '\(template.key.value)' \(found); "
                    + "template headers take \(expected)", at: header.link.range,
                notes: [DiagnosticNote(message: "header type declared here", range: header.type.range)])
        }
    }
}
