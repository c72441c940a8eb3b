import FlowDiagnostics
import FlowLanguage

/// The flow as a directed graph of steps, built once per check run and shared by every rule.
///
/// Edges are labelled with why they are taken. Global keywords and revocation add an edge from every step
/// that waits for the contact, because the contact can type them there: the consent proof and the
/// reachability checks must see those paths too.
public struct FlowGraph: Sendable {
    public enum EdgeKind: Sendable, Hashable {
        case next
        case option(Int)
        case accept
        case decline
        case fallback
        case branchCase(Int)
        case branchDefault
        /// Outside business hours, from a handoff.
        case closedHours
        /// After the agent closes a handoff.
        case afterAgent
        /// A global keyword, by its index in `settings.keywords`.
        case keyword(Int)
        /// A revocation keyword: consent is withdrawn on this edge.
        case revocation
    }

    public struct Edge: Sendable, Hashable {
        public var from: Int
        public var to: Int
        public var kind: EdgeKind
        /// A label for diagrams and path explanations ("option 'Comprar'", "keyword 'agente'").
        public var label: String
        /// Where the reference is written.
        public var range: SourceRange
    }

    /// A reference to a step by id, resolved or not, for `unknown_step`.
    public struct StepReference: Sendable {
        public var name: Located<String>
        /// The field holding the reference ("'next'", "option 'comprar'"), without its step.
        public var field: String
        /// The step holding the reference; `nil` for `start`, keywords and revocation.
        public var step: String?
        public var target: Int?

        /// What holds the reference, for messages: "'next' of step 'menu'". Built only when a message
        /// needs it, since large flows have hundreds of thousands of references.
        public var holder: String { step.map { "\(field) of step '\($0)'" } ?? field }
    }

    /// A step's outgoing edges: its own, then (at a step that waits) the keyword and revocation edges. Those
    /// are one array shared by every waiting step, so that K keywords and W waiting steps cost K + W, not K × W
    /// (a hostile flow of thousands of each would otherwise take gigabytes); each is read with this step as its
    /// `from`.
    public struct StepEdges: RandomAccessCollection, Sendable {
        let own: [Edge]
        let global: [Edge]
        let from: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { own.count + global.count }
        /// How many edges are the step's own; the rest are the shared keyword and revocation edges, the same
        /// targets from every waiting step (a search may follow them once).
        public var ownCount: Int { own.count }

        public subscript(position: Int) -> Edge {
            if position < own.count { return own[position] }
            var edge = global[position - own.count]
            edge.from = from
            return edge
        }
    }

    public let stepIndex: [String: Int]
    public let start: Int?
    /// Outgoing edges per step index, keyword and revocation edges included.
    public let edges: [StepEdges]
    public let references: [StepReference]
    /// The targets of the branch cases whose condition the decoder reported as malformed, by branch step index.
    /// The cases are dropped, so they are no part of `edges`; `reachable(followingMalformedCases:)` follows them,
    /// for `unreachable_step`.
    public let malformedCaseTargets: [Int: [Int]]

