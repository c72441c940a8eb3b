/// One inbound message to mark as read: which tenant received it, in which conversation, and its `wamid`.
struct ReadReceipt: Sendable, Equatable {
    /// The tenant whose number received the message (its token and number are looked up when sending).
    var tenant: String
    /// The conversation's contact key, for the `conversation` of log lines.
    var contact: String
    /// The inbound message's `wamid`.
    var messageID: String
}

/// The queue between the inbound path and the outbox worker for read receipts (`mark_read`): after an inbound
/// message's transaction commits, the processor adds it here and the worker marks it read, best effort. The
/// queue is bounded (a full queue drops new receipts: they are a courtesy, never worth memory or a failed
/// webhook), and the worker finishes it on graceful shutdown after sending what it holds.
public final class ReadReceipts: Sendable {
    /// Receipts held at most; beyond that new ones are dropped.
    public static let capacity = 1024

    /// What the worker iterates; its only consumer.
    let stream: AsyncStream<ReadReceipt>
    private let continuation: AsyncStream<ReadReceipt>.Continuation

    /// An empty queue.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(
            of: ReadReceipt.self, bufferingPolicy: .bufferingOldest(Self.capacity))
    }

    /// Adds a receipt; returns false when it was dropped (the queue is full or finished).
    @discardableResult
    func enqueue(_ receipt: ReadReceipt) -> Bool {
        if case .enqueued = continuation.yield(receipt) { return true }
        return false
    }

    /// Ends the stream: the worker sends what is queued, then its loop ends; later receipts are dropped.
    func finish() { continuation.finish() }
}
