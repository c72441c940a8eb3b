/// A place in a source file, as a person reads it: 1-based line and column, plus the byte offset for tools.
///
/// Columns count Unicode scalars, the unit libyaml counts in, so that a caret under a Spanish line
/// (`á`, `ñ`) lands on the right character.
public struct SourceLocation: Codable, Sendable, Hashable, Comparable {
    // Stored as 32-bit integers: every syntax node carries two locations, and halving them halves what the
    // loader and the decoder copy around (files are at most 16 MiB, far below 2^31).
    private var storedLine: Int32
    private var storedColumn: Int32
    private var storedOffset: Int32

    /// 1-based line number.
    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = Int32(clamping: newValue) }
    }
    /// 1-based column, in Unicode scalars.
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = Int32(clamping: newValue) }
    }
    /// 0-based offset in bytes from the start of the file.
    public var offset: Int {
        get { Int(storedOffset) }
        set { storedOffset = Int32(clamping: newValue) }
    }

    public init(line: Int, column: Int, offset: Int) {
        storedLine = Int32(clamping: line)
        storedColumn = Int32(clamping: column)
        storedOffset = Int32(clamping: offset)
    }

    private enum CodingKeys: String, CodingKey {
        case storedLine = "line"
        case storedColumn = "column"
        case storedOffset = "offset"
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.storedLine, lhs.storedColumn, lhs.storedOffset) < (rhs.storedLine, rhs.storedColumn, rhs.storedOffset)
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
