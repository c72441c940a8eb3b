import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Testing

@testable import FlowCompiler

/// YAML's null (`~`, `null`, `Null`, `NULL`, nothing) counts as absent (language.md, "How values are read"), so a
/// null where the flow needs a value is refused where it is written, never read as the text "~" nor dropped
/// silently: a dropped branch case or an empty `all` changes where conversations go without a word from lint.
@Suite struct NullValueTests {
    /// The decoder's diagnostics for `yaml` as `line:column id`, and the decoded flow.
    static func decode(_ yaml: String) -> (found: [String], diagnostics: [Diagnostic], flow: Flow?) {
        let loaded = YAMLLoader.load(yaml)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        let decoded = FlowDecoder.decode(loaded.root)
        return (
            decoded.diagnostics.map { "\(Position($0)) \($0.id)" }, decoded.diagnostics, decoded.flow
        )
    }

    /// A branch step `s` whose one case has the condition `when`.
    static func branch(_ when: String) -> String {
        Inline.flow("  s:\n    type: branch\n    cases:\n      - when: \(when)\n        next: f\n    default: f\n")
            + "  f:\n    type: end\n"
    }

    /// A form or an operator written null has no value: `missing_field` at that key, as `not: ~` always was,
    /// with what to write there; the case is not kept as if it had no condition.
    @Test(arguments: [
        ("{ variable: nombre, ‹1›equals: ~ }", "a condition needs 'equals': the text to compare with"),
        ("{ variable: nombre, ‹1›not_equals: null }", "a condition needs 'not_equals': the text to compare with"),
        ("{ variable: nombre, ‹1›contains: NULL }", "a condition needs 'contains': the text to look for"),
        ("{ variable: nombre, ‹1›matches: ~ }", "a condition needs 'matches': a regular expression"),
        ("{ variable: nombre, ‹1›in: ~ }", "a condition needs 'in': a list of texts, e.g. [a, b]"),
        ("{ variable: nombre, ‹1›less_than: ~ }", "a condition needs 'less_than': a number"),
        ("{ contact: name, ‹1›at_most: Null }", "a condition needs 'at_most': a number"),
        ("{ contact: phone, ‹1›is_set: }", "a condition needs 'is_set': true or false"),
        ("{ ‹1›variable: ~, equals: a }", "a condition needs 'variable': the name of the variable to compare"),
        ("{ ‹1›contact: ~, is_set: true }", "a condition needs 'contact': 'name' or 'phone'"),
        ("{ ‹1›business_hours: ~ }", "a condition needs 'business_hours': 'open' or 'closed'"),
        ("{ ‹1›consent: null }", "a condition needs 'consent': 'given' or 'not_given'"),
        ("{ ‹1›all: ~ }", "a condition needs 'all': a list of conditions that must all hold"),
        ("{ ‹1›any: ~ }", "a condition needs 'any': a list of conditions of which one must hold"),
        ("{ ‹1›not: ~ }", "a condition needs 'not': the condition to negate"),
        ("{ not: { ‹1›consent: ~ } }", "a condition needs 'consent': 'given' or 'not_given'"),
    ])
    func aNullFormOrOperatorIsAMissingField(_ when: String, _ message: String) throws {
        let marked = Marked(Self.branch(when))
        let decoded = Self.decode(marked.text)
        #expect(decoded.found == ["\(try #require(marked(1))) missing_field"])
        #expect(decoded.diagnostics.first?.message == message)
    }

    /// A null operator beside a real one is still a second operator, as the schema's two keys say.
    @Test func aNullOperatorBesideAnotherIsASecondOperator() throws {
        let marked = Marked(Self.branch("‹1›{ contact: name, equals: a, contains: ~ }"))
        #expect(Self.decode(marked.text).found == ["\(try #require(marked(1))) invalid_value"])
    }

    /// `all: []` would always hold and `any: []` never: refused at the list, with the way out.
    @Test(arguments: [
        ("all", "'all' of a condition lists no condition, so it would always hold"),
        ("any", "'any' of a condition lists no condition, so it would never hold"),
    ])
    func anEmptyAllOrAnyIsRefused(_ form: String, _ message: String) throws {
        let marked = Marked(Self.branch("{ \(form): ‹1›[] }"))
        let decoded = Self.decode(marked.text)
        #expect(decoded.found == ["\(try #require(marked(1))) invalid_value"])
        #expect(decoded.diagnostics.first?.message == message)
        #expect(decoded.diagnostics.first?.suggestion == "list at least one condition")
    }

