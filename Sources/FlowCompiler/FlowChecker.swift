import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// The whole front end in one call: bytes → tree → flow → rules, with suppressions applied.
public enum FlowChecker {
    /// What checking a file gives: the flow (when it could be decoded) and every diagnostic, sorted.
    public struct Result: Sendable {
        public var flow: Flow?
        public var source: SourceText
        public var diagnostics: [Diagnostic]

        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// `consentLock` is the lock file beside the flow, when it has one and it could be read.
    public static func check(
        bytes: [UInt8], limits: LoaderLimits = .default, consentLock: ConsentLock? = nil
    ) -> Result {
        let loaded = YAMLLoader.load(bytes: bytes, limits: limits)
        var diagnostics = loaded.diagnostics
        // A file libyaml could not read has no tree worth decoding.
        guard loaded.diagnostics.allSatisfy({ $0.severity != .error }) || loaded.root != nil else {
            return Result(flow: nil, source: loaded.source, diagnostics: Diagnostic.sortedByPosition(diagnostics))
        }
        let decoded = FlowDecoder.decode(loaded.root)
        diagnostics += decoded.diagnostics
        guard let flow = decoded.flow else {
            return Result(
                flow: nil, source: loaded.source,
                diagnostics: Diagnostic.sortedByPosition(loaded.withoutAliasEchoes(diagnostics)))
        }
        let context = RuleContext(flow: flow, source: loaded.source, consentLock: consentLock)
        for rule in RuleRegistry.rules {
            diagnostics += rule.check(context)
        }
        diagnostics = withoutDeadEndEchoes(diagnostics, decoded: decoded.diagnostics, flow: flow)
        diagnostics = SuppressionRules.apply(to: loaded.withoutAliasEchoes(diagnostics), flow: flow)
        return Result(flow: flow, source: loaded.source, diagnostics: Diagnostic.sortedByPosition(diagnostics))
    }

    /// `diagnostics` without `dead_end` for a step whose `next` or `default` is written but is not a valid name:
    /// `invalid_identifier` already said what is wrong there.
    static func withoutDeadEndEchoes(_ diagnostics: [Diagnostic], decoded: [Diagnostic], flow: Flow) -> [Diagnostic] {
        let badTargets = decoded.filter {
            $0.id == SchemaRules.invalidIdentifier.id
                && ($0.message.hasPrefix("'next' of step") || $0.message.hasPrefix("'default' of step"))
        }
        guard !badTargets.isEmpty else { return diagnostics }
        return diagnostics.filter { diagnostic in
            guard diagnostic.id == DeadEndRule.descriptor.id,
                let step = flow.steps.first(where: { $0.id.range == diagnostic.range })
            else { return true }
            return !badTargets.contains {
                step.range.start.offset <= $0.range.start.offset && $0.range.start.offset <= step.range.end.offset
            }
        }
    }

    /// The result for a file of `size` bytes over the limit, which was not read.
    public static func tooLarge(size: Int, limits: LoaderLimits = .default) -> Result {
        let loaded = YAMLLoader.tooLarge(size: size, limits: limits)
        return Result(flow: nil, source: loaded.source, diagnostics: loaded.diagnostics)
    }

    public static func check(_ text: String, limits: LoaderLimits = .default) -> Result {
        check(bytes: Array(text.utf8), limits: limits)
    }
}

/// `suppress: [id]` on a step silences warnings of that id inside the step. Errors cannot be silenced:
/// a flow that breaks the law or WhatsApp's limits must not compile.
public enum SuppressionRules {
    public static let unknownSuppression = RuleDescriptor(
        id: "invalid_suppression", severity: .warning,
        summary: "a suppression names an unknown rule id or an error, which cannot be silenced",
        fix: "Name the id of a warning (see `talkflow lint --list-rules`); fix errors instead of silencing them.")

    static func apply(to diagnostics: [Diagnostic], flow: Flow) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let known = Dictionary(RuleRegistry.descriptors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for step in flow.steps {
            for id in step.suppressed {
                guard let descriptor = known[id.value] else {
                    out.append(
                        unknownSuppression.diagnostic(
                            "'\(id.value)' is not a rule id", at: id.range,
                            suggestion: Suggestions.closest(to: id.value, in: known.keys).map {
                                "did you mean '\($0)'?"
                            }
                        ))
                    continue
                }
                if descriptor.severity == .error {
                    out.append(
                        unknownSuppression.diagnostic(
                            "'\(id.value)' is an error and cannot be suppressed; fix the problem instead",
                            at: id.range))
                }
            }
        }
        for diagnostic in diagnostics {
            let silenced =
                diagnostic.severity == .warning
                && flow.steps.contains { step in
                    step.suppressed.contains { $0.value == diagnostic.id }
                        && (contains(step.range, diagnostic.range.start) || step.id.range == diagnostic.range)
                }
            if !silenced { out.append(diagnostic) }
        }
        return out
    }

    private static func contains(_ range: SourceRange, _ location: SourceLocation) -> Bool {
        range.start.offset <= location.offset && location.offset <= range.end.offset
    }
}
