import FlowDiagnostics
import FlowLanguage

/// Consent evidence names the policy version a contact accepted; the texts shown under one version must stay
/// the texts every record of that version proves (habeas-data checklist item 8). With a consent lock beside the
/// flow (`talkflow lock`), a consent text that differs from the one locked for the current `policy.version` is
/// an error, and a version the lock does not list yet is a warning, so CI notices before a contact does.
struct ConsentTextChangedRule: LintRule {
    static let changed = RuleDescriptor(
        id: "consent_text_changed", severity: .error,
        summary: "a consent text (or its buttons, or its opt-in) that differs from the one the consent lock holds "
            + "for the same `policy.version`",
        fix: "A new consent text needs a new `policy.version` (publish the policy under it), then `talkflow lock "
            + "FLOW` records it; contacts are asked again. If the change was a mistake, restore the text.",
        pointsAt: "the consent step's `text` value; a note points at `policy.version`")
    static let unlocked = RuleDescriptor(
        id: "consent_version_unlocked", severity: .warning,
        summary: "a `policy.version` the flow's consent lock does not list yet",
        fix: "Run `talkflow lock FLOW` and commit the lock file, so that the texts of this version cannot change "
            + "unnoticed.",
        pointsAt: "the `version` value of `policy`")

    var descriptors: [RuleDescriptor] { [Self.changed, Self.unlocked] }

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let lock = context.consentLock, let policy = context.flow.policy,
            !policy.version.value.isEmpty
        else { return [] }
        let version = policy.version
        guard let locked = lock.version(version.value) else {
            return [
                Self.unlocked.diagnostic(
                    "policy version '\(version.value)' is not in the consent lock; its texts can still change "
                        + "unnoticed", at: version.range,
                    suggestion: "run `talkflow lock` on this flow and commit the lock file")
            ]
        }
        let note = DiagnosticNote(
            message: "the policy version these texts are locked under", range: version.range)
        return ConsentLock.shown(in: context.flow).compactMap { shown in
            let what = shown.key.hasSuffix(".opt_in") ? "opt-in of step" : "consent step"
            let step = shown.key.hasSuffix(".opt_in") ? String(shown.key.dropLast(".opt_in".count)) : shown.key
            guard let entry = locked.entry(shown.key) else {
                return Self.changed.diagnostic(
                    "\(what) '\(step)' is not in the consent lock under policy version '\(version.value)': a new "
                        + "consent text needs a new policy version", at: shown.text.range, notes: [note],
                    suggestion: "bump policy.version, then run `talkflow lock` on this flow")
            }
            guard entry.sha256.value != shown.sha256 else { return nil }
            return Self.changed.diagnostic(
                "the text or buttons of \(what) '\(step)' changed since policy version '\(version.value)' was "
                    + "locked (SHA-256 \(entry.sha256.value.prefix(12))…, now \(shown.sha256.prefix(12))…); "
                    + "contacts who accepted that version were shown another text",
                at: shown.text.range, notes: [note],
                suggestion: "bump policy.version and run `talkflow lock` on this flow, or restore the locked text")
        }
    }
}
