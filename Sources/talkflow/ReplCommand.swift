import ArgumentParser
import Conversations
import FlowCompiler
import FlowRuntime
import Foundation

/// `talkflow repl FLOW`: talk to a flow as a contact, in a terminal or through a pipe, with a virtual clock,
/// a simulated agent and the option to save the conversation as a transcript test.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Talk to a flow as a contact.",
        discussion: """
            The flow is checked first, exactly as 'talkflow lint' does; its diagnostics are printed to stderr \
            as 'talkflow compile' prints them, and a flow with errors is not run. Each line typed is a message \
            of the contact; the bot's replies are shown as WhatsApp shows them, prefixed 'bot ›', and what the \
            contact does not see (consent recorded, handoff, conversation closed, message not sent) as notes \
            starting with '·'. Lines starting with '/' are commands; /help lists them:

              /help [COMMAND]           /state          /reset
              /clock [+DURATION | YYYY-MM-DDTHH:MM]
              /tap ID|TITLE|NUMBER      /attach TYPE SIZE [NAME]
              /forward TEXT             /unreadable TYPE
              /agent TEXT               /close          /reload
              /save FILE                /quit

            On a terminal (standard input and output both terminals) lines are read with GNU readline: \
            editing, history (kept in ~/.talkflow_history) and Tab completion of commands. Otherwise lines \
            are read from standard input with no prompt and no colours, so that \
            "printf 'hola\\nacepto\\n' | talkflow repl flow.yaml" gives the same output on every run. The \
            virtual clock starts at --at; without it, at the current minute on a terminal and at Monday \
            2026-03-02T10:00 (the transcripts' default) otherwise, in the flow's time zone. The end of the \
            input (Ctrl-D) or /quit ends the session.

            Exit status:
              0   the session ended (end of input or /quit)
              1   the flow has errors (nothing was run)
              2   the flow could not be read
              64  usage error (unknown option, bad value, no FLOW)
            """
    )

    @Argument(help: ArgumentHelp("The flow file to talk to.", valueName: "flow"))
    var flow: String

    @Option(
        help: ArgumentHelp(
            "Start the virtual clock at this local date and time, in the flow's time zone "
                + "(YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, a space may replace the T; e.g. 2026-12-01T10:00), "
                + "no later than 9999-12-31T23:59:59Z.",
            valueName: "date-time"))
    var at: String?

    @Option(help: ArgumentHelp("The contact's WhatsApp profile name (contact.name).", valueName: "name"))
    var contactName = TranscriptFixtures.defaultContactName

    @Option(help: ArgumentHelp("The contact's phone number (contact.phone).", valueName: "phone"))
    var phone = TranscriptFixtures.defaultContactPhone

    @Option(
        help: ArgumentHelp(
            "When to colour the conversation: auto (only on a terminal, when NO_COLOR is unset or empty), "
                + "always or never. Also for the diagnostics on stderr (auto: when stderr is a terminal).",
            valueName: "when"))
    var color: ColorChoice = .auto

    /// Rejects a start time that cannot be read before the flow is touched (exit 64).
    func validate() throws {
        if let at, TranscriptDateTime(iso: at) == nil {
            // A value in the right form the calendar does not have is explained as a transcript's `at:` is.
            throw ValidationError(
                TimeValueProblem.dateTime(at)?.message("--at", found: at)
                    ?? "invalid --at '\(at)': write a local date and time as YYYY-MM-DDTHH:MM (or with :SS), e.g. "
                    + "2026-12-01T10:00")
        }
    }

    /// Loads the flow, then reads lines until the end of the input or /quit.
    func run() throws {
        let machine: StateMachine
        switch ReplFlow.load(flow, colors: color.enabled(for: STDERR_FILENO)) {
        case .success(let loaded): machine = loaded
        case .failure(.unreadable(let message)):
            Console.error("cannot read '\(flow)': \(message)")
            throw Exit.unreadable
        case .failure(.errors):
            throw Exit.problems
        }
        let interactive = isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0
        let colors = color == .auto ? interactive && color.enabled(for: STDOUT_FILENO) : color == .always
        var size = winsize()
        let columns = interactive && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : 0
        let output = ReplOutput(colors: colors, width: columns > 0 ? columns : nil)
        let calendar = BusinessCalendar(settings: machine.settings)
        let startTime = at.flatMap(TranscriptDateTime.init(iso:))
        // Known only once the flow's time zone is: a clock started past its last instant could not go on.
        if let at, let startTime, TranscriptDriver.reachableInstant(startTime, in: calendar.timeZone) == nil {
            throw ValidationError(
                "invalid --at '\(at)': it is past the latest time the clock reaches, "
                    + TranscriptDriver.latestTimeText(calendar))
        }
        let start = ReplClock.start(at: startTime, interactive: interactive, timeZone: calendar.timeZone)
        let session = ReplSession(
            flowPath: flow, machine: machine, startAt: start, contactName: contactName, phone: phone,
            output: output, diagnosticsColors: color.enabled(for: STDERR_FILENO))

        let reader: LineReader
        if interactive {
            let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            let terminal = TerminalLineReader(
                prompt: output.prompt, historyPath: home.map { $0 + "/.talkflow_history" },
                commands: ReplCommandName.slashNames)
            reader = terminal
            output.note("talkflow repl: flow '\(machine.flow)' (\(flow)); " + ReplClock.status(of: session.simulator))
            if terminal.historySkipped {
                output.note("history off: ~/.talkflow_history is not a regular file")
            }
            output.note("write as the contact; /help lists the commands; Ctrl-D ends")
        } else {
            reader = PipedLineReader()
        }
        while let line = reader.readLine() {
            if session.handle(line) == .quit { return }
        }
    }
}
