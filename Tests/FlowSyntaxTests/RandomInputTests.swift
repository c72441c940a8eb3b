import FlowDiagnostics
import FlowSyntax
import SchemaTestSupport
import Testing

/// Seeded random inputs: whatever the bytes, the loader returns, and every location it gives is sound.
/// Each failure names the input's index and bytes, and the seeds are fixed, so a failure reproduces.
@Suite struct RandomInputTests {
    /// Pieces that change how libyaml reads what follows, with a few multi-byte characters and breaks.
    static let pieces: [[UInt8]] = [
        "a", "k", "ñ", "😀", "1", " ", "  ", "\t", "\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{FEFF}",
        "- ", ": ", ":", "? ", "[", "]", "{", "}", ", ", "#", "\"", "'", "\\", "|", ">-", "|+", "&x ", "*x",
        "!!str ", "!t ", "---", "...", "%YAML 1.1\n", "~", "\u{1}",
    ].map { Array($0.utf8) }

    /// A flow-like document to damage.
    static let document = Array(
        """
        flow: soporte
        language: es
        start: inicio
        settings:
          time_zone: America/Bogota
          business_hours:
            monday: ["08:00-12:00", "14:00-18:00"]
          keywords:
            - words: [menú, inicio, "no autorizo"]
              goto: inicio
        steps:
          - id: inicio
            type: menu
            text: |
              ¡Hola! ¿En qué te ayudamos?
              Escribe una opción.
            options: {si: fin, no: 'otra vez'}
          - id: fin
            type: end
            text: >-
              Gracias, hasta pronto 😀
        """.utf8)

    func assertSound(_ result: LoadResult, input: [UInt8], label: String) {
        if let problem = brokenLocationPromise(in: result) {
            Issue.record("\(label): \(problem); input \(input)")
        }
        if result.diagnostics.contains(where: { $0.id == "yaml_syntax" }), result.root != nil {
            Issue.record("\(label): a tree for a file with a syntax error; input \(input)")
        }
        if input.count <= LoaderLimits.default.maxBytes, result.source.bytes != input {
            Issue.record("\(label): the source is not the input")
        }
    }

    @Test func tenThousandRandomByteStrings() {
        var random = SplitMix64(seed: 0x7A1C_F10E)
        for index in 0..<10_000 {
            var input: [UInt8] = []
            let length = Int.random(in: 0..<200, using: &random)
            if index % 2 == 0 {
                // Any bytes: mostly stopped by the UTF-8 check.
                for _ in 0..<length { input.append(UInt8.random(in: 0...255, using: &random)) }
            } else {
                // Text made of YAML's pieces, with now and then a raw byte: these reach libyaml.
                for _ in 0..<(length / 3) {
                    if Int.random(in: 0..<40, using: &random) == 0 {
                        input.append(UInt8.random(in: 0...255, using: &random))
                    } else {
                        input += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)]
                    }
                }
            }
            assertSound(YAMLLoader.load(bytes: input), input: input, label: "random input \(index)")
        }
    }

    @Test func twoThousandMutationsOfAFlow() {
        let base = YAMLLoader.load(bytes: Self.document)
        #expect(base.diagnostics.isEmpty)
        #expect(brokenLocationPromise(in: base) == nil)
        var random = SplitMix64(seed: 0xF10A_2026)
        for index in 0..<2_000 {
            var input = Self.document
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                mutate(&input, using: &random)
            }
            assertSound(YAMLLoader.load(bytes: input), input: input, label: "mutation \(index)")
        }
    }

    /// One random change: flip a bit, insert a byte or a piece, delete a run, or repeat a run.
    func mutate(_ input: inout [UInt8], using random: inout SplitMix64) {
        let position = input.isEmpty ? 0 : Int.random(in: 0..<input.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where !input.isEmpty:
            input[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
        case 1:
            input.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 2:
            input.insert(contentsOf: Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)], at: position)
        case 3 where !input.isEmpty:
            let length = Int.random(in: 1...16, using: &random)
            input.removeSubrange(position..<min(input.count, position + length))
        default:
            let length = min(input.count - position, Int.random(in: 1...32, using: &random))
            input.insert(contentsOf: input[position..<(position + length)], at: position)
        }
    }
}
