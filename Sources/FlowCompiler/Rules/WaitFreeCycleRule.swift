import FlowDiagnostics
import FlowLanguage

/// A cycle of steps none of which waits for the contact (messages, sets, branches, templates) would make
/// the bot talk to itself forever. Found as strongly connected components (Tarjan, iterative, linear time).
///
/// Two edges of waiting steps are taken without waiting, so they count as wait-free too: a general or
/// sensitive consent already accepted is skipped straight to `accept.next`, and outside business hours a
/// handoff goes straight to `closed.next`. A cycle through either waits at most once, then loops.
struct WaitFreeCycleRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "wait_free_cycle", severity: .error,
        summary: "a cycle of steps that never waits for the contact (an accepted consent's 'accept' and a "
            + "handoff's 'closed.next' do not wait)",
        fix: "Put a step that waits (menu, ask, or a consent or handoff entered other than by those two ways) in "
            + "the cycle, or break it with an 'end'.",
        pointsAt: "the name of the cycle's first step in file order; a note points at each other step of the cycle")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        let steps = context.flow.steps
        let n = steps.count
        let waits = steps.map(\.waitsForContact)
        // Only the edges taken without waiting (keywords and revocation start at waiting steps).
        // The shared keyword and revocation edges start at waiting steps and always wait: only a step's own edges
        // can be wait-free.
        let successors: [[Int]] = (0..<n).map { i in
            let stepEdges = context.graph.edges[i]
            return stepEdges[0..<stepEdges.ownCount].filter { Self.isWaitFree($0, from: steps[i], waits: waits[i]) }
                .map(\.to)
        }
        var index = [Int](repeating: -1, count: n)
        var low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = []
        var counter = 0
        var diagnostics: [Diagnostic] = []
        for root in 0..<n where index[root] < 0 && !successors[root].isEmpty {
            var work: [(node: Int, next: Int)] = [(root, 0)]
            index[root] = counter
            low[root] = counter
            counter += 1
            stack.append(root)
            onStack[root] = true
            while let top = work.last {
                let node = top.node
                if top.next < successors[node].count {
                    work[work.count - 1].next += 1
                    let succ = successors[node][top.next]
                    if index[succ] < 0 {
                        index[succ] = counter
                        low[succ] = counter
                        counter += 1
                        stack.append(succ)
                        onStack[succ] = true
                        work.append((succ, 0))
                    } else if onStack[succ] {
                        low[node] = min(low[node], index[succ])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { low[parent] = min(low[parent], low[node]) }
                guard low[node] == index[node] else { continue }
                var component: [Int] = []
                while let member = stack.popLast() {
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                let isCycle = component.count > 1 || successors[node].contains(node)
                if isCycle { diagnostics.append(report(component.sorted(), steps: steps, waits: waits)) }
            }
        }
        return diagnostics
    }

    /// Whether the bot takes `edge` without waiting for the contact.
    static func isWaitFree(_ edge: FlowGraph.Edge, from step: Step, waits: Bool) -> Bool {
        if !waits { return true }
        switch (step.kind, edge.kind) {
        case (.consent, .accept), (.handoff, .closedHours): return true
        default: return false
        }
    }

    private func report(_ component: [Int], steps: [Step], waits: [Bool]) -> Diagnostic {
        let first = steps[component[0]]
        let names = component.map { "'\(steps[$0].id.value)'" }.joined(separator: ", ")
        let notes = component.dropFirst().map {
            DiagnosticNote(message: "'\(steps[$0].id.value)' is part of the cycle", range: steps[$0].id.range)
        }
        // Say why a step that waits does not break the cycle.
        let skipped = component.compactMap { i -> String? in
            guard waits[i] else { return nil }
            switch steps[i].kind {
            case .consent: return "consent '\(steps[i].id.value)' is skipped once accepted"
            case .handoff: return "handoff '\(steps[i].id.value)' goes straight to 'closed.next' outside business hours"
            default: return nil
            }
        }
        return Self.descriptor.diagnostic(
            "steps \(names) form a cycle in which the bot never waits for the contact; it would send messages "
                + "forever" + (skipped.isEmpty ? "" : " (" + skipped.joined(separator: "; ") + ")"),
            at: first.id.range, notes: Array(notes))
    }
}
