import GRDB
import Synchronization

/// Group commit for conversation steps. A step submitted while the writer is busy waits, and the steps that
/// gathered meanwhile are then written in one transaction, each in its own savepoint: a step whose body
/// throws is rolled back alone and gets its error; the others commit together, and each caller resumes only
/// after that commit. An idle store writes a lone step at once, so batching costs no latency; under load one
/// commit (one fsync with `Durability.power`) serves many messages.
///
/// Outbox messages a step claimed for the attached sender are handed over after the commit, in commit order,
/// before the callers resume.
final class SQLiteCommitQueue: Sendable {
    /// What one step did: what it committed, the outbox messages it claimed for a sender, and whether it
    /// changed anything (for steps that report only that).
    struct Outcome: Sendable {
        var committed: CommittedChanges?
        var claimed: OutboxClaims?
        var changed: Bool
        /// Failures Meta had reported before the reported messages were recorded sent.
        var earlyFailures: [EarlyFailure] = []

        init(_ committed: CommittedChanges? = nil, claimed: OutboxClaims? = nil, changed: Bool = false) {
            self.committed = committed
            self.claimed = claimed
            self.changed = changed
        }
    }

    /// One step: runs inside the shared transaction and says what it did.
    typealias Work = @Sendable (Database) throws -> Outcome

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<Outcome, any Error>
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
    func submit(_ work: @escaping Work) async throws -> Outcome {
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

    /// Runs the steps one after the other in one transaction without savepoints (each savepoint costs a
    /// statement journal of the pages it changes) and commits; if a step throws, rolls everything back and
    /// returns `nil`, for `runIsolated` to run the batch again. Steps are pure apart from the database, so
    /// running them again gives the same result.
    private static func runTogether(_ db: Database, _ works: [Work]) throws -> [Result<Outcome, any Error>]? {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(works.count)
        var failed = false
        try db.inTransaction(.immediate) {
            for work in works {
                do {
                    outcomes.append(try work(db))
                } catch {
                    failed = true
                    return .rollback
                }
            }
            return .commit
        }
        if failed { return nil }
        return handOff(outcomes)
    }

    /// Runs each step in its own savepoint, so that a step that throws is rolled back alone and gets its error,
    /// and commits the others.
    private static func runIsolated(_ db: Database, _ works: [Work]) throws -> [Result<Outcome, any Error>] {
        var results: [Result<Outcome, any Error>] = []
        try db.inTransaction(.immediate) {
            for work in works {
                do {
                    var outcome = Outcome()
                    try db.inSavepoint {
                        outcome = try work(db)
                        return .commit
                    }
                    results.append(.success(outcome))
                } catch {
                    results.append(.failure(error))
                }
            }
            return .commit
        }
        let outcomes = results.compactMap { try? $0.get() }
        _ = handOff(outcomes)
        return results.map { $0.map { Self.reported($0) } }
    }

    /// Hands the committed steps' claims to their senders, in order, and returns what the callers get.
    private static func handOff(_ outcomes: [Outcome]) -> [Result<Outcome, any Error>] {
        OutboxClaims.handOff(outcomes.compactMap(\.claimed))
        return outcomes.map { .success(reported($0)) }
    }

    /// What a caller gets: the claims were handed over here.
    private static func reported(_ outcome: Outcome) -> Outcome {
        var outcome = outcome
        outcome.claimed = nil
        return outcome
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
                    try Self.runTogether(db, works) ?? Self.runIsolated(db, works)
                }
                for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
            } catch {
                // Nothing of the batch was committed.
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}
