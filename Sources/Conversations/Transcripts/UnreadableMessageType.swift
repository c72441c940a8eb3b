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
        guard !isValid(type) else { return nil }
        return "\(what) must be a WhatsApp message type: lowercase letters, digits and '_', such as order, "
            + "nfm_reply or poll_creation; found '\(type)'"
    }

    /// The valid type a wrongly written one most likely meant (`Order` → `order`), or `nil`.
    public static func suggestion(for type: String) -> String? {
        let lowered = type.lowercased()
        return lowered != type && isValid(lowered) ? lowered : nil
    }
}
