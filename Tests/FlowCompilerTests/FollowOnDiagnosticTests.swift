import FlowCompiler
import FlowDiagnostics
import Testing

/// A mistake the decoder reports is reported once: a `set` value it refuses still sets its variable for
/// `unknown_variable` and `variable_unassigned`, and a branch case whose condition it refuses still leads to its
/// target for `unreachable_step`. Otherwise the second diagnostic states something false and vanishes with the
/// first fix.
@Suite struct FollowOnDiagnosticTests {
    /// `line:column id` of every diagnostic `talkflow lint` gives `yaml`.
    static func lint(_ yaml: String) -> [String] {
        FlowChecker.check(yaml).diagnostics.map { "\(Position($0)) \($0.id)" }
    }

    /// A flow whose `set` step gives `vacia` the value `value`, and whose branch reads `vacia`.
    static func setThenRead(_ value: String) -> Marked {
        Marked(
            Inline.flow(
                "  s:\n    type: set\n    values:\n      saludo: hola\n      ‹1›vacia: \(value)\n    next: b\n"
                    + "  b:\n    type: branch\n    cases:\n      - when: { variable: vacia, is_set: true }\n"
                    + "        next: e\n    default: m\n"
                    + "  m:\n    type: menu\n    text: \"Hola {{vacia}}\"\n    options:\n"
                    + "      - { id: a, title: Uno, next: e }\n"
                    + "  e:\n    type: end\n    text: \"Adios {{vacia}}\"\n"))
    }

    @Test(
        "a set value refused as null or as not text is reported once; its variable counts as set",
        arguments: [("~", "missing_field"), ("null", "missing_field"), ("", "missing_field"), ("[a, b]", "wrong_type")])
    func malformedSetValue(_ value: String, _ id: String) throws {
        let marked = Self.setThenRead(value)
        let found = Self.lint(marked.text).filter { !$0.hasSuffix("consent_step_missing") }
        let at = try #require(marked(1))
        let valueAt = Position(line: at.line, column: at.column + "vacia: ".count)
        #expect(found.filter { $0.hasSuffix(id) } == ["\(id == "wrong_type" ? valueAt : at) \(id)"])
        #expect(!found.contains { $0.hasSuffix("unknown_variable") || $0.hasSuffix("variable_unassigned") }, "\(found)")
    }

    @Test("a variable no set names at all is still unknown_variable")
    func unsetVariableStillReported() {
        let yaml = Inline.flow(
            "  s:\n    type: set\n    values:\n      vacia: ~\n    next: e\n"
                + "  e:\n    type: end\n    text: \"Adios {{otra}}\"\n")
        #expect(Self.lint(yaml).contains { $0.hasSuffix("unknown_variable") })
    }

    /// A branch step `s` whose first case has the condition `when` and leads to `solo`, a step nothing else
    /// reaches; `huerfano` is reached by nothing.
    static func branchTo(_ when: String) -> String {
        Inline.flow(
            "  s:\n    type: branch\n    cases:\n      - when: \(when)\n        next: solo\n"
                + "      - when: { consent: given }\n        next: e\n    default: e\n"
                + "  solo:\n    type: message\n    text: Solo\n    next: e\n"
                + "  huerfano:\n    type: message\n    text: Nadie\n    next: e\n"
                + "  e:\n    type: end\n")
    }

    @Test(
        "a case whose condition is refused still reaches its target: no unreachable_step for it",
        arguments: [
            "{ business_hours: abierto }", "{ variable: confirma, equal: si }", "{ consent: ~ }", "{ all: [] }",
            "{ contact: edad, is_set: true }", "texto",
        ])
    func malformedCondition(_ when: String) {
        let found = Self.lint(Self.branchTo(when))
        let unreachable = found.filter { $0.hasSuffix("unreachable_step") }
        // Only the step nothing points at is unreachable; the mistake in the condition is reported.
        #expect(unreachable == ["16:3 unreachable_step"], "\(found)")
        #expect(found.contains { $0.hasPrefix("7:") }, "\(found)")
    }

    @Test("a refused case's next is still checked: a step that does not exist is unknown_step")
    func malformedConditionNextIsChecked() {
        let yaml = Self.branchTo("{ business_hours: abierto }").replacingOccurrences(
            of: "        next: solo\n", with: "        next: sola\n")
        let found = FlowChecker.check(yaml).diagnostics
        let unknown = found.filter { $0.id == "unknown_step" }
        #expect(unknown.map { "\(Position($0))" } == ["8:15"])
        #expect(unknown.first?.message == "a case of step 's' names step 'sola', which does not exist")
        #expect(unknown.first?.suggestion == "did you mean 'solo'?")
    }
}