    public init(_ flow: Flow) {
        var index: [String: Int] = [:]
        for (i, step) in flow.steps.enumerated() where index[step.id.value] == nil { index[step.id.value] = i }
        self.stepIndex = index
        self.start = index[flow.start.value]
        var references: [StepReference] = []
        var edges = [[Edge]](repeating: [], count: flow.steps.count)
        var malformedCaseTargets: [Int: [Int]] = [:]

        func link(
            _ from: Int?, _ name: Located<String>?, _ kind: EdgeKind, _ label: String, field: String,
            step: String? = nil
        ) {
            guard let name else { return }
            let target = index[name.value]
            references.append(StepReference(name: name, field: field, step: step, target: target))
            if let from, let target {
                edges[from].append(Edge(from: from, to: target, kind: kind, label: label, range: name.range))
            }
        }

        link(nil, flow.start, .next, "start", field: "'start'")
        for (i, keyword) in flow.settings.keywords.enumerated() {
            let named = keyword.words.first.map { "keyword '\($0.value)'" } ?? "keyword \(i + 1)"
            link(nil, keyword.target, .keyword(i), "", field: "'goto' of \(named)")
        }
        if let revocation = flow.settings.revocation {
            link(nil, revocation.next, .revocation, "", field: "'next' of revocation")
        }
        for (i, step) in flow.steps.enumerated() {
            let name = step.id.value
            switch step.kind {
            case .consent(let c):
                link(i, c.accept.next, .accept, c.accept.title.value, field: "'accept'", step: name)
                link(i, c.decline.next, .decline, c.decline.title.value, field: "'decline'", step: name)
            case .message(let m):
                link(i, m.next, .next, "", field: "'next'", step: name)
            case .menu(let m):
                for (k, option) in m.options.enumerated() {
                    link(
                        i, option.next, .option(k), option.title.value, field: "option '\(option.id.value)'", step: name
                    )
                }
                link(i, m.fallback, .fallback, "fallback", field: "'fallback'", step: name)
            case .ask(let a):
                link(i, a.next, .next, "", field: "'next'", step: name)
                link(i, a.fallback, .fallback, "fallback", field: "'fallback'", step: name)
            case .branch(let b):
                for (k, branchCase) in b.cases.enumerated() {
                    link(i, branchCase.next, .branchCase(k), "case \(k + 1)", field: "case \(k + 1)", step: name)
                }
                link(i, b.otherwise, .branchDefault, "default", field: "'default'", step: name)
                for next in b.malformedCaseTargets {
                    let target = index[next.value]
                    references.append(StepReference(name: next, field: "a case", step: name, target: target))
                    if let target { malformedCaseTargets[i, default: []].append(target) }
                }
            case .set(let s):
                link(i, s.next, .next, "", field: "'next'", step: name)
            case .handoff(let h):
                link(i, h.closedNext, .closedHours, "closed", field: "'closed.next'", step: name)
                link(i, h.next, .afterAgent, "agent closed", field: "'next'", step: name)
            case .template(let t):
                link(i, t.next, .next, "", field: "'next'", step: name)
            case .end:
                break
            }
        }
        // Labels are made once per keyword, not once per waiting step.
        let keywordEdges = flow.settings.keywords.map { keyword in
            (
                target: index[keyword.target.value], label: "keyword '\(keyword.words.first?.value ?? "")'",
                range: keyword.range
            )
        }
        let revocationEdge = flow.settings.revocation.map { revocation in
            (
                target: index[revocation.next?.value ?? flow.start.value],
                label: "revocation '\(revocation.words.first?.value ?? "")'", range: revocation.range
            )
        }
        // Global keywords and revocation work wherever the bot waits for the contact, except at a consent
        // step: there only the accept and decline replies count, and any other text shows the consent again.
        var global: [Edge] = []
        for (k, keyword) in keywordEdges.enumerated() {
            if let target = keyword.target {
                global.append(Edge(from: -1, to: target, kind: .keyword(k), label: keyword.label, range: keyword.range))
            }
        }
        if let revocation = revocationEdge, let target = revocation.target {
            global.append(
                Edge(from: -1, to: target, kind: .revocation, label: revocation.label, range: revocation.range))
        }
        self.edges = flow.steps.enumerated().map { i, step in
            var takesKeywords = step.waitsForContact
            if case .consent = step.kind { takesKeywords = false }
            return StepEdges(own: edges[i], global: takesKeywords ? global : [], from: i)
        }
        self.references = references
        self.malformedCaseTargets = malformedCaseTargets
    }

    /// Step indices reachable from the start (keyword and revocation edges included). With
    /// `followingMalformedCases`, the cases dropped for a malformed condition count too: the author meant them.
    public func reachable(followingMalformedCases: Bool = false) -> [Bool] {
        var seen = [Bool](repeating: false, count: edges.count)
        guard let start else { return seen }
        var stack = [start]
        seen[start] = true
        var globalFollowed = false
        while let node = stack.popLast() {
            let stepEdges = edges[node]
            // The shared edges lead to the same steps from every waiting step: following them once is enough.
            let end = globalFollowed ? stepEdges.ownCount : stepEdges.count
            if stepEdges.count > stepEdges.ownCount { globalFollowed = true }
            for edge in stepEdges[0..<end] where !seen[edge.to] {
                seen[edge.to] = true
                stack.append(edge.to)
            }
            guard followingMalformedCases, let targets = malformedCaseTargets[node] else { continue }
            for to in targets where !seen[to] {
                seen[to] = true
                stack.append(to)
            }
        }
        return seen
    }
}
