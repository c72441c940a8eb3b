import FlowDiagnostics

/// `Docs/lint-rules.md`, generated from the rule descriptors and the fixtures' golden output so that the page can
/// never drift from the code: a test fails when the committed page differs from what this renders.
public enum RuleCatalog {
    /// The page. `examples` maps a rule id to one of its diagnostics as `--format text` prints it, taken from the
    /// rule's fixture (`example(of:inGolden:)`); a rule without one gets no example. `exampleNotes` says, under an
    /// example, where its fixture differs from a real run (a lowered limit).
    public static func markdown(
        _ descriptors: [RuleDescriptor] = RuleRegistry.descriptors, examples: [String: String] = [:],
        exampleNotes: [String: String] = [:]
    ) -> String {
        var out = """
            # Lint rules

            Every check `talkflow lint` makes, with its stable id. The id is what appears in brackets after a
            message, in `--format json` output and in SARIF; warnings can be silenced for one step with
            `suppress: [id]` (errors cannot). This page is generated from the rules themselves
            (`Sources/FlowCompiler/RuleCatalog.swift`); each rule has a broken example with its expected output in
            `Tests/FlowCompilerTests/Fixtures/<id>/`, and its section below shows what its diagnostics point at and
            the first of them in that expected output (`expected.txt`), as `talkflow lint` prints it. A range that
            is a place rather than a span of text is empty: a lone `^` ([cli](cli.md#conventions)).

            | id | severity | what it finds |
            |---|---|---|

            """
        for d in descriptors {
            out += "| [`\(d.id)`](#\(d.id)) | \(d.severity.rawValue) | \(d.summary) |\n"
        }
        for d in descriptors {
            out += "\n## \(d.id)\n\n"
            out += "**\(d.severity.rawValue)** — \(d.summary).\n\n"
            if let pointsAt = d.pointsAt {
                out += "Points at: \(pointsAt).\n\n"
            }
            out += "How to fix: \(d.fix)\n"
            if let example = examples[d.id] {
                out += "\nExample (`Tests/FlowCompilerTests/Fixtures/\(d.id)/`):\n\n```\n\(example)```\n"
                if let note = exampleNotes[d.id] { out += "\n\(note)\n" }
            }
        }
        return out
    }

    /// The first diagnostic of `id` in a fixture's `expected.txt` (text output without colours): its header, its
    /// source line and caret, its notes and its `help:` line, up to the next diagnostic. Nil when there is none.
    public static func example(of id: String, inGolden golden: String) -> String? {
        let lines = golden.split(separator: "\n", omittingEmptySubsequences: false)
        /// A diagnostic's header, `path:line:column: severity: message [id]`; a note's header has no id.
        func isHeader(_ line: Substring, id wanted: String? = nil) -> Bool {
            guard line.hasSuffix("]"), let open = line.lastIndex(of: "[") else { return false }
            let found = line[line.index(after: open)..<line.index(before: line.endIndex)]
            guard wanted.map({ found == $0 }) ?? (RuleRegistry.descriptor(String(found)) != nil) else { return false }
            let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.count == 4 && Int(parts[1]) != nil && Int(parts[2]) != nil
                && ["error", "warning", "note"].contains { parts[3].hasPrefix(" \($0): ") }
        }
        guard let start = lines.firstIndex(where: { isHeader($0, id: id) }) else { return nil }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { isHeader($0) || $0.isEmpty } ?? lines.endIndex
        return lines[start..<end].map { $0 + "\n" }.joined()
    }
}
