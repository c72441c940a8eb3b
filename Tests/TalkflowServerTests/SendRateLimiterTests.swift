import Testing

@testable import TalkflowServer

// The per-number send rate: at most `rate` sends in any one-second window, each number on its own.

/// The instants at which `count` sends asked for at `arrivals` (cycled) may go.
private func sendInstants(
    _ limiter: SendRateLimiter, key: String = "a", arrivals: [ContinuousClock.Instant]
) -> [ContinuousClock.Instant] {
    arrivals.map { $0 + limiter.reserve(key, now: $0) }
}

/// Whether some one-second window [t, t + 1 s) holds more than `rate` of `instants`.
private func someSecondHoldsMore(than rate: Int, _ instants: [ContinuousClock.Instant]) -> Bool {
    let sorted = instants.sorted()
    return sorted.indices.dropLast(rate).contains { sorted[$0 + rate] < sorted[$0] + .seconds(1) }
}

@Test func aSecondsWorthGoesAtOnceAndTheNextWaitsForTheFirstToBeASecondOld() {
    let limiter = SendRateLimiter(rate: 10)
    let start = ContinuousClock.now
    let waits = (0..<12).map { _ in limiter.reserve("a", now: start) }
    #expect(waits.prefix(10).allSatisfy { $0 == .zero })
    // Not 100 ms after the burst (a bucket refilling while it drained let those through): a whole second.
    #expect(waits[10] == .seconds(1))
    #expect(waits[11] == .seconds(1))
    // Another number has its own window.
    #expect(limiter.reserve("b", now: start) == .zero)
}

@Test func threeHundredSendsAtOnceGoEightyPerSecond() {
    let limiter = SendRateLimiter(rate: 80)
    let start = ContinuousClock.now
    let instants = sendInstants(limiter, arrivals: Array(repeating: start, count: 300))
    #expect(!someSecondHoldsMore(than: 80, instants))
    let perSecond = Dictionary(grouping: instants) { start.duration(to: $0).components.seconds }.mapValues(\.count)
    #expect(perSecond == [0: 80, 1: 80, 2: 80, 3: 60])
}

@Test func sendsArrivingUnevenlyNeverPutMoreThanTheRateInAnySecond() {
    let limiter = SendRateLimiter(rate: 7)
    let start = ContinuousClock.now
    // Bursts and gaps, deterministic: arrivals every 0, 30 or 400 ms in a fixed pattern.
    let steps: [Duration] = [.zero, .milliseconds(30), .zero, .milliseconds(400), .zero, .zero, .milliseconds(30)]
    var arrival = start
    let arrivals = (0..<500).map { index -> ContinuousClock.Instant in
        arrival += steps[index % steps.count]
        return arrival
    }
    let instants = sendInstants(limiter, arrivals: arrivals)
    #expect(!someSecondHoldsMore(than: 7, instants))
    // No send goes before it was asked for, and they go in the order asked.
    #expect(zip(arrivals, instants).allSatisfy { $0 <= $1 })
    #expect(instants == instants.sorted())
}

@Test func aNumberIdleForASecondSendsAtOnceAgain() {
    let limiter = SendRateLimiter(rate: 3)
    let start = ContinuousClock.now
    _ = sendInstants(limiter, arrivals: Array(repeating: start, count: 3))
    let later = start + .seconds(1)
    #expect((0..<3).map { _ in limiter.reserve("a", now: later) } == [.zero, .zero, .zero])
    #expect(limiter.reserve("a", now: later) == .seconds(1))
}

@Test func aRateOfOneSpacesSendsASecondApart() {
    let limiter = SendRateLimiter(rate: 1)
    let start = ContinuousClock.now
    let waits = (0..<3).map { _ in limiter.reserve("a", now: start) }
    #expect(waits == [.zero, .seconds(1), .seconds(2)])
}
