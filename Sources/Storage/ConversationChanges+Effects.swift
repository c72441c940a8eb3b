import FlowRuntime

/// What the driver knows about where a consent decision came from, to complete the interpreter's evidence.
public struct EvidenceContext: Sendable, Hashable {
    /// The channel (`whatsapp_cloud`, `simulated`).
    public var channel: String
    /// The business phone number id the contact wrote to.
    public var phoneNumberID: String
    /// When the server received the message that caused the step (Unix seconds, UTC).
    public var receivedAt: Int64
    /// The `wamid`s of the consent request, when the channel knows them (a tapped button's `context.id`);
    /// `nil` lets the store look them up.
    public var requestMessageIDs: [String]?
    /// The message's own WhatsApp timestamp (its webhook `timestamp`), when it came through WhatsApp.
    public var whatsAppTimestamp: Int64?
    /// The version of the flow that steps the conversation (the SHA-256 of its file), when the driver knows it.
    public var flowVersion: String?

    /// The context of one inbound message or step.
    public init(
        channel: String, phoneNumberID: String, receivedAt: Int64, requestMessageIDs: [String]? = nil,
        whatsAppTimestamp: Int64? = nil, flowVersion: String? = nil
    ) {
        self.whatsAppTimestamp = whatsAppTimestamp
        self.flowVersion = flowVersion
        self.channel = channel
        self.phoneNumberID = phoneNumberID
        self.receivedAt = receivedAt
        self.requestMessageIDs = requestMessageIDs
    }
}

extension ConversationChanges {
    /// Adds what the interpreter's effects ask the store to keep, in their order, so a driver performs the
    /// storage half of every effect with one call:
    ///
    /// - `send` → an outbound message (outbox and log); `windowClosed`, `templateRefused`,
    ///   `agentMessageRefused` → a log line (nothing is sent);
    /// - `recordConsent`, `recordRevocation` → a ledger record completed with `evidence`, and a log line;
    /// - `logContactMessage` → the inbound message's content (otherwise only its metadata is kept);
    /// - `conversationStarted`, `stepEntered`, `closeConversation`, `requestHandoff`, `endHandoff`,
    ///   `variableSaved` → log lines.
    ///
    /// `relayToAgent` only marks the changes (`relayedToAgent`): the relayed message is the inbound message
    /// itself. The timer effects store nothing here: the deadline lives in the session.
    public mutating func record(_ effects: [Effect], evidence: EvidenceContext) {
        for effect in effects {
            switch effect {
            case .send(let message, let sender):
                send(message, from: sender)
            case .windowClosed(_, let sender):
                log(ConversationEvent.windowClosed, detail: sender.logName)
            case .templateRefused(let name, _):
                log(ConversationEvent.templateRefused, detail: name)
            case .agentMessageRefused(let reason):
                log(ConversationEvent.agentMessageRefused, detail: reason)
            case .recordConsent(let consent):
                ledger.append(
                    LedgerEntry(
                        .consent(consent), channel: evidence.channel, phoneNumberID: evidence.phoneNumberID,
                        receivedAt: evidence.receivedAt, requestMessageIDs: evidence.requestMessageIDs,
                        whatsAppTimestamp: evidence.whatsAppTimestamp, flowVersion: evidence.flowVersion))
                log(ConversationEvent.consentRecorded, detail: consent.choice)
            case .recordRevocation(let revocation):
                ledger.append(
                    LedgerEntry(
                        .revocation(revocation), channel: evidence.channel, phoneNumberID: evidence.phoneNumberID,
                        receivedAt: evidence.receivedAt, requestMessageIDs: [],
                        whatsAppTimestamp: revocation.sentAt ?? evidence.whatsAppTimestamp,
                        flowVersion: evidence.flowVersion))
                log(ConversationEvent.revocationRecorded)
            case .requestHandoff(let queue):
                log(ConversationEvent.handoffRequested, detail: queue)
            case .endHandoff(let agent):
                log(ConversationEvent.handoffEnded, detail: agent)
            case .closeConversation(let reason):
                log(ConversationEvent.closed, detail: reason.rawValue)
            case .conversationStarted:
                log(ConversationEvent.started)
            case .stepEntered(let step):
                log(ConversationEvent.stepEntered, detail: step)
            case .logContactMessage(let message):
                inboundContent = message
            case .variableSaved(let name):
                log(ConversationEvent.variableSaved, detail: name)
            case .relayToAgent:
                relayedToAgent = true
            case .scheduleInactivityTimer, .cancelInactivityTimer:
                break
            }
        }
    }
}

extension Sender {
    /// `bot`, or the agent's name: how the log names who sent a message.
    var logName: String {
        switch self {
        case .bot: return "bot"
        case .agent(let name): return name
        }
    }
}
