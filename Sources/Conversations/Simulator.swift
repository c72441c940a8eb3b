import FlowCompiler
import FlowRuntime
import Foundation

/// The simulated WhatsApp channel: one contact talking to a flow in process, with a virtual clock.
///
/// It is the one shell around the pure interpreter for the REPL and the transcript tests: it feeds events,
/// performs effects (a handoff request takes the next agent of the shared rotation and answers with
/// `agentAssigned`; consent evidence goes to an in-memory ledger; the inactivity timer fires when the clock
/// passes it) and keeps every effect in order, so a transcript can demand that each one is expected.
public final class Simulator {
    public private(set) var interpreter: Interpreter
    public private(set) var session: Session
    /// Virtual time, Unix seconds.
    public private(set) var now: Int64
    public let rotation: RoundRobin
    /// Consent and revocation records, in order (the ledger is append-only).
    public private(set) var ledger: [Effect] = []
    /// Every effect so far, in order.
    public private(set) var history: [Effect] = []
    /// Steps entered and transitions taken, for coverage: (from step, to step).
    public private(set) var transitions: [(from: String?, to: String)] = []
    /// A reload changed the consent request (or opt-in question) the conversation waits at: the contact's next
    /// message answers what was shown before, and gets the current request instead.
    public private(set) var answersOutdatedConsent = false

    public init(
        machine: StateMachine, contactName: String? = "Contacto", phone: String? = "573001112233",
        startAt: Int64, consent: Session.Consent = Session.Consent(), rotation: RoundRobin = RoundRobin()
    ) {
        interpreter = Interpreter(machine: machine)
        session = Session(contactName: contactName, phone: phone, consent: consent)
        now = startAt
        self.rotation = rotation
    }

    public var machine: StateMachine { interpreter.machine }

    /// The current step's id.
    public var currentStep: String { interpreter.name(of: session.state) }

    /// Feeds one event at the current time and performs its effects; returns every effect produced,
    /// including those of the events the effects caused (an agent assignment). `forwarded` marks the contact's
    /// message as forwarded from another chat; the events it causes are not the contact's and never are.
    @discardableResult
    public func send(_ kind: Event.Kind, forwarded: Bool = false) -> [Effect] {
        var produced: [Effect] = []
        var queue: [Event.Kind] = [kind]
        var forwarded = forwarded
        while !queue.isEmpty {
            let next = queue.removeFirst()
            var effects: [Effect] = []
            var previous: String? = session.status == .new || session.status == .closed ? nil : currentStep
            var event = Event(at: now, next, forwarded: forwarded)
            event.neverConsent = event.isFromContact && answersOutdatedConsent
            interpreter.step(&session, event, into: &effects)
            if event.isFromContact { answersOutdatedConsent = false }
            forwarded = false
            for effect in effects {
                switch effect {
                case .requestHandoff(let queueName):
                    let agents =
                        machine.queues.first { machine.strings[Int($0.name)] == queueName }?.agents.map {
                            machine.strings[Int($0)]
                        } ?? []
                    if let agent = rotation.next(queue: queueName, agents: agents) {
                        queue.append(.agentAssigned(agent))
                    }
                case .recordConsent, .recordRevocation:
                    ledger.append(effect)
                case .stepEntered(let step):
                    transitions.append((previous, step))
                    previous = step
                case .conversationStarted:
                    previous = nil
                default:
                    break
                }
            }
            history += effects
            produced += effects
        }
        return produced
    }

    /// Starts a new conversation at a step (a transcript fixture), as if the contact had just written.
    @discardableResult
    public func start(at step: String) -> [Effect] {
        guard let index = machine.states.indices.first(where: { machine.strings[Int(machine.states[$0].name)] == step })
        else { return [] }
        var effects: [Effect] = []
        session.lastContactMessageAt = now
        interpreter.start(&session, at: Int32(index), now: now, into: &effects)
        history += effects
        // Coverage and handoffs as for any other event: record the steps entered, and answer a handoff request.
        var previous: String?
        for case .stepEntered(let entered) in effects {
            transitions.append((previous, entered))
            previous = entered
        }
        for case .requestHandoff(let queueName) in effects {
            let agents =
                machine.queues.first { machine.strings[Int($0.name)] == queueName }?.agents.map {
                    machine.strings[Int($0)]
                } ?? []
            if let agent = rotation.next(queue: queueName, agents: agents) { effects += send(.agentAssigned(agent)) }
        }
        return effects
    }

