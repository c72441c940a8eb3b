import FlowDiagnostics

/// The checks made while reading the tree as a flow: the shape of the file against the language.
public enum SchemaRules {
    public static let emptyFile = RuleDescriptor(
        id: "empty_file", severity: .error,
        summary: "the file holds no flow",
        fix: "Write a flow: at least `flow`, `start`, `policy` and `steps` (see Docs/language.md).",
        pointsAt: "the start of the file, 1:1, an empty range")
    public static let unknownKey = RuleDescriptor(
        id: "unknown_key", severity: .error,
        summary: "a key the language does not define",
        fix: "Remove the key or correct its spelling; the message lists the keys allowed at that place.",
        pointsAt: "the unknown key")
    public static let wrongType = RuleDescriptor(
        id: "wrong_type", severity: .error,
        summary: "a value of the wrong kind (text where a list is expected, and so on)",
        fix: "Write the value in the form the message asks for.",
        pointsAt: "the value of the wrong kind")
    public static let missingField = RuleDescriptor(
        id: "missing_field", severity: .error,
        summary: "a required field is missing",
        fix: "Add the field the message names.",
        pointsAt: "the key when it is there without a value, else the name of the mapping that lacks it (a step's "
            + "name)")
    public static let invalidValue = RuleDescriptor(
        id: "invalid_value", severity: .error,
        summary: "a value outside what the field accepts (an unknown step type, a bad duration, time or date, a "
            + "blank text, a condition that decides nothing such as `in: []` or `contains: \"\"`, a control "
            + "character in a text the bot sends)",
        fix: "Use one of the values the message lists, in the format it shows; remove a control character "
            + "(written by an escape such as \\0, \\e or \\x7f in double quotes).",
        pointsAt: "the value; for a control character, the escape that writes it")
    public static let invalidIdentifier = RuleDescriptor(
        id: "invalid_identifier", severity: .error,
        summary: "a step, queue, template, purpose or variable name with characters the language does not allow",
        fix: "Names start with a letter and use letters, digits, '_' and '-' (variables: lowercase letters, digits "
            + "and '_').",
        pointsAt: "the name")

    public static let all: [RuleDescriptor] = [
        emptyFile, unknownKey, wrongType, missingField, invalidValue, invalidIdentifier,
    ]
}
