import Foundation

/// Renders diagnostics as a JSON array, for scripts and editor integrations that want the data rather than prose.
///
/// One object per diagnostic, files and diagnostics in the order given, keys sorted so the output is stable:
///
///     [
///       {
///         "column" : 27,
///         "endColumn" : 40,
///         "endLine" : 6,
///         "file" : "flows/pedido.yaml",
///         "id" : "unknown_step",
///         "line" : 6,
///         "message" : "unknown step 'menu_princpal'",
///         "notes" : [
///           {
///             "column" : 9,
///             "endColumn" : 23,
///             "endLine" : 2,
///             "file" : "flows/pedido.yaml",
///             "line" : 2,
///             "message" : "step 'menu_principal' is defined here"
///           }
///         ],
///         "severity" : "error",
///         "suggestion" : "did you mean 'menu_principal'?"
///       }
///     ]
///
/// Lines and columns are 1-based, columns count Unicode scalars, and the end is exclusive (the position just past
/// the range). `suggestion` is present only when the diagnostic has one; `notes` is always present (`[]` when
/// empty). Strings are exact; invisible characters in them are written as `\u` escapes (`JSONOutput`). The text
/// ends with a newline. A file with diagnostics not shown (`FileDiagnostics.shownLimit`) ends with its
/// `notShownNote`, which alone carries `notShown`, the counts by severity.
public enum JSONRenderer {
    /// Renders every diagnostic of every file as one JSON array.
    public static func render(files: [FileDiagnostics]) -> String {
        var entries: [Entry] = []
        for file in files {
            for diagnostic in file.shown {
                entries.append(Entry(file: file.path, diagnostic: diagnostic))
            }
            if let note = file.notShownNote {
                var entry = Entry(file: file.path, diagnostic: note)
                entry.notShown = file.notShown
                entries.append(entry)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and arrays of them cannot fail.
        let data = try! encoder.encode(entries)
        return JSONOutput.text(of: data)
    }

    private struct Entry: Encodable {
        var file: String
        var line: Int
        var column: Int
        var endLine: Int
        var endColumn: Int
        var severity: Severity
        var id: String
        var message: String
        var notes: [Note]
        var suggestion: String?
        /// Only on the note that ends a file whose diagnostics were not all shown.
        var notShown: DiagnosticCounts?

        init(file: String, diagnostic: Diagnostic) {
            self.file = file
            self.line = diagnostic.range.start.line
            self.column = diagnostic.range.start.column
            self.endLine = diagnostic.range.end.line
            self.endColumn = diagnostic.range.end.column
            self.severity = diagnostic.severity
            self.id = diagnostic.id
            self.message = diagnostic.message
            self.notes = diagnostic.notes.map { Note(file: file, note: $0) }
            self.suggestion = diagnostic.suggestion
        }
    }

    private struct Note: Encodable {
        var message: String
        var file: String
        var line: Int
        var column: Int
        var endLine: Int
        var endColumn: Int

        init(file: String, note: DiagnosticNote) {
            self.message = note.message
            self.file = file
            self.line = note.range.start.line
            self.column = note.range.start.column
            self.endLine = note.range.end.line
            self.endColumn = note.range.end.column
        }
    }
}
