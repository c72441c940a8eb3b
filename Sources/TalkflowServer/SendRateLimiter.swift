import Synchronization

/// A token bucket per phone number: at most `rate` sends per second from one number, with bursts of up to one
/// second's worth. Callers reserve a token and sleep until it is theirs, so waiting senders go in the order
/// they asked. A mutex, not an actor: a sender with a token at hand goes on without an executor hop.
final class SendRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// A limiter of `rate` sends per second per key (at least 1).
    init(rate: Int) {
        self.rate = Double(max(1, rate))
    }

    /// Waits until `key` may send once more.
    func acquire(_ key: String) async {
        let wait = reserve(key)
        if wait > .zero { try? await Task.sleep(for: wait) }
    }

    /// Takes a token (the balance may go negative) and returns how long until it is earned.
    func reserve(_ key: String) -> Duration {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: rate, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + seconds * rate) - 1
            bucket.updated = now
            buckets[key] = bucket
            return bucket.tokens >= 0 ? .zero : .nanoseconds(Int64((-bucket.tokens / rate) * 1e9))
        }
    }
}
