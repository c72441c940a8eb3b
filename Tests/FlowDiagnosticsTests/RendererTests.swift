import Foundation
import Testing

@testable import FlowDiagnostics

/// Two flow files: the first has an error with a note and a suggestion on a line with `á` and `ñ` before the
/// range, and a warning; the second has an error on a tab-indented line and a warning with a multi-line range.
private enum Fixture {
    static let pedidoSource = """
        steps:
          - id: menu_principal
            text: "¡Hola! ¿Qué deseas?"
          - id: pedido
            text: "Elige una opción"
            botones: {más_mañana: menu_princpal}
          - id: ayuda
            text: "Escribe 'menú'"

        """

    static let soporteSource = "steps:\n  - id: inicio\n    text: \"Hola\"\n\t\tnext: fin\n"

    static let unknownStep = Diagnostic(
        id: "unknown_step",
        severity: .error,
        message: "unknown step 'menu_princpal'",
        range: range(6, 27, 6, 40),
        notes: [DiagnosticNote(message: "step 'menu_principal' is defined here", range: range(2, 9, 2, 23))],
        suggestion: "did you mean 'menu_principal'?"
    )

    static let unreachable = Diagnostic(
        id: "unreachable_step",
        severity: .warning,
        message: "step 'ayuda' is never reached",
        range: range(7, 9, 7, 14)
    )

    static let pedido = FileDiagnostics(
        path: "flows/pedido.yaml",
        source: pedidoSource,
        diagnostics: [unknownStep, unreachable]
    )

    static let soporte = FileDiagnostics(
        path: "flows/soporte.yaml",
        source: soporteSource,
        diagnostics: [
            Diagnostic(id: "unknown_step", severity: .error, message: "unknown step 'fin'", range: range(4, 9, 4, 12)),
            Diagnostic(
                id: "dead_end", severity: .warning, message: "step 'inicio' has no way out", range: range(2, 3, 4, 1)),
        ]
    )

    static let files = [pedido, soporte]

    static let rules = [
        RuleDescriptor(
            id: "dead_end",
            severity: .warning,
            summary: "a step the conversation cannot leave",
            fix: "add `next`, `options` or `end: true`"
        ),
        RuleDescriptor(
            id: "unknown_step",
            severity: .error,
            summary: "a transition to a step that does not exist",
            fix: "use the id of a step defined in the flow"
        ),
    ]

    /// A range; renderers never read the byte offset.
    static func range(_ line: Int, _ column: Int, _ endLine: Int, _ endColumn: Int) -> SourceRange {
        SourceRange(
            start: SourceLocation(line: line, column: column, offset: 0),
            end: SourceLocation(line: endLine, column: endColumn, offset: 0)
        )
    }
}

private func lines(_ lines: String...) -> String {
    lines.map { $0 + "\n" }.joined()
}

private func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}

@Suite struct TextRendererTests {
    @Test func rendersBothFilesLikeTheSwiftCompiler() {
        let output = TextRenderer.render(files: Fixture.files, colors: false)
        let expected = lines(
            "flows/pedido.yaml:6:27: error: unknown step 'menu_princpal' [unknown_step]",
            "    botones: {más_mañana: menu_princpal}",
            "                          ^~~~~~~~~~~~~",
            "flows/pedido.yaml:2:9: note: step 'menu_principal' is defined here",
            "  - id: menu_principal",
            "        ^~~~~~~~~~~~~~",
            "  help: did you mean 'menu_principal'?",
            "flows/pedido.yaml:7:9: warning: step 'ayuda' is never reached [unreachable_step]",
            "  - id: ayuda",
            "        ^~~~~",
            "flows/soporte.yaml:4:9: error: unknown step 'fin' [unknown_step]",
            "\t\tnext: fin",
            "\t\t      ^~~",
            "flows/soporte.yaml:2:3: warning: step 'inicio' has no way out [dead_end]",
            "  - id: inicio",
            "  ^~~~~~~~~~~~"
        )
        #expect(output == expected)
    }

    /// The window's cuts fall between characters as people see them: no skin tone without its emoji, no emoji
    /// without its skin tone.
    @Test func aWindowDoesNotCutAnEmojiSequence() {
        let thumbs = "\u{1F44D}\u{1F3FD}"
        // Without the fix, both cuts would fall between an emoji and its skin tone.
        let line = String(repeating: thumbs, count: 2500) + "xBAD" + String(repeating: thumbs, count: 2500)
        let file = FileDiagnostics(
            path: "a.yaml", source: line + "\n",
            diagnostics: [
                Diagnostic(id: "unknown_step", severity: .error, message: "bad", range: Fixture.range(1, 5002, 1, 5005))
            ])
        let output = TextRenderer.render(files: [file], colors: false).split(separator: "\n").map(String.init)
        let shown = output[1]
        #expect(shown.hasPrefix("…\u{1F44D}\u{1F3FD}"))
        #expect(shown.hasSuffix("\u{1F44D}\u{1F3FD}…"))
        #expect(shown.contains("BAD"))
        let caret = output[2]
        #expect(caret.hasSuffix("^~~"))
    }

