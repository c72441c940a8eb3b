import Conversations
import FlowCompiler
import FlowRuntime
import Foundation

/// One `talkflow repl` session: a simulated contact talking to a flow, line by line.
///
/// Every action (the contact's text, a tap, a file, the agent, the clock) is a transcript input performed by
/// `TranscriptDriver` and recorded by a `TranscriptWriter`, so the REPL behaves exactly as a transcript test
/// does and `/save` writes a test that replays what happened. What each input produced is shown with
/// `WhatsAppRenderer`.
final class ReplSession {
    /// Whether to read another line.
    enum Outcome {
        case proceed
        case quit
    }

    /// The flow file as given on the command line, for `/reload` and `/save`.
    let flowPath: String
    let contactName: String
    let phone: String
    let output: ReplOutput
    /// Whether diagnostics printed at `/reload` are coloured (they go to stderr).
    let diagnosticsColors: Bool
    /// The shared agent rotation: it keeps turning across `/reset` and `/reload`, as the server's would.
    let rotation = RoundRobin()
    private(set) var simulator: Simulator
    /// The conversation since the start, the last `/reset`, or a `/reload` that had to start over.
    private(set) var writer: TranscriptWriter

    init(
        flowPath: String, machine: StateMachine, startAt: Int64, contactName: String, phone: String,
        output: ReplOutput, diagnosticsColors: Bool
    ) {
        self.flowPath = flowPath
        self.contactName = contactName
        self.phone = phone
        self.output = output
        self.diagnosticsColors = diagnosticsColors
        simulator = Simulator(
            machine: machine, contactName: contactName, phone: phone, startAt: startAt, rotation: rotation)
        writer = TranscriptWriter(flowPath: flowPath)
        writer.fixtures = fixtures()
    }

    /// Handles one typed line: the contact's text, or a command.
    func handle(_ line: String) -> Outcome {
        switch ReplLine(line) {
        case .empty:
            return .proceed
        case .contact(let text):
            perform(.contact(text))
            return .proceed
        case .command(let name, let argument):
            guard let command = ReplCommandName.named(name) else {
                output.problem(ReplCommandName.unknown(name))
                return .proceed
            }
            return run(command, argument: argument)
        }
    }

    /// Performs an input, records it and shows what it produced; a failure (a tap that matches nothing, a
    /// clock going back) is reported and nothing is recorded. Returns whether it was performed.
    @discardableResult
    func perform(_ input: TranscriptInput) -> Bool {
        switch writer.perform(input, on: simulator) {
        case .success(let outcome):
            var blocks = WhatsAppRenderer.blocks(outcome.effects, assignedAgent: outcome.assignedAgent)
            // What the contact sent is not echoed, but a forwarded or unreadable message looks like nothing
            // typed: say what it was before what it caused.
            if let note = WhatsAppRenderer.note(sentByContact: input) {
                if blocks.first?.kind == .note {
                    blocks[0].lines = note + blocks[0].lines
                } else {
                    blocks.insert(WhatsAppRenderer.Block(kind: .note, lines: note), at: 0)
                }
            }
            output.show(blocks)
            return true
        case .failure(let failure):
            output.problem(failure.message)
            return false
        }
    }

    /// Runs a command with the rest of its line.
    func run(_ command: ReplCommandName, argument: String) -> Outcome {
        let takesNoArgument: Set<ReplCommandName> = [.state, .reset, .close, .reload, .quit]
        if takesNoArgument.contains(command), !argument.isEmpty {
            output.problem("/\(command.rawValue) takes no argument; usage: \(command.usage[0].form)")
            return .proceed
        }
        let needsArgument: Set<ReplCommandName> = [.tap, .attach, .forward, .unreadable, .agent, .save]
        if needsArgument.contains(command), argument.isEmpty {
            output.problem("missing argument; usage: \(command.usage[0].form)")
            return .proceed
        }
        switch command {
        case .help: help(argument)
        case .state: output.info(ReplStateReport.text(simulator))
        case .reset: reset()
        case .clock: clock(argument)
        case .tap: tap(argument)
        case .attach: attach(argument)
        case .forward: perform(.forwarded(argument))
        case .unreadable: unreadable(argument)
        case .agent: agent(argument)
        case .close: close()
        case .reload: reload()
        case .save: save(to: argument)
        case .quit: return .quit
        }
        return .proceed
    }

    // MARK: Commands

    /// `/help` lists every command; `/help clock` shows one.
    func help(_ argument: String) {
        guard !argument.isEmpty else {
            output.info(ReplCommandName.helpText)
            return
        }
        // One command name: `/help clock extra` is a mistake in using /help, not an unknown command.
        guard !argument.contains(where: \.isWhitespace) else {
            output.problem("/help takes one command name; usage: \(ReplCommandName.help.usage[0].form)")
            return
        }
        let name = argument.hasPrefix("/") ? String(argument.dropFirst()) : argument
        guard let command = ReplCommandName.named(name) else {
            output.problem(ReplCommandName.unknown(name))
            return
        }
        output.info(command.helpLines.joined(separator: "\n") + "\n")
    }

