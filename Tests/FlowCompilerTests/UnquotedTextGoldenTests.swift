import FlowCompiler
import FlowDiagnostics
import Foundation
import Testing

/// A step text written unquoted the way a bot author writes a WhatsApp message (`*bold*`, a backquote,
/// `{{contact.name}}` first, `[Aviso]`, `Horario: 8-12`), each in a flow of its own in `UnquotedText/` with the
/// text output beside it (`<case>.expected.txt`): YAML reads each as something else, and the diagnostic must say
/// which character did it and how to write the text (`help:`). `TALKFLOW_RECORD=1` records, as for `Fixtures`.
@Suite struct UnquotedTextGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("UnquotedText")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
    }

    @Test func everyCaseIsThere() {
        #expect(Self.cases.count == 12)
    }

    @Test(arguments: cases)
    func caseMatchesGolden(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent("\(name).yaml")))
        let result = FlowChecker.check(bytes: bytes)
        let help = result.diagnostics.compactMap(\.suggestion)
        #expect(help.contains { $0.contains("quote") }, "\(name): no help to quote the text in \(result.diagnostics)")
        let file = FileDiagnostics(
            path: "\(name).yaml", source: String(decoding: bytes, as: UTF8.self), diagnostics: result.diagnostics)
        try Golden.compare(
            TextRenderer.render(files: [file], colors: false),
            Self.folder.appendingPathComponent("\(name).expected.txt"))
    }
}
