/// The WhatsApp message type a transcript's `unreadable:` input and the REPL's `/unreadable` name: written as
/// Meta writes types in its webhooks (`order`, `nfm_reply`, `poll_creation`), lowercase ASCII letters, digits
/// and `_`, so that a test sends only what the real channel could deliver.
public enum UnreadableMessageType {
    /// Whether `type` is one word of lowercase ASCII letters, digits and `_`.
    public static func isValid(_ type: String) -> Bool {
        !type.isEmpty
            && type.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Why `type` cannot be sent, naming the input as `what` (`'unreadable'`, the REPL's `TYPE`), or `nil` when
    /// it can.
    public static func problem(_ type: String, what: String) -> String? {
        guard isValid(type) else {
            return "\(what) must be a WhatsApp message type: lowercase letters, digits and '_', such as order, "
                + "nfm_reply or poll_creation; found '\(type)'"
        }
        return neverUnreadable[type].map { "\(what) cannot be '\(type)': \($0)" }
    }

    /// The types the WhatsApp channel never hands the flow as unreadable, and what a test writes instead: a
    /// simulated message must be one the real channel could give.
    static let neverUnreadable: [String: String] = {
        var types: [String: String] = [
            "text": "a text is read; write it as the contact's words (contact:, or a typed line in the REPL)",
            "interactive": "a tapped button or list row is read; tap it (tap:, or /tap in the REPL)",
            "button":
                "a tapped template button is read as the text of its label; write the label as the contact's "
                + "words (contact:, or a typed line in the REPL)",
        ]
        // Each with its article: "an edit", "a reaction".
        let acknowledged = [
            "reaction": "a reaction", "system": "a system message", "request_welcome": "a request_welcome",
            "edit": "an edit", "revoke": "a revoke",
        ]
        for (kind, named) in acknowledged {
            types[kind] =
                "WhatsApp's channel acknowledges \(named) without stepping the flow, so the flow never sees it; "
                + "leave it out"
        }
        return types
    }()

    /// The valid type a wrongly written one most likely meant (`Order` → `order`), or `nil`.
    public static func suggestion(for type: String) -> String? {
        let lowered = type.lowercased()
        return lowered != type && isValid(lowered) ? lowered : nil
    }
}
