import FlowDiagnostics
import FlowSyntax
import Testing

/// A location written the way the tests read: line, column (in Unicode scalars), byte offset.
func at(_ line: Int, _ column: Int, _ offset: Int) -> FlowDiagnostics.SourceLocation {
    FlowDiagnostics.SourceLocation(line: line, column: column, offset: offset)
}

/// A range from one location to another.
func span(_ start: FlowDiagnostics.SourceLocation, _ end: FlowDiagnostics.SourceLocation) -> SourceRange {
    SourceRange(start: start, end: end)
}

/// The value of `key` in a mapping node.
func value(_ node: Node?, _ key: String) -> Node? {
    node?.mapping?.first { $0.key == key }?.value
}

/// The pair named `key` in a mapping node.
func pair(_ node: Node?, _ key: String) -> Pair? {
    node?.mapping?.first { $0.key == key }
}

/// Checks what the loader promises about every location it returns: it lies inside the file, a range
/// starts before it ends, and line and column name the same place as the byte offset. Returns the first
/// broken promise, described, or `nil`.
func brokenLocationPromise(in result: LoadResult) -> String? {
    let source = result.source
    func check(_ location: FlowDiagnostics.SourceLocation, _ what: String) -> String? {
        if source.bytes.isEmpty {
            return location.offset == 0 && location.line >= 1 && location.column >= 1
                ? nil : "\(what): \(location) in an empty source"
        }
        guard location.offset >= 0, location.offset <= source.bytes.count else {
            return "\(what): offset \(location.offset) outside \(source.bytes.count) bytes"
        }
        let expected = source.location(ofByte: location.offset)
        return expected == location ? nil : "\(what): \(location), but its offset is at \(expected)"
    }
    func check(_ range: SourceRange, _ what: String) -> String? {
        if let problem = check(range.start, what) ?? check(range.end, what) { return problem }
        return range.start.offset <= range.end.offset ? nil : "\(what): \(range) ends before it starts"
    }
    func check(_ node: Node) -> String? {
        if let problem = check(node.range, "node") { return problem }
        switch node.value {
        case .scalar:
            return nil
        case .sequence(let items):
            for item in items {
                if let problem = check(item) { return problem }
                if item.range.start.offset < node.range.start.offset || item.range.end.offset > node.range.end.offset {
                    return "item \(item.range) outside its list \(node.range)"
                }
            }
        case .mapping(let pairs):
            for pair in pairs {
                if let problem = check(pair.keyRange, "key") ?? check(pair.value) { return problem }
                if pair.keyRange.start.offset < node.range.start.offset
                    || pair.value.range.end.offset > node.range.end.offset
                {
                    return "pair '\(pair.key)' outside its mapping \(node.range)"
                }
            }
        }
        return nil
    }
    for diagnostic in result.diagnostics {
        if let problem = check(diagnostic.range, diagnostic.id) { return problem }
        for note in diagnostic.notes {
            if let problem = check(note.range, "note of \(diagnostic.id)") { return problem }
        }
    }
    if let root = result.root { return check(root) }
    return nil
}
