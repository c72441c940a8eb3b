import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowRuntime
import Foundation

/// What one transcript input produced.
public struct TranscriptOutcome: Sendable, Hashable {
    /// Every effect, in order (bookkeeping included).
    public var effects: [Effect]
    /// The agent the rotation assigned to a handoff this input requested (`nil` when none was, or the queue
    /// has no agents).
    public var assignedAgent: String?

    public init(effects: [Effect], assignedAgent: String? = nil) {
        self.effects = effects
        self.assignedAgent = assignedAgent
    }
}

/// Performs transcript inputs on a `Simulator`: the one place that turns `tap: Acepto` into a reply id, a
/// `wait` into clock moves and a local date-time into Unix seconds. The runner, the writer and `talkflow repl`
/// share it, so a recorded conversation replays exactly.
public enum TranscriptDriver {
    /// Performs one input; fails (with a message for the transcript's author) when it cannot be performed:
    /// a tap that matches no button or row, an unknown attachment type, an unreadable message's type that is not
    /// one word, a clock that would go backwards.
    public static func perform(_ input: TranscriptInput, on simulator: Simulator) -> Result<TranscriptOutcome, Failure>
    {
        let effects: [Effect]
        switch input {
        case .contact(let text):
            effects = simulator.send(.text(text))
        case .forwarded(let text):
            effects = simulator.send(.text(text), forwarded: true)
        case .unreadable(let type):
            if let problem = UnreadableMessageType.problem(type, what: "'unreadable'") {
                return .failure(Failure(message: problem))
            }
            effects = simulator.send(.unreadable(type: type))
        case .tap(let choice):
            switch resolveTap(choice, history: simulator.history) {
            case .success(let id): effects = simulator.send(.reply(id: id))
            case .failure(let failure): return .failure(failure)
            }
        case .attachment(let attachment):
            guard let mime = attachment.mimeType else {
                let known = TranscriptAttachment.mimeTypes.keys.sorted().joined(separator: ", ")
                return .failure(
                    Failure(
                        message: "unknown attachment type '\(attachment.type)'; use one of \(known) or a MIME type"))
            }
            effects = simulator.send(
                .attachment(Event.Attachment(mimeType: mime, size: attachment.size, fileName: attachment.name)))
        case .agent(let text):
            // As in the REPL: an agent writes only in a conversation one was assigned.
            guard simulator.session.agent != nil else {
                return .failure(
                    Failure(message: "no agent has this conversation; 'agent:' works once a handoff has assigned one"))
            }
            effects = simulator.send(.agentMessage(text))
        case .agentClose:
            guard simulator.session.status == .queued || simulator.session.status == .withAgent else {
                return .failure(
                    Failure(message: "no handoff in progress: there is nothing for 'agent_close' to close"))
            }
            effects = simulator.send(.agentClosed)
        case .wait(let seconds):
            effects = simulator.advance(by: seconds)
        case .at(let local):
            switch instant(movingTo: local, on: simulator) {
            case .success(let instant):
                effects = simulator.advance(to: instant)
            case .failure(.beforeClock(let now)):
                return .failure(Failure(message: "'at: \(local)' is before the clock (\(now)); time never goes back"))
            case .failure(.pastLatest):
                let latest = latestTimeText(simulator.interpreter.calendar)
                return .failure(Failure(message: "'at: \(local)' is past the latest time the clock reaches, \(latest)"))
            }
        }
        let requested = effects.contains {
            if case .requestHandoff = $0 { return true }
            return false
        }
        return .success(TranscriptOutcome(effects: effects, assignedAgent: requested ? simulator.session.agent : nil))
    }

    /// Why an input could not be performed.
    public struct Failure: Error, Sendable, Hashable {
        public var message: String

        public init(message: String) { self.message = message }
    }

    /// The reply id a tap stands for, in the last buttons or list message the bot sent: an exact id first,
    /// then an exact title, then a title equal after normalization (case, accents and spaces ignored).
    public static func resolveTap(_ choice: String, history: [Effect]) -> Result<String, Failure> {
        var options: [(id: String, title: String)]?
        for effect in history.reversed() {
            guard case .send(let message, .bot) = effect else { continue }
            if case .buttons(_, _, _, let buttons) = message {
                options = buttons.map { ($0.id, $0.title) }
            } else if case .list(_, _, _, _, let rows) = message {
                options = rows.map { ($0.id, $0.title) }
            }
            if options != nil { break }
        }
        guard let options else {
            return .failure(Failure(message: "nothing to tap: the bot has not sent buttons or a list"))
        }
        if let option = options.first(where: { $0.id == choice }) { return .success(option.id) }
        if let option = options.first(where: { $0.title == choice }) { return .success(option.id) }
        let normalized = TextMatching.normalize(choice)
        if let option = options.first(where: { TextMatching.normalize($0.title) == normalized }) {
            return .success(option.id)
        }
        let titles = options.map { "'\($0.title)'" }.joined(separator: ", ")
        // The REPL's `/tap 2` takes a number; a transcript's tap does not, which this is where a tester learns.
        var number = ""
        if let index = Int(choice), index >= 1, index <= options.count {
            number =
                "; tap takes an option's id or title: to choose option \(index) by its number, write what the "
                + "contact types, contact: \"\(choice)\", or tap: \(options[index - 1].title)"
        }
        return .failure(
            Failure(message: "no button or row '\(choice)' in the last interactive message (\(titles))\(number)"))
    }

