// Readline's settings are C globals; Swift 6 flags every use of one as shared mutable state. The REPL touches
// them from its one thread only, before and between calls to readline, so the import says so.
@preconcurrency import CReadline
import Foundation

/// Where `talkflow repl` gets the contact's lines from: GNU readline on a terminal (line editing, history,
/// completion of commands), plain standard input otherwise, so that a piped conversation has no prompts and no
/// escape sequences in its output.
protocol LineReader: AnyObject {
    /// The next line without its line break, or `nil` at the end of the input (Ctrl-D, end of the pipe).
    func readLine() -> String?
}

/// Reads standard input line by line, for pipes and files: no prompt, no echo, no editing.
final class PipedLineReader: LineReader {
    /// The next line; a carriage return before the line feed (a file saved on Windows) is dropped too.
    func readLine() -> String? {
        guard var line = Swift.readLine(strippingNewline: true) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}

/// Reads lines with GNU readline, for a person at a terminal: Emacs-style editing (Ctrl-A, Ctrl-E, arrows,
/// backspace…), history with the up and down arrows, kept in a file between sessions, and Tab completion of the
/// REPL's commands. Readline draws the prompt and echoes what is typed.
final class TerminalLineReader: LineReader {
    /// At most this many lines are kept in the history file.
    static let historyLimit: Int32 = 1000

    private let prompt: String
    private let historyPath: String?
    private var lastLine: String?

    /// Prepares readline. `prompt` may contain ANSI colours: they are wrapped in readline's invisible-text
    /// markers here so that it measures the prompt correctly. `historyPath`, when given, is read now and
    /// appended to after each line, and kept to its last `historyLimit` lines.
    init(prompt: String, historyPath: String?, commands: [String]) {
        self.prompt = Self.markInvisible(prompt)
        // Readline handles multibyte characters (ñ, á, ›) only in a UTF-8 locale.
        setlocale(LC_ALL, "")
        if !String(cString: nl_langinfo(nl_item(CODESET))).uppercased().contains("UTF-8") {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        ReadlineCompletion.install(commands: commands)
        InterruptHandler.install()
        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath {
            if access(historyPath, F_OK) != 0 {
                let descriptor = open(historyPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
                if descriptor >= 0 { close(descriptor) }
            }
            var info = stat()
            if stat(historyPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                self.historyPath = historyPath
                read_history(historyPath)
                history_truncate_file(historyPath, Self.historyLimit)
            } else {
                // A FIFO there would block readline's open for good, a device would fill or feed the history:
                // the history is a convenience, so the session goes on without it.
                self.historyPath = nil
                historySkipped = true
            }
        } else {
            self.historyPath = nil
        }
    }

    /// Whether a history path was given but is not a regular file, so no history is kept.
    private(set) var historySkipped = false

    /// Shows the prompt and returns the edited line; a line that is not blank and differs from the previous one
    /// is added to the history.
    func readLine() -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.allSatisfy(\.isWhitespace), line != lastLine {
            add_history(raw)
            // Trimmed as it grows, not when the session ends: Ctrl-C ends it at once (see InterruptHandler).
            if let historyPath {
                append_history(1, historyPath)
                history_truncate_file(historyPath, Self.historyLimit)
            }
        }
        lastLine = line
        return line
    }

    /// The prompt with every escape sequence between readline's `RL_PROMPT_START_IGNORE` (1) and
    /// `RL_PROMPT_END_IGNORE` (2), so that colours do not count as columns.
    static func markInvisible(_ prompt: String) -> String {
        var out = ""
        var inEscape = false
        for scalar in prompt.unicodeScalars {
            if scalar == "\u{1B}" {
                inEscape = true
                out.unicodeScalars.append("\u{1}")
            }
            out.unicodeScalars.append(scalar)
            if inEscape, scalar == "m" {
                inEscape = false
                out.unicodeScalars.append("\u{2}")
            }
        }
        return out
    }
}

/// Tab completion of REPL commands: `/he` + Tab gives `/help`. Readline calls plain C functions, which
/// cannot capture anything, so the candidates live in process-wide storage set once before the first line
/// (the REPL reads lines on one thread only).
enum ReadlineCompletion {
    nonisolated(unsafe) private static var commands: [String] = []
    nonisolated(unsafe) private static var matches: [String] = []

    /// Makes Tab complete `commands` at the start of a line, and nothing anywhere else (readline would
    /// otherwise complete file names in the contact's messages).
    static func install(commands: [String]) {
        self.commands = commands
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            guard start == 0, let text, text.pointee == CChar(UInt8(ascii: "/")) else { return nil }
            return rl_completion_matches(text) { text, state in
                if state == 0 {
                    let prefix = text.map { String(cString: $0) } ?? ""
                    ReadlineCompletion.matches = ReadlineCompletion.commands.filter { $0.hasPrefix(prefix) }
                }
                let index = Int(state)
                guard index < ReadlineCompletion.matches.count else { return nil }
                return strdup(ReadlineCompletion.matches[index])
            }
        }
    }
}

/// The terminal's settings before readline changed them, for the Ctrl-C handler. Written once, before the
/// handler is installed, and only read afterwards. On the heap, with room to spare: glibc's `tcgetattr` writes all
/// 60 bytes of its `struct termios`, while the compiler laid a global of the imported type out as 57 (the
/// address sanitizer caught the write running past it into the next global).
nonisolated(unsafe) private let terminalAtStart: UnsafeMutablePointer<termios> = {
    let bytes = max(MemoryLayout<termios>.stride, 128)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    return raw.bindMemory(to: termios.self, capacity: 1)
}()

/// Ctrl-C ends `talkflow repl` at once, killed by SIGINT as the docs say, with the terminal as it was.
///
/// Readline's own handler only sets a flag that it reads when its `read` returns; the REPL reads on a thread that
/// is not the main one, so the signal reached a thread that never looked at the flag and the REPL went on (or
/// hung) until the next key. Readline is told to leave signals alone, and this handler puts the terminal back
/// (`tcsetattr` is async-signal-safe), restores the default action and raises the signal again.
enum InterruptHandler {
    static func install() {
        guard tcgetattr(STDIN_FILENO, terminalAtStart) == 0 else { return }
        rl_catch_signals = 0
        signal(SIGINT) { received in
            _ = tcsetattr(STDIN_FILENO, TCSANOW, terminalAtStart)
            let newline: [UInt8] = [0x0A]
            _ = newline.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, 1) }
            signal(received, SIG_DFL)
            raise(received)
        }
    }
}
