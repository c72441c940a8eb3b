import FlowDiagnostics

/// `Docs/lint-rules.md`, generated from the rule descriptors so that the page can never drift from the
/// code: a test fails when the committed page differs from what this renders.
public enum RuleCatalog {
    public static func markdown(_ descriptors: [RuleDescriptor] = RuleRegistry.descriptors) -> String {
        var out = """
            # Lint rules

            Every check `talkflow lint` makes, with its stable id. The id is what appears in brackets after a
            message, in `--format json` output and in SARIF; warnings can be silenced for one step with
            `suppress: [id]` (errors cannot). This page is generated from the rules themselves
            (`Sources/FlowCompiler/RuleCatalog.swift`); each rule has a broken example with its expected output in
            `Tests/FlowCompilerTests/Fixtures/<id>/`.

            | id | severity | what it finds |
            |---|---|---|

            """
        for d in descriptors {
            out += "| [`\(d.id)`](#\(d.id)) | \(d.severity.rawValue) | \(d.summary) |\n"
        }
        for d in descriptors {
            out += "\n## \(d.id)\n\n"
            out += "**\(d.severity.rawValue)** — \(d.summary).\n\n"
            out += "How to fix: \(d.fix)\n"
        }
        return out
    }
}
