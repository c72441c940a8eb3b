import Synchronization

/// Whether this machine's clock agrees with WhatsApp's, as the webhooks show it: the retention purges delete by
/// this clock, and one that jumped a year ahead (a virtual machine restored with a wrong clock, a bad time
/// source) would delete a year of conversation logs in its first second. A message or status whose WhatsApp
/// time is within a day of its receipt is agreement; the purges run only while the latest agreement is at most
/// two days old by this clock, so a clock that jumps ahead finds its latest agreement far in its past and waits.
public final class ClockAgreement: Sendable {
    /// How far WhatsApp's time may be from the receipt time and still agree (Meta retries late deliveries for
    /// days; those do not agree, and are not needed to).
    static let tolerance: Int64 = 86_400
    /// How long an agreement stands, by this clock.
    static let validity: Int64 = 2 * 86_400

    private let latest = Mutex<Int64?>(nil)

    public init() {}

    /// Notes a webhook's time by WhatsApp (`whatsAppTime`) received at `receivedAt` by this clock.
    func note(whatsAppTime: Int64, receivedAt: Int64) {
        let (gap, overflow) = receivedAt.subtractingReportingOverflow(whatsAppTime)
        guard !overflow, gap.magnitude <= Self.tolerance else { return }
        latest.withLock { $0 = max($0 ?? receivedAt, receivedAt) }
    }

    /// Whether the clock agreed with WhatsApp's within `validity` before `now`.
    func confirmed(at now: Int64) -> Bool {
        guard let latest = latest.withLock({ $0 }) else { return false }
        return latest <= now && now - latest <= Self.validity
    }
}