    /// A line longer than 240 characters (a minified file) is shown as a window around the place, cut with
    /// `…` on each side, the caret under the same character.
    @Test func aVeryLongLineIsShownAsAWindowAroundThePlace() {
        let line = String(repeating: "a", count: 5000) + "BAD" + String(repeating: "b", count: 5000)
        let file = FileDiagnostics(
            path: "a.yaml", source: line + "\n",
            diagnostics: [
                Diagnostic(id: "unknown_step", severity: .error, message: "bad", range: Fixture.range(1, 5001, 1, 5004))
            ])
        let output = TextRenderer.render(files: [file], colors: false).split(separator: "\n").map(String.init)
        #expect(output.count == 3)
        let shown = output[1]
        #expect(shown.hasPrefix("…") && shown.hasSuffix("…"))
        #expect(shown.count == TextRenderer.longestLineShown + 2)
        let caret = output[2]
        #expect(caret.hasSuffix("^~~"))
        let column = caret.count - 3
        #expect(Array(shown)[column..<(column + 3)] == ["B", "A", "D"])
    }

    /// Many places on one very long line, far apart and out of order (the renderer keeps a slice of the line around
    /// the place, not the whole line): each window keeps its width, its cuts and the caret under its place.
    @Test func placesFarApartOnOneLongLineEachGetTheirWindow() throws {
        let count = 20_000
        var scalars = Array(repeating: Character("a"), count: count)
        let columns = [1, 120, 700, 9_000, 9_400, 15_000, 19_990, count - 2]
        for column in columns { scalars[column - 1] = "X" }
        let line = String(scalars)
        let file = FileDiagnostics(
            path: "a.yaml", source: line + "\n",
            diagnostics: columns.reversed().map {
                Diagnostic(
                    id: "unknown_step", severity: .error, message: "at \($0)", range: Fixture.range(1, $0, 1, $0 + 1))
            })
        let output = TextRenderer.render(files: [file], colors: false).split(separator: "\n").map(String.init)
        #expect(output.count == columns.count * 3)
        for index in 0..<(output.count / 3) {
            let header = output[index * 3]
            let column = try #require(Int(header.split(separator: ":")[2]))
            let shown = Array(output[index * 3 + 1])
            let caret = output[index * 3 + 2]
            let startsCut = shown.first == "…"
            let endsCut = shown.last == "…"
            #expect(startsCut == (column > TextRenderer.longestLineShown / 3 + 1) || column > count - 240, "\(column)")
            #expect(endsCut == (column < count - 200), "\(column)")
            let width = shown.count - (startsCut ? 1 : 0) - (endsCut ? 1 : 0)
            #expect(width == TextRenderer.longestLineShown, "\(column)")
            #expect(caret.hasSuffix("^"))
            #expect(shown[caret.count - 1] == "X", "the caret is under the place at column \(column)")
            // What the window shows is the line around the place, character for character.
            let firstShown = column - 1 - (caret.count - 1 - (startsCut ? 1 : 0))
            #expect(
                String(shown[(startsCut ? 1 : 0)..<(shown.count - (endsCut ? 1 : 0))])
                    == String(scalars[firstShown..<(firstShown + width)]))
        }
    }

    /// Near the end of a long line the window shifts left and keeps its width, as it does at the start: the place
    /// is shown with as much of the line around it wherever it is.
    @Test func aWindowAtEitherEndOfALongLineKeepsItsWidth() {
        let line = String(repeating: "a", count: 390) + "BAD" + "b"
        for (column, cut) in [(391, "…"), (1, "")] {
            let file = FileDiagnostics(
                path: "a.yaml", source: line + "\n",
                diagnostics: [
                    Diagnostic(
                        id: "unknown_step", severity: .error, message: "bad",
                        range: Fixture.range(1, column, 1, column + 3))
                ])
            let output = TextRenderer.render(files: [file], colors: false).split(separator: "\n").map(String.init)
            let shown = output[1]
            #expect(shown.count == TextRenderer.longestLineShown + 1, "column \(column)")
            if cut.isEmpty {
                #expect(shown.hasPrefix("aaa") && shown.hasSuffix("…"))
            } else {
                #expect(shown.hasPrefix("…") && shown.hasSuffix("BADb"))
            }
            let caret = output[2]
            let at = caret.count - 3
            let expected: [Character] = cut.isEmpty ? ["a", "a", "a"] : ["B", "A", "D"]
            #expect(Array(Array(shown)[at..<(at + 3)]) == expected, "column \(column)")
        }
    }

    /// An empty line (an empty file, a syntax error at the end of a file) has nothing to point at: no source line
    /// and no lone caret, as for a file whose text is unknown.
    @Test func anEmptyLineIsLeftOut() {
        for (source, line) in [("", 1), ("a: 1\n", 2), ("a: 1\n\nb: 2\n", 2)] {
            let file = FileDiagnostics(
                path: "a.yaml", source: source,
                diagnostics: [
                    Diagnostic(
                        id: "yaml_syntax", severity: .error, message: "bad", range: Fixture.range(line, 1, line, 1))
                ])
            let output = TextRenderer.render(files: [file], colors: false)
            #expect(output == "a.yaml:\(line):1: error: bad [yaml_syntax]\n", "\(source.debugDescription)")
        }
    }

    @Test func countsColumnsInScalarsNotBytes() {
        let output = TextRenderer.render(files: [Fixture.pedido], colors: false)
        let caretLine = output.split(separator: "\n", omittingEmptySubsequences: false)[2]
        // `más_mañana` has two 2-byte scalars; a byte count would put the caret two columns further right.
        #expect(caretLine.firstIndex(of: "^").map { caretLine.distance(from: caretLine.startIndex, to: $0) } == 26)
    }

    @Test func padsWideCharactersAndSkipsCombiningMarks() {
        // "Cafe" + U+0301 (combining acute, no width) + 👋 (two cells wide).
        let file = FileDiagnostics(
            path: "a.yaml",
            source: "    text: \"Cafe\u{301} 👋 {nombre}\"\n",
            diagnostics: [
                Diagnostic(
                    id: "unknown_variable",
                    severity: .error,
                    message: "unknown variable 'nombre'",
                    range: Fixture.range(1, 20, 1, 28)
                )
            ]
        )
        let output = TextRenderer.render(files: [file], colors: false)
        #expect(
            output
                == lines(
                    "a.yaml:1:20: error: unknown variable 'nombre' [unknown_variable]",
                    "    text: \"Cafe\u{301} 👋 {nombre}\"",
                    String(repeating: " ", count: 19) + "^" + String(repeating: "~", count: 7)
                )
        )
    }

    /// An emoji sequence is one emoji on screen, two cells: a flag (two regional indicators), a family joined by
    /// ZWJ, a skin tone, and a keycap or heart made emoji by VS16. The caret after them lands under the place.
    @Test func anEmojiSequenceTakesTwoColumns() {
        let line =
            "x: \"\u{1F1E8}\u{1F1F4} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} \u{1F44D}\u{1F3FD} "
            + "1\u{FE0F}\u{20E3} \u{2764}\u{FE0F} Z\""
        // Columns are scalars: `x: "` is 4, then 2 + 1 + 5 + 1 + 2 + 1 + 3 + 1 + 2 + 1 = 19, so Z is column 24.
        let file = FileDiagnostics(
            path: "a.yaml", source: line + "\n",
            diagnostics: [
                Diagnostic(id: "emoji_in_text", severity: .error, message: "m", range: Fixture.range(1, 24, 1, 25))
            ])
        let output = TextRenderer.render(files: [file], colors: false)
        // On screen: `x: "` 4 cells, then five emoji of 2 cells each with a space after each: 15 cells.
        #expect(output == lines("a.yaml:1:24: error: m [emoji_in_text]", line, String(repeating: " ", count: 19) + "^"))
    }

    @Test func emptyRangeAtEndOfLineGetsOneCaret() {
        let file = FileDiagnostics(
            path: "a.yaml",
            source: "key:\n",
            diagnostics: [
                Diagnostic(
                    id: "syntax", severity: .error, message: "expected a value", range: Fixture.range(1, 5, 1, 5))
            ]
        )
        #expect(
            TextRenderer.render(files: [file], colors: false)
                == lines("a.yaml:1:5: error: expected a value [syntax]", "key:", "    ^")
        )
    }

    @Test func underlinesTabsInsideTheRangeToTheNextTabStop() {
        let file = FileDiagnostics(
            path: "a.yaml",
            source: "\tnext: fin\na:\tb\n",
            diagnostics: [
                Diagnostic(
                    id: "tab", severity: .error, message: "tab in indentation", range: Fixture.range(1, 1, 1, 2)),
                Diagnostic(id: "tab", severity: .warning, message: "tab in value", range: Fixture.range(2, 1, 2, 5)),
            ]
        )
        #expect(
            TextRenderer.render(files: [file], colors: false)
                == lines(
                    "a.yaml:1:1: error: tab in indentation [tab]",
                    "\tnext: fin",
                    "^" + String(repeating: "~", count: 7),
                    "a.yaml:2:1: warning: tab in value [tab]",
                    "a:\tb",
                    "^" + String(repeating: "~", count: 8)
                )
        )
    }

    @Test func leavesOutTheSnippetWithoutSource() {
        var file = Fixture.pedido
        file.source = nil
        file.diagnostics = [Fixture.unknownStep]
        let output = TextRenderer.render(files: [file], colors: false)
        #expect(
            output
                == lines(
                    "flows/pedido.yaml:6:27: error: unknown step 'menu_princpal' [unknown_step]",
                    "flows/pedido.yaml:2:9: note: step 'menu_principal' is defined here",
                    "  help: did you mean 'menu_principal'?"
                )
        )
    }

    @Test func rendersNothingWithoutDiagnostics() {
        let file = FileDiagnostics(path: "a.yaml", source: "steps: []\n", diagnostics: [])
        #expect(TextRenderer.render(files: [file], colors: false) == "")
        #expect(TextRenderer.render(files: [file], colors: true) == "")
    }

    @Test func colorsOffHasNoEscapeCodes() {
        let hostile = FileDiagnostics(
            path: "a\u{1B}[31m.yaml",
            source: "text: \"\u{1B}]0;pwned\u{07}\"\n",
            diagnostics: [
                Diagnostic(
                    id: "bad",
                    severity: .warning,
                    message: "bad \u{1B}[2J text",
                    range: Fixture.range(1, 7, 1, 18),
                    notes: [DiagnosticNote(message: "here", range: Fixture.range(1, 1, 1, 5))],
                    suggestion: "remove \u{1B}"
                )
            ]
        )
        let output = TextRenderer.render(files: Fixture.files + [hostile], colors: false)
        #expect(!output.contains("\u{1B}"))
        #expect(output.contains("a\u{FFFD}[31m.yaml:1:7: warning: bad \u{FFFD}[2J text [bad]\n"))
        // The escape became one replacement character, so the underline still lines up.
        let underline = "      ^" + String(repeating: "~", count: 10)
        #expect(output.contains("text: \"\u{FFFD}]0;pwned\u{FFFD}\"\n\(underline)\n"))
    }

    /// An invisible character in a message and in the source line shows as its escape, and the caret still
    /// points at the value: columns are counted in the line as printed.
    @Test func invisibleCharactersShowAsEscapesAndTheCaretFollows() {
        let file = FileDiagnostics(
            path: "ven\u{202E}tas.yaml",
            source: "\u{200B}start: \"consentimiento\u{202E}\"\n",
            diagnostics: [
                Diagnostic(
                    id: "unknown_key", severity: .error, message: "unknown key '\u{200B}start'",
                    range: Fixture.range(1, 1, 1, 7), suggestion: "did you mean 'start'?"),
                Diagnostic(
                    id: "invalid_value", severity: .error,
                    message: "'consentimiento\u{202E}' is not a valid name",
                    range: Fixture.range(1, 10, 1, 25)),
            ]
        )
        let output = TextRenderer.render(files: [file], colors: false)
        let line = #"\u{200B}start: "consentimiento\u{202E}""#
        #expect(
            output == #"ven\u{202E}tas.yaml:1:1: error: unknown key '\u{200B}start' [unknown_key]"# + "\n"
                + line + "\n^" + String(repeating: "~", count: 12) + "\n  help: did you mean 'start'?\n"
                + #"ven\u{202E}tas.yaml:1:10: error: 'consentimiento\u{202E}' is not a valid name [invalid_value]"#
                + "\n" + line + "\n" + String(repeating: " ", count: 16) + "^" + String(repeating: "~", count: 21)
                + "\n")
        #expect(!output.unicodeScalars.contains { $0 == "\u{200B}" || $0 == "\u{202E}" })
    }

    /// A range that starts or ends past an escape, or past the end of the line, lands where it did before.
    @Test func anEscapeBeforeTheRangeShiftsTheCaret() {
        let file = FileDiagnostics(
            path: "a.yaml", source: "a\u{FEFF}b: c\n",
            diagnostics: [
                Diagnostic(id: "x", severity: .warning, message: "m", range: Fixture.range(1, 3, 1, 4)),
                Diagnostic(id: "y", severity: .warning, message: "m", range: Fixture.range(1, 7, 1, 9)),
            ]
        )
        let output = TextRenderer.render(files: [file], colors: false)
        #expect(output.contains(#"a\u{FEFF}b: c"# + "\n" + String(repeating: " ", count: 9) + "^\n"))
        #expect(output.contains(#"a\u{FEFF}b: c"# + "\n" + String(repeating: " ", count: 13) + "^\n"))
    }

    @Test func colorsOnUsesANSICodes() {
        let output = TextRenderer.render(files: Fixture.files, colors: true)
        #expect(output.contains("\u{1B}"))
        let bold = "\u{1B}[1m"
        let reset = "\u{1B}[0m"
        #expect(
            output.hasPrefix(
                "\(bold)flows/pedido.yaml:6:27:\(reset) \u{1B}[1;31merror:\(reset) "
                    + "\(bold)unknown step 'menu_princpal' [unknown_step]\(reset)\n"
                    + "    botones: {más_mañana: menu_princpal}\n"
                    + String(repeating: " ", count: 26) + "\u{1B}[1;32m^~~~~~~~~~~~~\(reset)\n"
            )
        )
        #expect(output.contains("\u{1B}[1;36mnote:\(reset)"))
        #expect(output.contains("\u{1B}[1;35mwarning:\(reset)"))
        #expect(output.contains("  \u{1B}[1;32mhelp:\(reset) did you mean 'menu_principal'?\n"))
    }

    @Test func summaryUsesSingularAndPlural() {
        #expect(TextRenderer.summary(files: Fixture.files) == "2 errors, 2 warnings in 2 files")
        #expect(TextRenderer.summary(files: [Fixture.pedido]) == "1 error, 1 warning in 1 file")

        var threeErrors = Fixture.pedido
        threeErrors.diagnostics = [Fixture.unknownStep, Fixture.unknownStep, Fixture.unreachable]
        #expect(TextRenderer.summary(files: [threeErrors, Fixture.soporte]) == "3 errors, 2 warnings in 2 files")

        var warningOnly = Fixture.pedido
        warningOnly.diagnostics = [Fixture.unreachable]
        let clean = FileDiagnostics(path: "b.yaml", source: "", diagnostics: [])
        #expect(TextRenderer.summary(files: [warningOnly, clean]) == "1 warning in 1 file")

        var noteOnly = clean
        noteOnly.diagnostics = [Diagnostic(id: "info", severity: .note, message: "m", range: .fileStart)]
        #expect(TextRenderer.summary(files: [noteOnly]) == "1 note in 1 file")

        #expect(TextRenderer.summary(files: [clean]) == "no problems found in 1 file")
        #expect(TextRenderer.summary(files: [clean, clean, clean]) == "no problems found in 3 files")
        #expect(TextRenderer.summary(files: []) == "no problems found in 0 files")
    }
}

