import FlowDiagnostics

/// What Meta accepts as the text of a template's body parameter (`{{1}}`, `{{2}}`, …). The Cloud API refuses a
/// parameter without text, and one with a line break, a tab or more than 4 consecutive spaces (error 132018,
/// "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"), and then sends nothing.
/// A control character (NUL, ESC, DEL…) or a parameter of invisible characters only (U+3164, U+200B) is refused
/// as well: Meta may take it, but the contact would read boxes or nothing.
/// One definition for every door a parameter comes through: lint (a flow's `template` step), the template API
/// and `talkflow send-template` (which refuse such a parameter), and the interpreter (which normalizes a filled
/// one and refuses it only when nothing is left).
public enum TemplateParameterText {
    /// The most consecutive spaces Meta accepts.
    public static let maxConsecutiveSpaces = 4

    /// What makes Meta refuse a parameter.
    public enum Problem: Equatable, Sendable {
        /// Empty or only white space.
        case blank
        /// A line break: a new line, carriage return, vertical tab, form feed, U+0085, U+2028 or U+2029.
        case lineBreak
        /// A tab (U+0009).
        case tab
        /// More than `maxConsecutiveSpaces` spaces (U+0020) in a row.
        case consecutiveSpaces
        /// A control character other than a line break or a tab (`ControlCharacters`): NUL, ESC, DEL, C1.
        case controlCharacter(Unicode.Scalar)
        /// Nothing a contact can see: only invisible characters (`VisibleText.isInvisible`), such as U+3164.
        case invisible

        /// Whether it is a control character, which lint reports at its own column.
        public var isControlCharacter: Bool {
            if case .controlCharacter = self { return true }
            return false
        }

        /// What is wrong, after "parameter N ({{N}})".
        public var found: String {
            switch self {
            case .blank: return "is empty"
            case .lineBreak: return "contains a line break"
            case .tab: return "contains a tab"
            case .consecutiveSpaces: return "contains more than \(maxConsecutiveSpaces) consecutive spaces"
            case .controlCharacter(let scalar):
                return "contains the control character \(ControlCharacters.described(scalar))"
            case .invisible: return "holds nothing visible, only invisible characters"
            }
        }

        /// Meta's rule and how to follow it.
        public var advice: String {
            switch self {
            case .blank: return "Meta refuses a template parameter without text: give it a value"
            case .lineBreak: return Self.rule + ": write it on one line"
            case .tab: return Self.rule + ": write a space instead"
            case .consecutiveSpaces:
                return Self.rule + ": leave at most \(maxConsecutiveSpaces) spaces in a row"
            case .controlCharacter:
                return "the contact's phone would show it as a box or not at all: remove it"
            case .invisible: return "the contact would read nothing: write the parameter's text"
            }
        }

        private static let rule =
            "Meta refuses a template parameter with a line break, a tab or more than \(maxConsecutiveSpaces) "
            + "consecutive spaces (error 132018)"
    }

    /// The first reason Meta would refuse `text` as a parameter (blank before the others), or `nil` if it takes it.
    public static func problem(in text: String) -> Problem? {
        if text.allSatisfy(\.isWhitespace) { return .blank }
        var spaces = 0
        for scalar in text.unicodeScalars {
            if isLineBreak(scalar) { return .lineBreak }
            if scalar == "\t" { return .tab }
            if ControlCharacters.isControl(scalar) { return .controlCharacter(scalar) }
            spaces = scalar == " " ? spaces + 1 : 0
            if spaces > maxConsecutiveSpaces { return .consecutiveSpaces }
        }
        if text.unicodeScalars.allSatisfy(VisibleText.isInvisible) { return .invisible }
        return nil
    }

    /// `text` as Meta takes it, changed as little as possible: each run of spaces, tabs and line breaks that holds
    /// a tab or a line break, or is more than `maxConsecutiveSpaces` spaces long, becomes one space, or nothing
    /// at the start or the end of the text. Shorter runs of spaces stay as they are. For a value filled in at run
    /// time (a multi-line answer, a padded field), where refusing would lose the whole message for its layout.
    /// The result is refused only when blank.
    public static func normalized(_ text: String) -> String {
        guard let problem = problem(in: text), problem != .blank else { return text }
        var out = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        var refusedRun = false
        func flush(atEnd: Bool) {
            if !refusedRun {
                out.append(contentsOf: run)
            } else if !out.isEmpty && !atEnd {
                out.append(" ")
            }
            run.removeAll()
            refusedRun = false
        }
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || isLineBreak(scalar) {
                run.append(scalar)
                if scalar != " " || run.count > maxConsecutiveSpaces { refusedRun = true }
                continue
            }
            if !run.isEmpty { flush(atEnd: false) }
            out.append(scalar)
        }
        if !run.isEmpty { flush(atEnd: true) }
        return String(out)
    }

    /// The scalars Swift's `Character.isNewline` holds for, each a line break wherever it stands.
    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
