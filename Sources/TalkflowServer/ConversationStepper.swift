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
    /// `forwarded`: the contact forwarded the message (never a consent answer).
    public func step(
        _ kind: Event.Kind, at: Int64, forwarded: Bool = false, session: inout Session,
        transaction: any ConversationTransaction, into changes: inout ConversationChanges
    ) throws {
        var pending: [Event.Kind] = [kind]
        var forwarded = forwarded
        while !pending.isEmpty {
            var effects: [Effect] = []
            flow.interpreter.step(&session, Event(at: at, pending.removeFirst(), forwarded: forwarded), into: &effects)
            forwarded = false
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

    /// Fills the facts the store indexes beside the session: the flow, the current step and the queue's name.
    func describe(_ session: Session, in changes: inout ConversationChanges) {
        let machine = flow.interpreter.machine
        changes.flow = flow.flowID
        changes.stateName = flow.interpreter.name(of: session.state)
        if let queue = session.queue, machine.queues.indices.contains(Int(queue)) {
            changes.queueName = machine.strings[Int(machine.queues[Int(queue)].name)]
        } else {
            changes.queueName = nil
        }
    }
}
