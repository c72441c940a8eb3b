import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// Every check of talkflow, in documentation order: the loader's, the decoder's and the lint rules.
public enum RuleRegistry {
    /// The lint rules run over a decoded flow.
    static let rules: [any LintRule] = [
        UnknownStepRule(),
        UnreachableStepRule(),
        DeadEndRule(),
        WaitFreeCycleRule(),
        VariableAssignmentRule(),
    ]

    /// Every rule id talkflow can report, with its descriptor, for `--list-rules`, SARIF and the docs.
    public static var descriptors: [RuleDescriptor] {
        SyntaxRules.all + SchemaRules.all + rules.flatMap(\.descriptors) + [SuppressionRules.unknownSuppression]
    }

    /// The descriptor of an id, if it exists.
    public static func descriptor(_ id: String) -> RuleDescriptor? { descriptors.first { $0.id == id } }
}
