import Testing

@testable import TalkflowServer

// The per-number send rate (issue 5, item 2): a second's worth of sends goes at once, then one every 1/rate s,
// each number on its own.
@Test func aBurstOfOneSecondGoesAtOnceThenSendsArePaced() {
    let limiter = SendRateLimiter(rate: 10)
    let first = (0..<10).map { _ in limiter.reserve("a") }
    #expect(first.allSatisfy { $0 == .zero })
    let eleventh = limiter.reserve("a")
    let twelfth = limiter.reserve("a")
    #expect(eleventh > .milliseconds(90) && eleventh <= .milliseconds(100))
    #expect(twelfth > .milliseconds(190) && twelfth <= .milliseconds(200))
    // Another number has its own bucket.
    #expect(limiter.reserve("b") == .zero)
}
