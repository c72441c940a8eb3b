import Foundation
import FlowDiagnostics

/// Bot text with `{{variable}}` and `{{contact.name}}` placeholders, split into pieces once so that checks
/// and the interpreter never re-scan the text.
public struct TextTemplate: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        case literal(String)
        /// A variable reference: `name` or `contact.name`.
        case variable(String)
    }

    public var pieces: [Piece]

    public init(pieces: [Piece]) {
        self.pieces = pieces
    }

    /// Splits text at `{{…}}`. Spaces inside the braces are ignored (`{{ name }}`); an unclosed `{{` stays text.
    public init(parsing text: String) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            literal += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            if name.isEmpty {
                literal += rest[open.lowerBound..<close.upperBound]
            } else {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.variable(String(name)))
            }
            rest = rest[close.upperBound...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// The variable references in order of appearance.
    public var variables: [String] {
        pieces.compactMap { if case .variable(let name) = $0 { return name } else { return nil } }
    }

    /// The text with each placeholder replaced by `lookup(name)` (empty when it returns `nil`).
    public func render(_ lookup: (String) -> String?) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .variable(let name): out += lookup(name) ?? ""
            }
        }
        return out
    }

    /// The length of the text in characters when every placeholder is empty: the part a check can know.
    public var literalLength: Int {
        pieces.reduce(0) { total, piece in
            if case .literal(let text) = piece { return total + text.count }
            return total
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
