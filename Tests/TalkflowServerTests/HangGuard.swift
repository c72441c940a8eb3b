import Dispatch
import Foundation
import Testing

/// Ends the test run when one test of a suite has not finished after `limit`, naming the test.
///
/// A server test that fails under load can leave something it started waiting forever (a request the fake Graph
/// API holds, a server's shutdown awaiting an in-flight request, a continuation no one resumes). Swift Testing's
/// own time limit cancels the test, but a wait that ignores cancellation still holds the run, and CI would only
/// stop it at its 90-minute limit without saying which test hung. The guard's timer runs on Dispatch, outside
/// Swift's cooperative pool, so a starved or stuck pool cannot hold it back.
struct HangGuard: SuiteTrait, TestTrait, TestScoping {
    /// Far above the slowest server test (the crash test, about a minute on CI's two cores).
    static let defaultLimit: Duration = .seconds(600)

    var limit: Duration

    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> HangGuard? {
        // One timer per test function (a suite's scope would time the whole suite).
        test.isSuite ? nil : self
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let location = test.sourceLocation
        let message =
            "error: \(location.fileID):\(location.line): the test \(test.name) has not finished after "
            + "\(limit.components.seconds) s: it hangs. Stopping the test run (exit 70) so that it fails here "
            + "instead of waiting for CI's time limit.\n"
        let stop = DispatchWorkItem {
            FileHandle.standardError.write(Data(message.utf8))
            _exit(70)
        }
        let (seconds, attoseconds) = limit.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: stop)
        defer { stop.cancel() }
        try await function()
    }
}

extension Trait where Self == HangGuard {
    /// Stops the test run, naming the test, when a test runs past `limit` (ten minutes by default).
    static var hangGuard: HangGuard { HangGuard(limit: HangGuard.defaultLimit) }

    static func hangGuard(after limit: Duration) -> HangGuard { HangGuard(limit: limit) }
}
