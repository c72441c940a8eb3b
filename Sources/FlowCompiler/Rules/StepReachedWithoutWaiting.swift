import FlowDiagnostics
import FlowLanguage

/// The step the conversation reaches from a step without waiting for the contact again (through `set` and
/// template steps, which go on at once, messages when `throughMessages`, and branches whose every way leads
/// there): an `end` step, or with `goal` that step (a consent whose decline asks it again). `nil` when it waits
/// somewhere first (a menu, a question, a handoff: the contact still gets a service), meets a message and
/// `throughMessages` is off (information given), loops, or the chain is broken.
///
/// Every step's answer is kept, and the walk keeps its own stack: the consents of one flow share one search, so
/// thousands of declines into one long chain, or branches whose ways meet again, cost each step once, and a chain
/// of thousands of steps cannot overflow the call stack.
struct StepReachedWithoutWaiting {
    private let flow: Flow
    private let stepIndex: [String: Int]
    private let throughMessages: Bool
    /// The step searched for instead of an `end` step, by index.
    private let goal: Int?
    /// Per step index, the index of the step reached, or `nil` for none.
    private var answers: [Int: Int?] = [:]

    init(_ context: RuleContext, throughMessages: Bool = true, goal: String? = nil) {
        flow = context.flow
        stepIndex = context.graph.stepIndex
        self.throughMessages = throughMessages
        self.goal = goal.map { context.graph.stepIndex[$0] ?? -1 }
    }

    /// The step reached (an `end` step, or the goal) from the step named `name`.
    mutating func end(from name: String) -> Step? {
        guard let start = stepIndex[name] else { return nil }
        return endIndex(from: start).map { flow.steps[$0] }
    }

    private enum Way {
        /// The step is the one searched for.
        case reached
        /// The conversation waits, gives information or stops here.
        case none
        /// The step goes on at once along every one of these; all must reach an end.
        case onward([Located<String>?])
    }

    private func way(from index: Int) -> Way {
        if let goal {
            if index == goal { return .reached }
        } else if case .end = flow.steps[index].kind {
            return .reached
        }
        switch flow.steps[index].kind {
        case .end: return .none
        case .message(let m): return throughMessages ? .onward([m.next]) : .none
        case .set(let s): return .onward([s.next])
        case .template(let t): return .onward([t.next])
        case .branch(let b): return .onward(b.cases.map(\.next) + [b.otherwise])
        default: return .none
        }
    }

    private struct Frame {
        var step: Int
        var ways: [Located<String>?]
        var next = 0
        var found: Int?
    }

    /// A step on a loop answers `nil`: it reaches itself again along a way that must reach an end, so whichever
    /// step of the loop the walk entered first, the answer of every step on it is the same.
    private mutating func endIndex(from start: Int) -> Int? {
        var frames: [Frame] = []
        var onPath: Set<Int> = []
        var entering: Int? = start
        var returned: Int??
        while true {
            if let step = entering {
                entering = nil
                if let known = answers[step] {
                    returned = .some(known)
                } else if onPath.contains(step) {
                    returned = .some(nil)
                } else {
                    switch way(from: step) {
                    case .reached:
                        answers[step] = .some(step)
                        returned = .some(step)
                    case .none:
                        answers[step] = .some(nil)
                        returned = .some(nil)
                    case .onward(let ways):
                        onPath.insert(step)
                        frames.append(Frame(step: step, ways: ways))
                    }
                }
            }
            if let value = returned {
                returned = nil
                guard !frames.isEmpty else { return value }
                if let value {
                    frames[frames.count - 1].found = frames[frames.count - 1].found ?? value
                    frames[frames.count - 1].next += 1
                } else {
                    // One way that does not end is enough: the step does not end either.
                    returned = .some(finish(&frames, &onPath, with: nil))
                    continue
                }
            }
            let top = frames[frames.count - 1]
            if top.next < top.ways.count {
                guard let name = top.ways[top.next], let target = stepIndex[name.value] else {
                    returned = .some(finish(&frames, &onPath, with: nil))
                    continue
                }
                entering = target
            } else {
                returned = .some(finish(&frames, &onPath, with: top.found))
            }
        }
    }

    /// Closes the innermost step with its answer, which goes back to the step that led to it.
    private mutating func finish(_ frames: inout [Frame], _ onPath: inout Set<Int>, with answer: Int?) -> Int? {
        let frame = frames.removeLast()
        onPath.remove(frame.step)
        answers[frame.step] = .some(answer)
        return answer
    }
}
