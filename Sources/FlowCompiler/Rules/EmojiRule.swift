import FlowDiagnostics
import FlowLanguage

/// The WhatsApp conversation policy forbids emoji in anything the bot sends (Docs/no-emoji.md), so every
/// emoji in the flow's own text is an error, reported once per emoji sequence at its exact column.
struct EmojiRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "emoji_in_text", severity: .error,
        summary: "an emoji in text the bot sends (step texts, titles, descriptions, header, footer, button labels, "
            + "consent and opt-in texts, set values, template bodies and parameters, captions, file names, "
            + "revocation and inactivity texts, the policy's texts that its placeholders put in consent texts)",
        fix: "Remove the emoji or say it in words. Other special characters (á ñ ¿ ¡ € © ™ ✓ and so on) are "
            + "allowed; see Docs/no-emoji.md for exactly what counts as an emoji.",
        pointsAt: "the emoji")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// Scans every text the bot sends and reports each emoji sequence where it is written.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for text in context.botTexts {
            for match in EmojiScanner.matches(in: text.text.value) {
                let range = context.range(
                    ofScalars: match.scalarOffset..<(match.scalarOffset + match.scalarLength), in: text.text)
                out.append(
                    Self.descriptor.diagnostic(
                        "\(text.what) contains the emoji '\(match.text)' (\(Self.codePoints(match.text))); the "
                            + "WhatsApp conversation policy forbids emoji in messages", at: range,
                        suggestion: "remove it or say it in words"))
            }
        }
        // A file sent without a `filename` is named by its URL's last segment, which the contact sees.
        for step in context.flow.steps {
            guard case .message(let message) = step.kind, let attachment = message.attachment,
                attachment.filename == nil, let name = URLFileName.nameRange(in: attachment.url.value)
            else { continue }
            let url = attachment.url
            let scalars = url.value.unicodeScalars
            let first = scalars.distance(from: scalars.startIndex, to: name.lowerBound)
            let last = scalars.distance(from: scalars.startIndex, to: name.upperBound)
            for match in EmojiScanner.matches(in: url.value)
            where match.scalarOffset >= first && match.scalarOffset + match.scalarLength <= last {
                let range = context.range(
                    ofScalars: match.scalarOffset..<(match.scalarOffset + match.scalarLength), in: url)
                out.append(
                    Self.descriptor.diagnostic(
                        "the file name that the 'url' of the attachment of step '\(step.id.value)' gives contains "
                            + "the emoji '\(match.text)' (\(Self.codePoints(match.text))); the WhatsApp "
                            + "conversation policy forbids emoji in messages", at: range,
                        suggestion: "rename the file, or give the attachment a 'filename'"))
            }
        }
        return out
    }

    /// `U+1F44D U+1F3FD`: names an emoji unambiguously even where a terminal cannot draw it.
    static func codePoints(_ text: String) -> String {
        text.unicodeScalars.map(\.codePoint).joined(separator: " ")
    }
}
