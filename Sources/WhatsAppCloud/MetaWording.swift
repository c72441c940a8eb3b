/// Meta's wording of an error (a Graph API `message` and `error_data.details`, a webhook error's `title`), made fit
/// for a log line. Meta sometimes quotes the request in it (`(#100) Invalid parameter to +573005550030`), and logs
/// never carry personal data: every run that could be a phone number becomes `<number>` and every e-mail address
/// `<email>`; the rest is kept as Meta wrote it, since it is what an operator searches Meta's documentation for.
///
/// A phone number here is a `+` followed by digits, or 6 or more digits, either with single spaces or dashes
/// between digit groups (`+57 300 555-0030`, `573005550030`). Digits right after `#` are an error code
/// (`(#131047)`), kept.
public enum MetaWording {
    /// `text` with phone numbers and e-mail addresses replaced.
    public static func redacted(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if let end = emailEnd(scalars, from: i) {
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

    /// The end of a phone number starting at `start`, or `nil`.
    private static func numberEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        if start > 0, isDigit(s[start - 1]) || s[start - 1] == "#" { return nil }
        var i = start
        let plus = s[i] == "+"
        if plus { i += 1 }
        guard i < s.count, isDigit(s[i]) else { return nil }
        var digits = 0
        while i < s.count {
            if isDigit(s[i]) {
                digits += 1
                i += 1
            } else if s[i] == " " || s[i] == "-", i + 1 < s.count, isDigit(s[i + 1]) {
                i += 1
            } else {
                break
            }
        }
        return plus || digits >= 6 ? i : nil
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
