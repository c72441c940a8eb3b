import ArgumentParser
import FlowDiagnostics
import Foundation

/// The `talkflow` command line: a thin shell over the library that reads files, runs the checker or the
/// compiler and prints what they return. One file per subcommand.
@main
struct Talkflow: AsyncParsableCommand {
    /// The version printed by `--version` and recorded in SARIF logs.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "talkflow",
        abstract: "Lint, compile, simulate, test and serve talkflow flows: declarative WhatsApp Business bots in YAML.",
        discussion: """
            Run 'talkflow help <subcommand>' for the options and exit status of each subcommand. \
            Docs/cli.md documents every command, option, exit code and output format.
            """,
        version: version,
        subcommands: [
            LintCommand.self, CompileCommand.self, LockCommand.self, ReplCommand.self, TestCommand.self,
            ServeCommand.self,
            ConsentCommand.self, DataRequestCommand.self, SendTemplateCommand.self,
        ]
    )

    /// `talkflow help NAME…` naming no subcommand (`help foo`, `help consent frob`, `help lint extra`) is a usage
    /// error (64), as `talkflow foo` is; ArgumentParser would print the nearest help and exit 0. Everything else
    /// goes to ArgumentParser. The arguments keep their bytes (`SystemPath`): a file name that is not UTF-8
    /// still opens its file, where `CommandLine.arguments` would have replaced those bytes with U+FFFD.
    static func main() async {
        let arguments = Array(SystemPath.arguments().dropFirst())
        if arguments.first == "help" {
            var command: any ParsableCommand.Type = Talkflow.self
            for name in arguments.dropFirst().prefix(while: { !$0.hasPrefix("-") }) {
                guard let next = command.configuration.subcommands.first(where: { $0._commandName == name }) else {
                    // The three lines of every usage error, not the whole help.
                    Console.err(
                        "Error: unknown subcommand '\(VisibleText.of(name))'\n" + usageLines(for: command) + "\n")
                    Talkflow.exit(withError: Exit.usage)
                }
                command = next
            }
        }
        await Self.run(arguments)
    }

    /// ArgumentParser's own `main`, except that a usage error's message, which quotes the command line, is printed
    /// line by line as every other message that quotes input is (`VisibleText`): an argument holding an escape
    /// sequence or an invisible character cannot drive the terminal or hide in the message.
    static func run(_ arguments: [String]) async {
        var parsed: (any ParsableCommand.Type)?
        do {
            var command = try parseAsRoot(arguments)
            parsed = type(of: command)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            var message = fullMessage(for: error)
            // A value refused once the command runs (`repl --at` past the flow's last instant, known only once
            // its time zone is) names that command's usage, as a value refused while parsing does, not the root's.
            if let parsed, parsed != Talkflow.self, let refused = error as? ValidationError {
                message = "Error: \(refused.message)\n" + usageLines(for: parsed)
            }
            if code == .success {
                // Help and the version: ArgumentParser's own text, on stdout.
                if !message.isEmpty { Console.out(message + "\n") }
            } else if !message.isEmpty {
                // The arguments the message quotes first (a line feed in one must not start a line of its own),
                // then each line, for anything else ArgumentParser wrote from the input.
                var quoted = message
                for argument in Set(arguments) where VisibleText.of(argument) != argument {
                    quoted = quoted.replacingOccurrences(of: argument, with: VisibleText.of(argument))
                }
                let lines = quoted.split(separator: "\n", omittingEmptySubsequences: false)
                Console.err(lines.map { VisibleText.of(String($0)) }.joined(separator: "\n") + "\n")
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// `Usage: <usage>` and `  See '<command> --help' for more information.`, as ArgumentParser ends a usage
    /// error; the command is named by the words of its usage before the first argument.
    static func usageLines(for command: any ParsableCommand.Type) -> String {
        let usage = usageString(for: command)
        let name = usage.split(separator: " ").prefix { !$0.hasPrefix("<") && !$0.hasPrefix("[") }
            .joined(separator: " ")
        return "Usage: \(usage)\n  See '\(name) --help' for more information."
    }

    /// Without a subcommand there is nothing to do: show the help on stderr and exit with a usage error (64),
    /// like any other malformed command line.
    func run() throws {
        Console.err(Talkflow.helpMessage() + "\n")
        throw Exit.usage
    }
}
