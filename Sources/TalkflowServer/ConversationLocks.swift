/// Serialises the work of one conversation while different conversations run in parallel: a lock per key
/// (`tenant` and contact), handed to waiters in the order they asked, so that a conversation's messages are
/// stepped in arrival order. Keys with no holder take no memory.
actor ConversationLocks {
    /// Waiters per held key, oldest first; a key is held while it is present.
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// The key of one conversation.
    nonisolated static func key(tenant: String, contact: String) -> String { tenant + "\u{0}" + contact }

    /// Runs `body` while holding the conversation's lock.
    nonisolated func withLock<T: Sendable>(
        tenant: String, contact: String, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let key = Self.key(tenant: tenant, contact: contact)
        await lock(key)
        do {
            let result = try await body()
            await unlock(key)
            return result
        } catch {
            await unlock(key)
            throw error
        }
    }

    private func lock(_ key: String) async {
        guard waiters[key] != nil else {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    private func unlock(_ key: String) {
        guard var queue = waiters[key] else { return }
        if queue.isEmpty {
            waiters[key] = nil
        } else {
            let next = queue.removeFirst()
            waiters[key] = queue
            next.resume()
        }
    }
}
