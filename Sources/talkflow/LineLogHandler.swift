import FlowDiagnostics
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The server's log handler: one line per event on standard error, in swift-log's `StreamLogHandler` format
/// (`TIME LEVEL LABEL: key=value … [MODULE] message`, keys sorted), written with one `write(2)` per line. It
/// exists for speed: `talkflow serve` logs a line for every inbound message, and the stock handler formats the
/// time zone, merges and sorts metadata through several intermediate collections for each one. Here the time
/// is formatted once per second and the line is built in one string.
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    /// The formatted time of the current second, shared by every handler.
    private static let clock = Mutex<(second: Int, text: String)>((-1, ""))
    /// Keeps lines whole when several threads log at once.
    private static let output = Mutex(())

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Self.timestamp()
        line.reserveCapacity(160)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        var merged = metadata
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        for key in merged.keys.sorted() {
            line += " "
            line += key
            line += "="
            line += Self.clean(merged[key]!.description)
        }
        line += " ["
        line += event.source
        line += "] "
        line += Self.clean(event.message.description)
        line += "\n"
        Self.write(line)
    }

    /// The longest value or message written whole, in Unicode scalars: a field a webhook controls (a message
    /// type) can be long, while an error's description should reach the operator whole.
    static let longestValue = 1024

    /// `text` safe for one log line: control characters and line separators (a webhook's message type may
    /// carry a line feed, which would forge a line) become U+FFFD, an invisible character (U+202E, U+200B: it
    /// would hide or reorder what the operator reads) is written as `\u{202E}` as the command line writes it
    /// (`VisibleText`), and a value over `longestValue` characters is cut with `…`. Plain short ASCII text, almost
    /// every value, is returned as it is after one pass over its bytes.
    static func clean(_ text: String) -> String {
        let suspicious = text.utf8.contains { (byte: UInt8) -> Bool in byte < 0x20 || byte >= 0x7F }
        guard suspicious || text.utf8.count > longestValue else { return text }
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count == longestValue {
                out.append("…")
                break
            }
            let value: UInt32 = scalar.value
            let breaking: Bool = value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            if breaking {
                out.append("\u{FFFD}")
            } else if value >= 0xA0 && VisibleText.isInvisible(scalar) {
                out.append(contentsOf: VisibleText.escape(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
            count += 1
        }
        return String(out)
    }

    /// `2026-11-27T00:03:03+0000`, local time, as `strftime("%Y-%m-%dT%H:%M:%S%z")` gives it.
    static func timestamp() -> String {
        let now = time(nil)
        return clock.withLock { cached in
            if cached.second == now { return cached.text }
            var seconds = now
            var parts = tm()
            var buffer = [CChar](repeating: 0, count: 64)
            guard localtime_r(&seconds, &parts) != nil,
                strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts) > 0
            else { return "<unknown>" }
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            cached = (now, text)
            return text
        }
    }

    /// Writes the line to standard error in one call (retrying a partial write); a file name's byte that is not
    /// UTF-8 as U+FFFD, as `Console` writes it.
    static func write(_ line: String) {
        var bytes = Array(SystemPath.display(line).utf8)
        output.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}
