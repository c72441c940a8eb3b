import FlowDiagnostics
import FlowLanguage

/// A control character (NUL, ESC, DEL, a carriage return, a C1 control…) in text the bot sends: YAML writes one
/// from an escape in a double-quoted string (`"\0"`, `"\e[31m"`, `"\x7f"`), and it would reach the contact as a
/// box or nothing (or restyle the terminal of whoever reads the conversation). A line feed is text, and so is a
/// tab, except in a template parameter, where `TemplateParameterText` refuses it. Reported as `invalid_value`,
/// once per character at its exact column.
struct ControlCharacterRule: LintRule {
    var descriptors: [RuleDescriptor] { [] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for text in context.botTexts {
            for found in ControlCharacters.offsets(in: text.text.value, tabs: true) {
                let range = context.range(ofScalars: found.offset..<(found.offset + 1), in: text.text)
                diagnostics.append(
                    SchemaRules.invalidValue.diagnostic(
                        "\(text.what) contains the control character \(ControlCharacters.described(found.scalar)); "
                            + "a phone shows it as a box or not at all", at: range,
                        suggestion: "remove it (an escape such as \\0, \\e or \\x7f in double quotes writes one); "
                            + "write a line break as a new line or \\n"))
            }
        }
        return diagnostics
    }
}