@Suite struct JSONRendererTests {
    @Test func goldenOutputForOneDiagnostic() {
        var file = Fixture.pedido
        file.diagnostics = [Fixture.unknownStep]
        let expected = lines(
            "[",
            "  {",
            "    \"column\" : 27,",
            "    \"endColumn\" : 40,",
            "    \"endLine\" : 6,",
            "    \"file\" : \"flows/pedido.yaml\",",
            "    \"id\" : \"unknown_step\",",
            "    \"line\" : 6,",
            "    \"message\" : \"unknown step 'menu_princpal'\",",
            "    \"notes\" : [",
            "      {",
            "        \"column\" : 9,",
            "        \"endColumn\" : 23,",
            "        \"endLine\" : 2,",
            "        \"file\" : \"flows/pedido.yaml\",",
            "        \"line\" : 2,",
            "        \"message\" : \"step 'menu_principal' is defined here\"",
            "      }",
            "    ],",
            "    \"severity\" : \"error\",",
            "    \"suggestion\" : \"did you mean 'menu_principal'?\"",
            "  }",
            "]"
        )
        #expect(JSONRenderer.render(files: [file]) == expected)
    }

    @Test func parsesBackWithEveryField() throws {
        let output = JSONRenderer.render(files: Fixture.files)
        #expect(!output.contains("\\/"))
        #expect(output.contains("    \"notes\" : [],\n"))
        let array = try #require(try parseJSON(output) as? [[String: Any]])
        try #require(array.count == 4)

        let first = array[0]
        #expect(first["file"] as? String == "flows/pedido.yaml")
        #expect(first["line"] as? Int == 6)
        #expect(first["column"] as? Int == 27)
        #expect(first["endLine"] as? Int == 6)
        #expect(first["endColumn"] as? Int == 40)
        #expect(first["severity"] as? String == "error")
        #expect(first["id"] as? String == "unknown_step")
        #expect(first["message"] as? String == "unknown step 'menu_princpal'")
        #expect(first["suggestion"] as? String == "did you mean 'menu_principal'?")
        let notes = try #require(first["notes"] as? [[String: Any]])
        try #require(notes.count == 1)
        #expect(notes[0]["message"] as? String == "step 'menu_principal' is defined here")
        #expect(notes[0]["file"] as? String == "flows/pedido.yaml")
        #expect(notes[0]["line"] as? Int == 2)
        #expect(notes[0]["column"] as? Int == 9)
        #expect(notes[0]["endLine"] as? Int == 2)
        #expect(notes[0]["endColumn"] as? Int == 23)

        let warning = array[1]
        #expect(warning["severity"] as? String == "warning")
        #expect(warning["id"] as? String == "unreachable_step")
        #expect(warning["suggestion"] == nil)
        #expect((warning["notes"] as? [Any])?.isEmpty == true)

        // Files and diagnostics in the order given, not re-sorted.
        #expect(
            array.map { $0["file"] as? String } == [
                "flows/pedido.yaml", "flows/pedido.yaml", "flows/soporte.yaml", "flows/soporte.yaml",
            ])
        #expect(array.map { $0["id"] as? String } == ["unknown_step", "unreachable_step", "unknown_step", "dead_end"])
        let multiLine = array[3]
        #expect(multiLine["line"] as? Int == 2)
        #expect(multiLine["endLine"] as? Int == 4)
        #expect(multiLine["endColumn"] as? Int == 1)
    }

    /// JSON keeps the exact text (a tool reading it gets the characters back), but writes every invisible
    /// character and DEL as a `\u` escape, so the bytes printed carry none of them.
    @Test func escapesInvisibleCharactersTheJSONWay() throws {
        let file = FileDiagnostics(
            path: "ven\u{202E}tas.yaml",
            source: nil,
            diagnostics: [
                Diagnostic(
                    id: "x", severity: .error, message: "a\u{0}\u{1B}\u{7F}\u{9B}\u{200B}\u{2028}\u{E0001} 👩‍💻 ñ",
                    range: Fixture.range(1, 1, 1, 2))
            ]
        )
        for output in [
            JSONRenderer.render(files: [file]),
            SARIFRenderer.render(files: [file], rules: []),
        ] {
            #expect(output.unicodeScalars.allSatisfy { $0 == "\n" || !VisibleText.isInvisible($0) || $0 == " " })
            #expect(output.contains(#"a\u0000\u001b\u007F\u009B\u200B\u2028\uDB40\uDC01 👩\u200D💻 ñ"#))
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(JSONRenderer.render(files: [file]).utf8))
        let entry = try #require((parsed as? [[String: Any]])?.first)
        #expect(entry["file"] as? String == "ven\u{202E}tas.yaml")
        #expect(entry["message"] as? String == "a\u{0}\u{1B}\u{7F}\u{9B}\u{200B}\u{2028}\u{E0001} 👩‍💻 ñ")
    }

    @Test func emptyIsAnEmptyArray() throws {
        #expect(JSONRenderer.render(files: []) == "[]\n")
        let clean = FileDiagnostics(path: "a.yaml", source: "", diagnostics: [])
        #expect((try parseJSON(JSONRenderer.render(files: [clean])) as? [Any])?.isEmpty == true)
    }
}

