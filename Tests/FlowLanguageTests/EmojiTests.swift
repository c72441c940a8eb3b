import Testing

@testable import FlowLanguage

/// A match written compactly: the text, where it starts and how many scalars it spans.
private func match(_ text: String, at offset: Int) -> EmojiMatch {
    EmojiMatch(text: text, scalarOffset: offset, scalarLength: text.unicodeScalars.count)
}

@Suite("EmojiScanner")
struct EmojiTests {
    /// Single emoji and whole sequences, each alone in the text: exactly one match covering all of it.
    @Test(
        "whole sequence is one match",
        arguments: [
            "😀", "🚀", "⌚", "⭐",
            "🇨🇴", "🇪🇸",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",  // Scotland
            "👍🏽", "👍🏿", "☝🏽",
            "👨\u{200D}👩\u{200D}👧", "👨\u{200D}👩\u{200D}👧\u{200D}👦", "👩🏽\u{200D}💻",
            "🏳\u{FE0F}\u{200D}🌈", "🏳\u{200D}🌈", "❤\u{200D}🔥", "🧑🏽\u{200D}🤝\u{200D}🧑🏿",
            "1\u{FE0F}\u{20E3}", "#\u{FE0F}\u{20E3}", "*\u{FE0F}\u{20E3}", "0\u{20E3}", "7\u{FE0F}",
            "❤\u{FE0F}", "©\u{FE0F}", "®\u{FE0F}", "™\u{FE0F}", "↔\u{FE0F}", "☺\u{FE0F}", "✔\u{FE0F}",
            "😀\u{FE0E}", "⌚\u{FE0E}",
            "🇨", "🏽",
        ]
    )
    func wholeSequence(_ emoji: String) {
        #expect(EmojiScanner.matches(in: emoji) == [match(emoji, at: 0)])
        #expect(EmojiScanner.containsEmoji(emoji))
        #expect(EmojiScanner.strip(emoji) == "")
    }

    /// Text that must pass untouched: special characters that are not emoji, and text-default emoji characters
    /// without VS16.
    @Test(
        "not emoji",
        arguments: [
            "", "Hola", "¿Cómo estás? ¡Hola! ñandú € 50 °C",
            "á é í ó ú ñ ü Ñ ¿ ¡ € £ ¥ © ® ™ ° • … – — “ ” « » ‹ › § ¶ ± × ÷",
            "Paso 1 de 3 #pedido *importante* 0123456789",
            "✓ listo", "→ ← ↑ ↓ ↔ ⇒ ∑ √ ∞ ≤ ≥ ≠ ½", "你好，世界", "こんにちは", "안녕하세요", "Привет", "مرحبا",
            "❤", "☺", "✔", "☝", "‼", "ℹ", "Ⓜ", "〰", "🅰",
            "❤\u{FE0E}", "☝\u{FE0E}", "©\u{FE0E}", "1\u{FE0E}", "#\u{FE0E}\u{20E3}",
            "\u{200D}", "a\u{200D}b", "\u{FE0F}", "x\u{FE0F}", "\u{20E3}", "A\u{20E3}", "\u{E0067}\u{E007F}",
            "1\u{200D}2", "©\u{200D}®",
        ]
    )
    func notEmoji(_ text: String) {
        #expect(EmojiScanner.matches(in: text).isEmpty)
        #expect(!EmojiScanner.containsEmoji(text))
        #expect(EmojiScanner.strip(text) == text)
    }

    @Test("offsets count Unicode scalars, after accented letters")
    func offsetsAfterAccents() {
        // "¿Cómo estás? " is 13 scalars; "ó" and "á" are one scalar each when precomposed.
        #expect(EmojiScanner.matches(in: "¿Cómo estás? 😀") == [match("😀", at: 13)])
        // A decomposed "e" + U+0301 is two scalars: "e", U+0301, "s", " " puts the emoji at 4, not 3.
        #expect(EmojiScanner.matches(in: "e\u{301}s 🚀") == [match("🚀", at: 4)])
        #expect(EmojiScanner.matches(in: "ñandú 🇨🇴") == [match("🇨🇴", at: 6)])
    }

    @Test("several emoji in one string, each found once at its own offset")
    func severalEmoji() {
        let text = "Hola 👋🏽, elige 1\u{FE0F}\u{20E3} o 2\u{FE0F}\u{20E3} ❤\u{FE0F} 👨\u{200D}👩\u{200D}👧🇨🇴🇪🇸"
        let expected = [
            match("👋🏽", at: 5),
            match("1\u{FE0F}\u{20E3}", at: 15),
            match("2\u{FE0F}\u{20E3}", at: 21),
            match("❤\u{FE0F}", at: 25),
            match("👨\u{200D}👩\u{200D}👧", at: 28),
            match("🇨🇴", at: 33),
            match("🇪🇸", at: 35),
        ]
        #expect(EmojiScanner.matches(in: text) == expected)
        #expect(EmojiScanner.strip(text) == "Hola , elige  o   ")
    }

