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
    /// Conversations in which the agent's first reply was sent.
    public var answered: Int
    public var unanswered: Int
    /// The mean of end minus start over the closed conversations, seconds; `nil` when none closed.
    public var averageDurationSeconds: Double?
    /// The mean of first agent reply minus handoff over the answered conversations, seconds.
    public var averageSecondsToAttend: Double?
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

/// One conversation as the log tells it, for `AgentReport`.
public struct LoggedConversation: Sendable, Hashable {
    public var startedAt: Int64
    public var endedAt: Int64?
    /// The last agent assigned, if any.
    public var agent: String?
    /// When the handoff was asked for (or, without that line, when the first agent was assigned).
    public var handoffAt: Int64?
    /// When an agent's first reply was queued and then sent.
    public var firstReplyAt: Int64?

    public init(startedAt: Int64) { self.startedAt = startedAt }
}

extension AgentReport {
    /// The per-agent reports (sorted by agent) and the totals over every conversation, handed off or not.
    public static func reports(_ conversations: [LoggedConversation]) -> (agents: [AgentReport], totals: AgentReport) {
        var byAgent: [String: [LoggedConversation]] = [:]
        for conversation in conversations {
            if let agent = conversation.agent { byAgent[agent, default: []].append(conversation) }
        }
        let agents = byAgent.keys.sorted().map { report(agent: $0, byAgent[$0] ?? []) }
        return (agents, report(agent: nil, conversations))
    }

    static func report(agent: String?, _ conversations: [LoggedConversation]) -> AgentReport {
        var report = AgentReport(agent: agent)
        var durations: [Int64] = []
        var waits: [Int64] = []
        for conversation in conversations {
            report.conversations += 1
            if let end = conversation.endedAt {
                report.closed += 1
                durations.append(end - conversation.startedAt)
            } else {
                report.open += 1
            }
            if let reply = conversation.firstReplyAt {
                report.answered += 1
                if let handoff = conversation.handoffAt { waits.append(max(0, reply - handoff)) }
            } else {
                report.unanswered += 1
            }
            report.firstStartedAt = min(report.firstStartedAt ?? conversation.startedAt, conversation.startedAt)
            report.lastStartedAt = max(report.lastStartedAt ?? conversation.startedAt, conversation.startedAt)
        }
        func mean(_ values: [Int64]) -> Double? {
            values.isEmpty ? nil : Double(values.reduce(0, +)) / Double(values.count)
        }
        report.averageDurationSeconds = mean(durations)
        report.averageSecondsToAttend = mean(waits)
        return report
    }
}
