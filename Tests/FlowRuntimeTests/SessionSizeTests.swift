import FlowRuntime
import Foundation
import Testing

/// Docs/runtime.md and Docs/performance.md give `Session`'s inline size and the bytes of an idle session that
/// follow from it: a new field changes the size, and these figures with it.
@Test func theDocumentedSessionSizeIsTheRealOne() throws {
    let stride = MemoryLayout<Session>.stride
    let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs")
    let runtime = try String(contentsOf: docs.appendingPathComponent("runtime.md"), encoding: .utf8)
    #expect(runtime.contains("it takes \(stride) bytes inline plus an 80-byte heap block"))
    let performance = try String(contentsOf: docs.appendingPathComponent("performance.md"), encoding: .utf8)
    #expect(performance.contains("| `MemoryLayout<Session>.stride` | \(stride) bytes |"))
    // The variables array's 80-byte heap chunk, less its two 16-byte value slots.
    #expect(performance.contains("| **\(stride + 80 - 2 * 16)** (\(stride) + 80 − 2 × 16) |"))
    #expect(performance.contains("| the same with the two value slots | \(stride + 80) |"))
}
