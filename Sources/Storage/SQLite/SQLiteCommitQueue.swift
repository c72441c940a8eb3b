import GRDB
import Synchronization

/// Group commit for conversation steps. A step submitted while the writer is busy waits, and the steps that
/// gathered meanwhile are then written in one transaction, each in its own savepoint: a step whose body
/// throws is rolled back alone and gets its error; the others commit together, and each caller resumes only
/// after that commit. An idle store writes a lone step at once, so batching costs no latency; under load one
/// commit (one fsync with `Durability.power`) serves many messages.
final class SQLiteCommitQueue: Sendable {
    /// One step: runs inside the shared transaction and returns what it committed.
    typealias Work = @Sendable (Database) throws -> CommittedChanges?

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<CommittedChanges?, any Error>
    }

    private struct State {
        var jobs: [Job] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let pool: DatabasePool
    /// The most steps in one transaction, to bound how long the write lock is held.
    private let maximumBatch: Int

    init(pool: DatabasePool, maximumBatch: Int = 256) {
        self.pool = pool
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Runs `work` in the next transaction and returns once that transaction has committed.
    func submit(_ work: @escaping Work) async throws -> CommittedChanges? {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state -> Bool in
                state.jobs.append(Job(work: work, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if leads { Task { await self.flush() } }
        }
    }

    /// Writes batches until no step is waiting.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                guard !state.jobs.isEmpty else {
                    state.flushing = false
                    return []
                }
                let count = min(maximumBatch, state.jobs.count)
                defer { state.jobs.removeFirst(count) }
                return Array(state.jobs.prefix(count))
            }
            guard !batch.isEmpty else { return }
            let works = batch.map(\.work)
            do {
                let results = try await pool.writeWithoutTransaction { db in
                    var results: [Result<CommittedChanges?, any Error>] = []
                    try db.inTransaction(.immediate) {
                        for work in works {
                            do {
                                var committed: CommittedChanges?
                                try db.inSavepoint {
                                    committed = try work(db)
                                    return .commit
                                }
                                results.append(.success(committed))
                            } catch {
                                results.append(.failure(error))
                            }
                        }
                        return .commit
                    }
                    return results
                }
                for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
            } catch {
                // Nothing of the batch was committed.
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}
