/// One emoji found in a text: the whole sequence a reader sees as one emoji, located in Unicode scalars.
///
/// Offsets count Unicode scalars because source columns do (see `SourceLocation`), so a linter can point a
/// caret at the emoji even when accented letters (`á`, `ñ`) come before it.
public struct EmojiMatch: Sendable, Hashable {
    /// The matched scalars, the whole sequence: `🇨🇴`, `1️⃣`, `👩🏽‍💻`, `❤️`, a subdivision flag.
    public var text: String
    /// 0-based index, in Unicode scalars of the scanned text, of the sequence's first scalar.
    public var scalarOffset: Int
    /// How many Unicode scalars the sequence spans; `text.unicodeScalars.count`.
    public var scalarLength: Int

    /// Builds a match; scanners create these, tests compare against them.
    public init(text: String, scalarOffset: Int, scalarLength: Int) {
        self.text = text
        self.scalarOffset = scalarOffset
        self.scalarLength = scalarLength
    }
}

/// Finds and removes emoji, which the WhatsApp conversation policy forbids in any text the bot or an agent sends.
///
/// The definition (also in `Docs/no-emoji.md`) uses only Unicode's own character properties, as Swift exposes
/// them in `Unicode.Scalar.Properties` (`isEmoji`, `isEmojiPresentation`, `isEmojiModifierBase`):
///
/// 1. A scalar with `Emoji_Presentation=Yes` is an emoji: `😀`, `🚀`, `⌚`, `⭐`. It stays one even when followed
///    by U+FE0E (VS15, text presentation): phones commonly ignore VS15 on these and draw the colour glyph anyway.
/// 2. A scalar with `Emoji=Yes` but not `Emoji_Presentation` (text by default: `©` `®` `™` `↔` `☺` `❤` `✔`,
///    digits, `#`, `*`) is an emoji only when followed by U+FE0F (VS16, emoji presentation), by an emoji
///    modifier if it is an `Emoji_Modifier_Base` (`☝🏽`), or — for `0`–`9` `#` `*` — by U+20E3 (keycap,
///    optionally after VS16). Alone, or followed by VS15, it is an ordinary character.
/// 3. Regional indicators pair into flags (`🇨🇴`); a lone regional indicator is an emoji too (a boxed letter).
/// 4. A sequence extends over: VS16 and the keycap mark after its base; an emoji modifier (skin tone,
///    U+1F3FB–1F3FF) after an `Emoji_Modifier_Base`; tag characters (U+E0020–E007F), which make subdivision
///    flags (Scotland is U+1F3F4 U+E0067 U+E0062 U+E0073 U+E0063 U+E0074 U+E007F); and U+200D (ZWJ) followed
///    by a further element (`👨‍👩‍👧`, `👩🏽‍💻`). A ZWJ chain is one emoji when at least one of its elements is; its
///    other elements may be text-default non-ASCII symbols without VS16 (`🏳‍🌈`, `❤‍🔥`), never a bare digit,
///    `#` or `*`. A skin-tone modifier with no base is an emoji.
/// 5. Once an emoji starts, the match runs to the end of its extended grapheme cluster (`Character`), taking
///    any dangling ZWJ, extra variation selectors, tags or combining marks, so that `strip(_:)` leaves none of
///    a match's scalars behind (a ZWJ that belongs to no match stays: `1‍😀` strips to `1` U+200D). A match
///    never crosses a `Character` boundary, and each cluster holds at most one match.
///
/// Everything else is allowed: accented letters, `¿ ¡ € £ ° • … – — “ ” « »`, `✓` (U+2713, `Emoji=No`),
/// arrows and math symbols without VS16, CJK, and a ZWJ or VS16 that follows no emoji.
public enum EmojiScanner {
    /// Every emoji sequence in `text`, in order, one per sequence (never one per scalar), so the linter reports
    /// each emoji once at its exact column.
    public static func matches(in text: String) -> [EmojiMatch] {
        if cannotContainEmoji(text) { return [] }
        var result: [EmojiMatch] = []
        var offset = 0
        for character in text {
            let scalars = character.unicodeScalars
            if let start = emojiStart(in: character) {
                let matched = scalars[scalars.index(scalars.startIndex, offsetBy: start)...]
                let length = scalars.count - start
                result.append(
                    EmojiMatch(text: String(matched), scalarOffset: offset + start, scalarLength: length)
                )
            }
            offset += scalars.count
        }
        return result
    }

    /// `text` without its emoji sequences (whole sequences, with their joiners, selectors, modifiers and tags),
    /// for text the runtime builds from variables; everything else, spaces included, is kept as it was.
    public static func strip(_ text: String) -> String {
        if cannotContainEmoji(text) { return text }
        var result = String.UnicodeScalarView()
        for character in text {
            let scalars = character.unicodeScalars
            if let start = emojiStart(in: character) {
                result.append(contentsOf: scalars.prefix(start))
            } else {
                result.append(contentsOf: scalars)
            }
        }
        return String(result)
    }

