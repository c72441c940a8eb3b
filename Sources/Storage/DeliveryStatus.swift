/// Where an outbound message stands, in the one order it may move: queued in the outbox (`pending`), handed
/// to a sender (`sending`), accepted by WhatsApp (`sent`), then `delivered`, then `read`; or `failed`, which
/// is terminal. WhatsApp's status webhooks arrive at least once and out of order, so a status only ever moves
/// forward: a late `delivered` after `read` changes nothing, and nothing follows `failed`.
public enum DeliveryStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Queued in the outbox (also while waiting for a retry).
    case pending
    /// Claimed by a sender.
    case sending
    /// Accepted by WhatsApp, which gave its `wamid`.
    case sent
    /// Delivered to the contact's phone.
    case delivered
    /// Read by the contact.
    case read
    /// Given up by the sender, or reported failed by WhatsApp.
    case failed

    /// Position in the forward order; `failed` is past everything but `read` (see `canMove(to:)`).
    var rank: Int {
        switch self {
        case .pending: return 0
        case .sending: return 1
        case .sent: return 2
        case .delivered: return 3
        case .read: return 4
        case .failed: return 5
        }
    }

    /// Whether a message at this status may take `next` (from a status webhook): only forward, never out of
    /// `failed`, and never from `read` to `failed` (a message the contact read was delivered, whatever a late
    /// failure report says).
    public func canMove(to next: DeliveryStatus) -> Bool {
        switch self {
        case .failed: return false
        case .read: return false
        default: return next.rank > rank
        }
    }

    /// Whether the message still belongs to the outbox (not yet accepted by WhatsApp, not given up).
    public var isOpen: Bool { self == .pending || self == .sending }
}
