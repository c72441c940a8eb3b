import Synchronization

/// The shared round-robin rotation of agent queues, in process: strict order per queue (agent 1, 2, 3,
/// then 1 again) across every conversation that uses this instance. The server replaces it with a store
/// that keeps the position in the database; the simulator and the transcript tests use this one.
public final class RoundRobin: @unchecked Sendable {
    private var positions: [String: Int] = [:]
    private let lock = NSLockLike()

    public init() {}

    /// The next agent of `queue`, advancing its position; `nil` for an empty queue.
    public func next(queue: String, agents: [String]) -> String? {
        guard !agents.isEmpty else { return nil }
        return lock.withLock {
            let position = positions[queue, default: 0]
            positions[queue] = (position + 1) % agents.count
            return agents[position % agents.count]
        }
    }

    /// The position the next assignment of `queue` takes (0 for agent 1).
    public func position(queue: String) -> Int { lock.withLock { positions[queue, default: 0] } }

    /// Sets a queue's position (transcript fixtures start a rotation mid-way).
    public func set(queue: String, position: Int) { lock.withLock { positions[queue] = position } }
}

/// A tiny lock, so that one rotation can be shared by conversations on several threads.
final class NSLockLike: Sendable {
    private let mutex = Mutex(())

    func withLock<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
}
