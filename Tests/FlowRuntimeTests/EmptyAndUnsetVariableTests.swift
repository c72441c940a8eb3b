import FlowCompiler
import FlowRuntime
import Testing

// A variable emptied by `set` (`v: ""`) and one never assigned answer conditions differently, and runtime.md's
// table says how: both fail `is_set: true`; the empty text equals `""`, is `in: [""]` and matches `^$`, which a
// variable without a value never does; `not_equals` holds for a variable without a value, whatever the operand.
// `{{v}}` is filled in with nothing for both (newcomer5 #2).

/// Each condition of the table, by the name its result is said with.
private let conditions: [(String, String)] = [
    ("set_t", "is_set: true"), ("set_f", "is_set: false"), ("eq_empty", "equals: \"\""), ("eq_a", "equals: a"),
    ("ne_empty", "not_equals: \"\""), ("ne_a", "not_equals: a"), ("in", "in: [\"\", a]"),
    ("contains", "contains: a"), ("matches", "matches: \"^$\""), ("number", "at_least: 0"),
]

/// The flow: acceptance sets `v` to the empty text, then one branch per condition says `name=T` or `name=F`, and
/// a last message shows `[{{v}}]`.
private func interpreter() throws -> Interpreter {
    var steps = "  vaciar:\n    type: set\n    values: { v: \"\" }\n    next: c0\n"
    for (index, (name, condition)) in conditions.enumerated() {
        let next = index + 1 < conditions.count ? "c\(index + 1)" : "mostrar"
        steps +=
            "  c\(index):\n    type: branch\n    cases:\n      - when: { variable: v, \(condition) }\n"
            + "        next: t\(index)\n    default: f\(index)\n"
            + "  t\(index): { type: message, text: \"\(name)=T\", next: \(next) }\n"
            + "  f\(index): { type: message, text: \"\(name)=F\", next: \(next) }\n"
    }
    steps += "  mostrar: { type: message, text: \"v=[{{v}}]\", next: menu }\n"
    return try Fixture.interpreter(
        consent: Fixture.consent(accept: "vaciar"), steps: steps + Fixture.simpleMenu + Fixture.handoff)
}

@Suite struct EmptyAndUnsetVariableTests {
    @Test func anEmptiedVariableComparesAsTheEmptyText() throws {
        var chat = Chat(try interpreter())
        chat.openAndAccept()
        #expect(chat.value("v") == "")
        #expect(
            chat.history.texts.filter { $0.contains("=") } == [
                "set_t=F", "set_f=T", "eq_empty=T", "eq_a=F", "ne_empty=F", "ne_a=T", "in=T", "contains=F",
                "matches=T", "number=F", "v=[]",
            ])
    }

    @Test func aVariableWithoutAValueMakesEveryComparisonFalseButNotEqualsAndIsSetFalse() throws {
        let interpreter = try interpreter()
        var session = Session(contactName: "Ana", phone: "573001112233", consent: .init(acceptedVersion: "2026-01"))
        session.variables = Array(repeating: nil, count: interpreter.machine.variables.count)
        let first = try #require(
            (0..<Int32(interpreter.machine.states.count)).first { interpreter.name(of: $0) == "c0" })
        var effects: [Effect] = []
        interpreter.start(&session, at: first, now: Fixture.mondayMorning, into: &effects)
        #expect(
            effects.texts.filter { $0.contains("=") } == [
                "set_t=F", "set_f=T", "eq_empty=F", "eq_a=F", "ne_empty=T", "ne_a=T", "in=F", "contains=F",
                "matches=F", "number=F", "v=[]",
            ])
    }
}