    /// Quoted, `~` and `null` are text: comparing with them is fine.
    @Test func aQuotedNullIsText() throws {
        let decoded = Self.decode(
            Self.branch("{ all: [{ variable: nombre, equals: \"~\" }, { contact: name, in: [\"null\"] }] }"))
        #expect(decoded.found.isEmpty)
        guard case .branch(let branch) = try #require(decoded.flow?.steps.first).kind else {
            Issue.record("not a branch")
            return
        }
        #expect(branch.cases.count == 1)
    }

    /// A `set` value written null is refused at its variable, saying how to empty a variable or set the
    /// characters; it is never stored as the text "~", "null" or "NULL".
    @Test func aNullSetValueIsRefusedAtItsVariable() throws {
        let marked = Marked(
            Inline.flow(
                "  s:\n    type: set\n    values:\n      ‹1›x: ~\n      ‹2›y: null\n      ‹3›z: NULL\n      ‹4›v:\n"
                    + "      w: \"\"\n      q: \"~\"\n    next: f\n  f:\n    type: end\n"))
        let decoded = Self.decode(marked.text)
        #expect(decoded.found == (1...4).map { "\(marked($0)!) missing_field" })
        #expect(
            decoded.diagnostics.map(\.message)
                == ["x", "y", "z", "v"].map {
                    "'values' of step 's' gives '\($0)' no value (null)"
                })
        #expect(
            decoded.diagnostics.first?.suggestion
                == "write its text; x: \"\" empties the variable, and x: \"~\" sets the characters ~")
        #expect(decoded.diagnostics.last?.suggestion == "write its text; v: \"\" empties the variable")
        guard case .set(let set) = try #require(decoded.flow?.steps.first).kind else {
            Issue.record("not a set")
            return
        }
        #expect(set.assignments.map { "\($0.variable.value)=\($0.value.value)" } == ["w=", "q=~"])
    }

    /// A null item of any list of texts is `wrong_type` at the item, like a mapping there: never the text "~".
    @Test func aNullListItemIsRefusedWhereItIsWritten() throws {
        let marked = Marked(
            "flow: prueba\nstart: s\nsettings:\n  business_hours:\n    monday: [‹1›~]\n"
                + "    holidays: [\"2026-12-25\", ‹2›~]\n"
                + "  keywords:\n    - { words: [menu, ‹3›~], goto: s }\n"
                + "  revocation: { words: [revocar, ‹4›null], text: Listo }\n"
                + "queues:\n  ventas: [ana, ‹5›~]\n"
                + "steps:\n"
                + "  c:\n    type: consent\n    text: Hola\n    purposes: [‹6›~]\n    sensitive: true\n"
                + "    data: [cedula, ‹7›NULL]\n    accept: { title: Si, next: s }\n    decline: { title: No, next: s }\n"
                + "  s:\n    type: menu\n    text: Elige\n    suppress: [‹8›~]\n    options:\n"
                + "      - { id: a, title: Uno, synonyms: [uno, ‹9›~], next: b }\n"
                + "  b:\n    type: branch\n    cases:\n      - { when: { variable: x, in: [a, ‹10›~] }, next: t }\n"
                + "    default: t\n"
                + "  t:\n    type: template\n    template: aviso\n    parameters: [‹11›~]\n    next: f\n"
                + "  f:\n    type: end\n")
        let decoded = Self.decode(marked.text)
        #expect(decoded.found == (1...11).map { "\(marked($0)!) wrong_type" })
        #expect(
            decoded.diagnostics[2].message == "each item of 'words' in a keyword must be text, found nothing (null)")
        #expect(decoded.diagnostics[2].suggestion == "write the text, or quote it (\"~\") to mean those characters")
        #expect(decoded.diagnostics[4].message == "an agent of queue 'ventas' must be text, found nothing (null)")
        let flow = try #require(decoded.flow)
        #expect(flow.queues.first?.agents.map(\.value) == ["ana"])
        #expect(flow.settings.keywords.first?.words.map(\.value) == ["menu"])
        #expect(flow.settings.revocation?.words.map(\.value) == ["revocar"])
    }

    /// An empty item (`- ` with nothing after it) is null too; the hint is then to remove it.
    @Test func anEmptyListItemIsNull() throws {
        let marked = Marked(
            Inline.flow("  s:\n    type: end\n", top: "queues:\n  ventas:\n    - ana\n    ‹1›-\n"))
        let decoded = Self.decode(marked.text)
        #expect(decoded.found.count == 1)
        #expect(decoded.diagnostics.first?.id == "wrong_type")
        #expect(decoded.diagnostics.first?.suggestion == "write the text, or remove the empty item")
    }

    /// The audit's flow: lint used to pass it (exit 0) and compile every case away; now each null is an error.
    @Test func lintRefusesTheFlowThatCompiledToNoCases() throws {
        let minimal = GoldenFixtureTests.fixtures.appendingPathComponent("valid_minimal/flow.yaml")
        let cases = [
            "{ variable: nombre, equals: ~ }", "{ business_hours: ~ }", "{ variable: ~, equals: a }", "{ all: ~ }",
        ]
        let branch =
            "  rama:\n    type: branch\n    cases:\n"
            + cases.map { "      - { when: \($0), next: info }\n" }.joined() + "    default: info\n"
        let flow = try String(contentsOf: minimal, encoding: .utf8).replacingOccurrences(
            of: "  info:\n", with: branch + "  info:\n")
        let errors = FlowChecker.check(flow).diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.id) == Array(repeating: "missing_field", count: 4))
    }
}
