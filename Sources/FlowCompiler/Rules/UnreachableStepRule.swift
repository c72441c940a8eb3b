import FlowDiagnostics
import FlowLanguage

/// A step no path from the start reaches (keywords included) is dead text: usually a typo in a `next`.
struct UnreachableStepRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unreachable_step", severity: .warning,
        summary: "a step that no path from the start reaches",
        fix: "Point a 'next', option, case or keyword at the step, or delete it; silence it with "
            + "`suppress: [unreachable_step]` on the step if it is kept on purpose.",
        pointsAt: "the step's name")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard context.graph.start != nil else { return [] }
        // A case dropped for its malformed condition (already reported) still leads where it says.
        let reachable = context.graph.reachable(followingMalformedCases: true)
        return context.flow.steps.enumerated().compactMap { i, step in
            guard !reachable[i] else { return nil }
            return Self.descriptor.diagnostic(
                "step '\(step.id.value)' is never reached from the start step '\(context.flow.start.value)'",
                at: step.id.range)
        }
    }
}