@Suite struct SARIFRendererTests {
    @Test func parsesBackAsSARIF210() throws {
        let output = SARIFRenderer.render(
            files: Fixture.files,
            rules: Fixture.rules,
            toolVersion: "0.1.0",
            informationURI: "https://example.com/talkflow"
        )
        #expect(output.hasPrefix("{\n  \"$schema\" : \"https://json.schemastore.org/sarif-2.1.0.json\",\n"))
        let log = try #require(try parseJSON(output) as? [String: Any])
        #expect(log["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        #expect(log["version"] as? String == "2.1.0")
        let runs = try #require(log["runs"] as? [[String: Any]])
        try #require(runs.count == 1)
        let run = runs[0]
        #expect(run["columnKind"] as? String == "unicodeCodePoints")

        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "talkflow")
        #expect(driver["version"] as? String == "0.1.0")
        #expect(driver["informationUri"] as? String == "https://example.com/talkflow")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        try #require(rules.count == 2)
        #expect(rules[1]["id"] as? String == "unknown_step")
        #expect((rules[1]["shortDescription"] as? [String: Any])?["text"] as? String == Fixture.rules[1].summary)
        #expect((rules[1]["fullDescription"] as? [String: Any])?["text"] as? String == Fixture.rules[1].fix)
        #expect((rules[1]["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        #expect((rules[0]["defaultConfiguration"] as? [String: Any])?["level"] as? String == "warning")

