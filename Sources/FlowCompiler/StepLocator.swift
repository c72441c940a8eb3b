import FlowDiagnostics
import FlowLanguage

/// Finds the step a diagnostic is about, in logarithmic time: the step whose body holds a place, or whose id is
/// a range. The passes after the rules (suppressions, dead-end echoes) ask this once per diagnostic; scanning
/// every step each time made a flow of thousands of unreachable steps take minutes.
struct StepLocator {
    private let steps: [Step]
    /// Indices into `steps` ordered by where each body starts; sibling bodies never overlap.
    private let byStart: [Int]
    private let byIDRange: [SourceRange: Int]

    init(_ steps: [Step]) {
        self.steps = steps
        byStart = steps.indices.sorted { steps[$0].range.start.offset < steps[$1].range.start.offset }
        var byIDRange: [SourceRange: Int] = [:]
        for (i, step) in steps.enumerated() where byIDRange[step.id.range] == nil { byIDRange[step.id.range] = i }
        self.byIDRange = byIDRange
    }

    /// The step whose id is written at exactly `range`.
    func step(namedAt range: SourceRange) -> Step? { byIDRange[range].map { steps[$0] } }

    /// The step whose body holds byte `offset`, both ends included.
    func step(containing offset: Int) -> Step? {
        // The last body starting at or before the offset is the only one that can hold it.
        var low = 0
        var high = byStart.count
        while low < high {
            let mid = (low + high) / 2
            if steps[byStart[mid]].range.start.offset <= offset { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let step = steps[byStart[low - 1]]
        return offset <= step.range.end.offset ? step : nil
    }
}
