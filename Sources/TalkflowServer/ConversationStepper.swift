import FlowRuntime
import Storage

/// One conversation step as a store transaction's body runs it: steps the tenant's interpreter, answers each
/// `requestHandoff` with the next agent of the store's rotation inside the same transaction (and steps again
/// with `agentAssigned`), and turns every effect into the changes the store keeps. Pure apart from the
/// transaction, so it can run on the database thread while the write lock is held.
public struct ConversationStepper: Sendable {
    /// The tenant's flow: its interpreter and its queues (configuration overrides applied).
    let flow: CompiledFlow
    /// Where consent evidence says the decision came from.
    let evidence: EvidenceContext

    /// A stepper for `flow`, recording consent evidence from `evidence` and the flow's version.
    public init(flow: CompiledFlow, evidence: EvidenceContext) {
        self.flow = flow
        var evidence = evidence
        evidence.flowVersion = flow.version
        self.evidence = evidence
    }

    /// The stepper of one update from WhatsApp to `tenant`: consent evidence names the channel and the tenant's
    /// number, the requests answered (`nil`: the store finds them) and WhatsApp's own time of the update.
    init(_ tenant: Tenant, receivedAt: Int64, requests: [String]?, whatsAppTime: Int64) {
        self.init(
            flow: tenant.flow,
            evidence: EvidenceContext(
                channel: InboundProcessor.channel, phoneNumberID: tenant.config.phoneNumberID,
                receivedAt: receivedAt, requestMessageIDs: requests, whatsAppTimestamp: whatsAppTime))
    }

    /// Steps `session` with `kind` at `at` and records the effects, those of an agent assignment included.
    /// `forwarded`: the contact forwarded the message (never a consent answer); `templateButton`: it is a tap on a
    /// template's quick-reply button (never a consent answer either, whatever its payload says).
    public func step(
        _ kind: Event.Kind, at: Int64, forwarded: Bool = false, templateButton: Bool = false, session: inout Session,
        transaction: any ConversationTransaction, into changes: inout ConversationChanges
    ) throws {
        let fromContact = Event(at: at, kind).isFromContact
        // A marketing stop touches only the opt-in, never the session's step: the session stays on the flow
        // version it was last stepped with, so that the contact's next message still finds a consent request a
        // reload changed (`adopt`) and is no decision on it. Carried over now, that mark would be spent.
        let marketingStop = if case .marketingStopped = kind { true } else { false }
        var outdated = !marketingStop && adopt(&session, into: &changes) || fromContact && templateButton
        if fromContact, !outdated, let current = flow.interpreter.pendingConsentQuestion(session) {
            outdated =
                try answersAnotherRequest(current, transaction: transaction)
                || answersUndeliveredRequest(current, transaction: transaction)
        }
        var pending: [Event.Kind] = [kind]
        var forwarded = forwarded
        // WhatsApp's time of the contact's message, for the first event only (an assignment follows it).
        var sentAt = fromContact ? evidence.whatsAppTimestamp : nil
        while !pending.isEmpty {
            var effects: [Effect] = []
            flow.interpreter.step(
                &session,
                Event(at: at, pending.removeFirst(), forwarded: forwarded, neverConsent: outdated, sentAt: sentAt),
                into: &effects)
            forwarded = false
            outdated = false
            sentAt = nil
            changes.record(effects, evidence: evidence)
            for case .requestHandoff(let queue) in effects {
                let agents = flow.queues[queue] ?? []
                if let assignment = try transaction.nextAgent(queue: queue, agents: agents) {
                    changes.log(ConversationEvent.agentAssigned, detail: assignment.agent)
                    pending.append(.agentAssigned(assignment.agent))
                }
            }
        }
        describe(session, in: &changes)
    }

    /// Whether the message quotes (taps a button of) a consent request or opt-in question of this step that
    /// showed otherwise than the flow shows it now: one sent before a reload changed it, whichever message came
    /// since. Its answer is no decision on the current one, whose text the evidence would record.
    /// `current` is the request (or question) the flow shows now (`Interpreter.pendingConsentQuestion`).
    func answersAnotherRequest(_ current: OutboundMessage, transaction: any ConversationTransaction) throws -> Bool {
        guard let quoted = evidence.requestMessageIDs?.first,
            case .buttons(_, _, _, let buttons) = current,
            let shown = try transaction.sentMessage(messageID: quoted),
            case .buttons(_, _, _, let shownButtons) = shown,
            shownButtons.map(\.id) == buttons.map(\.id)
        else { return false }
        return shown != current
    }

    /// Whether the consent request or opt-in question the conversation waits at never reached the contact: the
    /// latest one sent failed (Meta refused it, or its sending was given up). An answer then is no decision on a
    /// text the contact was never shown (they may be reading an older request): the request is sent again.
    func answersUndeliveredRequest(_ current: OutboundMessage, transaction: any ConversationTransaction) throws
        -> Bool
    {
        guard case .buttons(_, _, _, let buttons) = current, let button = buttons.first else { return false }
        return try transaction.latestMessageFailed(offering: button.id)
    }

    /// Makes `session` one of the running flow's before it is stepped. A session last stepped with another
    /// known version is carried over by name (`Session.carryOver`); one of an unknown version (stored before
    /// sessions recorded it) is taken to be the running flow's, and starts over, keeping consent, if its
    /// indices do not fit it. A handoff that does not survive is ended in the log. Returns whether the session
    /// waits for the answer to a consent request the other version showed otherwise
    /// (`Session.awaitsOutdatedConsentAnswer`): the next contact message then gets the current request.
    func adopt(_ session: inout Session, into changes: inout ConversationChanges) -> Bool {
        let machine = flow.interpreter.machine
        let version = flow.layoutVersion
        defer { session.flowVersion = version }
        let handoff = session.status == .queued || session.status == .withAgent
        let open = session.status != .new && session.status != .closed
        let agent = session.agent
        var outdated = false
        if session.flowVersion != version, let old = session.flowVersion.flatMap({ flow.layouts[$0] }) {
            if session.carryOver(from: old, to: machine) {
                outdated = session.awaitsOutdatedConsentAnswer(from: old, to: flow.layout)
            }
        } else if !session.fits(machine) {
            session.startOverKeepingConsent()
        } else {
            return false
        }
        if handoff, session.status != .queued, session.status != .withAgent {
            changes.record([.endHandoff(agent: agent)], evidence: evidence)
        }
        // A conversation started over ended here: its close is logged, so that the reports count it closed
        // rather than open for ever (nothing else could close it).
        if open, session.status == .new {
            changes.record([.closeConversation(.flowChanged)], evidence: evidence)
        }
        return outdated
    }

    /// Fills the facts the store indexes beside the session: the flow, the current step and the queue's name,
    /// by the names of the flow the session was last stepped with.
    func describe(_ session: Session, in changes: inout ConversationChanges) {
        let layout =
            session.flowVersion == flow.layoutVersion
            ? flow.layout : session.flowVersion.flatMap { flow.layouts[$0] } ?? flow.layout
        changes.flow = flow.flowID
        changes.stateName = layout.steps.indices.contains(Int(session.state)) ? layout.steps[Int(session.state)] : nil
        if let queue = session.queue, layout.queues.indices.contains(Int(queue)) {
            changes.queueName = layout.queues[Int(queue)]
        } else {
            changes.queueName = nil
        }
    }
}