        let results = try #require(run["results"] as? [[String: Any]])
        try #require(results.count == 4)
        #expect(
            results.map { $0["ruleId"] as? String } == ["unknown_step", "unreachable_step", "unknown_step", "dead_end"])
        #expect(results.map { $0["level"] as? String } == ["error", "warning", "error", "warning"])

        let first = results[0]
        #expect(first["ruleIndex"] as? Int == 1)
        let message = (first["message"] as? [String: Any])?["text"] as? String
        #expect(message == "unknown step 'menu_princpal' (did you mean 'menu_principal'?)")
        #expect((first["properties"] as? [String: Any])?["suggestion"] as? String == "did you mean 'menu_principal'?")
        let location = try #require((first["locations"] as? [[String: Any]])?.first)
        let physical = try #require(location["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "flows/pedido.yaml")
        let region = try #require(physical["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 6)
        #expect(region["startColumn"] as? Int == 27)
        #expect(region["endLine"] as? Int == 6)
        #expect(region["endColumn"] as? Int == 40)

        let related = try #require(first["relatedLocations"] as? [[String: Any]])
        try #require(related.count == 1)
        #expect(
            (related[0]["message"] as? [String: Any])?["text"] as? String == "step 'menu_principal' is defined here")
        let relatedPhysical = try #require(related[0]["physicalLocation"] as? [String: Any])
        #expect((relatedPhysical["artifactLocation"] as? [String: Any])?["uri"] as? String == "flows/pedido.yaml")
        let relatedRegion = try #require(relatedPhysical["region"] as? [String: Any])
        #expect(relatedRegion["startLine"] as? Int == 2)
        #expect(relatedRegion["startColumn"] as? Int == 9)
        #expect(relatedRegion["endColumn"] as? Int == 23)

        // No rule descriptor for `unreachable_step`: the result keeps its ruleId but has no ruleIndex.
        let warning = results[1]
        #expect(warning["ruleIndex"] == nil)
        #expect(warning["relatedLocations"] == nil)
        #expect(warning["properties"] == nil)
        #expect((warning["message"] as? [String: Any])?["text"] as? String == "step 'ayuda' is never reached")

        let deadEnd = results[3]
        #expect(deadEnd["ruleIndex"] as? Int == 0)
        let deadEndLocation = try #require((deadEnd["locations"] as? [[String: Any]])?.first)
        let deadEndPhysical = try #require(deadEndLocation["physicalLocation"] as? [String: Any])
        #expect((deadEndPhysical["artifactLocation"] as? [String: Any])?["uri"] as? String == "flows/soporte.yaml")
        let multiLine = try #require(deadEndPhysical["region"] as? [String: Any])
        #expect(multiLine["startLine"] as? Int == 2)
        #expect(multiLine["startColumn"] as? Int == 3)
        #expect(multiLine["endLine"] as? Int == 4)
        #expect(multiLine["endColumn"] as? Int == 1)
    }

    @Test func leavesOutOptionalDriverFields() throws {
        let output = SARIFRenderer.render(files: [], rules: [])
        let log = try #require(try parseJSON(output) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "talkflow")
        #expect(driver["version"] == nil)
        #expect(driver["informationUri"] == nil)
        #expect((run["results"] as? [Any])?.isEmpty == true)
    }

    @Test func percentEncodesPaths() {
        #expect(SARIFRenderer.uriReference("flows/menu-2_b.v1~.yaml") == "flows/menu-2_b.v1~.yaml")
        #expect(SARIFRenderer.uriReference("my flows/menú.yaml") == "my%20flows/men%C3%BA.yaml")
        #expect(SARIFRenderer.uriReference("c:50%#x.yaml") == "c%3A50%25%23x.yaml")
    }

    /// A file name that is not UTF-8 is printed with U+FFFD in every format: its URI encodes U+FFFD, not the
    /// private-use character that holds the byte inside talkflow (`caf%F4%8F%BB%A9.yaml`; contract2 #4).
    @Test func aByteOfANameThatIsNotUTF8IsEncodedAsTheReplacementCharacter() {
        let held = SystemPath.decode(Array("caf".utf8) + [0xE9] + Array(".yaml".utf8))
        #expect(SystemPath.display(held) == "caf\u{FFFD}.yaml")
        #expect(SARIFRenderer.uriReference(held) == "caf%EF%BF%BD.yaml")
    }
}

