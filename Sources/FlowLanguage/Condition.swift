import FlowDiagnostics

/// What a comparison looks at: a flow variable or an attribute of the contact (`name`, `phone`).
public enum Subject: Sendable, Hashable {
    case variable(String)
    case contact(String)

    /// As written in text interpolation: `name` or `contact.name`.
    public var reference: String {
        switch self {
        case .variable(let name): return name
        case .contact(let attribute): return "contact.\(attribute)"
        }
    }
}

/// How a subject is compared. Numbers compare numerically; text compares case- and accent-insensitively.
public enum Comparison: Sendable, Hashable {
    case equals(String)
    case notEquals(String)
    case oneOf([String])
    case contains(String)
    case matches(String)
    case lessThan(Double)
    case greaterThan(Double)
    case atLeast(Double)
    case atMost(Double)
    case isSet(Bool)

    /// The operator keys of the language, in documentation order.
    public static let keys = [
        "equals", "not_equals", "in", "contains", "matches", "less_than", "greater_than", "at_least", "at_most",
        "is_set",
    ]
}

/// A condition of a `branch` case.
public indirect enum Condition: Sendable {
    case compare(Located<Subject>, Comparison, SourceRange)
    case businessHours(open: Bool, SourceRange)
    case consentGiven(Bool, SourceRange)
    case all([Condition], SourceRange)
    case any([Condition], SourceRange)
    case not(Condition, SourceRange)

    public var range: SourceRange {
        switch self {
        case .compare(_, _, let r), .businessHours(_, let r), .consentGiven(_, let r), .all(_, let r),
            .any(_, let r), .not(_, let r):
            return r
        }
    }

    /// Every subject the condition reads, with where it is written.
    public var subjects: [Located<Subject>] {
        switch self {
        case .compare(let subject, _, _): return [subject]
        case .businessHours, .consentGiven: return []
        case .all(let items, _), .any(let items, _): return items.flatMap(\.subjects)
        case .not(let inner, _): return inner.subjects
        }
    }
}
