import FlowDiagnostics
import Foundation
import Testing

@testable import FlowCompiler

/// `inactivity_text_undeliverable` warns of an inactivity text due more than 24 hours after the contact's last
/// message, which WhatsApp always refuses; exactly one day still sends, as the runtime's window check does
/// (contract3 #6).
@Suite struct InactivityTextUndeliverableTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures/inactivity_text_undeliverable/flow.yaml")

    static func flow(after: String, text: Bool = true) throws -> String {
        let written =
            text ? "    text: \"Cerramos la conversacion por inactividad. Escribenos cuando quieras.\"\n" : ""
        return try String(contentsOf: fixture, encoding: .utf8).replacingOccurrences(
            of: "    after: 2d\n    text: \"Cerramos la conversacion por inactividad. Escribenos cuando quieras.\"\n",
            with: "    after: \(after)\n" + written)
    }

    @Test(arguments: [
        ("1d", nil), ("24h", nil), ("1440m", nil), ("86400s", nil), ("30m", nil), ("86401s", "86401s"),
        ("25h", "25h"), ("2d", "2d"), ("1441m", "1441m"),
    ])
    func onlyAWaitOverOneDayIsWarned(after: String, shown: String?) throws {
        let diagnostics = try lint(InactivityTextUndeliverableRule(), try Self.flow(after: after))
        #expect(diagnostics.map(\.id) == (shown == nil ? [] : ["inactivity_text_undeliverable"]))
        guard let shown, let diagnostic = diagnostics.first else { return }
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.message.hasPrefix("the inactivity text is due \(shown) after the contact's last message"))
        #expect(diagnostic.range.start.line == 9)
        #expect(diagnostic.range.start.column == 12)
        #expect(diagnostic.notes.map(\.range.start.line) == [10])
    }

    @Test func aLongWaitWithoutATextIsNotWarned() throws {
        #expect(try lint(InactivityTextUndeliverableRule(), try Self.flow(after: "3d", text: false)).isEmpty)
    }
}
