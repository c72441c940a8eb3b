import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// A text written without quotes that a ` #` cuts: in YAML a `#` after a space starts a comment, so
/// `text: Marca #233 o llama al 601 700 0000.` sends only "Marca", lints clean otherwise, and a transcript copied
/// from the flow agrees with it. In Colombia `#` is everywhere in addresses and codes ("Calle 100 # 10-20"),
/// so a comment right after a text the bot sends is far more often a cut text than a note. A warning, not an
/// error: a comment after a value is valid YAML and may be meant. A comment line that follows, indented as a
/// continuation of the text, cuts it the same way.
struct TextCutByCommentRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "text_cut_by_comment", severity: .warning,
        summary: "a text the bot sends, written without quotes, followed by ` #` on its line (or by a comment line "
            + "indented as its continuation): YAML reads the rest as a comment, so the contact gets the text "
            + "only up to the `#`",
        fix: "Quote the whole text (`text: \"Calle 100 # 10-20\"`) or write it as a block scalar (`>-`), where "
            + "`#` is text; a comment meant for the file goes on a line of its own.",
        pointsAt: "the `#` that starts the comment")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: Set<Int> = []
        for text in context.botTexts {
            guard let cut = CommentCut.find(in: text.text, source: context.source),
                seen.insert(cut.range.start.offset).inserted
            else { continue }
            diagnostics.append(cut.diagnostic(what: text.what, outcome: "the contact gets"))
        }
        return diagnostics
    }

    /// The comment (from its `#` to the end of its line) that ends the plain text at `range`: one on the text's
    /// last line, or a comment line right after it indented deeper than the line the text starts on.
    static func comment(after range: SourceRange, in bytes: [UInt8]) -> (start: Int, end: Int, sameLine: Bool)? {
        var index = range.end.offset
        func endOfLine(_ from: Int) -> Int {
            var end = from
            while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
            return end
        }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "#"), index > range.end.offset {
            return (index, endOfLine(index), true)
        }
        guard index < bytes.count, bytes[index] == 0x0A || bytes[index] == 0x0D else { return nil }
        // The indentation of the line the text starts on.
        var lineStart = range.start.offset
        while lineStart > 0, bytes[lineStart - 1] != 0x0A, bytes[lineStart - 1] != 0x0D { lineStart -= 1 }
        var indentation = 0
        while lineStart + indentation < bytes.count, bytes[lineStart + indentation] == 0x20 { indentation += 1 }
        // The next line: a comment indented deeper than that is where the text would have gone on.
        if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
        index += 1
        var column = 0
        while index < bytes.count, bytes[index] == 0x20 {
            index += 1
            column += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "#"), column > indentation else { return nil }
        return (index, endOfLine(index), false)
    }

    /// At most 40 characters of a text, for the message (the source line is shown below it).
    static func shortened(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(39)) + "…"
    }
}

/// A plain text that a YAML comment cuts short, as `text_cut_by_comment` finds it: in a flow's texts and in a
/// transcript's (`contact: Calle 100 # 10-20` sends `Calle 100`), with one message and one quoting help.
public struct CommentCut: Sendable {
    /// The comment, from its `#` to the end of its line.
    public var range: SourceRange
    /// The text as YAML read it.
    public var kept: String
    /// The comment, its trailing blanks removed: what the writer most likely meant to be part of the text.
    public var lost: String
    /// Whether the comment is on the text's last line (` #`), not on a line of its own indented as its continuation.
    public var sameLine: Bool

    /// The comment that cuts `text`, written plain (not quoted, not a block scalar) in `source`; `nil` when none
    /// does.
    public static func find(in text: Located<String>, source: SourceText) -> CommentCut? {
        let bytes = source.bytes
        let range = text.range
        guard range.end.offset > range.start.offset, range.end.offset <= bytes.count,
            ![UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "|"), UInt8(ascii: ">")].contains(
                bytes[range.start.offset]),
            let comment = TextCutByCommentRule.comment(after: range, in: bytes)
        else { return nil }
        var lost = Substring(String(decoding: bytes[comment.start..<comment.end], as: UTF8.self))
        while lost.last == " " || lost.last == "\t" { lost.removeLast() }
        return CommentCut(
            range: SourceRange(
                start: source.location(ofByte: comment.start), end: source.location(ofByte: comment.end)),
            kept: text.value, lost: String(lost), sameLine: comment.sameLine)
    }

    /// The `text_cut_by_comment` warning about the text called `what` ("'text' of step 'info'", "'contact'"),
    /// whose reader `outcome` names ("the contact gets", "the flow is sent"): it gets only the text before the
    /// comment.
    public func diagnostic(what: String, outcome: String) -> Diagnostic {
        let quoted = YAMLQuoting.example(kept + " " + lost)
        let cause =
            sameLine
            ? "' #' in \(what) starts a YAML comment" : "a comment line indented as a continuation of \(what) ends it"
        return TextCutByCommentRule.descriptor.diagnostic(
            cause + ", so \(outcome) only "
                + "'\(TextCutByCommentRule.shortened(kept))', without '\(TextCutByCommentRule.shortened(lost))'",
            at: range,
            suggestion: "if the '#' belongs to the text, quote the whole text, \(quoted), or write it as a "
                + "block scalar (>-); put a comment meant for the file on a line of its own")
    }
}