    /// A new contact on the same flow, clock and rotation.
    func reset() {
        simulator = Simulator(
            machine: simulator.machine, contactName: contactName, phone: phone, startAt: simulator.now,
            rotation: rotation)
        writer = TranscriptWriter(flowPath: flowPath)
        writer.fixtures = fixtures()
        output.note("new conversation: consent and variables forgotten; " + ReplClock.status(of: simulator))
    }

    /// Shows the clock, or moves it and shows what fired and where it stands.
    func clock(_ argument: String) {
        guard !argument.isEmpty else {
            output.info(ReplClock.status(of: simulator) + "\n")
            return
        }
        let input: TranscriptInput
        switch ReplClock.move(argument) {
        case .success(.by(let seconds)): input = .wait(seconds: seconds)
        case .success(.to(let local)):
            // Refused here, in the REPL's words (the transcript's `at:` has its own).
            switch TranscriptDriver.instant(movingTo: local, on: simulator) {
            case .success: input = .at(local)
            case .failure(.beforeClock(let now)):
                output.problem("\(local) is before the clock (\(now)); time never goes back")
                return
            case .failure(.pastLatest):
                let latest = TranscriptDriver.latestTimeText(simulator.interpreter.calendar)
                output.problem("\(local) is past the latest time the clock reaches, \(latest)")
                return
            }
        case .failure(let refusal):
            output.problem(refusal.message)
            return
        }
        if perform(input) { output.note(ReplClock.status(of: simulator)) }
    }

    /// Taps by reply id or title (as a transcript's `tap:` does), or by number in the last message.
    func tap(_ choice: String) {
        if case .success(let id) = TranscriptDriver.resolveTap(choice, history: simulator.history) {
            // Recorded by the option's title as shown when it picks the same option, else by its id (the
            // transcript reads as the contact saw it, whatever case or id was typed).
            let title = Self.lastOptions(simulator.history)?.first { $0.id == id }?.title
            if let title, TranscriptDriver.resolveTap(title, history: simulator.history) == .success(id) {
                perform(.tap(title))
            } else {
                perform(.tap(id))
            }
            return
        }
        guard let number = Int(choice), let options = Self.lastOptions(simulator.history) else {
            perform(.tap(choice))
            return
        }
        guard number >= 1, number <= options.count else {
            output.problem("no option \(number) in the last interactive message; it has \(options.count)")
            return
        }
        let option = options[number - 1]
        // Record the title when it stands for the same option (the transcript reads better), else the id.
        let title = TranscriptDriver.resolveTap(option.title, history: simulator.history)
        perform(.tap(title == .success(option.id) ? option.title : option.id))
    }

    /// `/attach TYPE SIZE [NAME]`.
    func attach(_ argument: String) {
        let parts = argument.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2 else {
            output.problem("missing size; usage: \(ReplCommandName.attach.usage[0].form)")
            return
        }
        let size: Int64
        switch TranscriptUnits.readSize(parts[1]) {
        case .bytes(let bytes): size = bytes
        case .tooLarge:
            output.problem("the size '\(parts[1])' is more than \(TranscriptUnits.largestSize) bytes")
            return
        case .unreadable:
            output.problem("cannot read the size '\(parts[1])'; write it like 2MB, 300KB or 100B")
            return
        }
        let name = parts.count > 2 ? parts[2].trimmingCharacters(in: .whitespaces) : nil
        perform(.attachment(TranscriptAttachment(type: parts[0], size: size, name: name)))
    }

    /// `/unreadable TYPE`: refused, with nothing recorded, unless TYPE is written as WhatsApp writes types.
    func unreadable(_ type: String) {
        if let problem = UnreadableMessageType.problem(type, what: "TYPE") {
            let suggestion = UnreadableMessageType.suggestion(for: type).map { "; did you mean '\($0)'?" } ?? ""
            output.problem(problem + suggestion)
            return
        }
        perform(.unreadable(type))
    }

    /// The assigned agent writes.
    func agent(_ text: String) {
        guard simulator.session.agent != nil else {
            output.problem("no agent has this conversation; /agent works once a handoff has assigned one")
            return
        }
        perform(.agent(text))
    }

    /// The agent closes the conversation.
    func close() {
        guard simulator.session.status == .queued || simulator.session.status == .withAgent else {
            output.problem("no handoff in progress: there is nothing for an agent to close")
            return
        }
        perform(.agentClose)
    }

