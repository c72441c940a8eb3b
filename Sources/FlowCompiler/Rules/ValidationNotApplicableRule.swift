import FlowDiagnostics
import FlowLanguage

/// A `validate` key the runtime never applies to the step's kind of answer (`max_length` on `input: phone`,
/// anything on a file) is ignored without a word, and the answer is saved unchecked while the tenant believes
/// it was checked. A warning, not an error: the flow runs, only the key does nothing.
struct ValidationNotApplicableRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "validation_not_applicable", severity: .warning,
        summary: "an `ask` step's `validate` key that its `input` never applies: `min_length` and `max_length` "
            + "apply to `text` and `email` answers, `min` and `max` to `number`, `pattern` to every typed "
            + "answer but never to a `document` or `image` file",
        fix: "Remove the key, or check the answer another way: `pattern` checks the value as stored (a phone as "
            + "`+` and digits, a date as `YYYY-MM-DD`), `min` and `max` bound a number, `min_length` and "
            + "`max_length` the length of a text.",
        pointsAt: "the key inside `validate` that has no effect")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// A key of `validate` and the kinds of answer the runtime checks it on (`AnswerValidation.validate`).
    struct Key: Sendable {
        var name: String
        var kinds: Set<InputType>
        /// The kinds, as the message says them.
        var said: String
        /// Whether the step writes the key with a value, and where that value is.
        var written: @Sendable (Validation) -> SourceRange?
    }

    /// Every key of `validate`, in the order the language documents them.
    static let keys: [Key] = [
        Key(name: "min_length", kinds: [.text, .email], said: "text and email answers") { $0.minLength?.range },
        Key(name: "max_length", kinds: [.text, .email], said: "text and email answers") { $0.maxLength?.range },
        Key(name: "min", kinds: [.number], said: "number answers") { $0.min?.range },
        Key(name: "max", kinds: [.number], said: "number answers") { $0.max?.range },
        Key(
            name: "pattern", kinds: [.text, .number, .email, .phone, .date, .yesNo],
            said: "typed answers, never to a file"
        ) { $0.pattern?.range },
    ]

    /// One warning per key an `ask` step writes for a kind of answer the key never checks, at the key.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for step in context.flow.steps {
            // An `input` the decoder refused (`fone`) names no kind to judge the keys against.
            guard case .ask(let ask) = step.kind, !ask.inputUnknown else { continue }
            let input = ask.input
            // Without `input` the decoder puts `text` at an empty range: there is nothing to point a note at.
            let inputWritten = input.range.start != input.range.end
            for key in Self.keys where !key.kinds.contains(input.value) {
                guard let valueRange = key.written(ask.validation) else { continue }
                let kind =
                    "'input: \(input.value.rawValue)' answer" + (inputWritten ? "" : " ('input' defaults to text)")
                diagnostics.append(
                    Self.descriptor.diagnostic(
                        "'\(key.name)' of step '\(step.id.value)' has no effect on an \(kind); it applies to "
                            + key.said,
                        at: ask.validation.keyRanges[key.name] ?? valueRange,
                        notes: inputWritten
                            ? [DiagnosticNote(message: "the kind of answer is set here", range: input.range)] : [],
                        suggestion: Self.suggestion(key.name, input.value)))
            }
        }
        return diagnostics
    }

    /// What to do instead, for a key on a kind of answer it does not apply to.
    static func suggestion(_ key: String, _ input: InputType) -> String {
        switch (key, input) {
        case (_, .document), (_, .image):
            return "remove it: a file is checked only by its type (a PDF for 'document', a JPEG or PNG for 'image')"
        case ("min_length", .number), ("max_length", .number):
            return "remove it, or use 'min' and 'max' for the number's value, or 'pattern' for its digits as stored"
        case (_, .phone):
            return "remove it, or use 'pattern', which checks the phone as stored, '+' and digits "
                + "('^\\+?[0-9]{10}$' takes exactly 10 digits)"
        case (_, .date):
            return "remove it, or use 'pattern', which checks the date as stored, YYYY-MM-DD "
                + "('^2026-' takes a date in 2026)"
        case (_, .yesNo):
            return "remove it: the answer is stored as the language's yes or no word"
        default:
            // `min` or `max` on a text or email answer.
            return "remove it, or use 'min_length' and 'max_length' for the answer's length, or 'input: number' "
                + "to ask for a number"
        }
    }
}