    /// Why the clock cannot be moved to a local date-time.
    public enum ClockMoveProblem: Error, Sendable, Hashable {
        /// It is before the clock, shown here as a local time: time never goes back.
        case beforeClock(now: TranscriptDateTime)
        /// It is past `Simulator.lastInstant(in:)`, the latest instant the clock reaches.
        case pastLatest
    }

    /// The instant the clock moves to for a local date-time in the flow's time zone (`at:`, `/clock
    /// DATE-TIME`): refused when it is before the clock or past the latest instant the clock reaches.
    public static func instant(
        movingTo local: TranscriptDateTime, on simulator: Simulator
    ) -> Result<Int64, ClockMoveProblem> {
        let timeZone = simulator.interpreter.calendar.timeZone
        guard let instant = reachableInstant(local, in: timeZone) else { return .failure(.pastLatest) }
        guard instant >= simulator.now else {
            return .failure(.beforeClock(now: localTime(simulator.now, in: timeZone)))
        }
        return .success(instant)
    }

    /// Unix seconds of a local date-time in a time zone, or `nil` when it is past `Simulator.lastInstant(in:)`
    /// (9999-12-31T23:59:59Z, or local 9999-12-31T23:59:59 east of UTC): a clock may not start or be set there,
    /// since it could not go on from it.
    public static func reachableInstant(_ local: TranscriptDateTime, in timeZone: TimeZone) -> Int64? {
        let instant = unixTime(local, in: timeZone)
        return instant <= Simulator.lastInstant(in: timeZone) ? instant : nil
    }

    /// Why the clock cannot start at a local date-time (`fixtures.time`), or `nil` when it can.
    public static func startTimeProblem(_ time: TranscriptDateTime, calendar: BusinessCalendar) -> String? {
        guard reachableInstant(time, in: calendar.timeZone) == nil else { return nil }
        return "'time' is past the latest time the clock reaches, \(latestTimeText(calendar))"
    }

    /// The latest time the clock reaches, as a person of the flow reads it and as UTC:
    /// `9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)`.
    public static func latestTimeText(_ calendar: BusinessCalendar) -> String {
        let last = Simulator.lastInstant(in: calendar.timeZone)
        let local = localTime(last, in: calendar.timeZone)
        let utc = localTime(last, in: TimeZone(identifier: "UTC")!)
        return "\(local) in \(calendar.timeZoneName) (\(utc)Z)"
    }

    /// Unix seconds of a local date-time in a time zone (a time skipped by a daylight-saving change moves
    /// forward, as clocks do).
    public static func unixTime(_ local: TranscriptDateTime, in timeZone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(
            year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute,
            second: local.second)
        let date = calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
        return Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// The local date-time of Unix seconds in a time zone.
    public static func localTime(_ instant: Int64, in timeZone: TimeZone) -> TranscriptDateTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(instant)))
        return TranscriptDateTime(
            year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1, hour: c.hour ?? 0, minute: c.minute ?? 0,
            second: c.second ?? 0)
    }
}

extension TranscriptDriver {
    /// A simulator set up as a transcript's fixtures say, with the effects of starting at `fixtures.step`
    /// (empty when the conversation waits for the contact's first message). Fails with every step, variable,
    /// queue or agent the flow does not have (`fixtureProblems`). The start must be one the clock reaches: the
    /// runner refuses another first (`startTimeProblem`), pointing at `fixtures.time`.
    public static func makeSimulator(
        machine: StateMachine, fixtures: TranscriptFixtures
    ) -> Result<(Simulator, TranscriptOutcome), FixturesDoNotFit> {
        let problems = fixtureProblems(machine: machine, fixtures: fixtures)
        guard problems.isEmpty else { return .failure(FixturesDoNotFit(problems: problems)) }
        let interpreter = Interpreter(machine: machine)
        let time = fixtures.time ?? TranscriptFixtures.defaultTime
        let start = unixTime(time, in: interpreter.calendar.timeZone)
        var consent = Session.Consent()
        if let given = fixtures.consent {
            consent.acceptedVersion = given.version ?? machine.policy?.version ?? ""
            consent.optIn = given.optIn
        }
        let simulator = Simulator(
            machine: machine, contactName: fixtures.contactName ?? TranscriptFixtures.defaultContactName,
            phone: fixtures.contactPhone ?? TranscriptFixtures.defaultContactPhone, startAt: start, consent: consent)
        for entry in fixtures.rotation {
            // Both are known: `fixtureProblems` found no problem.
            let queue = machine.queues.first { machine.strings[Int($0.name)] == entry.queue }
            let position = queue?.agents.map { machine.strings[Int($0)] }.firstIndex(of: entry.agent)
            if let position { simulator.rotation.set(queue: entry.queue, position: position) }
        }
        guard let step = fixtures.step else { return .success((simulator, TranscriptOutcome(effects: []))) }
        for variable in fixtures.variables { simulator.setVariable(variable.name, variable.value) }
        let effects = simulator.start(at: step)
        let requested = effects.contains {
            if case .requestHandoff = $0 { return true }
            return false
        }
        return .success(
            (simulator, TranscriptOutcome(effects: effects, assignedAgent: requested ? simulator.session.agent : nil)))
    }
}
