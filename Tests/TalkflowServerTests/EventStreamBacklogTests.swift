import Testing

@testable import TalkflowServer

/// An event stream whose client does not read is ended once its unwritten events pass the limit (the audit saw
/// a stalled client make the server keep 400 MB of events); one that reads keeps going, and one event longer
/// than the limit is still delivered alone.
@Suite("Event stream backlog")
struct EventStreamBacklogTests {
    @Test func aClientThatDoesNotReadFallsBehindOnceAndThenEverythingIsDropped() {
        let backlog = EventStreamBacklog(limit: 1000)
        #expect(backlog.add(600) == .queued)
        #expect(backlog.add(300) == .queued)
        #expect(!backlog.overflowed)
        #expect(backlog.add(200) == .fellBehind)
        #expect(backlog.overflowed)
        #expect(backlog.add(1) == .dropped)
        // Written frames do not reopen it: the stream ends.
        backlog.remove(900)
        #expect(backlog.add(1) == .dropped)
    }

    @Test func aClientThatReadsKeepsGoingAndALongEventGoesAlone() {
        let backlog = EventStreamBacklog(limit: 1000)
        for _ in 0..<100 {
            #expect(backlog.add(700) == .queued)
            backlog.remove(700)
        }
        #expect(backlog.add(5000) == .queued)
        #expect(backlog.add(1) == .fellBehind)
        #expect(EventStreamBacklog.defaultLimit == 1 << 20)
    }
}
