import FlowDiagnostics

/// The checks the loader makes before a flow is read as a flow: they keep hostile files from crashing,
/// hanging or exhausting the linter, and they keep YAML's surprises out of the language.
public enum SyntaxRules {
    public static let syntax = RuleDescriptor(
        id: "yaml_syntax", severity: .error,
        summary: "the file is not valid YAML",
        fix: "Fix the YAML at the place libyaml names: check indentation, quotes and colons.",
        pointsAt: "the place libyaml names, an empty range (end = start)")
    public static let invalidUTF8 = RuleDescriptor(
        id: "yaml_invalid_utf8", severity: .error,
        summary: "the file is not valid UTF-8",
        fix: "Save the file as UTF-8 (most editors offer it under 'encoding').",
        pointsAt: "the first byte that is not UTF-8, one column (printed as U+FFFD)")
    public static let nulByte = RuleDescriptor(
        id: "yaml_nul_byte", severity: .error,
        summary: "the file contains a NUL byte",
        fix: "Remove the NUL byte; a flow file is text, and a NUL usually means a binary file was named by mistake.",
        pointsAt: "the first NUL byte, one column (printed as U+FFFD)")
    public static let tooLarge = RuleDescriptor(
        id: "yaml_too_large", severity: .error,
        summary: "the file is larger than the size limit (16 MiB for a flow, 1 MiB for a configuration)",
        fix: "Split the flow into smaller flows; no real flow or configuration comes near this limit.",
        pointsAt: "the start of the file, 1:1, an empty range; the file is not read")
    public static let tooDeep = RuleDescriptor(
        id: "yaml_too_deep", severity: .error,
        summary: "mappings and lists are nested deeper than the limit (64 levels in a flow, 16 in a configuration)",
        fix: "Flatten the structure; a flow or a configuration never needs more than a handful of levels.",
        pointsAt: "where the list or mapping one level past the limit starts")
    public static let duplicateKey = RuleDescriptor(
        id: "yaml_duplicate_key", severity: .error,
        summary: "a key appears twice in the same mapping",
        fix: "Remove or rename one of the two keys; YAML would silently keep only one of them.",
        pointsAt: "the second key; a note points at the first")
    public static let anchor = RuleDescriptor(
        id: "yaml_anchor", severity: .error,
        summary: "anchors (&name) and aliases (*name) are not allowed",
        fix: "Write the value out where it is used; flows have no use for anchors, and refusing them keeps "
            + "alias bombs out.",
        pointsAt: "the anchor (`&name`) or the alias (`*name`)")
    public static let tag = RuleDescriptor(
        id: "yaml_tag", severity: .error,
        summary: "YAML tags (!!str, !custom) are not allowed",
        fix: "Remove the tag: the flow language decides every field's type, so text stays text without tags.",
        pointsAt: "the tagged value, tag included")
    public static let multipleDocuments = RuleDescriptor(
        id: "yaml_multiple_documents", severity: .error,
        summary: "the file holds more than one YAML document",
        fix: "Keep one flow per file; move the other document (after '---') into a file of its own.",
        pointsAt: "the `---` that starts the second document")
    public static let complexKey = RuleDescriptor(
        id: "yaml_complex_key", severity: .error,
        summary: "a mapping key is a list or a mapping",
        fix: "Use plain text as the key.",
        pointsAt: "the key that is a list or a mapping")

    /// Every loader check, in the order the documentation lists them.
    public static let all: [RuleDescriptor] = [
        syntax, invalidUTF8, nulByte, tooLarge, tooDeep, duplicateKey, anchor, tag, multipleDocuments, complexKey,
    ]
}