    /// The last instant of the year 9999 in UTC, 9999-12-31T23:59:59Z: calendars, dates and monthly allowances
    /// are defined up to there.
    public static let lastUTCInstant: Int64 = 253_402_300_799

    /// The latest instant the clock reaches in `timeZone`: 9999-12-31T23:59:59Z, or earlier where the local date
    /// reaches the year 10000 first (east of UTC: 9999-12-31T23:59:59 in Pacific/Kiritimati, UTC+14, is
    /// 9999-12-31T09:59:59Z), since a date-time is written with a 4-digit year (`--at`, `at:`, `/save`).
    public static func lastInstant(in timeZone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let lastLocal = DateComponents(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        guard let date = calendar.date(from: lastLocal) else { return lastUTCInstant }
        return min(lastUTCInstant, Int64(date.timeIntervalSince1970))
    }

    /// The latest instant this clock reaches, in the flow's time zone (`lastInstant(in:)`); moved further, it
    /// stops there.
    public var lastInstant: Int64 { Self.lastInstant(in: interpreter.calendar.timeZone) }

    /// Moves the clock forward and fires the inactivity timer if it came due; returns its effects.
    @discardableResult
    public func advance(by seconds: Int64) -> [Effect] {
        let (sum, overflow) = now.addingReportingOverflow(max(0, seconds))
        return advance(to: overflow ? lastInstant : sum)
    }

    /// Moves the clock to an instant (never backwards, never past `lastInstant`) and fires a due inactivity
    /// timer. The timer fires at its deadline, as a real one would, and only then does the clock reach
    /// `instant`: its goodbye is within the 24-hour window even when the clock jumps a day ahead.
    @discardableResult
    public func advance(to instant: Int64) -> [Effect] {
        let target = max(now, min(instant, lastInstant))
        guard let deadline = session.inactivityDeadline, deadline <= target else {
            now = target
            return []
        }
        now = max(now, deadline)
        let effects = send(.inactivityTimeout)
        now = target
        return effects
    }

    /// Starts over: a new session for the same contact, forgetting consent too.
    public func reset(consent: Session.Consent = Session.Consent()) {
        session = Session(
            contactName: session.variables.first ?? nil,
            phone: session.variables.count > 1 ? session.variables[1] : nil, consent: consent)
        ledger = []
        answersOutdatedConsent = false
    }

    /// Swaps in a recompiled flow, carrying the session over by name as the server does (`Session.carryOver`):
    /// returns whether the same step id still exists. (A handoff that a consent asked again leads to is kept by
    /// id, and found in the new flow when the consent is accepted.)
    public func reload(_ machine: StateMachine) -> Bool {
        let old = FlowLayout(self.machine)
        interpreter = Interpreter(machine: machine)
        let kept = session.carryOver(from: old, to: machine)
        // Once outdated, the request on screen stays outdated through later reloads until the contact writes.
        answersOutdatedConsent =
            kept && (answersOutdatedConsent || session.awaitsOutdatedConsentAnswer(from: old, to: FlowLayout(machine)))
        return kept
    }

    /// Ends the conversation as a reload that leaves its step without a wait does: the next message starts a new
    /// one, with the consent, the 24-hour window and the month's attachment bytes kept (`Session.startOverKeepingConsent`).
    public func startOverKeepingConsent() {
        session.startOverKeepingConsent()
        answersOutdatedConsent = false
    }

    /// Sets a variable by name (fixtures).
    public func setVariable(_ name: String, _ value: String) {
        guard let index = machine.variables.firstIndex(of: name) else { return }
        while session.variables.count <= index { session.variables.append(nil) }
        session.variables[index] = value
    }
}
