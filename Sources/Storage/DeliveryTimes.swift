/// When an outbound message reached each stage, so that an agent desk can show every tick with its time, not
/// only the last one. Each time is written once, when the stage is first seen: WhatsApp's status webhooks come
/// out of order, so a `delivered` that arrives after `read` still gives its time, though the status stays
/// `read`. Unix seconds; `nil` for a stage never reported (WhatsApp may skip `delivered` and report `read`).
public struct DeliveryTimes: Sendable, Hashable {
    /// When the status last changed (queued, claimed, sent, delivered, read or failed).
    public var latest: Int64?
    /// When the Graph API accepted the message (the sender's report).
    public var sent: Int64?
    /// When WhatsApp reported it delivered to the contact's phone.
    public var delivered: Int64?
    /// When WhatsApp reported it read.
    public var read: Int64?

    public init(latest: Int64? = nil, sent: Int64? = nil, delivered: Int64? = nil, read: Int64? = nil) {
        self.latest = latest
        self.sent = sent
        self.delivered = delivered
        self.read = read
    }
}
