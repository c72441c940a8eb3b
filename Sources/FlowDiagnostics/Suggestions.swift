/// "Did you mean …?" for misspelt names: the closest candidate by edit distance, if it is close enough.
public enum Suggestions {
    /// Names longer than this get no suggestion: nobody misspells a 400-character id, and comparing such
    /// names with every candidate would let one hostile file cost minutes.
    public static let longestName = 64

    /// The candidate closest to `name`, when at most about a third of its characters differ.
    public static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        guard name.unicodeScalars.count <= longestName else { return nil }
        let target = Array(name.lowercased().unicodeScalars)
        var best: (String, Int)?
        for candidate in candidates {
            let length = candidate.unicodeScalars.count
            let limit = max(1, max(target.count, length) / 3)
            // The distance is at least the difference in length: most candidates end here, unread.
            guard length <= longestName, abs(length - target.count) <= limit else { continue }
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars))
            guard distance <= limit else { continue }
            if best == nil || distance < best!.1 || (distance == best!.1 && candidate < best!.0) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Edit distance over Unicode scalars where swapping two neighbours counts as one edit, like a
    /// substitution ("prot" is one edit from "port"; optimal string alignment), in O(n·m) time and O(m) memory.
    public static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}

/// "Did you mean …?" for many names against one list of candidates, as a check that reports every misspelt
/// reference asks it: each distinct name is compared once, and only the first `distinctNames` distinct names are
/// compared at all. Each comparison reads every candidate, so a hostile file of thousands of misspelt names
/// against thousands of candidates would otherwise take minutes; past the budget, names get no suggestion.
public struct SuggestionCache {
    public static let distinctNames = 100

    private let candidates: [String]
    private var known: [String: String?] = [:]

    public init(candidates: [String]) { self.candidates = candidates }

    /// `Suggestions.closest(to:in:)`, remembered per name; `nil` for names past the budget.
    public mutating func closest(to name: String) -> String? {
        if let suggestion = known[name] { return suggestion }
        guard known.count < Self.distinctNames else { return nil }
        let suggestion = Suggestions.closest(to: name, in: candidates)
        known[name] = suggestion
        return suggestion
    }
}
