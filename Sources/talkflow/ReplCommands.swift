import FlowDiagnostics
import Foundation

/// The REPL's slash commands: names, usage and help in one table, so that `/help`, Tab completion, the
/// "did you mean" of an unknown command and Docs/cli.md cannot drift apart.
enum ReplCommandName: String, CaseIterable {
    case help
    case state
    case reset
    case clock
    case tap
    case attach
    case forward
    case unreadable
    case agent
    case close
    case reload
    case save
    case quit

    /// Other spellings accepted for a command.
    static let aliases: [String: ReplCommandName] = ["exit": .quit]

    /// How the command is written, one line per form, and what each form does.
    var usage: [(form: String, effect: String)] {
        switch self {
        case .help:
            return [("/help [COMMAND]", "list the commands, or show one")]
        case .state:
            return [("/state", "step, status, variables, consent, attachments this month, agent, clock")]
        case .reset:
            return [("/reset", "start over as a new contact: consent and variables forgotten, clock kept")]
        case .clock:
            return [
                ("/clock", "show the virtual clock, business hours and the inactivity timer"),
                ("/clock +DURATION", "move it forward: 30s, 30m, 25h, 2d, 1h30m; a due inactivity timer fires"),
                ("/clock DATE-TIME", "move it to YYYY-MM-DDTHH:MM in the flow's time zone (never back)"),
            ]
        case .tap:
            return [("/tap CHOICE", "tap a button or list row of the last message: its id, title or number")]
        case .attach:
            return [("/attach TYPE SIZE [NAME]", "send a file: pdf, jpg, png, docx... or a MIME type; 2MB, 300KB")]
        case .forward:
            return [("/forward TEXT", "the contact forwards TEXT from another chat: never consent")]
        case .unreadable:
            return [("/unreadable TYPE", "a message the flow cannot read: order, nfm_reply, poll_creation...")]
        case .agent:
            return [("/agent TEXT", "write to the contact as the assigned agent")]
        case .close:
            return [("/close", "the agent closes the conversation")]
        case .reload:
            return [
                (
                    "/reload",
                    "re-read and re-check the flow file; the conversation stays at its step, or starts anew if the "
                        + "step is gone"
                )
            ]
        case .save:
            return [("/save FILE", "save the conversation so far as a transcript test for talkflow test")]
        case .quit:
            return [("/quit", "end the session (also /exit, or Ctrl-D)")]
        }
    }

    /// The command a typed name stands for (`state`, `exit`), or `nil`.
    static func named(_ name: String) -> ReplCommandName? {
        ReplCommandName(rawValue: name.lowercased()) ?? aliases[name.lowercased()]
    }

    /// Every name as typed, with its slash, for completion.
    static var slashNames: [String] {
        allCases.map { "/" + $0.rawValue } + aliases.keys.sorted().map { "/" + $0 }
    }

    /// The message for an unknown command, with the closest command when one is close enough.
    static func unknown(_ name: String) -> String {
        let candidates = allCases.map(\.rawValue) + aliases.keys.sorted()
        let typed = "/" + name
        if let closest = Suggestions.closest(to: name, in: candidates) {
            return "unknown command '\(typed)'; did you mean '/\(closest)'? (/help lists the commands)"
        }
        return "unknown command '\(typed)'; /help lists the commands"
    }

    /// The `/help` text: every form of every command, aligned, and how to send text starting with `/`.
    static var helpText: String {
        var lines = ["Type a line to send it as the contact. Commands:"]
        lines += allCases.flatMap(\.helpLines)
        lines.append("A line starting with // is sent as the contact's text, from its second /.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The widest line of `/help`: an 80-column terminal shows each line whole.
    static let helpWidth = 80

    /// This command's lines of `/help`; an effect too long for the line continues under itself.
    var helpLines: [String] {
        let width = Self.allCases.flatMap { $0.usage.map(\.form.count) }.max() ?? 0
        let indent = String(repeating: " ", count: width + 4)
        return usage.flatMap { form, effect -> [String] in
            var lines: [String] = []
            var line = "  " + form + String(repeating: " ", count: width - form.count + 2)
            var empty = true
            for word in effect.split(separator: " ") {
                if !empty, line.count + 1 + word.count > Self.helpWidth {
                    lines.append(line)
                    line = indent
                    empty = true
                }
                line += (empty ? "" : " ") + word
                empty = false
            }
            return lines + [line]
        }
    }
}

/// A line the person typed, classified: the contact's text, or a command with its argument text.
enum ReplLine: Equatable {
    /// Nothing to do (a blank line: WhatsApp sends no empty messages).
    case empty
    /// Text the contact sends.
    case contact(String)
    /// `/name argument…`; `argument` is the rest of the line with its outer spaces removed.
    case command(name: String, argument: String)

    /// Reads a line: `/name …` is a command, `//…` is contact text starting with `/`, anything else (not
    /// blank) is contact text as typed.
    init(_ line: String) {
        if line.allSatisfy(\.isWhitespace) {
            self = .empty
        } else if line.hasPrefix("//") {
            self = .contact(String(line.dropFirst()))
        } else if line.hasPrefix("/") {
            let body = line.dropFirst()
            let name = body.prefix { !$0.isWhitespace }
            let argument = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            self = .command(name: String(name), argument: argument)
        } else {
            self = .contact(line)
        }
    }
}
