/// Meta's wording of an error (a Graph API `message` and `error_data.details`, a webhook error's `title`), made fit
/// for a log line. Meta sometimes quotes the request in it (`(#100) Invalid parameter to +573005550030`), and logs
/// never carry personal data: every run that could be a phone number becomes `<number>` and every e-mail address
/// `<email>`; the rest is kept as Meta wrote it, since it is what an operator searches Meta's documentation for.
///
/// A phone number here is a run of 7 or more digits, after an optional `+`, in groups joined by one separator each
/// (a space, a no-break space, `-`, `.`, or a group in parentheses): `+57 300 555-0030`, `300.555.0030`,
/// `+57 (300) 555 0030`, `573005550030`, `to=573005550030`. Kept as Meta wrote them, since an operator needs them
/// and they are not a person's: digits right after `#` (`(#131047)`, an error code), one run of digits (no `+`,
/// no groups) after the word `code`, `subcode`, `id` or the name of one of the business's ids (`error code
/// 131047`, `Object with ID '106540352242922'`, `phone_number_id=…`; not `wa_id`, `user_id` or `recipient_id`,
/// which name a contact), dates and times (`2026-08-01`, `2026-08-01 10:30:00`, `2026-08-01T10:30`, `10:30`).
public enum MetaWording {
    /// `text` with phone numbers and e-mail addresses replaced.
    public static func redacted(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if let end = dateOrTimeEnd(scalars, from: i) {
                out.append(contentsOf: scalars[i..<end])
                i = end
            } else if let end = emailEnd(scalars, from: i) {
                out.append(contentsOf: "<email>".unicodeScalars)
                i = end
            } else if let end = numberEnd(scalars, from: i) {
                out.append(contentsOf: "<number>".unicodeScalars)
                i = end
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// A decimal digit of any script (`٣` too): a number written in another script is still a number.
    private static func isAnyDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.numericType == .decimal }

    /// Separators between digit groups of one phone number.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\u{A0}" || scalar == "\u{202F}" || scalar == "-" || scalar == "."
    }

    /// The end of a phone number starting at `start`, or `nil`.
    private static func numberEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        // Letters before it do not make it less of a number (`to=573…`, `number573…`); a `#` does (an error code).
        if start > 0, isAnyDigit(s[start - 1]) || s[start - 1] == "#" { return nil }
        var i = start
        if s[i] == "+" { i += 1 }
        var digits = 0
        var groups: [Int] = []
        var separators: [Unicode.Scalar] = []
        // Just past the last whole group: a separator not followed by one is not part of the number.
        var end = i
        while i < s.count {
            // A date or a time is never part of a number (`555 0030 2026-08-01`).
            if dateOrTimeEnd(s, from: i) != nil { break }
            if isAnyDigit(s[i]) {
                var run = 0
                while i < s.count, isAnyDigit(s[i]) {
                    run += 1
                    i += 1
                }
                digits += run
                groups.append(run)
                end = i
            } else if s[i] == "(", i + 1 < s.count, isAnyDigit(s[i + 1]) {
                var j = i + 1
                while j < s.count, isAnyDigit(s[j]) { j += 1 }
                guard j < s.count, s[j] == ")" else { break }
                digits += j - i - 1
                groups.append(j - i - 1)
                i = j + 1
                end = i
            } else if !groups.isEmpty, isSeparator(s[i]), i + 1 < s.count, isAnyDigit(s[i + 1]) || s[i + 1] == "(" {
                separators.append(s[i])
                i += 1
            } else if !groups.isEmpty, s[i] == " ", i + 2 < s.count, s[i + 1] == " " || s[i + 1] == "-",
                isAnyDigit(s[i + 2])
            {
                // A doubled space or a spaced dash between groups.
                separators.append(s[i])
                i += 2
            } else {
                break
            }
        }
        guard digits >= 7, !groups.isEmpty else { return nil }
        // One run of digits after the name of a code or of one of the business's ids is that code or id; a `+` or
        // groups make it a phone number wherever it stands.
        if groups.count == 1, s[start] != "+", followsIdentifierWord(s, before: start) { return nil }
        return end
    }

    /// The end of a date (`2026-08-01`, with an optional time after `T` or a space) or a time (`10:30`,
    /// `10:30:00`) starting at `start`, or `nil`: kept as written, never read as a number.
    private static func dateOrTimeEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        if start > 0, isAnyDigit(s[start - 1]) { return nil }
        func digits(_ count: Int, at i: Int) -> Bool {
            i + count <= s.count && s[i..<(i + count)].allSatisfy(isDigit)
                && (i + count == s.count || !isDigit(s[i + count]))
        }
        func time(at i: Int) -> Int? {
            var hour = 0
            if digits(2, at: i) { hour = 2 } else if digits(1, at: i) { hour = 1 } else { return nil }
            var j = i + hour
            guard j < s.count, s[j] == ":", digits(2, at: j + 1) else { return nil }
            j += 3
            if j < s.count, s[j] == ":", digits(2, at: j + 1) { j += 3 }
            return j
        }
        if digits(4, at: start), start + 4 < s.count, s[start + 4] == "-", digits(2, at: start + 5),
            start + 7 < s.count, s[start + 7] == "-", digits(2, at: start + 8)
        {
            let date = start + 10
            if date < s.count, s[date] == "T" || s[date] == " ", let end = time(at: date + 1) { return end }
            return date
        }
        return time(at: start)
    }

    /// Names after which a run of digits is an error code or one of the business's own ids, not a person's number
    /// (`wa_id`, `user_id` and `recipient_id` name a contact, so they are not among them).
    private static let identifierWords: Set<String> = [
        "code", "subcode", "error_code", "error_subcode", "id", "phone_number_id", "waba_id", "business_id",
        "business_account_id", "app_id", "template_id", "message_template_id", "media_id",
    ]

    /// Whether the run at `start` follows one of `identifierWords` (any case), with at most spaces, `:`, `=`, `'`
    /// or `"` between.
    private static func followsIdentifierWord(_ s: [Unicode.Scalar], before start: Int) -> Bool {
        var i = start
        while i > 0, " :='\"".unicodeScalars.contains(s[i - 1]) { i -= 1 }
        var word: [Unicode.Scalar] = []
        while i > 0, isLetterOrDigit(s[i - 1]) || s[i - 1] == "_" {
            word.insert(s[i - 1], at: 0)
            i -= 1
        }
        return identifierWords.contains(String(String.UnicodeScalarView(word)).lowercased())
    }

    /// The end of an e-mail address (`local@domain.tld`) starting at `start`, or `nil`.
    private static func emailEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        func isLocal(_ c: Unicode.Scalar) -> Bool { isLetterOrDigit(c) || "._%+-".unicodeScalars.contains(c) }
        if start > 0, isLocal(s[start - 1]) { return nil }
        var i = start
        while i < s.count, isLocal(s[i]) { i += 1 }
        guard i > start, i < s.count, s[i] == "@" else { return nil }
        i += 1
        // The domain: labels of letters, digits and dashes joined by dots, the last one of 2 or more letters.
        let domainStart = i
        while i < s.count, isLetterOrDigit(s[i]) || s[i] == "-" || s[i] == "." { i += 1 }
        while i > domainStart, s[i - 1] == "." || s[i - 1] == "-" { i -= 1 }
        let labels = String(String.UnicodeScalarView(s[domainStart..<i]))
            .split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let last = labels.last, last.count >= 2,
            last.allSatisfy(\.isLetter)
        else { return nil }
        return i
    }
}
