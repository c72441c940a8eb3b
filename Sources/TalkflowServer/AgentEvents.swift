import Foundation
import Storage
import Synchronization

/// Something an agent's event stream (`GET /api/v1/tenants/{tenant}/agents/{agent}/events`) tells them, so an
/// agent's console reacts at once instead of polling the conversation list.
public struct AgentEvent: Sendable, Hashable, Encodable {
    /// The Server-Sent Events `event:` name.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A conversation was assigned to the agent (by the rotation or an admin's reassignment).
        case assignment
        /// A conversation left the agent (`reason` says why), so their console drops it at once instead of
        /// learning it from a refused reply.
        case unassignment
        /// The contact wrote in one of the agent's conversations.
        case message
    }

    /// What happened.
    public var kind: Kind
    /// The tenant the conversation belongs to.
    public var tenant: String
    /// The contact's WhatsApp id (`wa_id`): the conversation's key in the agent API.
    public var contact: String
    /// When the server processed it, ISO 8601 (UTC).
    public var at: String
    /// The handoff's queue (assignments).
    public var queue: String?
    /// Why the conversation left the agent (unassignments).
    public var reason: UnassignmentReason?
    /// The WhatsApp message type (`text`, `image`…) of a contact message.
    public var type: String?
    /// A text message's body, or a file's caption (messages after consent only; the log keeps nothing else
    /// either).
    public var text: String?

    enum CodingKeys: String, CodingKey {
        case tenant, contact, at, queue, reason, type, text
    }

    /// An event of `kind` about `contact`'s conversation.
    public init(
        _ kind: Kind, tenant: String, contact: String, at: Int64, queue: String? = nil,
        reason: UnassignmentReason? = nil, type: String? = nil, text: String? = nil
    ) {
        self.kind = kind
        self.tenant = tenant
        self.contact = contact
        self.at = AgentAPI.iso8601(at)
        self.queue = queue
        self.reason = reason
        self.type = type
        self.text = text
    }

    /// The event as one Server-Sent Events frame: `event:` line, one JSON `data:` line, blank line.
    var frame: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(kind.rawValue)\ndata: \(json)\n\n"
    }
}

/// The in-process fan-out of agent events: the inbound processor and the agent routes publish after their
/// transaction commits, and each open event stream of that tenant's agent receives them. Nothing is stored:
/// an agent who is not connected misses the event (the conversation list has the same facts). With several
/// server instances behind a load balancer, each instance streams only what it processed itself.
public final class AgentEventBroadcaster: Sendable {
    private struct Key: Hashable {
        var tenant: String
        var agent: String
    }

    private let subscribers = Mutex<[Key: [Int: AsyncStream<AgentEvent>.Continuation]]>([:])
    private let nextID = Atomic<Int>(0)

    /// A broadcaster nobody listens to yet.
    public init() {}

    /// A stream of the events for `agent` of `tenant`, until the consumer stops iterating (or is cancelled).
    /// A slow consumer loses the oldest events beyond 256 pending.
    public func subscribe(tenant: String, agent: String) -> AsyncStream<AgentEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: AgentEvent.self, bufferingPolicy: .bufferingNewest(256))
        let id = nextID.add(1, ordering: .relaxed).newValue
        let key = Key(tenant: tenant, agent: agent)
        subscribers.withLock { $0[key, default: [:]][id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { subscribers in
                subscribers[key]?[id] = nil
                if subscribers[key]?.isEmpty == true { subscribers[key] = nil }
            }
        }
        return stream
    }

    /// Hands `event` to every open stream of `agent` of the event's tenant.
    public func publish(_ event: AgentEvent, to agent: String) {
        let continuations = subscribers.withLock { subscribers in
            subscribers[Key(tenant: event.tenant, agent: agent)].map { Array($0.values) } ?? []
        }
        for continuation in continuations { continuation.yield(event) }
    }

    /// How many streams `agent` of `tenant` has open (tests wait for a subscription).
    public func subscriberCount(tenant: String, agent: String) -> Int {
        subscribers.withLock { $0[Key(tenant: tenant, agent: agent)]?.count ?? 0 }
    }

    /// Publishes what a committed transaction means for agents: an `unassignment` for each agent whose
    /// handoff the step ended (a `handoff_ended` line), then an `assignment` for each agent the step assigned,
    /// and otherwise, for a contact message (`inbound`) the step relayed to the conversation's agent, a `message`
    /// to that agent (not for a file the type or allowance check refused, nor an opt-out).
    func publish(_ committed: CommittedChanges, tenant: String, contact: String, at: Int64, inbound: Bool) {
        let events = committed.changes.events
        for (index, event) in events.enumerated() where event.kind == ConversationEvent.handoffEnded {
            guard let agent = event.detail else { continue }
            publish(
                AgentEvent(
                    .unassignment, tenant: tenant, contact: contact, at: at,
                    reason: UnassignmentReason(handoffEndedAt: index, in: events)),
                to: agent)
        }
        var assigned = false
        for event in events where event.kind == ConversationEvent.agentAssigned {
            guard let agent = event.detail else { continue }
            assigned = true
            publish(
                AgentEvent(
                    .assignment, tenant: tenant, contact: contact, at: at, queue: committed.changes.queueName),
                to: agent)
        }
        guard inbound, !assigned, committed.changes.relayedToAgent, committed.session.status == .withAgent,
            let agent = committed.session.agent
        else { return }
        var text: String?
        switch committed.changes.inboundContent {
        case .text(let body): text = body
        // A file's caption is what the contact wrote with it.
        case .attachment(let file): text = file.caption
        case nil: break
        }
        publish(
            AgentEvent(
                .message, tenant: tenant, contact: contact, at: at, type: committed.changes.inboundKind, text: text),
            to: agent)
    }
}
