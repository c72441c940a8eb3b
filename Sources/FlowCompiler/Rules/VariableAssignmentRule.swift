import FlowDiagnostics
import FlowLanguage

/// A variable read in a text or a condition must be assigned on every path that reaches the read, or the
/// contact would see an empty gap ("Gracias , ya te atiende…"). A must-assign data-flow analysis over the
/// step graph: a step's assigned set is the intersection over its incoming edges, as bit sets.
struct VariableAssignmentRule: LintRule {
    static let unknown = RuleDescriptor(
        id: "unknown_variable", severity: .error,
        summary: "a text or condition reads a variable that no step assigns",
        fix: "Assign it with an 'ask' (save:) or a 'set' step, or correct the name; built-ins are contact.name, "
            + "contact.phone and the policy.* placeholders.",
        pointsAt: "the `{{variable}}` in the text that reads it")
    static let unassigned = RuleDescriptor(
        id: "variable_unassigned", severity: .error,
        summary: "a variable is read on a path on which it has not been assigned",
        fix: "Assign the variable on every path that reaches the step, for example with a 'set' step giving it "
            + "a default value.",
        pointsAt: "the `{{variable}}` in the text that reads it; a note points at where it is assigned")

    var descriptors: [RuleDescriptor] { [Self.unknown, Self.unassigned] }

    /// A read of a variable: its name and where it is written.
    struct Use {
        var name: String
        var range: SourceRange
    }

    func check(_ context: RuleContext) -> [Diagnostic] {
        let flow = context.flow
        let steps = flow.steps
        // Which variables each step assigns on its way out, and where.
        var assignedAt: [String: SourceRange] = [:]
        var assignedNames = [[String]](repeating: [], count: steps.count)
        for (i, step) in steps.enumerated() {
            switch step.kind {
            case .ask(let a):
                assignedNames[i] = [a.variable.value]
                if assignedAt[a.variable.value] == nil { assignedAt[a.variable.value] = a.variable.range }
            case .set(let s):
                // A variable whose value the decoder reported counts as set: its reads are not a second mistake.
                let variables = s.assignments.map(\.variable) + s.malformedVariables
                assignedNames[i] = variables.map(\.value)
                for variable in variables where assignedAt[variable.value] == nil {
                    assignedAt[variable.value] = variable.range
                }
            default:
                break
            }
        }
        let uses = steps.map { reads(of: $0, context: context) }
        // The texts of no step: the revocation's (sent once revoking has forgotten every variable) and the
        // inactivity's (sent from whichever waiting step the contact went quiet at).
        let revocationUses = flow.settings.revocation.map { placeholders(in: $0.text, context: context) } ?? []
        let inactivityUses = flow.settings.inactivityText.map { placeholders(in: $0, context: context) } ?? []
        var diagnostics: [Diagnostic] = []
        // Names no step assigns at all.
        for stepUses in uses + [revocationUses, inactivityUses] {
            for use in stepUses where assignedAt[use.name] == nil {
                diagnostics.append(
                    Self.unknown.diagnostic(
                        "variable '\(use.name)' is never assigned; no 'ask' saves it and no 'set' sets it",
                        at: use.range,
                        suggestion: Suggestions.closest(to: use.name, in: Array(assignedAt.keys) + ["contact.name"])
                            .map { "did you mean '\($0)'?" }))
            }
        }
        for use in revocationUses where assignedAt[use.name] != nil {
            diagnostics.append(
                Self.unassigned.diagnostic(
                    "variable '\(use.name)' is read in the revocation text, which is sent after revoking has "
                        + "forgotten every variable, so it is always empty", at: use.range))
        }
        // Only variables someone reads are tracked, and in groups: a bit set per step of every variable would
        // take steps × variables bits (gigabytes for a hostile flow of 100,000 questions saving distinct names).
        guard let start = context.graph.start else { return diagnostics }
        var readNames = Set<String>()
        for stepUses in uses + [revocationUses, inactivityUses] {
            for use in stepUses where assignedAt[use.name] != nil { readNames.insert(use.name) }
        }
        let sortedNames = readNames.sorted()
        let groupSize = max(64, Self.bitBudget / max(steps.count, 1) / 64 * 64)
        for groupStart in stride(from: 0, to: sortedNames.count, by: groupSize) {
            let group = sortedNames[groupStart..<min(groupStart + groupSize, sortedNames.count)]
            let index = Dictionary(uniqueKeysWithValues: group.enumerated().map { ($1, $0) })
            let assigns = assignedNames.map { $0.compactMap { index[$0] } }
            diagnostics += unassignedReads(
                context: context, start: start, index: index, assigns: assigns, uses: uses,
                inactivityUses: inactivityUses, assignedAt: assignedAt)
        }
        return diagnostics
    }

    /// Bits of variable sets held at once (steps × variables tracked together): 128 MiB.
    static let bitBudget = 1 << 30

