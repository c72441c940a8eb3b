import Crypto
import FlowDiagnostics
import FlowLanguage
import FlowSyntax

/// The consent texts a flow has shown under each policy version, as SHA-256 hashes, kept in a file beside the
/// flow (`default.yaml` → `default.consent.lock`) and committed with it.
///
/// Consent evidence names the policy version the contact accepted (habeas-data checklist item 8): if the text
/// of a consent step changed while the version stayed the same, two contacts would hold "the same" consent to
/// different texts, and a new text would never be asked again of those who accepted the old one. The lock makes
/// that change an error (`consent_text_changed`) until the version is bumped.
///
/// A hash covers what the runtime hashes into the evidence: the step's text with its `{{policy.…}}`
/// placeholders filled, then the accept and decline titles, joined by line feeds. For a text without other
/// placeholders it equals the `text_sha256` of every consent record made under that version.
public struct ConsentLock: Sendable, Hashable {
    /// One locked hash: a consent step (`consentimiento`) or its opt-in (`consentimiento.opt_in`).
    public struct Entry: Sendable, Hashable {
        public var key: Located<String>
        public var sha256: Located<String>
    }

    /// One policy version and its hashes, in file order.
    public struct Version: Sendable, Hashable {
        public var version: Located<String>
        public var entries: [Entry]

        public func entry(_ key: String) -> Entry? { entries.first { $0.key.value == key } }
    }

    /// The versions, in file order.
    public var versions: [Version]

    public init(versions: [Version]) {
        self.versions = versions
    }

    public func version(_ version: String) -> Version? { versions.first { $0.version.value == version } }

    /// The lock file of the flow at `flowPath`: its name without `.yaml`/`.yml`, then `.consent.lock`.
    public static func path(forFlow flowPath: String) -> String {
        for suffix in [".yaml", ".yml"] where flowPath.hasSuffix(suffix) {
            return String(flowPath.dropLast(suffix.count)) + ".consent.lock"
        }
        return flowPath + ".consent.lock"
    }

    /// A lock file as read: the lock when it could be read, and what is wrong with it, located in its text.
    public struct Loaded: Sendable {
        public var lock: ConsentLock?
        public var source: SourceText
        public var diagnostics: [Diagnostic]

        /// The lock file's diagnostics as a file of them, `nil` when it has none.
        public func problems(path: String) -> FileDiagnostics? {
            diagnostics.isEmpty
                ? nil
                : FileDiagnostics(
                    path: path, source: String(decoding: source.bytes, as: UTF8.self), diagnostics: diagnostics)
        }
    }

    /// A lock is a few lines per policy version; a megabyte is far beyond any real one.
    public static let maxBytes = 1 << 20

    /// A lock file that cannot be used at all (unreadable, too large): one `consent_lock_invalid` at its start.
    public static func unusable(path: String, _ message: String) -> FileDiagnostics {
        FileDiagnostics(path: path, source: nil, diagnostics: [invalid.diagnostic(message, at: .fileStart)])
    }

    /// The descriptor of a lock file talkflow cannot use (reported in the lock file, not the flow).
    public static let invalid = RuleDescriptor(
        id: "consent_lock_invalid", severity: .error,
        summary: "a consent lock file (`*.consent.lock`) that is not the form `talkflow lock` writes",
        fix: "Restore the file from version control, or delete the entry and run `talkflow lock FLOW` again; "
            + "its form is `versions:` → policy version → step id → 64 hex digits.",
        pointsAt: "the wrong place in `flow.consent.lock` (its start when it is empty or unreadable)")

    /// The fix for a lock file YAML cannot read: it is written by `talkflow lock`, never by hand.
    static let lockFix = "restore the lock from version control, or delete it and run `talkflow lock FLOW` again"

