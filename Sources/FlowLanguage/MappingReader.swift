import FlowDiagnostics
import FlowSyntax

/// Collects the diagnostics of one decoding pass.
final class DiagnosticSink {
    var diagnostics: [Diagnostic] = []

    func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}

/// Reads the fields of one mapping by the schema: each accessor says what type it expects, so scalars are
/// typed only where the language declares a number or a boolean, and text stays verbatim everywhere else.
/// `finish` reports every key nobody asked for, with the closest allowed key as a suggestion.
struct MappingReader {
    let node: Node
    /// Builds the description only when a message needs it: formatting one per mapping and field was most
    /// of the decoding time of large flows.
    let describe: () -> String
    /// What the mapping is, for messages: "step 'menu'", "policy".
    var what: String { describe() }
    /// Where a missing field is reported: the key that introduced the mapping, or the mapping itself.
    let anchor: SourceRange
    let sink: DiagnosticSink
    /// The mapping's pairs; looked up linearly, which beats hashing for the dozen keys a mapping has.
    private let pairs: [Pair]

    /// A reader, or `nil` (with a `wrong_type` diagnostic) when the node is not a mapping.
    init?(_ node: Node, what: @autoclosure @escaping () -> String, anchor: SourceRange? = nil, sink: DiagnosticSink) {
        guard let pairs = node.mapping else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "\(what()) must be a mapping of keys to values, found \(node.kindDescription)", at: node.range))
            return nil
        }
        self.node = node
        self.describe = what
        self.anchor = anchor ?? node.range
        self.sink = sink
        self.pairs = pairs
    }

    private func lookUp(_ key: String) -> Pair? { pairs.first { $0.key == key } }

    var keys: [String] { node.mapping?.map(\.key) ?? [] }

    func has(_ key: String) -> Bool { lookUp(key) != nil }

    func pair(_ key: String) -> Pair? { lookUp(key) }

    /// The raw node of a field, reporting it missing when required.
    func value(_ key: String, required: Bool = false, hint: @autoclosure () -> String = "") -> Node? {
        let index = pairs.firstIndex { $0.key == key }
        if let index, !pairs[index].value.isNull { return pairs[index].value }
        if required {
            let range = index.map { pairs[$0].keyRange } ?? anchor
            let hint = hint()
            sink.add(
                SchemaRules.missingField.diagnostic(
                    "\(what) needs '\(key)'\(hint.isEmpty ? "" : ": \(hint)")", at: range))
        }
        return nil
    }

    /// A text field, verbatim as written.
    func text(_ key: String, required: Bool = false, hint: @autoclosure () -> String = "") -> Located<String>? {
        guard let node = value(key, required: required, hint: hint()) else { return nil }
        return Self.text(node, what: "'\(key)' of \(what)", sink: sink)
    }

    /// A text node as written. Fields reach it only when not null (`value` drops a null as absent); an item
    /// of a list can be null, and a null is no text: never the characters "~" or "null".
    static func text(_ node: Node, what: @autoclosure () -> String, sink: DiagnosticSink) -> Located<String>? {
        guard let text = node.scalar, !node.isNull else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "\(what()) must be text, found \(node.kindDescription)", at: node.range,
                    suggestion: node.isNull ? nullItemFix(node) : nil))
            return nil
        }
        return Located(text, range: node.range)
    }

    /// How to write a null item: the text, or the same characters quoted; an empty item is only removed.
    private static func nullItemFix(_ node: Node) -> String {
        let written = node.scalar ?? ""
        return written.isEmpty
            ? "write the text, or remove the empty item"
            : "write the text, or quote it (\"\(written)\") to mean those characters"
    }

    /// A name: a step, queue, template or purpose id.
    func identifier(_ key: String, required: Bool = false, hint: @autoclosure () -> String = "") -> Located<String>? {
        guard let text = text(key, required: required, hint: hint()) else { return nil }
        return Self.checkIdentifier(text, what: "'\(key)' of \(what)", sink: sink) ? text : nil
    }

    static func checkIdentifier(_ text: Located<String>, what: @autoclosure () -> String, sink: DiagnosticSink) -> Bool
    {
        if Identifiers.isName(text.value) { return true }
        sink.add(
            SchemaRules.invalidIdentifier.diagnostic(
                "\(what()) '\(text.value)' is not a valid name; start with a letter and use letters, digits, "
                    + "'_' or '-'", at: text.range))
        return false
    }

    /// A variable name to assign.
    func variable(_ key: String, required: Bool = false) -> Located<String>? {
        guard let text = text(key, required: required) else { return nil }
        guard Identifiers.isVariable(text.value) else {
            sink.add(
                SchemaRules.invalidIdentifier.diagnostic(
                    "'\(key)' of \(what): '\(text.value)' is not a valid variable name; use lowercase letters, "
                        + "digits and '_', starting with a letter", at: text.range))
            return nil
        }
        return text
    }

    /// A whole number in `bounds`.
    func integer(_ key: String, in bounds: ClosedRange<Int>, required: Bool = false) -> Located<Int>? {
        guard let node = value(key, required: required) else { return nil }
        guard let text = node.scalar, case .scalar(_, .plain) = node.value, Self.isDecimal(text, fraction: false),
            let number = Int(text), bounds.contains(number)
        else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'\(key)' of \(what) must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound), "
                        + "found \(Self.describe(node))", at: node.range))
            return nil
        }
        return Located(number, range: node.range)
    }

    /// The most digits before a number's `.`: every such number is below 10^308, inside what a `Double` holds
    /// (about 1.8 × 10^308), so the bound is exact to state and never rounds to infinity.
    static let maxWholeDigits = 308

    /// A number (integer or decimal).
    func number(_ key: String) -> Located<Double>? {
        guard let node = value(key) else { return nil }
        // A number in the right form but past what a number can hold is told so, not blamed on its form.
        if let text = node.scalar, case .scalar(_, .plain) = node.value, Self.isDecimal(text, fraction: true),
            text.utf8.prefix(while: { $0 != UInt8(ascii: ".") }).filter({ $0 != UInt8(ascii: "-") }).count
                > Self.maxWholeDigits
        {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "'\(key)' of \(what) is too large: a number has at most \(Self.maxWholeDigits) digits before "
                        + "its '.', found \(Self.describe(node))", at: node.range))
            return nil
        }
        guard let text = node.scalar, case .scalar(_, .plain) = node.value, Self.isDecimal(text, fraction: true),
            let number = Double(text), number.isFinite
        else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'\(key)' of \(what) must be a number, found \(Self.describe(node))", at: node.range))
            return nil
        }
        return Located(number, range: node.range)
    }

    /// Whether a plain scalar is a number written in decimal digits: an optional `-`, no leading zeros, and
    /// with `fraction` an optional `.` followed by digits (`-0.5`, `120`). Hexadecimal (`0x10`), exponents
    /// (`1e3`), `+2`, `02` (octal in YAML 1.1), `.5`, `inf` and `nan` are refused: a reader of the flow would
    /// not read them as the number Swift's parsers make of them.
    static func isDecimal(_ text: String, fraction: Bool) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let whole = bytes.prefix { (0x30...0x39).contains($0) }
        guard !whole.isEmpty, whole.count == 1 || whole.first != UInt8(ascii: "0") else { return false }
        let rest = bytes.dropFirst(whole.count)
        if rest.isEmpty { return true }
        guard fraction, rest.first == UInt8(ascii: "."), rest.count > 1 else { return false }
        return rest.dropFirst().allSatisfy { (0x30...0x39).contains($0) }
    }

    /// `true` or `false`, and nothing else: YAML 1.1's `yes`/`no`/`on`/`off` are refused to avoid surprises.
    func bool(_ key: String) -> Located<Bool>? {
        guard let node = value(key) else { return nil }
        if case .scalar(let text, .plain) = node.value, text == "true" || text == "false" {
            return Located(text == "true", range: node.range)
        }
        sink.add(
            SchemaRules.wrongType.diagnostic(
                "'\(key)' of \(what) must be true or false, found \(Self.describe(node))", at: node.range,
                suggestion: node.scalar.flatMap { Self.boolSuggestion($0) }))
        return nil
    }

    private static func boolSuggestion(_ text: String) -> String? {
        switch text.lowercased() {
        case "yes", "y", "on", "si", "sí": return "write 'true'"
        case "no", "n", "off": return "write 'false'"
        default: return nil
        }
    }

    /// One of an enumeration's raw values.
    func oneOf<T: RawRepresentable & CaseIterable & Sendable & Hashable>(
        _ key: String, _ type: T.Type, required: Bool = false
    ) -> Located<T>? where T.RawValue == String {
        guard let text = text(key, required: required) else { return nil }
        if let value = T(rawValue: text.value) { return Located(value, range: text.range) }
        let allowed = T.allCases.map(\.rawValue)
        sink.add(
            SchemaRules.invalidValue.diagnostic(
                "'\(key)' of \(what) must be one of \(allowed.map { "'\($0)'" }.joined(separator: ", ")), "
                    + "found '\(text.value)'", at: text.range,
                suggestion: Suggestions.closest(to: text.value, in: allowed).map { "did you mean '\($0)'?" }))
        return nil
    }

    /// A list node (a single scalar is not promoted to a list: the schema says list).
    func list(_ key: String, required: Bool = false, hint: @autoclosure () -> String = "") -> [Node]? {
        guard let node = value(key, required: required, hint: hint()) else { return nil }
        guard let items = node.sequence else {
            sink.add(
                SchemaRules.wrongType.diagnostic(
                    "'\(key)' of \(what) must be a list, found \(node.kindDescription)", at: node.range))
            return nil
        }
        return items
    }

    /// A list of texts.
    func textList(_ key: String, required: Bool = false) -> [Located<String>] {
        guard let items = list(key, required: required) else { return [] }
        return items.compactMap { Self.text($0, what: "each item of '\(key)' in \(what)", sink: sink) }
    }

    /// A nested mapping.
    func mapping(_ key: String, what nestedWhat: String? = nil, required: Bool = false) -> MappingReader? {
        guard let node = value(key, required: required) else { return nil }
        let parent = describe
        return MappingReader(
            node, what: nestedWhat ?? "'\(key)' of \(parent())", anchor: lookUp(key)?.keyRange, sink: sink)
    }

    /// Reports keys outside `allowed`, the first `FileDiagnostics.shownLimit` of them with the closest allowed key
    /// as a suggestion: a file can only show that many, so a hostile mapping of a million unknown keys does not
    /// compare each with every allowed key. The description and the list of allowed keys are made once.
    /// `translations` maps a key written in another language (`TextMatching.normalize`d) to the allowed key
    /// it stands for, suggested when the key is not close to any allowed one (`sábado` → `saturday`).
    func finish(allowed: [String], translations: [String: String] = [:]) {
        guard let pairs = node.mapping else { return }
        var place = ""
        var reported = 0
        for (index, pair) in pairs.enumerated() where !allowed.contains(pair.key) {
            if reported == 0 {
                place = "in \(what); allowed keys are " + allowed.map { "'\($0)'" }.joined(separator: ", ")
            }
            let suggestion =
                reported < FileDiagnostics.shownLimit
                ? (index > 0 ? CommaInFlowMapping.help(pairs[index - 1], pair) : nil)
                    ?? Suggestions.closest(to: pair.key, in: allowed).map { "did you mean '\($0)'?" }
                    ?? translations[TextMatching.normalize(pair.key)].map {
                        "did you mean '\($0)'? (these keys are in English)"
                    }
                : nil
            sink.add(
                SchemaRules.unknownKey.diagnostic(
                    "unknown key '\(pair.key)' \(place)", at: pair.keyRange, suggestion: suggestion))
            reported += 1
        }
    }

    static func describe(_ node: Node) -> String {
        if case .scalar(let text, let style) = node.value, style != .plain {
            return "the quoted text '\(text)' (write it without quotes)"
        }
        if let text = node.scalar, !node.isNull { return "'\(text)'" }
        return node.kindDescription
    }
}

/// The naming rules of the language.
public enum Identifiers {
    /// Step, queue, template, purpose and option ids: a letter, then letters, digits, `_` or `-`.
    public static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isASCIILetter(first) else { return false }
        return text.unicodeScalars.allSatisfy { isASCIILetter($0) || isDigit($0) || $0 == "_" || $0 == "-" }
    }

    /// Variables: a lowercase letter, then lowercase letters, digits or `_`.
    public static func isVariable(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || isDigit($0) || $0 == "_" }
    }

    /// Meta template names: lowercase letters, digits and underscores.
    public static func isTemplateName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || isDigit($0) || $0 == "_" }
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s)
    }
    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
}
