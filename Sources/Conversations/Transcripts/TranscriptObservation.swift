import FlowLanguage
import FlowRuntime

/// An effect as a transcript sees it: the runner compares expectations with these, and the writer turns them
/// back into expectations. Which effects a transcript must list (`isRequired`) is decided here and only here,
/// so the runner and the writer cannot disagree.
public enum ObservedEffect: Sendable, Hashable {
    /// The bot sent a message to the contact.
    case bot(OutboundMessage)
    /// A free-form message (from the bot or an agent) was not sent: the 24-hour window had closed.
    case windowClosed(OutboundMessage, from: Sender)
    case consent(ConsentEvidence)
    case revoked(RevocationEvidence)
    /// A handoff was requested and `agent` assigned (`nil`: the queue has no agents).
    case handoff(queue: String, agent: String?)
    case handoffEnded(agent: String?)
    case closed(CloseReason)
    case agentMessageRefused(reason: String)
    case templateRefused(name: String, reason: String)
    /// A contact message went to the agent or the queue.
    case relayed(RelayedMessage)
    case step(String)
    case saved(String)

    /// Whether an exhaustive transcript must list it. Bookkeeping (steps entered, timers, the conversation
    /// log, saved variables, relays to the agent, the agent's own delivered messages) is optional.
    public var isRequired: Bool {
        switch self {
        case .relayed, .step, .saved: return false
        default: return true
        }
    }

    /// The effects of one input as a transcript sees them, in order; the assigned agent joins its handoff.
    /// Effects a transcript cannot mention (timers, the log, conversation starts, agents' delivered messages)
    /// are left out.
    public static func observe(_ outcome: TranscriptOutcome) -> [ObservedEffect] {
        var observed: [ObservedEffect] = []
        for effect in outcome.effects {
            switch effect {
            case .send(let message, .bot): observed.append(.bot(message))
            case .send(_, .agent): break
            case .windowClosed(let message, let sender): observed.append(.windowClosed(message, from: sender))
            case .templateRefused(let name, let reason): observed.append(.templateRefused(name: name, reason: reason))
            case .agentMessageRefused(let reason): observed.append(.agentMessageRefused(reason: reason))
            case .recordConsent(let evidence): observed.append(.consent(evidence))
            case .recordRevocation(let evidence): observed.append(.revoked(evidence))
            case .requestHandoff(let queue): observed.append(.handoff(queue: queue, agent: outcome.assignedAgent))
            case .relayToAgent(_, let message): observed.append(.relayed(message))
            case .endHandoff(let agent): observed.append(.handoffEnded(agent: agent))
            case .closeConversation(let reason): observed.append(.closed(reason))
            case .stepEntered(let step): observed.append(.step(step))
            case .variableSaved(let name): observed.append(.saved(name))
            case .scheduleInactivityTimer, .cancelInactivityTimer, .conversationStarted, .logContactMessage: break
            }
        }
        return observed
    }

    /// The exact expectation that matches this effect: what `TranscriptWriter` writes for it.
    public var expectation: TranscriptExpectation {
        switch self {
        case .bot(let message): return .bot(Self.exact(message))
        case .windowClosed(let message, _): return .windowClosed(Self.exact(message))
        case .consent(let evidence):
            // A sensitive-data consent is pinned as one, so a replay notices a general consent in its place.
            return .consent(choice: evidence.choice, purposes: nil, sensitive: evidence.sensitive ? true : nil)
        case .revoked: return .revoked
        case .handoff(let queue, let agent): return .handoff(queue: queue, agent: agent)
        case .handoffEnded: return .handoffEnded
        case .closed(let reason): return .closed(reason.rawValue)
        case .agentMessageRefused: return .refused(.agentMessage)
        case .templateRefused(let name, _): return .refused(.template(name))
        case .relayed(.text(let text)): return .relayed(.exact(text))
        case .relayed(.attachment(let a)):
            return .relayed(.exact(a.fileName ?? TranscriptAttachment.shortType(of: a.mimeType)))
        case .step(let step): return .step(step)
        case .saved(let name): return .saved(name)
        }
    }

    /// An expectation that pins every visible part of a message.
    static func exact(_ message: OutboundMessage) -> MessageExpectation {
        switch message {
        case .text(let text):
            return MessageExpectation(text: text)
        case .buttons(let body, let header, let footer, let buttons):
            return MessageExpectation(body: body, header: header, footer: footer, form: .buttons(buttons.map(\.title)))
        case .list(let body, let header, let footer, let button, let rows):
            return MessageExpectation(
                body: body, header: header, footer: footer, form: .list(button: button, rows: rows.map(\.title)))
        case .attachment(let url, let name, let caption, _):
            // The name the contact sees: the step's, else the URL's last segment (what `name:` compares).
            return MessageExpectation(form: .attachment(url: url, name: name ?? URLFileName.of(url), caption: caption))
        case .template(let name, let language, let parameters, _, _):
            return MessageExpectation(form: .template(name: name, language: language, parameters: parameters))
        }
    }
}