@Suite struct GitHubRendererTests {
    @Test func rendersOneCommandPerDiagnosticAndNote() {
        let output = GitHubRenderer.render(files: Fixture.files)
        let expected = lines(
            "::error file=flows/pedido.yaml,line=6,col=27,endLine=6,endColumn=40,title=unknown_step"
                + "::unknown step 'menu_princpal'%0Ahelp: did you mean 'menu_principal'?",
            "::notice file=flows/pedido.yaml,line=2,col=9,endLine=2,endColumn=23,title=unknown_step (note)"
                + "::step 'menu_principal' is defined here",
            "::warning file=flows/pedido.yaml,line=7,col=9,endLine=7,endColumn=14,title=unreachable_step"
                + "::step 'ayuda' is never reached",
            "::error file=flows/soporte.yaml,line=4,col=9,endLine=4,endColumn=12,title=unknown_step"
                + "::unknown step 'fin'",
            // Multi-line: GitHub rejects columns, so only lines are sent.
            "::warning file=flows/soporte.yaml,line=2,endLine=4,title=dead_end::step 'inicio' has no way out"
        )
        #expect(output == expected)
    }

    @Test func escapesMessagesAndProperties() {
        let file = FileDiagnostics(
            path: "flows/a,b:c%d.yaml",
            source: nil,
            diagnostics: [
                Diagnostic(
                    id: "rule:x,y",
                    severity: .note,
                    message: "100% sure: a, b\r\nnext line",
                    range: Fixture.range(1, 1, 1, 1)
                )
            ]
        )
        #expect(
            GitHubRenderer.render(files: [file])
                == "::notice file=flows/a%2Cb%3Ac%25d.yaml,line=1,col=1,endLine=1,endColumn=1,title=rule%3Ax%2Cy"
                + "::100%25 sure: a, b%0D%0Anext line\n"
        )
        #expect(GitHubRenderer.escapeData("%,:\r\n") == "%25,:%0D%0A")
        #expect(GitHubRenderer.escapeProperty("%,:\r\n") == "%25%2C%3A%0D%0A")
        #expect(GitHubRenderer.escapeData("%0A") == "%250A")
    }

    /// Control characters other than line breaks are shown as U+FFFD and invisible ones as escapes, after the
    /// `%`-escaping: no ANSI code, NUL or bidi override reaches the log, which GitHub renders.
    @Test func showsControlAndInvisibleCharactersAsTextDoes() {
        let file = FileDiagnostics(
            path: "xesc\u{1B}[31mred\u{202E}.yaml",
            source: nil,
            diagnostics: [
                Diagnostic(
                    id: "invalid_value",
                    severity: .error,
                    message: "'cons\u{1B}[2Jentimiento\u{0}\u{200B}' 100%\r\n",
                    range: Fixture.range(6, 1, 6, 2),
                    notes: [DiagnosticNote(message: "note \u{7}\u{FEFF}", range: Fixture.range(1, 1, 1, 2))],
                    suggestion: "did you mean '\u{2066}x'?"
                )
            ]
        )
        let output = GitHubRenderer.render(files: [file])
        #expect(
            output
                == #"::error file=xesc\#u{FFFD}[31mred\u{202E}.yaml,line=6,col=1,endLine=6,endColumn=2,"#
                + #"title=invalid_value::'cons\#u{FFFD}[2Jentimiento\#u{FFFD}\u{200B}' 100%25%0D%0A%0A"#
                + #"help: did you mean '\u{2066}x'?"# + "\n"
                + #"::notice file=xesc\#u{FFFD}[31mred\u{202E}.yaml,line=1,col=1,endLine=1,endColumn=2,"#
                + #"title=invalid_value (note)::note \#u{FFFD}\u{FEFF}"# + "\n")
        #expect(!output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func rendersNothingWithoutDiagnostics() {
        #expect(GitHubRenderer.render(files: [FileDiagnostics(path: "a.yaml", source: "", diagnostics: [])]) == "")
    }
}

