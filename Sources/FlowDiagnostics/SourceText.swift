/// A file's text with its line starts, shared by the loader (to turn libyaml's marks into byte offsets)
/// and the renderers (to show the offending line).
///
/// Lines break where libyaml breaks them (`\n`, `\r\n`, `\r`, U+0085, U+2028, U+2029), so that the line
/// numbers in a diagnostic and the line shown under it always agree.
public struct SourceText: Sendable {
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0]` is after a UTF-8 byte-order mark, if any.
    public let lineStarts: [Int]
    /// For every block of `markSpacing` bytes, the first place at or after its start that the column walk of
    /// `location(ofByte:)` stops at, and the column there: a location on a long line walks from the nearest
    /// mark instead of from the line's start, so that thousands of diagnostics on one line of a megabyte (a
    /// text of emoji, a flow mapping on one line) cost linear time, not quadratic.
    private let marks: [(offset: Int, column: Int)]
    private static let markSpacing = 256

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts: [Int] = []
        let bomLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        starts.append(bomLength)
        var i = bomLength
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A {
                starts.append(i + 1)
                i += 1
            } else if b == 0x0D {
                let next = (i + 1 < n && bytes[i + 1] == 0x0A) ? i + 2 : i + 1
                starts.append(next)
                i = next
            } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0x85 {
                starts.append(i + 2)
                i += 2
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                starts.append(i + 3)
                i += 3
            } else {
                i += 1
            }
        }
        self.lineStarts = starts
        var marks: [(offset: Int, column: Int)] = []
        marks.reserveCapacity(n / Self.markSpacing + 1)
        for (line, start) in starts.enumerated() {
            let end = line + 1 < starts.count ? starts[line + 1] : n
            // A short line is walked from its start anyway: its blocks point there, and its bytes are not read.
            if end - start <= Self.markSpacing {
                while marks.count * Self.markSpacing < end { marks.append((start, 1)) }
                continue
            }
            var i = start
            var column = 1
            while i < end {
                while marks.count * Self.markSpacing <= i { marks.append((i, column)) }
                i += SourceText.scalarLength(leadingByte: bytes[i])
                column += 1
            }
        }
        self.marks = marks
    }

    public init(_ string: String) {
        self.init(bytes: Array(string.utf8))
    }

    /// The text of a 1-based line, without its line break; `nil` past the end.
    /// The name of the unusual line break that ends line `number` (a lone carriage return, U+0085, U+2028 or
    /// U+2029), or `nil` for a line feed, CR LF or the end of the file. YAML readers take these for line breaks
    /// where editors show none, which explains errors that seem to be on a line of their own.
    public func unusualBreak(endingLine number: Int) -> String? {
        guard number >= 1, number < lineStarts.count else { return nil }
        let next = lineStarts[number]
        if next >= 1, bytes[next - 1] == 0x0D { return "a carriage return (CR) without a line feed" }
        if next >= 2, bytes[next - 2] == 0xC2, bytes[next - 1] == 0x85 { return "U+0085 (NEXT LINE)" }
        if next >= 3, bytes[next - 3] == 0xE2, bytes[next - 2] == 0x80 {
            if bytes[next - 1] == 0xA8 { return "U+2028 (LINE SEPARATOR)" }
            if bytes[next - 1] == 0xA9 { return "U+2029 (PARAGRAPH SEPARATOR)" }
        }
        return nil
    }

    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        // Drop the line break itself.
        while end > start {
            let b = bytes[end - 1]
            if b == 0x0A || b == 0x0D {
                end -= 1
            } else if end - start >= 2, bytes[end - 2] == 0xC2, b == 0x85 {
                end -= 2
                break
            } else if end - start >= 3, bytes[end - 3] == 0xE2, bytes[end - 2] == 0x80, b == 0xA8 || b == 0xA9 {
                end -= 3
                break
            } else {
                break
            }
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The location of a byte offset (1-based line, column in Unicode scalars).
    public func location(ofByte offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        var column = 1
        var i = lineStarts[low]
        // From the nearest mark on this line before the offset, when there is one.
        var block = min(clamped / Self.markSpacing, marks.count - 1)
        while block >= 0, marks[block].offset > clamped { block -= 1 }
        if block >= 0, marks[block].offset > i {
            (i, column) = marks[block]
        }
        while i < clamped {
            i += SourceText.scalarLength(leadingByte: bytes[i])
            column += 1
        }
        return SourceLocation(line: low + 1, column: column, offset: clamped)
    }

    /// The byte offset of a 0-based line and 0-based scalar column (libyaml's marks), walking forward from
    /// `hint` when it is on the same line and not past the target, so that converting many marks in file
    /// order costs linear time even on a single very long line.
    public func byteOffset(line: Int, column: Int, hint: inout (line: Int, column: Int, offset: Int)) -> Int {
        guard line >= 0, line < lineStarts.count else { return bytes.count }
        var currentColumn = 0
        var i = lineStarts[line]
        if hint.line == line, hint.column <= column {
            currentColumn = hint.column
            i = hint.offset
        }
        while currentColumn < column, i < bytes.count {
            i += SourceText.scalarLength(leadingByte: bytes[i])
            currentColumn += 1
        }
        i = min(i, bytes.count)
        hint = (line, currentColumn, i)
        return i
    }

    /// How many bytes the UTF-8 sequence starting with this byte takes (1 for a stray byte).
    @inline(__always)
    public static func scalarLength(leadingByte b: UInt8) -> Int {
        if b < 0xC0 { return 1 }
        if b < 0xE0 { return 2 }
        if b < 0xF0 { return 3 }
        return 4
    }
}
