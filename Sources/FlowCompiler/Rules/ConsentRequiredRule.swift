import FlowDiagnostics
import FlowLanguage

/// The consent proof (habeas-data item 1; Ley 1581 arts. 4(c), 9; Decreto 1377 art. 5): no path from the
/// start, global keywords, revocation and the decline path included, reaches a step that needs consent
/// without an accepted consent on the way; a sensitive question also needs an accepted sensitive consent.
///
/// The check explores the product of the step graph with two booleans, (step, consent given, sensitive
/// consent given), breadth first from (start, no, no). Each state is visited once, so the cost is
/// O((steps + edges) · 4) and breadth-first order makes the reported path the shortest violating one.
struct ConsentRequiredRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_required", severity: .error,
        summary: "a step that collects personal data, hands off, sends a template or stores contact data is "
            + "reachable without an accepted consent",
        fix: "Make every path, global keywords and the decline path included, pass through an accepted consent "
            + "step first; a sensitive question needs its own accepted sensitive consent (Ley 1581, arts. 6 and 9).",
        pointsAt: "the name of the step that needs consent; notes trace the path from the start through the decline")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// How many steps of a long path are shown at each end; the middle is summarised.
    static let pathEnd = 8

    /// What a step needs before the bot may run it.
    private enum Need: UInt8 {
        case nothing = 0
        case consent = 1
        case sensitiveConsent = 2
    }

    /// Which kind of consent a step is, for the effect of its accept and decline edges.
    private enum ConsentKind: UInt8 {
        case none = 0
        case general = 1
        case sensitive = 2
    }

    /// The last edge that changed one of the booleans on a state's path, for the message's wording.
    private enum Change: UInt8 {
        case none = 0
        case accept = 1
        case decline = 2
        case revocation = 3
    }

    /// One diagnostic per offending step, for its shortest violating path.
    func check(_ context: RuleContext) -> [Diagnostic] {
        let steps = context.flow.steps
        let graph = context.graph
        guard let start = graph.start, !steps.isEmpty else { return [] }
        let count = steps.count

        // Per-step facts, computed once so that the search costs O(1) per edge.
        var need = [Need](repeating: .nothing, count: count)
        var kind = [ConsentKind](repeating: .none, count: count)
        // For each branch case, which values of "consent given" let it be taken: bit 0 = no, bit 1 = yes.
        var caseMasks = [[UInt8]](repeating: [], count: count)
        // And in which of them a case certainly holds (a bare `consent:` test): later cases and the default are
        // never reached there.
        var caseCertain = [[UInt8]](repeating: [], count: count)
        for (i, step) in steps.enumerated() {
            need[i] = Self.need(of: step)
            switch step.kind {
            case .consent(let consent): kind[i] = consent.sensitive ? .sensitive : .general
            case .branch(let branch):
                caseMasks[i] = branch.cases.map { Self.consentMask($0.condition) }
                caseCertain[i] = branch.cases.map { Self.consentCertainty($0.condition) }
            default: break
            }
        }

        // Search state: index = step << 2 | given << 1 | sensitiveGiven.
        let stateCount = count * 4
        var parent = [Int32](repeating: -2, count: stateCount)  // -2 unvisited, -1 the start
        var via = [Int32](repeating: -1, count: stateCount)  // index of the edge in edges[parent step]
        var depth = [Int32](repeating: 0, count: stateCount)
        // The state at depth `pathEnd - 1` on the state's path, so that the start of a long path is found
        // without walking all of it.
        var anchor = [Int32](repeating: -1, count: stateCount)
        var lastConsentChange = [Change](repeating: .none, count: stateCount)
        var lastConsentStep = [Int32](repeating: -1, count: stateCount)
        var lastSensitiveChange = [Change](repeating: .none, count: stateCount)
        var lastSensitiveStep = [Int32](repeating: -1, count: stateCount)
        var reported = [Bool](repeating: false, count: count)
        var violations: [Int] = []
        var queue: [Int32] = []
        queue.reserveCapacity(count)

        /// Whether the state enters a step that needs more consent than the state holds.
        func violates(_ state: Int) -> Bool {
            switch need[state >> 2] {
            case .nothing: return false
            case .consent: return state & 2 == 0
            case .sensitiveConsent: return state & 3 != 3
            }
        }

        let root = start << 2
        parent[root] = -1
        anchor[root] = Int32(root)
        queue.append(Int32(root))
        if violates(root) {
            reported[start] = true
            violations.append(root)
        }
        var head = 0
        // The shared keyword and revocation edges lead to the same states from every waiting step with the same
        // consent: in breadth-first order the first expansion reaches them all, so later ones are skipped.
        var globalExpanded = [Bool](repeating: false, count: 4)
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            let step = state >> 2
            let stepEdges = graph.edges[step]
            var end = stepEdges.count
            if end > stepEdges.ownCount {
                if globalExpanded[state & 3] { end = stepEdges.ownCount } else { globalExpanded[state & 3] = true }
            }
            for (k, edge) in stepEdges[0..<end].enumerated() {
                var given = state & 2 != 0
                var sensitiveGiven = state & 1 != 0
                var consentChange = lastConsentChange[state]
                var consentStep = lastConsentStep[state]
                var sensitiveChange = lastSensitiveChange[state]
                var sensitiveStep = lastSensitiveStep[state]
                switch edge.kind {
                case .accept, .decline:
                    let accepted = edge.kind == .accept
                    let change: Change = accepted ? .accept : .decline
                    switch kind[step] {
                    case .general:
                        given = accepted
                        consentChange = change
                        consentStep = Int32(step)
                    case .sensitive:
                        sensitiveGiven = accepted
                        sensitiveChange = change
                        sensitiveStep = Int32(step)
                    case .none:
                        break
                    }
                case .revocation:
                    given = false
                    sensitiveGiven = false
                    consentChange = .revocation
                    sensitiveChange = .revocation
                    consentStep = Int32(step)
                    sensitiveStep = Int32(step)
                case .branchCase(let index):
                    let masks = caseMasks[step]
                    if index < masks.count, masks[index] & (given ? 2 : 1) == 0 { continue }
                    if caseCertain[step].prefix(index).contains(where: { $0 & (given ? 2 : 1) != 0 }) { continue }
                case .branchDefault:
                    if caseCertain[step].contains(where: { $0 & (given ? 2 : 1) != 0 }) { continue }
                default:
                    break
                }
                let next = edge.to << 2 | (given ? 2 : 0) | (sensitiveGiven ? 1 : 0)
                guard parent[next] == -2 else { continue }
                parent[next] = Int32(state)
                via[next] = Int32(k)
                depth[next] = depth[state] + 1
                anchor[next] = depth[next] < Self.pathEnd ? Int32(next) : anchor[state]
                lastConsentChange[next] = consentChange
                lastConsentStep[next] = consentStep
                lastSensitiveChange[next] = sensitiveChange
                lastSensitiveStep[next] = sensitiveStep
                queue.append(Int32(next))
                if !reported[edge.to], violates(next) {
                    reported[edge.to] = true
                    violations.append(next)
                }
            }
        }

        let search = Search(
            parent: parent, via: via, depth: depth, anchor: anchor, lastConsentChange: lastConsentChange,
            lastConsentStep: lastConsentStep, lastSensitiveChange: lastSensitiveChange,
            lastSensitiveStep: lastSensitiveStep)
        return violations.map { diagnostic(for: $0, search: search, context: context) }
    }

    /// The finished search, read when explaining a violation.
    private struct Search {
        var parent: [Int32]
        var via: [Int32]
        var depth: [Int32]
        var anchor: [Int32]
        var lastConsentChange: [Change]
        var lastConsentStep: [Int32]
        var lastSensitiveChange: [Change]
        var lastSensitiveStep: [Int32]
    }

    /// One element of a shown path: a state, or the summary of the states left out between the two ends.
    private enum PathItem {
        case state(Int)
        case omitted(count: Int, last: Int)
    }

    /// The path to a state, whole when short, else its first and last `pathEnd` states: O(pathEnd) per call,
    /// so that reporting many violations of a long flow never walks whole paths.
    private func path(to state: Int, search: Search) -> [PathItem] {
        let length = Int(search.depth[state]) + 1
        let end = Self.pathEnd
        if length <= 2 * end + 1 {
            var states: [Int] = []
            var current = state
            while current >= 0 {
                states.append(current)
                current = Int(search.parent[current])
            }
            return states.reversed().map { .state($0) }
        }
        var head: [Int] = []
        var current = Int(search.anchor[state])
        while current >= 0 {
            head.append(current)
            current = Int(search.parent[current])
        }
        var tail: [Int] = []
        current = state
        for _ in 0..<end {
            tail.append(current)
            current = Int(search.parent[current])
        }
        let omitted = length - head.count - tail.count
        return head.reversed().map { .state($0) } + [.omitted(count: omitted, last: current)]
            + tail.reversed().map { .state($0) }
    }

    /// The diagnostic of the first (shortest) violating arrival at a step.
    private func diagnostic(for state: Int, search: Search, context: RuleContext) -> Diagnostic {
        let steps = context.flow.steps
        let stepIndex = state >> 2
        let step = steps[stepIndex]
        let name = step.id.value
        let items = path(to: state, search: search)
        let shown =
            (["start"]
            + items.map { item -> String in
                switch item {
                case .state(let s): return steps[s >> 2].id.value
                case .omitted(let count, _): return "… (\(count) more)"
                }
            }).joined(separator: " → ")
        let what = Self.action(of: step)
        let given = state & 2 != 0
        let message: String
        if !given {
            let change = search.lastConsentChange[state]
            let by = Int(search.lastConsentStep[state])
            switch change {
            case .decline:
                message =
                    "step '\(name)' \(what), but the decline path of '\(steps[by].id.value)' reaches it: \(shown); "
                    + "after a decline only steps that need no consent may follow"
            case .revocation:
                message =
                    "step '\(name)' \(what), but after a revocation the path \(shown) reaches it without a new "
                    + "accepted consent"
            case .none, .accept:
                message = "step '\(name)' \(what), but the path \(shown) reaches it without an accepted consent"
            }
        } else {
            let change = search.lastSensitiveChange[state]
            let by = Int(search.lastSensitiveStep[state])
            if change == .decline {
                message =
                    "step '\(name)' \(what), but the decline path of sensitive consent '\(steps[by].id.value)' "
                    + "reaches it: \(shown); declining sensitive data must skip every sensitive question"
            } else {
                message =
                    "step '\(name)' \(what), but the path \(shown) reaches it without an accepted sensitive "
                    + "consent; a general consent does not cover sensitive data"
            }
        }
        let notes = items.map { item -> DiagnosticNote in
            switch item {
            case .state(let s): return note(for: s, search: search, context: context)
            case .omitted(let count, let last):
                let lastNote = note(for: last, search: search, context: context)
                return DiagnosticNote(
                    message: "\(count) more steps, up to '\(steps[last >> 2].id.value)'", range: lastNote.range)
            }
        }
        return Self.descriptor.diagnostic(message, at: step.id.range, notes: notes)
    }

    /// The note of one step of a path: how it is reached, at the reference that leads there.
    private func note(for state: Int, search: Search, context: RuleContext) -> DiagnosticNote {
        let steps = context.flow.steps
        let name = steps[state >> 2].id.value
        let parentState = Int(search.parent[state])
        guard parentState >= 0 else {
            return DiagnosticNote(message: "'\(name)' is the start step", range: context.flow.start.range)
        }
        let from = parentState >> 2
        let edge = context.graph.edges[from][Int(search.via[state])]
        return DiagnosticNote(
            message: "'\(name)' is reached from '\(steps[from].id.value)' \(Self.how(edge))", range: edge.range)
    }

    /// How an edge is taken, for path notes.
    static func how(_ edge: FlowGraph.Edge) -> String {
        switch edge.kind {
        case .next: return "by its 'next'"
        case .option: return "by option '\(edge.label)'"
        case .accept: return "by accepting ('\(edge.label)')"
        case .decline: return "by declining ('\(edge.label)')"
        case .fallback: return "by its fallback"
        case .branchCase(let index): return "by case \(index + 1)"
        case .branchDefault: return "by its default"
        case .closedHours: return "outside business hours"
        case .afterAgent: return "after the agent closes"
        case .keyword: return "by \(edge.label)"
        case .revocation: return "by \(edge.label), which withdraws consent"
        }
    }

    /// What a step needs: consent for personal data, attachments, handoff, templates and storing contact data;
    /// a sensitive question needs the sensitive consent as well.
    private static func need(of step: Step) -> Need {
        switch step.kind {
        case .ask(let ask):
            if ask.sensitive { return .sensitiveConsent }
            return ask.personalData || ask.input.value.isPersonalData ? .consent : .nothing
        case .handoff, .template:
            return .consent
        case .set(let set):
            return contactReference(in: set) == nil ? .nothing : .consent
        case .consent, .message, .menu, .branch, .end:
            return .nothing
        }
    }

    /// The first assignment of a `set` step that reads a contact attribute, if any.
    private static func contactReference(in set: SetStep) -> (variable: String, reference: String)? {
        for assignment in set.assignments {
            let template = TextTemplate(parsing: assignment.value.value)
            if let reference = template.variables.first(where: { $0.hasPrefix("contact.") }) {
                return (assignment.variable.value, reference)
            }
        }
        return nil
    }

    /// What the step does that needs consent, for the message.
    private static func action(of step: Step) -> String {
        switch step.kind {
        case .ask(let ask):
            if ask.sensitive { return "asks for sensitive data" }
            switch ask.input.value {
            case .document: return "asks for a document"
            case .image: return "asks for an image"
            case .phone: return "asks for a phone number"
            case .email: return "asks for an e-mail address"
            default: return "asks for personal data"
            }
        case .handoff: return "hands the contact to an agent"
        case .template(let template): return "sends template '\(template.template.value)'"
        case .set(let set):
            guard let found = contactReference(in: set) else { return "stores contact data" }
            return "stores contact data ('{{\(found.reference)}}' in '\(found.variable)')"
        default: return "needs consent"
        }
    }

    /// In which values of "consent given" a condition certainly holds, as bits (1 = not given, 2 = given): only
    /// `consent:` tests decide it; anything else may be false, so it is never certain (0). The proof then knows
    /// the cases after it, and the default, are not taken there.
    static func consentCertainty(_ condition: Condition) -> UInt8 {
        switch condition {
        case .consentGiven(let given, _): return given ? 2 : 1
        case .all(let items, _): return items.isEmpty ? 3 : items.reduce(3) { $0 & consentCertainty($1) }
        case .any(let items, _): return items.reduce(0) { $0 | consentCertainty($1) }
        case .not(let inner, _):
            if case .consentGiven(let given, _) = inner { return given ? 1 : 2 }
            return 0
        case .compare, .businessHours: return 0
        }
    }

    /// Which values of "consent given" let a branch case be taken, as bits (1 = not given, 2 = given).
    /// Only `consent:` conditions, directly or under `all`/`any`/`not`, restrict it; anything else may hold
    /// in either state, so the answer over-approximates the paths and never hides a violation.
    static func consentMask(_ condition: Condition) -> UInt8 {
        switch condition {
        case .consentGiven(let given, _):
            return given ? 2 : 1
        case .all(let items, _):
            return items.reduce(3) { $0 & consentMask($1) }
        case .any(let items, _):
            return items.isEmpty ? 3 : items.reduce(0) { $0 | consentMask($1) }
        case .not(let inner, _):
            // Only a bare consent test can be inverted exactly; other negations may hold anywhere.
            if case .consentGiven(let given, _) = inner { return given ? 1 : 2 }
            return 3
        case .compare, .businessHours:
            return 3
        }
    }
}
