import FlowDiagnostics

/// The checks `talkflow serve` makes on its configuration file before it listens: every mistake is reported
/// at once, located in the file, so that an operator fixes them all in one round instead of one per restart.
///
/// Ids start with `config_` so that they never collide with the flow language's own ids (a flow's diagnostics
/// are reported beside these, under the flow's own file).
public enum ConfigRules {
    /// The file could not be read, or is empty.
    public static let unreadable = RuleDescriptor(
        id: "config_unreadable", severity: .error,
        summary: "the configuration file cannot be read or holds nothing",
        fix: "Name an existing, readable YAML file with at least a 'tenants' list (see Docs/operations.md).")
    /// A key the configuration does not define: a typo would otherwise be ignored silently.
    public static let unknownKey = RuleDescriptor(
        id: "config_unknown_key", severity: .error,
        summary: "a key the configuration does not define",
        fix: "Remove the key or correct its spelling; the message lists the keys allowed at that place.")
    /// A value of the wrong kind: text where a list is expected, a word where a number is expected.
    public static let wrongType = RuleDescriptor(
        id: "config_wrong_type", severity: .error,
        summary: "a value of the wrong kind (text where a list is expected, and so on)",
        fix: "Write the value in the form the message asks for.")
    /// A required field is absent.
    public static let missingField = RuleDescriptor(
        id: "config_missing_field", severity: .error,
        summary: "a required field is missing",
        fix: "Add the field the message names.")
    /// A value outside what its field accepts (a port over 65535, a malformed URL or hash).
    public static let invalidValue = RuleDescriptor(
        id: "config_invalid_value", severity: .error,
        summary: "a value outside what the field accepts",
        fix: "Use a value in the form and range the message gives.")
    /// A secret written into the file. The file is meant to be committed and shared; secrets live only in
    /// the environment of the process, and agent keys only as hashes.
    public static let secretInFile = RuleDescriptor(
        id: "config_secret_in_file", severity: .error,
        summary: "a secret (app secret, token, key) is written in the configuration file",
        fix: "Put the secret in an environment variable and name the variable with the matching '_env' key; "
            + "for agent keys write the SHA-256 of the key as 'key_sha256'. Treat the leaked secret as "
            + "compromised and rotate it.")
    /// Two tenants with the same id: logs, metrics and data would mix.
    public static let duplicateTenant = RuleDescriptor(
        id: "config_duplicate_tenant", severity: .error,
        summary: "two tenants have the same id",
        fix: "Give every tenant its own id.")
    /// Two tenants with the same phone-number id: a webhook could not tell which tenant it is for.
    public static let duplicatePhoneNumber = RuleDescriptor(
        id: "config_duplicate_phone_number_id", severity: .error,
        summary: "two tenants have the same phone-number id",
        fix: "Each WhatsApp number belongs to exactly one tenant; remove or correct one of the two.")
    /// An agent listed twice in one tenant, or two agents sharing one key.
    public static let duplicateAgent = RuleDescriptor(
        id: "config_duplicate_agent", severity: .error,
        summary: "an agent is listed twice, or two agents have the same key",
        fix: "List each agent once, with a key of its own.")
    /// An environment variable the configuration names is not set (or is empty).
    public static let missingEnvironment = RuleDescriptor(
        id: "config_missing_env", severity: .error,
        summary: "an environment variable named by the configuration is not set or is empty",
        fix: "Set the variable in the environment of 'talkflow serve' (systemd: Environment= or EnvironmentFile=).")
    /// A tenant's flow file cannot be read.
    public static let flowUnreadable = RuleDescriptor(
        id: "config_flow_unreadable", severity: .error,
        summary: "a tenant's flow file cannot be read",
        fix: "Check the path: it is relative to the configuration file's folder.")
    /// A tenant's flow file has lint errors; they are reported under the flow's own file.
    public static let flowInvalid = RuleDescriptor(
        id: "config_flow_invalid", severity: .error,
        summary: "a tenant's flow has errors",
        fix: "Fix the errors listed under the flow's own file ('talkflow lint FLOW' shows the same).")
    /// A queue override names a queue the tenant's flow does not declare.
    public static let unknownQueue = RuleDescriptor(
        id: "config_unknown_queue", severity: .error,
        summary: "a queue override names a queue the tenant's flow does not declare",
        fix: "Use a queue name declared under the flow's 'queues', or remove the override.")
    /// A tenant with agent keys hands conversations to an agent who has none: nobody could answer them.
    public static let unknownAgent = RuleDescriptor(
        id: "config_unknown_agent", severity: .error,
        summary: "a queue of a tenant with agent keys names an agent who has no key in that tenant",
        fix: "Add the agent under the tenant's 'agents' with a key, or give the queue this tenant's agents under "
            + "'queues'.")

    /// Every rule, for documentation and tests.
    public static let all: [RuleDescriptor] = [
        unreadable, unknownKey, wrongType, missingField, invalidValue, secretInFile, duplicateTenant,
        duplicatePhoneNumber, duplicateAgent, missingEnvironment, flowUnreadable, flowInvalid, unknownQueue,
        unknownAgent,
    ]
}