    /// Whether `text` holds at least one emoji, for callers that only need a yes or no.
    public static func containsEmoji(_ text: String) -> Bool {
        if cannotContainEmoji(text) { return false }
        return text.contains { emojiStart(in: $0) != nil }
    }

    /// A fast, exact pre-check: every scalar that can be or complete an emoji (Emoji_Presentation scalars,
    /// regional indicators, VS16, ZWJ, the keycap mark, skin tones, tags) is U+2000 or above, and their UTF-8
    /// encodings all start with a byte of 0xE2 or more. Text without such a byte (ASCII, Spanish, most of
    /// Latin-1) is answered without grapheme breaking; this is what keeps linting fast.
    @inline(__always)
    static func cannotContainEmoji(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0xE2 }
    }

    // MARK: - Grammar

    private static let zeroWidthJoiner: Unicode.Scalar = "\u{200D}"
    private static let textSelector: Unicode.Scalar = "\u{FE0E}"
    private static let emojiSelector: Unicode.Scalar = "\u{FE0F}"
    private static let keycapMark: Unicode.Scalar = "\u{20E3}"

    /// The scalar index in one grapheme cluster where its emoji starts, or `nil` when it has none.
    private static func emojiStart(in character: Character) -> Int? {
        // Every element starts at an `Emoji=Yes` scalar (regional indicators and modifiers included), so most
        // clusters (letters, punctuation, CJK) are settled without building an array.
        guard character.unicodeScalars.contains(where: { $0.properties.isEmoji }) else { return nil }
        let scalars = Array(character.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if let chain = parseChain(scalars, at: index) {
                if chain.isEmoji { return index }
                index = chain.end
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Elements joined by ZWJ starting at `start`: where the chain ends and whether any element is an emoji.
    private static func parseChain(_ scalars: [Unicode.Scalar], at start: Int) -> (end: Int, isEmoji: Bool)? {
        guard let first = parseElement(scalars, at: start) else { return nil }
        var end = first.end
        var isEmoji = first.isEmoji
        while end + 1 < scalars.count, scalars[end] == zeroWidthJoiner,
            let next = parseElement(scalars, at: end + 1)
        {
            end = next.end
            isEmoji = isEmoji || next.isEmoji
        }
        return (end, isEmoji)
    }

    /// One element at `start`: a flag, a lone regional indicator, or an `Emoji=Yes` base with its selector,
    /// keycap mark, modifier and tags. `nil` when no element starts there (including a bare digit, `#`, `*`).
    private static func parseElement(_ scalars: [Unicode.Scalar], at start: Int) -> (end: Int, isEmoji: Bool)? {
        let base = scalars[start]
        if isRegionalIndicator(base) {
            let paired = start + 1 < scalars.count && isRegionalIndicator(scalars[start + 1])
            return (start + (paired ? 2 : 1), true)
        }
        let properties = base.properties
        guard properties.isEmoji else { return nil }
        var index = start + 1
        func next(is scalar: Unicode.Scalar) -> Bool {
            index < scalars.count && scalars[index] == scalar
        }

        var isEmoji = properties.isEmojiPresentation
        if next(is: textSelector) {
            index += 1
            if !isEmoji { return (index, false) }
        } else if next(is: emojiSelector) {
            index += 1
            isEmoji = true
        }

        if isKeycapBase(base) {
            if next(is: keycapMark) {
                index += 1
                isEmoji = true
            }
            return isEmoji ? (index, true) : nil
        }

        if properties.isEmojiModifierBase, index < scalars.count, isEmojiModifier(scalars[index]) {
            index += 1
            isEmoji = true
            if next(is: emojiSelector) { index += 1 }
        }
        while index < scalars.count, isTag(scalars[index]) {
            index += 1
        }
        return (index, isEmoji)
    }

    /// Regional indicator symbols A–Z (U+1F1E6–1F1FF), the halves of flag pairs.
    private static func isRegionalIndicator(_ scalar: Unicode.Scalar) -> Bool {
        (0x1F1E6...0x1F1FF).contains(scalar.value)
    }

    /// Skin-tone modifiers (U+1F3FB–1F3FF); Swift also exposes this as `properties.isEmojiModifier`.
    private static func isEmojiModifier(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isEmojiModifier
    }

    /// Tag characters (U+E0020–E007F), which spell subdivision flags after U+1F3F4.
    private static func isTag(_ scalar: Unicode.Scalar) -> Bool {
        (0xE0020...0xE007F).contains(scalar.value)
    }

    /// `0`–`9`, `#`, `*`: text-default characters that become emoji only as keycaps or with VS16.
    private static func isKeycapBase(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && scalar.properties.isEmoji
    }
}
