import Synchronization

/// At most `rate` sends from one phone number in any one-second window: a send may go once the `rate`-th send
/// before it from that number is at least one second old. Meta counts messages per second, and a bucket that
/// starts full and refills while it drains lets twice the rate through in the first second. Callers reserve a
/// slot and sleep until it comes, so waiting senders go in the order they asked. A mutex, not an actor: a
/// sender with a slot at hand goes on without an executor hop.
final class SendRateLimiter: Sendable {
    /// The instants of a number's last `rate` sends (reserved ones included, which may lie ahead), oldest at
    /// `next`: a ring, so a send costs a comparison and a store.
    private struct Window {
        var sends: [ContinuousClock.Instant] = []
        var next = 0

        /// Takes the first instant from `now` at which a send keeps every one-second window within `rate`.
        mutating func reserve(now: ContinuousClock.Instant, rate: Int) -> ContinuousClock.Instant {
            guard sends.count == rate else {
                // Fewer than `rate` sends so far: none is held back.
                let at = max(now, sends.last ?? now)
                sends.append(at)
                next = sends.count % rate
                return at
            }
            // Reserved instants only grow, so the send before this one is the latest (taken for a clock read
            // by another thread a moment earlier).
            let latest = sends[(next + rate - 1) % rate]
            let at = max(now, sends[next] + .seconds(1), latest)
            sends[next] = at
            next = (next + 1) % rate
            return at
        }
    }

    let rate: Int
    private let windows = Mutex<[String: Window]>([:])

    /// A limiter of `rate` sends per second per key (at least 1).
    init(rate: Int) {
        self.rate = max(1, rate)
    }

    /// Waits until `key` may send once more.
    func acquire(_ key: String) async {
        let wait = reserve(key)
        if wait > .zero { try? await Task.sleep(for: wait) }
    }

    /// Reserves `key`'s next send and returns how long until it may go (`now` is the clock's, read under the lock,
    /// unless a test gives it).
    func reserve(_ key: String, now given: ContinuousClock.Instant? = nil) -> Duration {
        windows.withLock { windows in
            let now = given ?? .now
            // Mutated in place (the `default:` subscript), so the ring is not copied per send.
            return now.duration(to: windows[key, default: Window()].reserve(now: now, rate: rate))
        }
    }
}
