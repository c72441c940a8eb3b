import Synchronization

/// The bytes of one event stream's frames waiting to be written to its client. A client that stays connected
/// and does not read (a console tab frozen in the background, a laptop asleep behind a NAT, a proxy that stopped
/// reading) would otherwise make the server keep every event for it: past `limit` the stream is ended instead,
/// and the client, reconnecting, reads the conversation list, which has the same facts.
final class EventStreamBacklog: Sendable {
    /// The bytes a stream may have waiting: about 250 messages of WhatsApp's longest text.
    static let defaultLimit = 1 << 20

    private struct State {
        var waiting = 0
        var overflowed = false
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int = EventStreamBacklog.defaultLimit) {
        self.limit = limit
    }

    /// What becomes of a frame offered to the stream.
    enum Admission: Equatable {
        /// Queued for writing.
        case queued
        /// It would take the backlog past the limit: the stream has fallen behind and is to end (said once).
        case fellBehind
        /// The stream already fell behind: dropped.
        case dropped
    }

    /// Counts a frame of `bytes` about to be queued. A frame alone is always taken, however long.
    func add(_ bytes: Int) -> Admission {
        state.withLock { state in
            if state.overflowed { return .dropped }
            if state.waiting > 0, state.waiting + bytes > limit {
                state.overflowed = true
                return .fellBehind
            }
            state.waiting += bytes
            return .queued
        }
    }

    /// A frame of `bytes` was written.
    func remove(_ bytes: Int) {
        state.withLock { $0.waiting = max(0, $0.waiting - bytes) }
    }

    /// Whether the stream fell behind: what is still waiting is dropped, not written.
    var overflowed: Bool { state.withLock { $0.overflowed } }
}
