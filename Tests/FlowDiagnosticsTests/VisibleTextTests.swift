import Foundation
import Testing

@testable import FlowDiagnostics

@Suite struct VisibleTextTests {
    @Test func plainTextComesBackAsItIs() {
        #expect(VisibleText.of("consentimiento") == "consentimiento")
        #expect(VisibleText.of("¿Qué deseas? ñandú 東京") == "¿Qué deseas? ñandú 東京")
        #expect(VisibleText.of(#"a\u{202E}b"#) == #"a\u{202E}b"#)
    }

    @Test func controlCharactersBecomeReplacementCharacters() {
        #expect(
            VisibleText.of("x\u{1B}[31mred\u{0}\u{7F}\u{9B}\n\t")
                == "x\u{FFFD}[31mred\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(VisibleText.of("a\nb\tc\u{1B}", keeping: ["\n", "\t"]) == "a\nb\tc\u{FFFD}")
    }

    /// Every character the brief names as invisible, and the other characters drawn as nothing, show as escapes.
    @Test func invisibleCharactersBecomeEscapes() {
        let invisible: [UInt32] = [
            0xAD, 0xA0, 0x200B, 0x200C, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060, 0x2064, 0x2066, 0x2069, 0xFEFF,
            0x2028, 0x2029, 0x2000, 0x3000, 0x3164, 0x115F, 0x034F, 0xE0001,
        ]
        for value in invisible {
            let scalar = Unicode.Scalar(value)!
            let expected = "a\\u{\(String(value, radix: 16, uppercase: true))}b"
            #expect(VisibleText.of("a\(Character(scalar))b") == expected, "U+\(String(value, radix: 16))")
        }
        #expect(VisibleText.of("consentimiento\u{202E}") == #"consentimiento\u{202E}"#)
        #expect(VisibleText.of("\u{200B}start") == #"\u{200B}start"#)
        #expect(VisibleText.of("\u{200D}") == #"\u{200D}"#)
    }

    /// A joiner between emoji, a flag's tags and a variation selector are drawn as part of the emoji.
    @Test func emojiSequencesStayWhole() {
        for emoji in ["👩‍💻", "👨‍👩‍👧", "👍🏽‍♂️", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣"] {
            #expect(VisibleText.of("a \(emoji) b") == "a \(emoji) b", "\(emoji.unicodeScalars.map(\.value))")
        }
        // A joiner after a digit, or alone at the end, joins nothing.
        #expect(VisibleText.of("1\u{200D}😀") == #"1\u{200D}😀"#)
        #expect(VisibleText.of("😀\u{200D}") == #"😀\u{200D}"#)
        // Tags without the black flag are no flag.
        #expect(VisibleText.of("a\u{E0067}\u{E007F}") == #"a\u{E0067}\u{E007F}"#)
    }

    @Test func anOrdinarySpaceIsNoEscapeButOtherSpacesAre() {
        #expect(VisibleText.isInvisible(" "))
        #expect(VisibleText.of("a b\u{A0}c") == #"a b\u{A0}c"#)
        #expect(!VisibleText.isInvisible("\u{FE0F}"))
    }
}
