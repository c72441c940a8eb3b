import FlowLanguage
import SchemaTestSupport
import Testing

@testable import FlowRuntime

// The interpreter normalizes contact input with a Latin-1 fast path; the compiler normalizes keys with
// `TextMatching.normalize`. The two must agree exactly, or a typed option would stop matching.

@Test func theFastPathAgreesOnEveryLatin1StringOfOneAndTwoScalars() {
    var mismatches: [String] = []
    for a in 0...255 {
        let first = String(Character(Unicode.Scalar(UInt8(a))))
        if InputText.normalize(first) != TextMatching.normalize(first) { mismatches.append(first) }
        for b in 0...255 {
            let pair = first + String(Character(Unicode.Scalar(UInt8(b))))
            if InputText.normalize(pair) != TextMatching.normalize(pair) { mismatches.append(pair) }
        }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map { Array($0.unicodeScalars.map(\.value)) })")
}

@Test func theFastPathAgreesOnRandomLatin1Text() {
    // A fixed seed: the same strings on every run.
    var generator = SplitMix64(seed: 0x7A1C_F10E)
    let alphabet = Array(0...255).map { Unicode.Scalar(UInt8($0)) }
    for _ in 0..<20_000 {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            // Spaces and letters more often than control characters, so that spacing rules are exercised.
            let pick = Int.random(in: 0..<4, using: &generator)
            let scalar: Unicode.Scalar =
                pick == 0 ? " " : pick == 1 ? "\u{A0}" : alphabet[Int.random(in: 0...255, using: &generator)]
            text.append(scalar)
        }
        let string = String(text)
        #expect(InputText.normalize(string) == TextMatching.normalize(string), "\(string.unicodeScalars.map(\.value))")
    }
}

@Test(arguments: ["  CRÉDITO ", "Envíos", "Ana María", "não", "SÍ", "ÑANDÚ  del   Perú", "crédito 🚀", "Straße", "ﬁn"])
func typicalRepliesNormalizeAsTheCompilerDoes(_ text: String) {
    #expect(InputText.normalize(text) == TextMatching.normalize(text))
}
