/// The conversations of one agent over a period, as the tenant's operations report them: how many, open and
/// closed, answered (the agent's reply was sent) and not, how long they lasted and how long the contact waited
/// for the agent's first reply. Derived from the conversation log, so every conversation counts, not only each
/// contact's latest.
public struct AgentReport: Sendable, Hashable, Codable {
    /// The agent (the last one assigned to each conversation); `nil` in the totals.
    public var agent: String?
    public var conversations: Int
    public var open: Int
    public var closed: Int
    /// Conversations in which the last agent assigned had a reply accepted by the Graph API.
    public var answered: Int
    /// The others: in the totals, those that never reached an agent too.
    public var unanswered: Int
    /// The mean of end minus start over the closed conversations, seconds; `nil` when none closed.
    public var averageDurationSeconds: Double?
    /// The mean of the first reply's time minus the start of the wait (`LoggedConversation.waitStartedAt`)
    /// over the answered conversations, seconds.
    public var averageSecondsToAttend: Double?
    /// The same mean counted in the flow's business hours (`AgentReport.reports(_:openSeconds:)`): the hours the
    /// business is closed between the request and the reply left out; `nil` without a calendar or an answer.
    public var averageBusinessSecondsToAttend: Double?
    /// The earliest and the latest start among the conversations (Unix seconds).
    public var firstStartedAt: Int64?
    public var lastStartedAt: Int64?

    public init(agent: String?) {
        self.agent = agent
        conversations = 0
        open = 0
        closed = 0
        answered = 0
        unanswered = 0
    }
}

/// One conversation as the log tells it, for `AgentReport`. Every assignment (a reassignment too) starts the
/// wait for a first reply again, so the figures are those of the last agent assigned: their own first reply,
/// waited for since their assignment, or since the handoff request their assignment answered.
public struct LoggedConversation: Sendable, Hashable {
    public var startedAt: Int64
    public var endedAt: Int64?
    /// The last agent assigned, if any.
    public var agent: String?
    /// When the wait for the last agent assigned began: the handoff request their assignment answered, or the
    /// assignment itself (a reassignment, or an assignment without a request line).
    public var waitStartedAt: Int64?
    /// When the last agent assigned wrote their first reply that the Graph API accepted (a reply it refused,
    /// or one not sent yet, does not count).
    public var firstReplyAt: Int64?
    /// A handoff request no assignment has answered yet.
    var requestedAt: Int64?

    public init(startedAt: Int64) { self.startedAt = startedAt }

    /// A handoff was requested: the wait of the agent assigned next starts here.
    public mutating func handoffRequested(at time: Int64) {
        requestedAt = time
    }

    /// `agent` was assigned: their wait starts at the pending handoff request, or now, and no reply of theirs
    /// is counted yet.
    public mutating func assigned(_ agent: String, at time: Int64) {
        self.agent = agent
        waitStartedAt = requestedAt ?? time
        requestedAt = nil
        firstReplyAt = nil
    }

    /// A reply `agent` wrote at `time` was accepted by the Graph API: the first one of the agent assigned now
    /// counts.
    public mutating func replySent(by agent: String, at time: Int64) {
        if firstReplyAt == nil, agent == self.agent { firstReplyAt = time }
    }
}

extension AgentReport {
    /// The per-agent reports (sorted by agent) and the totals over every conversation, handed off or not (so
    /// the totals' `unanswered` counts the conversations that never reached an agent too).
    /// `openSeconds(from, to)`: how long the business is open between two times, for the business-hours mean.
    public static func reports(
        _ conversations: [LoggedConversation], openSeconds: ((Int64, Int64) -> Int64)? = nil
    ) -> (agents: [AgentReport], totals: AgentReport) {
        var byAgent: [String: [LoggedConversation]] = [:]
        for conversation in conversations {
            if let agent = conversation.agent { byAgent[agent, default: []].append(conversation) }
        }
        let agents = byAgent.keys.sorted().map { report(agent: $0, byAgent[$0] ?? [], openSeconds: openSeconds) }
        return (agents, report(agent: nil, conversations, openSeconds: openSeconds))
    }

    static func report(
        agent: String?, _ conversations: [LoggedConversation], openSeconds: ((Int64, Int64) -> Int64)? = nil
    ) -> AgentReport {
        var report = AgentReport(agent: agent)
        var durations: [Double] = []
        var waits: [Double] = []
        var businessWaits: [Double] = []
        for conversation in conversations {
            report.conversations += 1
            if let end = conversation.endedAt {
                report.closed += 1
                durations.append(Double(end) - Double(conversation.startedAt))
            } else {
                report.open += 1
            }
            if let reply = conversation.firstReplyAt {
                report.answered += 1
                if let start = conversation.waitStartedAt {
                    waits.append(max(0, Double(reply) - Double(start)))
                    if let openSeconds { businessWaits.append(Double(openSeconds(start, reply))) }
                }
            } else {
                report.unanswered += 1
            }
            report.firstStartedAt = min(report.firstStartedAt ?? conversation.startedAt, conversation.startedAt)
            report.lastStartedAt = max(report.lastStartedAt ?? conversation.startedAt, conversation.startedAt)
        }
        // In `Double`: a damaged row's time at the edge of `Int64` must not trap the server (hostile2 #1).
        func mean(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        report.averageDurationSeconds = mean(durations)
        report.averageSecondsToAttend = mean(waits)
        report.averageBusinessSecondsToAttend = mean(businessWaits)
        return report
    }
}