    /// Reads a lock file. Every problem is reported; a lock with problems is not used, so that a damaged lock
    /// can never let a changed text pass.
    public static func load(bytes: [UInt8]) -> Loaded {
        let loaded = YAMLLoader.load(bytes: bytes)
        var diagnostics = loaded.diagnostics.map { diagnostic in
            var d = diagnostic
            // The loader's ids are about flows; in a lock file every problem is the lock's. So is the fix: `talkflow
            // lock` writes the file, and its help for a hand-written text ("quote the text") would only make a
            // damaged digest parse.
            if d.severity == .error {
                d = invalid.diagnostic(d.message, at: d.range, notes: d.notes, suggestion: lockFix)
            }
            return d
        }
        guard let root = loaded.root, !diagnostics.contains(where: { $0.severity == .error }) else {
            if loaded.root == nil, diagnostics.isEmpty {
                diagnostics.append(invalid.diagnostic("the lock file is empty; expected `versions:`", at: .fileStart))
            }
            return Loaded(lock: nil, source: loaded.source, diagnostics: diagnostics)
        }
        var versions: [Version] = []
        func problem(_ message: String, _ range: SourceRange) {
            diagnostics.append(invalid.diagnostic(message, at: range))
        }
        guard let top = root.mapping else {
            problem("the lock file holds \(root.kindDescription); expected a mapping with `versions:`", root.range)
            return Loaded(lock: nil, source: loaded.source, diagnostics: diagnostics)
        }
        for pair in top where pair.key != "versions" {
            problem("unknown key '\(pair.key)'; a lock file has only `versions:`", pair.keyRange)
        }
        guard let versionsNode = top.first(where: { $0.key == "versions" }) else {
            problem("the lock file has no `versions:`", root.range)
            return Loaded(lock: nil, source: loaded.source, diagnostics: diagnostics)
        }
        if let pairs = versionsNode.value.mapping {
            for versionPair in pairs {
                if versions.contains(where: { $0.version.value == versionPair.key }) {
                    problem("policy version '\(versionPair.key)' is listed twice", versionPair.keyRange)
                    continue
                }
                var entries: [Entry] = []
                guard let stepPairs = versionPair.value.mapping else {
                    problem(
                        "policy version '\(versionPair.key)' holds \(versionPair.value.kindDescription); expected "
                            + "a mapping of step id to hash", versionPair.value.range)
                    continue
                }
                for stepPair in stepPairs {
                    guard let hash = stepPair.value.scalar, isHash(hash) else {
                        let found =
                            stepPair.value.scalar.map { text in
                                text.utf8.count == 64 && text.lowercased() != text
                                    ? "upper-case letters" : "\(text.unicodeScalars.count) characters"
                            } ?? stepPair.value.kindDescription
                        problem(
                            "the hash of '\(stepPair.key)' under version '\(versionPair.key)' must be a SHA-256: 64 "
                                + "lower-case hex digits (found \(found))", stepPair.value.range)
                        continue
                    }
                    let step =
                        stepPair.key.hasSuffix(".opt_in")
                        ? String(stepPair.key.dropLast(".opt_in".count)) : stepPair.key
                    guard Identifiers.isName(step) else {
                        problem(
                            "'\(stepPair.key)' under version '\(versionPair.key)' is not a step id (or a step id and "
                                + "'.opt_in')", stepPair.keyRange)
                        continue
                    }
                    if entries.contains(where: { $0.key.value == stepPair.key }) {
                        problem(
                            "'\(stepPair.key)' is listed twice under version '\(versionPair.key)'", stepPair.keyRange)
                        continue
                    }
                    entries.append(
                        Entry(
                            key: Located(stepPair.key, range: stepPair.keyRange),
                            sha256: Located(hash, range: stepPair.value.range)))
                }
                versions.append(
                    Version(version: Located(versionPair.key, range: versionPair.keyRange), entries: entries))
            }
        } else if !versionsNode.value.isNull {
            problem(
                "`versions:` holds \(versionsNode.value.kindDescription); expected a mapping of policy version to "
                    + "hashes", versionsNode.value.range)
        }
        let usable = !diagnostics.contains { $0.severity == .error }
        return Loaded(
            lock: usable ? ConsentLock(versions: versions) : nil, source: loaded.source,
            diagnostics: Diagnostic.sortedByPosition(diagnostics))
    }

    static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// What a flow's consent steps show today, one entry per step and one per opt-in, in step order.
    public struct Shown: Sendable, Hashable {
        /// `consentimiento` or `consentimiento.opt_in`.
        public var key: String
        public var sha256: String
        /// The text field, for diagnostics.
        public var text: Located<String>

        public init(key: String, sha256: String, text: Located<String>) {
            self.key = key
            self.sha256 = sha256
            self.text = text
        }
    }