    @Test("adjacent emoji without spaces are separate matches")
    func adjacent() {
        #expect(EmojiScanner.matches(in: "😀😀") == [match("😀", at: 0), match("😀", at: 1)])
        #expect(EmojiScanner.matches(in: "🇨🇴🇪") == [match("🇨🇴", at: 0), match("🇪", at: 2)])
        #expect(EmojiScanner.matches(in: "👍🏽👍") == [match("👍🏽", at: 0), match("👍", at: 2)])
    }

    @Test("the flag of Scotland is one match of seven scalars")
    func subdivisionFlag() {
        let scotland = "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
        let found = EmojiScanner.matches(in: "Go \(scotland)!")
        #expect(found == [match(scotland, at: 3)])
        #expect(found.first?.scalarLength == 7)
        #expect(EmojiScanner.strip("Go \(scotland)!") == "Go !")
    }

    @Test("a text-default symbol is flagged only with VS16")
    func variationSelectors() {
        #expect(EmojiScanner.matches(in: "Te ❤ mucho").isEmpty)
        #expect(EmojiScanner.matches(in: "Te ❤\u{FE0F} mucho") == [match("❤\u{FE0F}", at: 3)])
        #expect(EmojiScanner.matches(in: "Te ❤\u{FE0E} mucho").isEmpty)
        // VS15 after an Emoji_Presentation scalar does not make it text.
        #expect(EmojiScanner.matches(in: "ok 😀\u{FE0E}") == [match("😀\u{FE0E}", at: 3)])
    }

    @Test("a skin tone without a modifier base is an emoji of its own")
    func loneModifier() {
        #expect(EmojiScanner.matches(in: "a🏽") == [match("🏽", at: 1)])
        #expect(EmojiScanner.strip("a🏽b") == "ab")
        // © is not a modifier base, so the tone stands alone; © stays.
        #expect(EmojiScanner.matches(in: "©🏽") == [match("🏽", at: 1)])
        #expect(EmojiScanner.strip("©🏽") == "©")
    }

    @Test("leftover joiners, selectors and tags attached to an emoji go with it")
    func attachedDebris() {
        #expect(EmojiScanner.matches(in: "😀\u{200D} x") == [match("😀\u{200D}", at: 0)])
        #expect(EmojiScanner.strip("😀\u{200D} x") == " x")
        #expect(EmojiScanner.strip("❤\u{FE0F}\u{FE0F}!") == "!")
        #expect(EmojiScanner.strip("👍🏽🏽.") == ".")
        #expect(EmojiScanner.strip("🏴\u{E0067}\u{E0062}.") == ".")
        #expect(EmojiScanner.strip("😀\u{301}.") == ".")
    }

    @Test("a bare digit is never swallowed into a ZWJ chain, and strip keeps the joiner before the emoji")
    func digitBeforeJoiner() {
        #expect(EmojiScanner.matches(in: "1\u{200D}😀") == [match("😀", at: 2)])
        // The joiner after the digit belongs to no match (it is the digit's cluster), so strip leaves it.
        #expect(EmojiScanner.strip("1\u{200D}😀") == "1\u{200D}")
        #expect(EmojiScanner.strip("a\u{200D}😀b") == "a\u{200D}b")
    }

    @Test("strip keeps everything else, spaces included")
    func stripKeepsRest() {
        #expect(EmojiScanner.strip("  Hola 👋  Juan 🇨🇴 ") == "  Hola   Juan  ")
        #expect(EmojiScanner.strip("¿Cómo estás? ¡Hola! ñandú € 50 °C") == "¿Cómo estás? ¡Hola! ñandú € 50 °C")
        #expect(EmojiScanner.strip("Total: 50 € ✓ 👩🏽\u{200D}💻\n") == "Total: 50 € ✓ \n")
        #expect(EmojiScanner.strip("© 2025 ™ ®") == "© 2025 ™ ®")
        let stripped = EmojiScanner.strip("🎉 Pedido #123 listo 1\u{FE0F}\u{20E3} ✅")
        #expect(stripped == " Pedido #123 listo  ")
        #expect(!EmojiScanner.containsEmoji(stripped))
    }

    @Test("no stray emoji components remain after strip")
    func noStrayComponents() {
        let scotland = "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
        let text = "a👨\u{200D}👩\u{200D}👧b👍🏽c\(scotland)d❤\u{FE0F}e#\u{FE0F}\u{20E3}f"
        let stripped = EmojiScanner.strip(text)
        #expect(stripped == "abcdef")
        let components: Set<UInt32> = [0x200D, 0xFE0F, 0x20E3]
        #expect(
            !stripped.unicodeScalars.contains {
                components.contains($0.value) || (0xE0020...0xE007F).contains($0.value)
                    || (0x1F3FB...0x1F3FF).contains($0.value)
            }
        )
    }
}