/// A file shows its first `FileDiagnostics.shownLimit` diagnostics, then one note saying how many more there are,
/// in every format; the summary still counts them all.
@Suite struct DiagnosticCapTests {
    /// 1,003 errors and 2 warnings, one per line: the last five are not shown (three errors, two warnings).
    static let flooded = FileDiagnostics(
        path: "big.yaml", source: String(repeating: "k: v\n", count: 1005),
        diagnostics: (1...1005).map { line in
            Diagnostic(
                id: line > 1003 ? "unreachable_step" : "unknown_key", severity: line > 1003 ? .warning : .error,
                message: "problem \(line)", range: Fixture.range(line, 1, line, 2))
        })
    static let note =
        "… and 5 more diagnostics not shown (3 errors, 2 warnings): only the first 1000 of a file are shown"

    @Test func keepsTheFirstThousandAndCountsTheRest() {
        let file = Self.flooded
        #expect(file.shown.map(\.message) == (1...1000).map { "problem \($0)" })
        #expect(file.notShown.errors == 3 && file.notShown.warnings == 2 && file.notShown.notes == 0)
        #expect(file.errorCount == 1003)
        #expect(file.warningCount == 2)
        #expect(FileDiagnostics(path: "a.yaml", source: nil, diagnostics: []).notShownNote == nil)
    }

