import FlowDiagnostics
import FlowLanguage
import Testing

@testable import FlowCompiler

/// `validation_not_applicable`: each `validate` key on each kind of answer, reported exactly where the runtime
/// ignores it, at the key.
@Suite struct ValidationNotApplicableTests {
    /// An `ask` step `s` with the given keys after its text.
    func ask(_ keys: String) -> String {
        Inline.flow("  s:\n    type: ask\n    text: Dato?\n    save: dato\n" + keys + "    next: s\n")
    }

    /// The keys the rule reports for an `ask` of `input` with every key of `validate` written.
    func reported(_ input: InputType) throws -> [String] {
        let yaml = ask(
            "    input: \(input.rawValue)\n"
                + "    validate: { min_length: 1, max_length: 50, min: 0, max: 100, pattern: \".\" }\n")
        return try Inline.run(ValidationNotApplicableRule(), yaml).map {
            String($0.message.prefix { $0 != " " }.dropFirst().dropLast())
        }
    }

    @Test(
        "every key on every input: lengths for text and email, bounds for number, pattern for all but files",
        arguments: [
            (InputType.text, ["min", "max"]),
            (.email, ["min", "max"]),
            (.number, ["min_length", "max_length"]),
            (.phone, ["min_length", "max_length", "min", "max"]),
            (.date, ["min_length", "max_length", "min", "max"]),
            (.yesNo, ["min_length", "max_length", "min", "max"]),
            (.document, ["min_length", "max_length", "min", "max", "pattern"]),
            (.image, ["min_length", "max_length", "min", "max", "pattern"]),
        ])
    func matrix(_ input: InputType, _ ignored: [String]) throws {
        #expect(try reported(input) == ignored)
    }

    @Test("a length and a bound on a phone: a warning at each key, with a note at the input and a fix")
    func phone() throws {
        let marked = Marked(
            ask("    input: ‹3›phone\n    validate: { ‹1›max_length: 3, ‹2›min: 5 }\n"))
        let diagnostics = try Inline.run(ValidationNotApplicableRule(), marked.text)
        #expect(diagnostics.map(Position.init) == [marked(1), marked(2)])
        #expect(diagnostics.allSatisfy { $0.id == "validation_not_applicable" && $0.severity == .warning })
        #expect(
            diagnostics.map(\.message) == [
                "'max_length' of step 's' has no effect on an 'input: phone' answer; it applies to text and email "
                    + "answers",
                "'min' of step 's' has no effect on an 'input: phone' answer; it applies to number answers",
            ])
        #expect(diagnostics.map { $0.notes.map(Position.init) } == [[marked(3)], [marked(3)]])
        #expect(
            diagnostics.first?.suggestion
                == "remove it, or use 'pattern', which checks the phone as stored, '+' and digits "
                + "('^\\+?[0-9]{10}$' takes exactly 10 digits)")
        // The key is underlined, not its value.
        #expect(diagnostics.first?.range.end.column == marked(1)!.column + "max_length".count)
    }

    @Test("without 'input' the answer is text: the message says so, and there is no input to point at")
    func defaultInput() throws {
        let marked = Marked(ask("    validate:\n      ‹1›max: 10\n"))
        let diagnostic = try #require(try Inline.run(ValidationNotApplicableRule(), marked.text).first)
        #expect(Position(diagnostic) == marked(1))
        #expect(
            diagnostic.message
                == "'max' of step 's' has no effect on an 'input: text' answer ('input' defaults to text); it "
                + "applies to number answers")
        #expect(diagnostic.notes.isEmpty)
        #expect(
            diagnostic.suggestion
                == "remove it, or use 'min_length' and 'max_length' for the answer's length, or 'input: number' to "
                + "ask for a number")
    }

    @Test("a pattern on a file: the file is checked only by its type")
    func file() throws {
        let marked = Marked(ask("    input: document\n    validate: { ‹1›pattern: \"\\\\.pdf$\" }\n"))
        let diagnostic = try #require(try Inline.run(ValidationNotApplicableRule(), marked.text).first)
        #expect(Position(diagnostic) == marked(1))
        #expect(diagnostic.message.hasSuffix("it applies to typed answers, never to a file"))
        #expect(
            diagnostic.suggestion
                == "remove it: a file is checked only by its type (a PDF for 'document', a JPEG or PNG for 'image')")
    }

    @Test("a key written without a value (null) checks nothing and says nothing")
    func nullValue() throws {
        #expect(
            try Inline.run(ValidationNotApplicableRule(), ask("    input: phone\n    validate: { min: null }\n")) == [])
    }

    @Test("an input that is no kind of answer is the decoder's invalid_value alone: no guess at 'text'")
    func unknownInput() throws {
        let misspelt = ask("    input: fone\n    validate: { max_length: 3 }\n")
        let all = FlowChecker.check(misspelt).diagnostics.map(\.id)
        #expect(all.contains("invalid_value") && !all.contains("validation_not_applicable"), "\(all)")
        // `input: null` is no input: the answer is text, and the rule judges the keys against it.
        let null = ask("    input: null\n    validate: { min: 1 }\n")
        #expect(try Inline.run(ValidationNotApplicableRule(), null).count == 1)
    }

    @Test("the keys that apply lint clean")
    func applicable() throws {
        let yaml = ask("    input: number\n    validate: { min: 1, max: 120, pattern: \"^[0-9]+$\" }\n")
        #expect(try Inline.run(ValidationNotApplicableRule(), yaml) == [])
    }
}
