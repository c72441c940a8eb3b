import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// Every check of talkflow, in documentation order: the loader's, the decoder's and the lint rules.
public enum RuleRegistry {
    /// The lint rules run over a decoded flow.
    static let rules: [any LintRule] = [
        // References and structure.
        UnknownStepRule(),
        UnknownQueueRule(),
        UnknownTemplateRule(),
        UnreachableStepRule(),
        DeadEndRule(),
        WaitFreeCycleRule(),
        VariableAssignmentRule(),
        ValidationNotApplicableRule(),
        // Habeas data (Ley 1581 de 2012): ../Docs/lint-rules.md explains each.
        ConsentStepMissingRule(),
        ConsentRequiredRule(),
        ConsentTextIncompleteRule(),
        ConsentTextPersonalRule(),
        ConsentRightsByLinkRule(),
        PolicyMissingRule(),
        PolicyIncompleteRule(),
        ConsentLabelAmbiguousRule(),
        RevocationMissingRule(),
        DuplicatePurposeRule(),
        UnknownPurposeRule(),
        MarketingOptInRequiredRule(),
        OptInPurposeMixedRule(),
        OptInPurposeUnstatedRule(),
        MarketingOptOutMissingRule(),
        OptionalPurposeBundledRule(),
        HandoffPurposeMissingRule(),
        HandoffPurposeNotConsentedRule(),
        ConsentPurposesDifferRule(),
        SensitiveConsentInvalidRule(),
        DeclineDeadEndRule(),
        DeclineAsksAgainRule(),
        ConsentTextChangedRule(),
        InternationalProcessingUndisclosedRule(),
        // WhatsApp's message forms and limits, and the conversation policy.
        MenuSizeRule(),
        InteractiveLimitsRule(),
        TextLimitsRule(),
        EmptyTextRule(),
        ControlCharacterRule(),
        TextCutByCommentRule(),
        ReplyIDLengthRule(),
        PlaceholderNotFilledRule(),
        PlaceholderMalformedRule(),
        DuplicateOptionRule(),
        KeywordConflictRule(),
        EmojiRule(),
        AttachmentTypeRule(),
        TemplateNameRule(),
        TemplateTokensRule(),
        TemplateHeaderMediaRule(),
        QueueAgentsRule(),
        InactivityTextUndeliverableRule(),
    ]

    /// The lint rules, for tools that time or run them one by one (the benchmark).
    public static var lintRules: [any LintRule] { rules }

    /// Every rule id talkflow can report, with its descriptor, for `--list-rules`, SARIF and the docs.
    public static var descriptors: [RuleDescriptor] {
        SyntaxRules.all + SchemaRules.all + rules.flatMap(\.descriptors) + [
            SuppressionRules.unknownSuppression, ConsentLock.invalid,
        ]
    }

    /// The descriptor of an id, if it exists.
    public static func descriptor(_ id: String) -> RuleDescriptor? { descriptors.first { $0.id == id } }
}
