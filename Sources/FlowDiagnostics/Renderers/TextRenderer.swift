/// Renders diagnostics for people reading a terminal, in the layout of the Swift compiler, so that editors and
/// terminals that already recognise `path:line:col: error: …` make the locations clickable.
///
/// Each diagnostic becomes:
///
///     flows/pedido.yaml:6:27: error: unknown step 'menu_princpal' [unknown_step]
///         botones: {más_mañana: menu_princpal}
///                               ^~~~~~~~~~~~~
///     flows/pedido.yaml:2:9: note: step 'menu_principal' is defined here
///       - id: menu_principal
///             ^~~~~~~~~~~~~~
///       help: did you mean 'menu_principal'?
///
/// - The header is `path:line:column: severity: message [id]`; notes use the same header without the id.
/// - Under a header comes the source line and an underline: `^` at the start column and `~` up to the end of the
///   range. A range that runs onto later lines is underlined to the end of its first line. The line and the
///   underline are left out when the file's text is unknown, the line does not exist or it is empty (an empty
///   file, the end of a file): there is nothing to point at.
/// - A line longer than `longestLineShown` characters is shown as a window of that many, a third of it before the
///   place (less at the start of the line, more at its end, so the window keeps its width), with `…` at each cut.
/// - Columns count Unicode scalars. The underline's indentation repeats every tab of the source line and pads
///   wide characters (emoji, CJK) with two spaces and combining marks with none, so the caret lands under the
///   right character in a terminal.
/// - After the notes, a suggestion becomes `  help: <suggestion>`.
/// - A file with diagnostics not shown ends with its `notShownNote`, without a source line.
/// - Paths, messages and source lines are printed as `VisibleText` shows them (tabs in source lines stay):
///   control characters as U+FFFD, so a flow file cannot smuggle terminal escape sequences into the output,
///   and invisible ones as `\u{202E}`, so the reader sees what is wrong. In a source line the caret points at
///   the escape: columns are counted in the line as printed.
///
/// Every line ends with `\n`; no diagnostics give an empty string.
public enum TextRenderer {
    /// Renders every diagnostic of every file, in the order given.
    ///
    /// - Parameter colors: whether to add ANSI colours and bold; the caller decides (typically only when standard
    ///   error is a terminal and `NO_COLOR` is unset). When `false` the output contains no escape codes at all.
    public static func render(files: [FileDiagnostics], colors: Bool) -> String {
        let style = Style(enabled: colors)
        var output = ""
        for file in files where !file.diagnostics.isEmpty {
            let text = file.source.map { SourceText($0) }
            let path = sanitized(file.path)
            var lines = LineCache()
            for diagnostic in file.rendered {
                output += header(
                    path: path,
                    at: diagnostic.range.start,
                    severity: diagnostic.severity,
                    message: "\(sanitized(diagnostic.message)) [\(sanitized(diagnostic.id))]",
                    style: style
                )
                // The note about diagnostics not shown is about the whole file, not its first line.
                if diagnostic.id != FileDiagnostics.notShownID {
                    output += snippet(diagnostic.range, in: text, style: style, lines: &lines)
                }
                for note in diagnostic.notes {
                    output += header(
                        path: path,
                        at: note.range.start,
                        severity: .note,
                        message: sanitized(note.message),
                        style: style
                    )
                    output += snippet(note.range, in: text, style: style, lines: &lines)
                }
                if let suggestion = diagnostic.suggestion {
                    output += "  \(style.help("help:")) \(sanitized(suggestion))\n"
                }
            }
        }
        return output
    }

    /// The one-line total printed after the diagnostics, such as `3 errors, 1 warning in 2 files`, so a user
    /// sees at a glance whether anything is left to fix.
    ///
    /// The file count is the number of files with at least one diagnostic; with no diagnostics at all the line
    /// is `no problems found in N files`, counting every file checked. Diagnostics of severity `note` are counted
    /// as notes (notes attached to a diagnostic are not counted). Diagnostics not shown (past
    /// `FileDiagnostics.shownLimit`) are counted too; the note that says so is not.
    public static func summary(files: [FileDiagnostics]) -> String {
        let counts = files.reduce(DiagnosticCounts()) { $0 + $1.counts }
        guard counts.total > 0 else {
            return "no problems found in \(counted(files.count, "file"))"
        }
        let filesWithProblems = files.count(where: { !$0.diagnostics.isEmpty })
        return "\(counts.description) in \(counted(filesWithProblems, "file"))"
    }

    // MARK: - Pieces