    /// The must-assign analysis for the variables of `index` (one group), and the reads it finds unassigned.
    func unassignedReads(
        context: RuleContext, start: Int, index: [String: Int], assigns: [[Int]], uses: [[Use]],
        inactivityUses: [Use], assignedAt: [String: SourceRange]
    ) -> [Diagnostic] {
        let steps = context.flow.steps
        var diagnostics: [Diagnostic] = []
        let words = (index.count + 63) / 64
        let empty = [UInt64](repeating: 0, count: words)
        var inSets = [[UInt64]?](repeating: nil, count: steps.count)
        inSets[start] = [UInt64](repeating: 0, count: words)
        var queued = [Bool](repeating: false, count: steps.count)
        var worklist = [start]
        queued[start] = true
        // What the shared keyword edges carry: the intersection of what every waiting step reached so far holds
        // (a keyword's target is entered from any of them). It only loses variables, and the shared edges are
        // followed again only when it does, so K keywords and W waiting steps do not cost K × W merges.
        var keywordCarry: [UInt64]?
        while let node = worklist.popLast() {
            queued[node] = false
            guard let current = inSets[node] else { continue }
            var out = current
            for v in assigns[node] { out[v / 64] |= 1 << UInt64(v % 64) }
            let stepEdges = context.graph.edges[node]
            var end = stepEdges.count
            if end > stepEdges.ownCount {
                var carry = keywordCarry ?? current
                for w in 0..<words { carry[w] &= current[w] }
                if let previous = keywordCarry, previous == carry {
                    end = stepEdges.ownCount
                } else {
                    keywordCarry = carry
                }
            }
            for edge in stepEdges[0..<end] {
                let carried: [UInt64]
                switch edge.kind {
                case .next, .option, .accept, .decline, .branchCase, .branchDefault, .closedHours, .afterAgent:
                    // An ask assigns only on a valid answer ('next'); its fallback carries what came in.
                    if case .ask = steps[node].kind, edge.kind != .next { carried = current } else { carried = out }
                case .fallback:
                    carried = current
                case .keyword:
                    // Keyword edges are all shared ones.
                    carried = keywordCarry ?? current
                case .revocation:
                    // Revoking consent forgets what the contact gave.
                    carried = empty
                }
                // Most visits change nothing (every waiting step reaches each keyword's target): check before
                // copying, so that a visit costs no allocation.
                if let previous = inSets[edge.to] {
                    var changes = false
                    for w in 0..<words where previous[w] & carried[w] != previous[w] {
                        changes = true
                        break
                    }
                    guard changes else { continue }
                    var merged = previous
                    for w in 0..<words { merged[w] &= carried[w] }
                    inSets[edge.to] = merged
                } else {
                    inSets[edge.to] = carried
                }
                if !queued[edge.to] {
                    queued[edge.to] = true
                    worklist.append(edge.to)
                }
            }
        }
        // The inactivity text reads what every waiting step the contact can go quiet at has assigned.
        var reportedInactivity = Set<String>()
        for (i, step) in steps.enumerated() where step.waitsForContact {
            guard let set = inSets[i] else { continue }
            for use in inactivityUses {
                guard let v = index[use.name], set[v / 64] & (1 << UInt64(v % 64)) == 0,
                    reportedInactivity.insert(use.name).inserted
                else { continue }
                diagnostics.append(
                    Self.unassigned.diagnostic(
                        "variable '\(use.name)' is read in the inactivity text, but the contact can go quiet at step "
                            + "'\(step.id.value)', which some path from the start reaches without assigning it",
                        at: use.range,
                        notes: assignedAt[use.name].map {
                            [DiagnosticNote(message: "'\(use.name)' is assigned here", range: $0)]
                        } ?? []))
            }
        }
        for (i, stepUses) in uses.enumerated() {
            guard let set = inSets[i] else { continue }
            var reported = Set<String>()
            for use in stepUses {
                guard let v = index[use.name], set[v / 64] & (1 << UInt64(v % 64)) == 0,
                    reported.insert(use.name).inserted
                else { continue }
                let notes = assignedAt[use.name].map {
                    [DiagnosticNote(message: "'\(use.name)' is assigned here", range: $0)]
                }
                diagnostics.append(
                    Self.unassigned.diagnostic(
                        "variable '\(use.name)' is read in step '\(steps[i].id.value)', but some path from the start "
                            + "reaches it without assigning the variable", at: use.range, notes: notes ?? []))
            }
        }
        return diagnostics
    }

    /// Every variable a step reads, in its texts and conditions (built-ins excluded).
    func reads(of step: Step, context: RuleContext) -> [Use] {
        var uses: [Use] = []
        for text in StepTexts.filled(in: step) {
            uses += placeholders(in: text, context: context)
        }
        if case .branch(let b) = step.kind {
            for branchCase in b.cases {
                for subject in branchCase.condition.subjects {
                    if case .variable(let name) = subject.value { uses.append(Use(name: name, range: subject.range)) }
                }
            }
        }
        return uses
    }

    func placeholders(in text: Located<String>, context: RuleContext) -> [Use] {
        TextTemplate.placeholders(in: text.value).compactMap { placeholder in
            let name = placeholder.name
            if name == "contact.name" || name == "contact.phone" { return nil }
            if PolicyPlaceholders.names.contains(name) { return nil }
            // The placeholder itself is underlined.
            return Use(name: name, range: context.range(ofScalars: placeholder.scalars, in: text))
        }
    }
}

/// The texts of a step in which the runtime fills placeholders, for the variables they read. Titles, labels,
/// descriptions, the list button and file names are sent as written (`placeholder_not_filled`), so they read none.
enum StepTexts {
    static func filled(in step: Step) -> [Located<String>] {
        switch step.kind {
        case .consent(let c):
            return [c.text] + (c.optIn.map { [$0.text] } ?? [])
        case .message(let m):
            return [m.text] + (m.attachment?.caption.map { [$0] } ?? [])
        case .menu(let m):
            return [m.text] + [m.header, m.footer, m.invalid].compactMap { $0 }
        case .ask(let a):
            return [a.text] + (a.retry.map { [$0] } ?? [])
        case .branch:
            return []
        case .set(let s):
            return s.assignments.map(\.value)
        case .handoff(let h):
            return [h.text] + (h.closedText.map { [$0] } ?? [])
        case .template(let t):
            return t.parameters
        case .end(let e):
            return e.text.map { [$0] } ?? []
        }
    }
}
