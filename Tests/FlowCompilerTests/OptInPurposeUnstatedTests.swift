import FlowDiagnostics
import Foundation
import Testing

@testable import FlowCompiler

/// `opt_in_purpose_unstated` looks for a word of the purpose's description in the opt-in's text, compared by
/// its first six letters (the habeas2 audit found "una promoción" warned of for "enviarte promociones").
@Suite struct OptInPurposeUnstatedTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures/opt_in_purpose_unstated/flow.yaml")

    @Test(arguments: [
        ("Te podemos seguir escribiendo?", 1),
        ("Quieres que compartamos tu contacto con un aliado comercial?", 0),
        ("Quieres recibir PUBLICIDÁD?", 0),
    ])
    func aWordOfThePurposeInTheTextIsEnough(text: String, warnings: Int) throws {
        let flow = try String(contentsOf: Self.fixture, encoding: .utf8)
            .replacingOccurrences(of: "\"Te podemos seguir escribiendo?\"", with: "\"\(text)\"")
        #expect(try lint(OptInPurposeUnstatedRule(), flow).count == warnings)
    }
}