    private static func header(
        path: String,
        at location: SourceLocation,
        severity: Severity,
        message: String,
        style: Style
    ) -> String {
        let place = style.bold("\(path):\(location.line):\(location.column):")
        return "\(place) \(style.severity(severity, "\(severity.rawValue):")) \(style.bold(message))\n"
    }

    /// The printable scalars of the last source line shown: diagnostics come sorted, so many in a row are on
    /// one line, and a file written on one long line must not be decoded again for each of them.
    ///
    /// A line much longer than the window shown keeps only a slice of it around the place (two windows each
    /// side): making each of a line's scalars printable costs a few microseconds, and a hostile file of a
    /// thousand 16 KB lines must not take minutes to report. `base` is where the slice starts in the line.
    struct LineCache {
        var number = 0
        var scalars: [Unicode.Scalar] = []
        /// Where each of the slice's scalars starts in `scalars`, and the end: an escape is longer than the
        /// character it shows, so a column of the file is found here, not by counting.
        var starts: [Int] = [0]
        /// The index in the line of the slice's first scalar.
        var base = 0
        /// Whether the line goes on before or after the slice.
        var cutBefore = false
        var cutAfter = false

        init() {}

        /// The line `number`, as printed: whole, or the slice of it around the 0-based `offset`.
        init(number: Int, line: String, around offset: Int) {
            self.init(number: number, original: Array(line.unicodeScalars), around: offset)
        }

        /// The same line's slice around another offset, without decoding the line again.
        func slice(around offset: Int) -> LineCache {
            LineCache(number: number, original: original, around: offset)
        }

        /// The line's scalars as the file has them (kept while diagnostics stay on the line).
        private(set) var original: [Unicode.Scalar] = []

        private init(number: Int, original: [Unicode.Scalar], around offset: Int) {
            self.number = number
            self.original = original
            let reach = 2 * TextRenderer.longestLineShown
            var low = 0
            var high = original.count
            if original.count > 2 * reach {
                low = min(max(0, offset - reach), original.count)
                high = min(original.count, max(offset, low) + reach)
            }
            base = low
            cutBefore = low > 0
            cutAfter = high < original.count
            starts.reserveCapacity(high - low + 1)
            scalars.reserveCapacity(high - low)
            for index in low..<high {
                scalars += VisibleText.shown(at: index, in: original, keeping: ["\t"])
                starts.append(scalars.count)
            }
        }

        /// Whether the 0-based `offset` of line `number` is far enough inside the slice to be shown from it.
        func covers(line number: Int, offset: Int) -> Bool {
            guard self.number == number else { return false }
            let margin = TextRenderer.longestLineShown
            return (!cutBefore || offset - base >= margin) && (!cutAfter || base + starts.count - 1 - offset >= margin)
        }

        /// Where the character at 0-based `offset` of the file's line starts in `scalars` (clamped to the slice).
        func position(_ offset: Int) -> Int {
            starts[min(max(offset - base, 0), starts.count - 1)]
        }
    }

    /// The source line of `range.start` and its underline, or nothing when the line is unknown.
    private static func snippet(
        _ range: SourceRange, in text: SourceText?, style: Style, lines: inout LineCache
    ) -> String {
        guard let text else { return "" }
        if !lines.covers(line: range.start.line, offset: range.start.column - 1) {
            if lines.number == range.start.line {
                lines = lines.slice(around: range.start.column - 1)
            } else {
                guard let line = text.line(range.start.line) else { return "" }
                lines = LineCache(number: range.start.line, line: line, around: range.start.column - 1)
            }
        }
        // An empty line (an empty file, the end of a file) would show nothing but a lone caret.
        guard !lines.scalars.isEmpty else { return "" }
        var scalars = lines.scalars
        var start = lines.position(range.start.column - 1)
        var end =
            range.end.line == range.start.line
            ? max(lines.position(range.end.column - 1), start)
            : scalars.count
        // A very long line (a minified file) is shown as a window around the place, cut with `…`: repeating
        // megabytes of it for every diagnostic would bury the messages.
        if scalars.count > Self.longestLineShown || lines.cutBefore || lines.cutAfter {
            // A third of the window before the place; near either end of the line the window is shifted to
            // stay as wide, so a place at the end of a line shows as much context as one at the start.
            var low = max(0, start - Self.longestLineShown / 3)
            var high = min(scalars.count, low + Self.longestLineShown)
            low = max(0, high - Self.longestLineShown)
            // The cuts fall between characters as people see them: a skin tone or a joined emoji is not shown
            // without the emoji it belongs to.
            while low < start, Self.continuesCharacter(at: low, in: scalars) { low += 1 }
            while high > end, high < scalars.count, Self.continuesCharacter(at: high, in: scalars) { high -= 1 }
            let cutLeft = low > 0 || lines.cutBefore
            var window: [Unicode.Scalar] = cutLeft ? ["…"] : []
            window += scalars[low..<high]
            if high < scalars.count || lines.cutAfter { window.append("…") }
            let shift = low - (cutLeft ? 1 : 0)
            start = min(start, high) - shift
            end = min(end, high) - shift
            scalars = window
        }

        let widths = Self.displayWidths(of: scalars[..<end])
        var indentation = ""
        var displayColumn = 0
        for (scalar, width) in zip(scalars[..<start], widths) {
            if scalar == "\t" {
                indentation += "\t"
                displayColumn = nextTabStop(after: displayColumn)
            } else {
                indentation += String(repeating: " ", count: width)
                displayColumn += width
            }
        }
        var underline = "^"
        for (index, scalar) in scalars[start..<end].enumerated() {
            // Inside the range a tab is drawn as `~` up to the next tab stop (terminals default to every 8).
            let width = scalar == "\t" ? nextTabStop(after: displayColumn) - displayColumn : widths[start + index]
            displayColumn += width
            let marks = index == 0 ? width - 1 : width
            underline += String(repeating: "~", count: max(marks, 0))
        }
        var sourceLine = String.UnicodeScalarView()
        sourceLine.append(contentsOf: scalars)
        return "\(String(sourceLine))\n\(indentation)\(style.caret(underline))\n"
    }

