import Synchronization

/// Tenants whose access token Meta refused (error 190, or 0): sending more with that token only fails more, and
/// failing each reply for good would lose them all while an operator renews the token. So the tenant's sends
/// are paused instead: its messages stay pending (the attempt not counted), and after `duration` one send
/// tries the token again. It succeeds once the token works (after a restart with the new one, see
/// Docs/operations.md, "Rotating secrets"), and the tenant's messages then go out in order; messages older than
/// 24 hours by then fail at Meta with 131047, like any late free-form message.
final class SendingPauses: Sendable {
    /// What a sender may do now for a tenant.
    enum Decision: Equatable {
        /// Send.
        case send
        /// Do not send before this time (Unix seconds).
        case wait(until: Int64)
    }

    /// Seconds a refused token pauses the tenant before the next try.
    let duration: Int64
    /// Seconds the other senders wait while one send tries the token again.
    let probeWindow: Int64
    private let pausedUntil = Mutex<[String: Int64]>([:])

    /// Pauses of `duration` seconds (5 minutes by default), each ended by one trial send.
    init(duration: Int64 = 300, probeWindow: Int64 = 30) {
        self.duration = max(1, duration)
        self.probeWindow = max(1, probeWindow)
    }

    /// Whether `tenant` may send at `now`. When a pause has run out, the first caller sends (it tries the
    /// token) and the others wait `probeWindow` for its outcome.
    func decision(tenant: String, now: Int64) -> Decision {
        pausedUntil.withLock { paused in
            guard let until = paused[tenant] else { return .send }
            if now < until { return .wait(until: until) }
            paused[tenant] = now + probeWindow
            return .send
        }
    }

    /// Pauses `tenant` from `now`; returns the end of the pause and whether the tenant was sending until now
    /// (so the caller logs and counts a pause once).
    func pause(tenant: String, now: Int64) -> (until: Int64, isNew: Bool) {
        pausedUntil.withLock { paused in
            let isNew = paused[tenant] == nil
            paused[tenant] = now + duration
            return (now + duration, isNew)
        }
    }

    /// Ends `tenant`'s pause after a send went through; returns whether it was paused.
    @discardableResult
    func resume(tenant: String) -> Bool {
        pausedUntil.withLock { paused in
            guard !paused.isEmpty else { return false }
            return paused.removeValue(forKey: tenant) != nil
        }
    }

    /// Whether `tenant` is paused at `now` (read receipts are skipped while it is).
    func isPaused(tenant: String, now: Int64) -> Bool {
        pausedUntil.withLock { paused in paused[tenant].map { now < $0 } ?? false }
    }
}
