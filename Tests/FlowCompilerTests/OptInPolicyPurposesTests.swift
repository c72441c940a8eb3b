import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Testing

@testable import FlowCompiler

/// `{{policy.purposes}}` in an opt-in's `text` is the opt-in's own purpose, the one its question asks for, not
/// the general consent's the contact has just accepted: in the compiled machine (what the contact reads and the
/// evidence hashes), in the texts lint measures, in the consent lock's hash and for `opt_in_purpose_unstated`
/// (contract3 #6).
@Suite struct OptInPolicyPurposesTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures/opt_in_purpose_unstated/flow.yaml")
    /// The opt-in's purpose `aliados`, as the contact reads the question.
    static let shown = "Autorizas compartir tus datos de contacto con aliados comerciales para publicidad?"

    static func flowText() throws -> String {
        try String(contentsOf: fixture, encoding: .utf8).replacingOccurrences(
            of: "\"Te podemos seguir escribiendo?\"", with: "\"Autorizas {{policy.purposes}}?\"")
    }

    static func flow() throws -> Flow {
        let decoded = FlowDecoder.decode(YAMLLoader.load(try flowText()).root)
        #expect(decoded.diagnostics.isEmpty)
        return try #require(decoded.flow)
    }

    @Test func theMachineAsksForTheOptInPurpose() throws {
        let machine = MachineCompiler.compile(try Self.flow())
        let consent = try #require(
            machine.states.lazy.compactMap { state -> ConsentPayload? in
                if case .consent(let payload) = state.payload { payload } else { nil }
            }.first)
        let optIn = try #require(consent.optIn)
        let text = machine.texts[Int(optIn.text)].pieces.map { piece in
            switch piece {
            case .literal(let index): machine.strings[Int(index)]
            case .variable(let index): "{{\(machine.variables[Int(index)])}}"
            }
        }.joined()
        #expect(text == Self.shown)
    }

    @Test func lintMeasuresTheTextWithTheOptInPurpose() throws {
        let texts = BotText.all(in: try Self.flow())
        let optIn = try #require(texts.first { $0.what == "opt-in text of step 'consentimiento'" })
        #expect(optIn.filled == Self.shown)
    }

    @Test func theLockHashesTheTextWithTheOptInPurpose() throws {
        let shown = ConsentLock.shown(in: try Self.flow())
        let entry = try #require(shown.first { $0.key == "consentimiento.opt_in" })
        #expect(entry.sha256 == ConsentLock.hash([Self.shown, "Si, claro", "No, gracias"]))
    }

    @Test func thePlaceholderStatesThePurpose() throws {
        #expect(try lint(OptInPurposeUnstatedRule(), try Self.flowText()).isEmpty)
    }
}