    /// A caller that drops diagnostics afterwards (`lock` drops the warning it settles) shows and counts what is
    /// left: the ones past the limit move up, nothing dropped is still counted.
    @Test func droppingDiagnosticsShowsAndCountsTheRest() {
        var file = Self.flooded
        file.diagnostics.removeAll { $0.id == "unreachable_step" || $0.message == "problem 1" }
        #expect(file.shown.map(\.message) == (2...1001).map { "problem \($0)" })
        #expect(file.notShown.errors == 2 && file.notShown.warnings == 0)
        #expect(file.errorCount == 1002 && file.warningCount == 0)
        #expect(file.notShownNote?.message.hasPrefix("… and 2 more diagnostics not shown (2 errors)") == true)
    }

    @Test func textEndsTheFileWithTheNoteAndTheSummaryCountsEverything() {
        let output = TextRenderer.render(files: [Self.flooded], colors: false)
        #expect(
            output.hasSuffix(
                "big.yaml:1000:1: error: problem 1000 [unknown_key]\nk: v\n^\n"
                    + "big.yaml:1:1: note: \(Self.note) [diagnostics_not_shown]\n"))
        #expect(output.components(separatedBy: ": error: ").count == 1001)
        #expect(TextRenderer.summary(files: [Self.flooded]) == "1003 errors, 2 warnings in 1 file")
    }

    @Test func jsonEndsTheFileWithTheNoteAndItsCounts() throws {
        let entries = try #require(try parseJSON(JSONRenderer.render(files: [Self.flooded])) as? [[String: Any]])
        #expect(entries.count == 1001)
        let last = try #require(entries.last)
        #expect(last["id"] as? String == "diagnostics_not_shown")
        #expect(last["severity"] as? String == "note")
        #expect(last["message"] as? String == Self.note)
        #expect(last["file"] as? String == "big.yaml")
        #expect(last["line"] as? Int == 1 && last["column"] as? Int == 1)
        #expect(last["notShown"] as? [String: Int] == ["errors": 3, "warnings": 2, "notes": 0])
        #expect(entries.dropLast().allSatisfy { $0["notShown"] == nil })
    }

    @Test func sarifEndsTheFileWithANoteResult() throws {
        let log = try #require(
            try parseJSON(SARIFRenderer.render(files: [Self.flooded], rules: Fixture.rules)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 1001)
        let last = try #require(results.last)
        #expect(last["ruleId"] as? String == "diagnostics_not_shown")
        #expect(last["ruleIndex"] == nil)
        #expect(last["level"] as? String == "note")
        #expect((last["message"] as? [String: Any])?["text"] as? String == Self.note)
        #expect(
            (last["properties"] as? [String: Any])?["notShown"] as? [String: Int]
                == ["errors": 3, "warnings": 2, "notes": 0])
    }

    @Test func githubEndsTheFileWithANotice() throws {
        let lines = GitHubRenderer.render(files: [Self.flooded]).split(separator: "\n").map(String.init)
        #expect(lines.count == 1001)
        let expected =
            "::notice file=big.yaml,line=1,col=1,endLine=1,endColumn=1,title=diagnostics_not_shown::" + Self.note
        #expect(try #require(lines.last) == expected)
    }

}