    /// Re-reads and re-checks the flow; on errors the flow in use stays.
    func reload() {
        let machine: StateMachine
        switch ReplFlow.load(flowPath, colors: diagnosticsColors) {
        case .success(let loaded): machine = loaded
        case .failure(.unreadable(let message)):
            output.problem("cannot read '\(flowPath)': \(message); the flow in use is unchanged")
            return
        case .failure(.errors):
            output.problem("'\(flowPath)' has errors; the flow in use is unchanged")
            return
        }
        let step = simulator.currentStep
        let started = simulator.session.status != .new
        let found = machine.states.first { machine.strings[Int($0.name)] == step }
        // A conversation waiting at a step that now does not wait (a menu made a message) could never go on.
        let stillWaits = found?.waits == true || simulator.session.status != .waiting
        // Carried over as the server carries a conversation over (operations.md): by step id; where the step is
        // gone, a handoff goes on at the first handoff step to its queue, and otherwise a new conversation starts
        // with the consent, the 24-hour window and the month's attachment bytes kept.
        let kept = simulator.reload(machine)
        if !started || (kept && stillWaits) {
            let changed =
                simulator.answersOutdatedConsent
                ? ", whose consent request changed: the next message gets the current one, and only its answer counts"
                : ""
            output.note(
                "reloaded \(flowPath)" + (started ? "; the conversation stays at step '\(step)'\(changed)" : ""))
            return
        }
        if kept { simulator.startOverKeepingConsent() }
        let gone =
            "reloaded \(flowPath); step '\(step)' "
            + (found == nil ? "no longer exists" : "no longer waits for the contact")
        let status = simulator.session.status
        if status == .queued || status == .withAgent {
            // The conversation goes on, so the recording does, as after a reload that kept the step.
            output.note(gone + ": the handoff goes on at step '\(simulator.currentStep)'")
            return
        }
        // A new conversation: the recording starts again from it.
        writer = TranscriptWriter(flowPath: flowPath)
        writer.fixtures = fixtures()
        output.note(gone + ": a new conversation starts (consent kept)")
    }

    /// Writes the recorded conversation as a transcript test, its `flow:` relative to the file's folder.
    func save(to path: String) {
        var copy = writer
        copy.flowPath = Self.relativePath(to: flowPath, fromFolderOf: path)
        let transcript = copy.transcript
        if let reason = FileSystem.writeAtomically(
            copy.yaml(), to: path, sparing: OwnInput.flow(flowPath, being: "run"))
        {
            output.problem("cannot write '\(path)': \(reason)")
            return
        }
        let inputs = transcript.steps.filter {
            if case .input = $0.kind { return true }
            return false
        }.count
        output.note("saved \(inputs) input\(inputs == 1 ? "" : "s") to \(path); 'talkflow test \(path)' replays it")
    }

    // MARK: Helpers

    /// The fixtures that reproduce the simulator as it is now, before any input: the clock, the contact, the
    /// consent in force and the rotation's positions, each only when it differs from a transcript's default.
    func fixtures() -> TranscriptFixtures {
        var fixtures = TranscriptFixtures()
        let machine = simulator.machine
        let local = TranscriptDriver.localTime(simulator.now, in: simulator.interpreter.calendar.timeZone)
        if local != TranscriptFixtures.defaultTime { fixtures.time = local }
        if contactName != TranscriptFixtures.defaultContactName { fixtures.contactName = contactName }
        if phone != TranscriptFixtures.defaultContactPhone { fixtures.contactPhone = phone }
        let consent = simulator.session.consent
        if let version = consent.acceptedVersion {
            fixtures.consent = ConsentFixture(
                version: version == machine.policy?.version ? nil : version, optIn: consent.optIn)
        }
        for queue in machine.queues {
            let name = machine.strings[Int(queue.name)]
            let position = rotation.position(queue: name)
            guard position != 0, !queue.agents.isEmpty else { continue }
            let agent = machine.strings[Int(queue.agents[position % queue.agents.count])]
            fixtures.rotation.append(TranscriptRotation(queue: name, agent: agent))
        }
        return fixtures
    }

    /// The options (id, title) of the last buttons or list message the bot sent.
    static func lastOptions(_ history: [Effect]) -> [(id: String, title: String)]? {
        for effect in history.reversed() {
            guard case .send(let message, .bot) = effect else { continue }
            if case .buttons(_, _, _, let buttons) = message { return buttons.map { ($0.id, $0.title) } }
            if case .list(_, _, _, _, let rows) = message { return rows.map { ($0.id, $0.title) } }
        }
        return nil
    }

    /// `target` as seen from the folder holding `file` (both relative to the working folder or absolute), for
    /// a transcript's `flow:`.
    static func relativePath(to target: String, fromFolderOf file: String) -> String {
        func components(_ path: String) -> [String] {
            URL(fileURLWithPath: path).standardizedFileURL.pathComponents.filter { $0 != "/" }
        }
        let to = components(target)
        let from = Array(components(file).dropLast())
        var common = 0
        while common < min(to.count, from.count), to[common] == from[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        return (ups + to[common...]).joined(separator: "/")
    }
}
