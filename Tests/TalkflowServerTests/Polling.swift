/// Polls `condition` every `interval` until it holds or `limit` has passed, and returns whether it held.
///
/// The condition is checked once more after the limit, never skipped: on a loaded machine (CI's two cores, a
/// build beside the tests) a polling task may wake only after its limit, long after what it waits for happened,
/// and a loop that tests the clock before the condition would then fail a test whose server did everything.
func poll(
    within limit: Duration, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}
