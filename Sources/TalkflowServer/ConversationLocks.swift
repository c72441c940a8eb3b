import Synchronization

/// Serialises the work of one conversation while different conversations run in parallel: a lock per key
/// (`tenant` and contact), handed to waiters in the order they asked, so that a conversation's messages are
/// stepped in arrival order. Keys with no holder take no memory. A free lock is taken without suspending (a
/// mutex, not an actor: the common case, one message per conversation at a time, costs no executor hop).
final class ConversationLocks: Sendable {
    /// Waiters per held key, oldest first; a key is held while it is present.
    private let waiters = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    /// The key of one conversation.
    static func key(tenant: String, contact: String) -> String { tenant + "\u{0}" + contact }

    /// Runs `body` while holding the conversation's lock.
    func withLock<T: Sendable>(
        tenant: String, contact: String, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let key = Self.key(tenant: tenant, contact: contact)
        await lock(key)
        defer { unlock(key) }
        return try await body()
    }

    private func lock(_ key: String) async {
        let taken = waiters.withLock { waiters -> Bool in
            guard waiters[key] == nil else { return false }
            waiters[key] = []
            return true
        }
        if taken { return }
        await withCheckedContinuation { continuation in
            // The holder may have left meanwhile: then the lock is taken here at once.
            let resumeNow = waiters.withLock { waiters -> Bool in
                guard waiters[key] != nil else {
                    waiters[key] = []
                    return true
                }
                waiters[key]!.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func unlock(_ key: String) {
        let next = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
            guard var queue = waiters[key] else { return nil }
            if queue.isEmpty {
                waiters[key] = nil
                return nil
            }
            let next = queue.removeFirst()
            waiters[key] = queue
            return next
        }
        next?.resume()
    }
}
