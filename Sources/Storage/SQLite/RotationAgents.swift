import TalkflowJSON

/// A queue's agents as the rotation last saw them (`rotations.agents`, a JSON array of names), so that a reload
/// that changes them continues from the last agent assigned instead of from a position of the new list.
enum RotationAgents {
    static func encode(_ agents: [String]) -> String { ColumnJSON.array(agents) }

    /// The names, or `nil` for a value that is not a JSON array of strings.
    static func decode(_ text: String) -> [String]? {
        guard case .array(let items)? = JSONNode.parse(Array(text.utf8)) else { return nil }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else { return nil }
            names.append(name)
        }
        return names
    }

    /// The index in `new` of the agent who comes after `last`: the one after them in `new` when they are in it,
    /// else the first after them in `old` who is in `new` (the order of those still there is kept), else the
    /// first of `new`.
    static func nextIndex(after last: String, old: [String], new: [String]) -> Int {
        if let index = new.firstIndex(of: last) { return (index + 1) % new.count }
        if let position = old.firstIndex(of: last) {
            for step in 1..<max(old.count, 1) {
                if let index = new.firstIndex(of: old[(position + step) % old.count]) { return index }
            }
        }
        return 0
    }
}
