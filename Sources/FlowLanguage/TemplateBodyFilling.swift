/// A template's body with its parameters filled in, as Meta builds the message the contact reads: each
/// `{{N}}` token is parameter N. Meta refuses a body longer than 1024 characters once filled in (error 132005,
/// "hydrated text too long"), whatever each parameter's own length, so that is what is measured: by the
/// template API and `talkflow send-template`, which refuse the send, and by a flow's `template` step, which
/// cuts the parameters to fit (`FilledTextFitting`).
public struct TemplateBodyFilling: Sendable {
    /// The body's pieces: text as approved, and the token numbers (from 1) in the order they appear.
    let pieces: [FilledTextFitting.Piece]
    let tokens: [Int]

    /// The body of a template as declared (its tokens written `{{1}}`, `{{ 2 }}`, …).
    public init(body: String) {
        var pieces: [FilledTextFitting.Piece] = []
        var tokens: [Int] = []
        for piece in TextTemplate(parsing: body).pieces {
            switch piece {
            case .literal(let text): pieces.append(.literal(text))
            case .variable(let name):
                if let number = Int(name), number >= 1 {
                    tokens.append(number)
                    pieces.append(.value(""))
                } else {
                    // Not a parameter (lint refuses it): Meta shows it as written.
                    pieces.append(.literal("{{\(name)}}"))
                }
            }
        }
        self.pieces = pieces
        self.tokens = tokens
    }

    /// The body as the contact reads it with `parameters` (a token without a parameter reads empty).
    public func filled(with parameters: [String]) -> String {
        var next = tokens.makeIterator()
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .value:
                if let number = next.next(), parameters.indices.contains(number - 1) { out += parameters[number - 1] }
            }
        }
        return out
    }

    /// The length of the body filled in with `parameters`, as Meta counts it.
    public func filledLength(with parameters: [String]) -> Int {
        WhatsAppTextLimit.length(of: filled(with: parameters))
    }

    /// `parameters` with the longest cut (ending in `…`) so that the filled-in body is at most `limit`
    /// characters; unchanged when it already is.
    public func fitting(_ parameters: [String], limit: Int = WhatsAppTextLimit.templateBody) -> [String] {
        if WhatsAppTextLimit.fits(filled(with: parameters), within: limit) { return parameters }
        var fixed = 0
        for case .literal(let text) in pieces { fixed += text.count }
        var occurrences = Array(repeating: 0, count: parameters.count)
        for number in tokens where occurrences.indices.contains(number - 1) { occurrences[number - 1] += 1 }
        var cut = FilledTextFitting.cutValues(parameters, occurrences: occurrences, fixed: fixed, limit: limit)
        // Characters that join across a token's edge are counted whole again: shorten the longest further by one
        // until it fits (rare: a parameter starting with a combining mark).
        while !WhatsAppTextLimit.fits(filled(with: cut), within: limit),
            let longest = cut.indices.filter({ occurrences[$0] > 0 }).max(by: { cut[$0].count < cut[$1].count }),
            cut[longest].count > 1
        {
            cut[longest] = FilledTextFitting.cut(cut[longest], to: cut[longest].count - 1)
        }
        return cut
    }
}
