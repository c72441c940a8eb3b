import Conversations
import FlowDiagnostics
import FlowRuntime
import Foundation

/// Everything the REPL prints, in one place: the conversation and command output on stdout, problems with a
/// command on stderr. With colours (a terminal, `NO_COLOR` unset) the speakers' prefixes are bold, notes
/// dim and problems red; without them the output has no escape sequence at all, so a piped run is plain,
/// stable text.
struct ReplOutput {
    var colors: Bool
    /// The terminal's width in columns, to wrap long lines under their prefix; `nil` (pipes) never wraps.
    var width: Int?

    /// The prompt readline shows before the contact's line.
    var prompt: String { style("contact ›", "1;33") + " " }

    /// The blocks of one input's effects: bubbles with `bot › ` or `<agent> › `, notes with `· `.
    func show(_ blocks: [WhatsAppRenderer.Block]) {
        guard colors || width != nil else {
            Console.out(Self.printable(blocks.map(WhatsAppRenderer.plain).joined()))
            return
        }
        var out = ""
        for block in blocks {
            switch block.kind {
            case .note:
                for line in block.lines.map(Self.printable) {
                    // A note's own indent (a held-back message's lines) is kept, and a wrapped line continues
                    // under its text: after `ana › ` for a held message, two columns in otherwise.
                    let leading = String(line.prefix { $0 == " " })
                    let body = String(line.dropFirst(leading.count))
                    let speaker = body.range(of: " › ").map { body.distance(from: body.startIndex, to: $0.upperBound) }
                    let hang = leading.count + (leading.isEmpty ? 2 : speaker ?? 0)
                    for (piece, text) in wrap(body, indent: hang).enumerated() {
                        let prefix = piece > 0 ? String(repeating: " ", count: hang) : leading
                        out += style(prefix + text, "2") + "\n"
                    }
                }
            case .message(let sender):
                let name = WhatsAppRenderer.name(of: sender)
                let prefix = style("\(name) ›", sender == .bot ? "1;32" : "1;36") + " "
                let indent = String(repeating: " ", count: name.count + 3)
                for (index, line) in block.lines.map(Self.printable).enumerated() {
                    guard !line.isEmpty else {
                        out += "\n"
                        continue
                    }
                    for (piece, text) in wrap(line, indent: indent.count).enumerated() {
                        out += (index == 0 && piece == 0 ? prefix : indent) + text + "\n"
                    }
                }
            }
        }
        Console.out(out)
    }

    /// `text` with its control characters other than line breaks and tabs shown as U+FFFD: bubbles and notes
    /// carry what the contact and the REPL's user typed (a name, a file name), which must not drive the
    /// terminal. The REPL's own styling is added after this, never passed through it.
    static func printable(_ text: String) -> String {
        TextRenderer.sanitized(text, keeping: ["\n", "\t"])
    }

    /// A line cut at spaces so that, after `indent` columns, each piece fits the terminal; a word longer than
    /// the width (a URL) stays whole. Without a known width the line is returned as is.
    func wrap(_ line: String, indent: Int) -> [String] {
        guard let width, width - indent >= 20, line.count + indent > width else { return [line] }
        let room = width - indent
        var pieces: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= room {
                current += " " + word
            } else {
                pieces.append(current)
                current = String(word)
            }
        }
        pieces.append(current)
        return pieces
    }

    /// Plain output of a command (`/state`, `/help`, `/clock`); `text` ends with a newline.
    func info(_ text: String) {
        Console.out(Self.printable(text))
    }

    /// A note of the REPL itself (`· reloaded …`), styled like the notes of a conversation.
    func note(_ text: String) {
        Console.out(
            wrap("· " + TextRenderer.sanitized(text), indent: 2).enumerated().map {
                style(($0 > 0 ? "  " : "") + $1, "2") + "\n"
            }.joined())
    }

    /// A command that could not be done, on stderr: `error: <message>`. The message often quotes what was typed,
    /// so its control characters are shown as U+FFFD, as in diagnostics: an escape sequence in a command must not
    /// drive the terminal.
    func problem(_ message: String) {
        Console.err(style("error:", "1;31") + " " + TextRenderer.sanitized(message) + "\n")
    }

    /// `text` in an ANSI style when colours are on.
    func style(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