    /// The hashes of every consent text of `flow`, as the runtime hashes them into its evidence.
    public static func shown(in flow: Flow) -> [Shown] {
        var out: [Shown] = []
        for step in flow.steps {
            guard case .consent(let consent) = step.kind else { continue }
            func expanded(_ text: String, purposes: [String]) -> String {
                PolicyPlaceholders.expand(text, policy: flow.policy, language: flow.language.value, purposes: purposes)
            }
            out.append(
                Shown(
                    key: step.id.value,
                    sha256: hash([
                        expanded(consent.text.value, purposes: consent.purposes.map(\.value)),
                        consent.accept.title.value,
                        consent.decline.title.value,
                    ]),
                    text: consent.text))
            if let optIn = consent.optIn {
                out.append(
                    Shown(
                        key: step.id.value + ".opt_in",
                        sha256: hash([
                            expanded(optIn.text.value, purposes: optIn.placeholderPurposes), optIn.accept.value,
                            optIn.decline.value,
                        ]),
                        text: optIn.text))
            }
        }
        return out
    }

    /// Lower-case hex SHA-256 of the UTF-8 of the texts joined by line feeds: the hash of the consent lock and
    /// of the consent evidence (`text_sha256`).
    public static func hash(_ texts: [String]) -> String {
        let digest = SHA256.hash(data: Array(texts.joined(separator: "\n").utf8))
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lock file's text with `shown` recorded under `version`, from the file's current `text` when there is one:
    /// a new version is appended to it, so that what a team wrote there (comments naming who approved which
    /// version) is kept, when the result reads back as exactly the lock expected. Otherwise (a version already
    /// listed, a file in another layout) the whole file is written anew by `writing(version:shown:flowName:)`.
    public func writing(version: String, shown: [Shown], flowName: String, appendingTo text: String?) -> String {
        let rewritten = writing(version: version, shown: shown, flowName: flowName)
        guard let text, !text.isEmpty, self.version(version) == nil else { return rewritten }
        var appended = text.hasSuffix("\n") ? text : text + "\n"
        appended += "  \(YAMLQuoting.doubleQuoted(version)):" + (shown.isEmpty ? " {}\n" : "\n")
        for entry in shown { appended += "    \(entry.key): \(entry.sha256)\n" }
        func hashes(_ lock: ConsentLock?) -> [[String]]? {
            lock?.versions.map { v in [v.version.value] + v.entries.flatMap { [$0.key.value, $0.sha256.value] } }
        }
        let expected = ConsentLock.load(bytes: Array(rewritten.utf8))
        let read = ConsentLock.load(bytes: Array(appended.utf8))
        guard read.diagnostics.isEmpty, let got = hashes(read.lock), got == hashes(expected.lock) else {
            return rewritten
        }
        return appended
    }

    /// The lock file's text with `shown` recorded under `version`: the other versions and the version's other
    /// entries are kept as they are, in their order; a new version is added at the end.
    public func writing(version: String, shown: [Shown], flowName: String) -> String {
        var versions = versions.map { v in (v.version.value, v.entries.map { ($0.key.value, $0.sha256.value) }) }
        let entries = shown.map { ($0.key, $0.sha256) }
        if let i = versions.firstIndex(where: { $0.0 == version }) {
            // Entries are only added: a step removed from the flow keeps the hash of what it showed.
            for entry in entries {
                if let k = versions[i].1.firstIndex(where: { $0.0 == entry.0 }) {
                    versions[i].1[k] = entry
                } else {
                    versions[i].1.append(entry)
                }
            }
        } else {
            versions.append((version, entries))
        }
        var text = """
            # The consent texts of \(VisibleText.of(flowName)), as SHA-256 hashes per policy version, written by `talkflow lock`.
            # Commit it beside the flow: while a version is listed here, its consent texts may not change
            # (`consent_text_changed`); a new text needs a new policy.version.
            versions:

            """
        for (name, hashes) in versions {
            text += "  \(YAMLQuoting.doubleQuoted(name)):"
            text += hashes.isEmpty ? " {}\n" : "\n"
            for (key, hash) in hashes { text += "    \(key): \(hash)\n" }
        }
        return text
    }
}
