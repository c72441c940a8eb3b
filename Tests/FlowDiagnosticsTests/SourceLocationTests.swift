import FlowDiagnostics
import Testing

/// `location(ofByte:)` walks from a mark on a long line instead of from the line's start: it must give the column
/// the walk from the line's start gives, for every offset, whatever the line holds (multi-byte scalars, bytes that
/// are not UTF-8, every kind of line break).
@Test func aLocationFromAMarkIsTheLocationFromTheLineStart() {
    var bytes: [UInt8] = Array("flow: f\nstart: a\r\n".utf8)
    var generator = SystemRandomNumberGenerator()
    let pieces: [[UInt8]] = [
        Array("a".utf8), Array("ñ".utf8), Array("😀".utf8), Array("\u{2028}".utf8), Array("\u{85}".utf8), [0xFF],
        [0xE2], [0x80], Array("\r".utf8), Array("\t".utf8),
    ]
    // Long lines (several thousand bytes between breaks), so most offsets are far from their line's start, then
    // short ones (a few dozen bytes), whose marks point at their starts.
    for count in 0..<20_000 {
        let piece =
            Int.random(in: 0..<(count < 15_000 ? 2_000 : 20), using: &generator) == 0
            ? Array("\n".utf8) : pieces[Int.random(in: 0..<pieces.count, using: &generator)]
        bytes += piece
    }
    let text = SourceText(bytes: bytes)
    func walked(_ offset: Int) -> FlowDiagnostics.SourceLocation {
        var line = 0
        while line + 1 < text.lineStarts.count, text.lineStarts[line + 1] <= offset { line += 1 }
        var column = 1
        var i = text.lineStarts[line]
        while i < offset {
            i += SourceText.scalarLength(leadingByte: bytes[i])
            column += 1
        }
        return FlowDiagnostics.SourceLocation(line: line + 1, column: column, offset: offset)
    }
    for offset in stride(from: 0, through: bytes.count, by: 7) {
        #expect(text.location(ofByte: offset) == walked(offset), "offset \(offset)")
    }
    #expect(text.location(ofByte: bytes.count) == walked(bytes.count))
}
