import FlowDiagnostics
import FlowLanguage

/// A Meta template body takes positional parameters `{{1}}`…`{{n}}`: Meta refuses a body with gaps or named
/// tokens, a send with a different number of parameters, and a body over 1024 characters. Each would make
/// every send of the template fail, so each is an error.
struct TemplateTokensRule: LintRule {
    static let maxBodyLength = 1024

    static let descriptor = RuleDescriptor(
        id: "template_tokens", severity: .error,
        summary: "a template body whose tokens are not `{{1}}`…`{{n}}` without gaps, a `template` step passing "
            + "other than n parameters, or a template body over 1024 characters",
        fix: "Number the body's parameters `{{1}}`, `{{2}}`, … from 1 without gaps, pass exactly one parameter per "
            + "number, and keep the body (as written, tokens included) to 1024 characters (grapheme clusters).",
        pointsAt: "the template's text or the token in it; in a step, the first parameter too many, or the "
            + "`template` value when some are missing")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// A `{{…}}` token of a body, located in Unicode scalars of the body.
    struct Token: Equatable {
        /// The name between the braces, without surrounding spaces.
        var name: String
        var scalars: Range<Int>
    }

    /// Checks each body's length and tokens, then each template step's parameter count.
    func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var counts: [String: Int] = [:]
        for template in context.flow.templates {
            let body = template.body
            let length = body.value.count
            if length > Self.maxBodyLength {
                out.append(
                    Self.descriptor.diagnostic(
                        "the body of template '\(template.key.value)' has \(length) characters; Meta allows at most "
                            + "\(Self.maxBodyLength)", at: body.range))
            }
            var numbers = Set<Int>()
            for token in Self.tokens(in: body.value) {
                if let number = Self.number(token.name) {
                    numbers.insert(number)
                    continue
                }
                out.append(
                    Self.descriptor.diagnostic(
                        "token '{{\(token.name)}}' in the body of template '\(template.key.value)' is not a "
                            + "parameter number; template bodies use positional parameters {{1}}, {{2}}, …",
                        at: context.range(ofScalars: token.scalars, in: body)))
            }
            let count = numbers.max() ?? 0
            let missing = count == 0 ? [] : (1...count).filter { !numbers.contains($0) }
            if !missing.isEmpty {
                let list = missing.map { "{{\($0)}}" }.joined(separator: ", ")
                out.append(
                    Self.descriptor.diagnostic(
                        "the body of template '\(template.key.value)' uses {{\(count)}} but not \(list); number "
                            + "the parameters from {{1}} without gaps", at: body.range))
            }
            counts[template.key.value] = count
        }
        for step in context.flow.steps {
            guard case .template(let send) = step.kind, let expected = counts[send.template.value] else { continue }
            let passed = send.parameters.count
            guard passed != expected else { continue }
            let range = passed > expected ? send.parameters[expected].range : send.template.range
            let takes = expected == 1 ? "1 parameter" : "\(expected) parameters"
            out.append(
                Self.descriptor.diagnostic(
                    "template '\(send.template.value)' takes \(takes) but step '\(step.id.value)' passes \(passed)",
                    at: range,
                    notes: context.flow.templates.first { $0.key.value == send.template.value }.map {
                        [DiagnosticNote(message: "template declared here", range: $0.key.range)]
                    } ?? []))
        }
        return out
    }

    /// A parameter number: decimal digits without a leading zero, from 1.
    static func number(_ name: String) -> Int? {
        guard let first = name.unicodeScalars.first, first != "0",
            name.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
        else { return nil }
        return Int(name)
    }

    /// The `{{…}}` tokens of `text`, split exactly as `TextTemplate(parsing:)` splits them (spaces inside the
    /// braces ignored, empty braces and an unclosed `{{` left as text), but located in Unicode scalars so that
    /// a diagnostic can point at the token.
    static func tokens(in text: String) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isPair(_ at: Int, _ scalar: Unicode.Scalar) -> Bool {
            at + 1 < scalars.count && scalars[at] == scalar && scalars[at + 1] == scalar
        }
        while index < scalars.count {
            guard isPair(index, "{") else {
                index += 1
                continue
            }
            var close = index + 2
            while close < scalars.count, !isPair(close, "}") { close += 1 }
            guard close < scalars.count else { break }
            var inner = scalars[(index + 2)..<close]
            while let first = inner.first, first == " " || first == "\t" { inner = inner.dropFirst() }
            while let last = inner.last, last == " " || last == "\t" { inner = inner.dropLast() }
            if !inner.isEmpty {
                tokens.append(Token(name: String(String.UnicodeScalarView(inner)), scalars: index..<(close + 2)))
            }
            index = close + 2
        }
        return tokens
    }
}
