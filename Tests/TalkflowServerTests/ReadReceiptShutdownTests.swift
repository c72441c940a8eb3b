import Testing

@testable import TalkflowServer

/// A graceful shutdown waits for the queued read receipts for a bounded time only: a Graph API that answers
/// each in 10 seconds must not hold the stop (and the store's sender lock) for minutes.
@Suite(.hangGuard) struct ReadReceiptShutdownTests {
    @Test func aSlowDrainIsCancelledAtTheLimit() async {
        let drain = Task<Bool, Never> {
            // Stands for receipts answered after 10 minutes: true only if the wait was cut.
            (try? await Task.sleep(for: .seconds(600))) == nil
        }
        await OutboxWorker.finish(drain, within: .milliseconds(300))
        #expect(await drain.value)
    }

    @Test func aQuickDrainFinishesUncut() async {
        let drain = Task<Void, Never> {
            try? await Task.sleep(for: .milliseconds(20))
            #expect(!Task.isCancelled)
        }
        // A limit far above the 20 ms: on a loaded machine the sleep may end seconds late, and only a drain that
        // outlasts the limit is to be cut.
        await OutboxWorker.finish(drain, within: .seconds(120))
        #expect(!drain.isCancelled)
    }
}
