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
        let steps = StepLocator(flow.steps)
        let badOffsets = badTargets.map(\.range.start.offset).sorted()
        return diagnostics.filter { diagnostic in
            guard diagnostic.id == DeadEndRule.descriptor.id, let step = steps.step(namedAt: diagnostic.range)
            else { return true }
            // The first bad target at or after the step's start decides whether any lies inside it.
            var low = 0
            var high = badOffsets.count
            while low < high {
                let mid = (low + high) / 2
                if badOffsets[mid] < step.range.start.offset { low = mid + 1 } else { high = mid }
            }
            return !(low < badOffsets.count && badOffsets[low] <= step.range.end.offset)
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
        fix: "Name the id of a warning (see `talkflow lint --list-rules`); fix errors instead of silencing them.",
        pointsAt: "the id in `suppress`")

    static func apply(to diagnostics: [Diagnostic], flow: Flow) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let known = Dictionary(RuleRegistry.descriptors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var suggestions = SuggestionCache(candidates: Array(known.keys))
        for step in flow.steps {
            for id in step.suppressed {
                guard let descriptor = known[id.value] else {
                    out.append(
                        unknownSuppression.diagnostic(
                            "'\(id.value)' is not a rule id", at: id.range,
                            suggestion: suggestions.closest(to: id.value).map {
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
        // Most flows suppress nothing: then every diagnostic stays, without locating any.
        guard flow.steps.contains(where: { !$0.suppressed.isEmpty }) else { return out + diagnostics }
        let steps = StepLocator(flow.steps)
        for diagnostic in diagnostics {
            guard diagnostic.severity == .warning else {
                out.append(diagnostic)
                continue
            }
            // The step the warning is inside, or whose id it points at.
            let holders = [
                steps.step(containing: diagnostic.range.start.offset), steps.step(namedAt: diagnostic.range),
            ]
            let silenced = holders.contains { $0?.suppressed.contains { $0.value == diagnostic.id } == true }
            if !silenced { out.append(diagnostic) }
        }
        return out
    }
}
