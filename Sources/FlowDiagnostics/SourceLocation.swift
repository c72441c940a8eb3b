/// A place in a source file, as a person reads it: 1-based line and column, plus the byte offset for tools.
///
/// Columns count Unicode scalars, the unit libyaml counts in, so that a caret under a Spanish line
/// (`á`, `ñ`) lands on the right character.
public struct SourceLocation: Codable, Sendable, Hashable, Comparable {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int
    /// 0-based offset in bytes from the start of the file.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column, lhs.offset) < (rhs.line, rhs.column, rhs.offset)
    }

    /// The start of a file.
    public static let start = SourceLocation(line: 1, column: 1, offset: 0)
}

/// A half-open span of source text, from the start of a node to just past its end.
public struct SourceRange: Codable, Sendable, Hashable {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    /// An empty range at one place.
    public init(at location: SourceLocation) {
        self.init(start: location, end: location)
    }

    /// The start of a file, for problems that belong to the whole file.
    public static let fileStart = SourceRange(at: .start)
}
