/// The doorbell between the inbound path and the outbox worker: after a transaction that queued messages
/// commits, the processor rings it and the worker claims at once instead of waiting for its next poll. Rings
/// coalesce (the stream keeps only the newest), since one claim picks up everything pending.
public final class OutboxSignal: Sendable {
    /// What the worker iterates; its only consumer.
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// A signal nobody has rung yet.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the worker (or makes its next wait return at once).
    public func ring() { continuation.yield() }

    /// Ends the stream: the worker's wait returns for good.
    func finish() { continuation.finish() }
}