    /// Whether the scalar at `index` belongs to the character before it: a mark, a skin tone, VS16, ZWJ, a tag, or
    /// what a ZWJ joins.
    static func continuesCharacter(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        guard index > 0, index < scalars.count else { return false }
        let scalar = scalars[index]
        if scalars[index - 1] == "\u{200D}" { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: break
        }
        return scalar.properties.isEmojiModifier || scalar == "\u{200D}" || (0xE0020...0xE007F).contains(scalar.value)
    }

    /// The longest source line shown whole, in characters.
    static let longestLineShown = 240

    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func nextTabStop(after column: Int) -> Int {
        (column / 8 + 1) * 8
    }

    /// The terminal cells each scalar takes in its line: `displayWidth(of:)`, except that an emoji sequence is
    /// drawn as one emoji, two cells: a scalar joined by ZWJ, the second regional indicator of a flag and a skin
    /// tone after an emoji take none, and VS16 widens a text-style symbol (a keycap, ❤️) to two.
    static func displayWidths(of scalars: ArraySlice<Unicode.Scalar>) -> [Int] {
        var widths: [Int] = []
        widths.reserveCapacity(scalars.count)
        var previous: Unicode.Scalar?
        var pendingFlag = false
        for scalar in scalars {
            var width = displayWidth(of: scalar)
            let regional = (0x1F1E6...0x1F1FF).contains(scalar.value)
            if previous == "\u{200D}", scalar.properties.isEmoji {
                width = 0
            } else if regional, pendingFlag {
                width = 0
            } else if scalar.properties.isEmojiModifier, previous?.properties.isEmoji == true {
                width = 0
            } else if scalar == "\u{FE0F}", let last = widths.indices.last, widths[last] == 1,
                previous?.properties.isEmoji == true
            {
                widths[last] = 2
            }
            pendingFlag = regional && !pendingFlag
            widths.append(width)
            previous = scalar
        }
        return widths
    }

    /// How many terminal cells a scalar takes, approximating `wcwidth`: 0 for combining marks and invisible
    /// format characters, 2 for emoji and East Asian wide characters, 1 otherwise.
    static func displayWidth(of scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return 0
        default:
            break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `string` as every rendered path and message is printed (`VisibleText`): control characters as U+FFFD,
    /// invisible ones as `\u{…}`, for lines other tools print beside rendered diagnostics.
    /// `keeping` names control characters that stay (line feeds and tabs for text printed as it is laid out).
    public static func sanitized(_ string: String, keeping kept: Set<Unicode.Scalar> = []) -> String {
        VisibleText.of(string, keeping: kept)
    }

    /// ANSI styling that disappears entirely when colours are off.
    private struct Style {
        let enabled: Bool

        func bold(_ text: String) -> String { wrap(text, "1") }
        func caret(_ text: String) -> String { wrap(text, "1;32") }
        func help(_ text: String) -> String { wrap(text, "1;32") }

        func severity(_ severity: Severity, _ text: String) -> String {
            switch severity {
            case .error: wrap(text, "1;31")
            case .warning: wrap(text, "1;35")
            case .note: wrap(text, "1;36")
            }
        }

        private func wrap(_ text: String, _ code: String) -> String {
            enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }
    }
}
