/// Renders diagnostics as GitHub Actions workflow commands, so that `talkflow lint --format github` in a workflow
/// annotates the offending lines of a pull request without any upload step.
///
/// One command per line: errors become `::error`, warnings `::warning`, notes (both diagnostics of severity
/// `note` and the notes attached to a diagnostic) `::notice`:
///
///     ::error file=flows/pedido.yaml,line=6,col=27,endLine=6,endColumn=40,title=unknown_step::unknown step …
///     ::notice file=flows/pedido.yaml,line=2,col=9,endLine=2,endColumn=23,title=unknown_step (note)::step …
///
/// - The title is the rule id; an attached note's title is the id followed by ` (note)`.
/// - A file with diagnostics not shown ends with its `notShownNote`, a `::notice` at line 1.
/// - A suggestion follows the message on a second line, `help: <suggestion>` (an escaped newline).
/// - `col` and `endColumn` are sent only when the range is on one line, because GitHub rejects columns on a
///   multi-line annotation; `endColumn` is exclusive, like the diagnostic's range.
/// - In the message `%`, `\r` and `\n` are escaped as `%25`, `%0D`, `%0A`; property values additionally escape
///   `:` and `,` as `%3A`, `%2C` (the escaping of `@actions/core`). Every other control character of a path, id,
///   message or suggestion is then shown as U+FFFD and an invisible one as `\u{202E}`, as in text output
///   (`VisibleText`): GitHub draws ANSI codes in a log, and a NUL cuts the command.
public enum GitHubRenderer {
    /// Renders every diagnostic of every file, in the order given; each command line ends with `\n`.
    public static func render(files: [FileDiagnostics]) -> String {
        var output = ""
        for file in files {
            for diagnostic in file.rendered {
                var message = shown(diagnostic.message)
                if let suggestion = diagnostic.suggestion { message += "\nhelp: \(shown(suggestion))" }
                output += command(
                    command(for: diagnostic.severity),
                    path: file.path,
                    range: diagnostic.range,
                    title: diagnostic.id,
                    message: message
                )
                for note in diagnostic.notes {
                    output += command(
                        "notice",
                        path: file.path,
                        range: note.range,
                        title: "\(diagnostic.id) (note)",
                        message: shown(note.message)
                    )
                }
            }
        }
        return output
    }

    /// Escapes a command's message (the text after `::`) the way the Actions runner unescapes it.
    public static func escapeData(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Escapes a property value (`file=…`, `title=…`), where `:` and `,` would end the value early.
    public static func escapeProperty(_ text: String) -> String {
        var result = ""
        for character in escapeData(text).unicodeScalars {
            switch character {
            case ":": result += "%3A"
            case ",": result += "%2C"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// `text` as `VisibleText` shows it, except the line breaks the escaping above writes as `%0D` and `%0A`.
    private static func shown(_ text: String) -> String {
        VisibleText.of(text, keeping: ["\r", "\n"])
    }

    private static func command(for severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "notice"
        }
    }

    private static func command(
        _ name: String,
        path: String,
        range: SourceRange,
        title: String,
        message: String
    ) -> String {
        let line = max(range.start.line, 1)
        let endLine = max(range.end.line, line)
        var properties = ["file=\(escapeProperty(shown(path)))", "line=\(line)"]
        if endLine == line {
            let column = max(range.start.column, 1)
            properties.append("col=\(column)")
            properties.append("endLine=\(endLine)")
            properties.append("endColumn=\(max(range.end.column, column))")
        } else {
            properties.append("endLine=\(endLine)")
        }
        properties.append("title=\(escapeProperty(shown(title)))")
        return "::\(name) \(properties.joined(separator: ","))::\(escapeData(message))\n"
    }
}
