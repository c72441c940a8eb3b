import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import Foundation
import ProcessTestSupport
import Testing

// The consent lock (habeas-data checklist item 8): a consent text may not change under a policy version that
// the lock beside the flow already holds.

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The fixture flow that passes every check, with edits applied to its text.
private func minimalFlow(_ edits: [(String, String)] = []) throws -> String {
    var text = try String(contentsOf: fixtures.appending(path: "valid_minimal/flow.yaml"), encoding: .utf8)
    for (old, new) in edits {
        #expect(text.contains(old), "the fixture must contain \(old)")
        text = text.replacingOccurrences(of: old, with: new)
    }
    return text
}

/// The lock `talkflow lock` would write for `flow`, read back.
private func lock(of flow: String, adding other: ConsentLock = ConsentLock(versions: [])) throws -> ConsentLock {
    let checked = FlowChecker.check(flow)
    let decoded = try #require(checked.flow)
    let version = try #require(decoded.policy?.version.value)
    let text = other.writing(version: version, shown: ConsentLock.shown(in: decoded), flowName: "flow.yaml")
    let loaded = ConsentLock.load(bytes: Array(text.utf8))
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
    return try #require(loaded.lock)
}

private func ids(_ flow: String, _ lock: ConsentLock) -> [String] {
    FlowChecker.check(bytes: Array(flow.utf8), consentLock: lock).diagnostics.map(\.id)
}

private let optInStep = """
        opt_in:
          purpose: ofertas
          text: "Quieres recibir ofertas por WhatsApp? Puedes dejar de recibirlas cuando quieras."
          accept: "Si, quiero"
          decline: "No, gracias"

    """

@Test func aFlowChecksCleanWithItsOwnLock() throws {
    let flow = try minimalFlow()
    #expect(ids(flow, try lock(of: flow)).isEmpty)
}

@Test func aChangedTextUnderTheLockedVersionIsAnError() throws {
    let locked = try lock(of: try minimalFlow())
    let changed = try minimalFlow([("Tus datos se procesan", "Tus datos tambien se procesan")])
    let diagnostics = FlowChecker.check(bytes: Array(changed.utf8), consentLock: locked).diagnostics
    #expect(diagnostics.map(\.id) == ["consent_text_changed"])
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostic.severity == .error)
    // At the step's text, with a note at the policy version.
    #expect(diagnostic.range.start.line == 35)
    #expect(diagnostic.notes.first?.range.start.line == 14)
    #expect(diagnostic.message.contains("'consentimiento'") && diagnostic.message.contains("'2026-01'"))
}

@Test func aChangedButtonTitleIsAChangedText() throws {
    let flow = try minimalFlow()
    let locked = try lock(of: flow)
    let changed = try minimalFlow([("title: Acepto", "title: Autorizo")])
    #expect(ids(changed, locked) == ["consent_text_changed"])
}

@Test func aNewVersionIsOnlyAWarningAndLockingItClearsIt() throws {
    let original = try minimalFlow()
    let locked = try lock(of: original)
    let bumped = try minimalFlow([
        ("version: \"2026-01\"", "version: \"2026-02\""), ("Tus datos se procesan", "Tus datos tambien se procesan"),
    ])
    let diagnostics = FlowChecker.check(bytes: Array(bumped.utf8), consentLock: locked).diagnostics
    #expect(diagnostics.map(\.id) == ["consent_version_unlocked"])
    #expect(diagnostics.first?.severity == .warning)
    #expect(diagnostics.first?.range.start.line == 14)
    // Locking the new version keeps the old one as it was.
    let both = try lock(of: bumped, adding: locked)
    #expect(both.versions.map(\.version.value) == ["2026-01", "2026-02"])
    #expect(both.version("2026-01") == locked.version("2026-01"))
    #expect(ids(bumped, both).isEmpty)
    // The original flow still checks against its own version.
    #expect(ids(original, both).isEmpty)
}

@Test func anOptInIsLockedOnItsOwn() throws {
    let withOptIn = try minimalFlow([
        (
            "      human_attention: true\n",
            "      human_attention: true\n    - id: ofertas\n      description: enviarte "
                + "ofertas\n      optional: true\n      marketing: true\n"
        ),
        ("    accept: { title: Acepto", optInStep + "    accept: { title: Acepto"),
    ])
    let checked = FlowChecker.check(withOptIn)
    #expect(checked.diagnostics.filter { $0.severity == .error }.isEmpty, "\(checked.diagnostics.map(\.message))")
    let shown = ConsentLock.shown(in: try #require(checked.flow))
    #expect(shown.map(\.key) == ["consentimiento", "consentimiento.opt_in"])
    let locked = try lock(of: withOptIn)
    let changed = withOptIn.replacingOccurrences(of: "No, gracias", with: "No quiero")
    let diagnostics = FlowChecker.check(bytes: Array(changed.utf8), consentLock: locked).diagnostics
    #expect(diagnostics.map(\.id) == ["consent_text_changed"])
    #expect(diagnostics.first?.message.contains("opt-in of step 'consentimiento'") == true)
}

@Test func aConsentStepTheLockedVersionNeverShowedIsAnError() throws {
    let flow = try minimalFlow()
    let locked = try lock(of: flow)
    let renamed = flow.replacingOccurrences(of: "consentimiento", with: "autorizacion")
    let diagnostics = FlowChecker.check(bytes: Array(renamed.utf8), consentLock: locked).diagnostics
    #expect(diagnostics.map(\.id) == ["consent_text_changed"])
    #expect(diagnostics.first?.message.contains("is not in the consent lock") == true)
}

@Test func theHashIsTheTextsJoinedByLineFeeds() throws {
    let decoded = try #require(FlowChecker.check(try minimalFlow()).flow)
    let shown = try #require(ConsentLock.shown(in: decoded).first)
    guard case .consent(let consent) = try #require(decoded.steps.first).kind else {
        Issue.record("the first step is the consent")
        return
    }
    // The consent text has no placeholders: the hash is over exactly what the contact reads.
    let joined = [consent.text.value, "Acepto", "No acepto"].joined(separator: "\n")
    let expected = try shaHex(joined)
    #expect(shown.sha256 == expected)
}

/// SHA-256 by coreutils, outside Swift, so the test does not repeat the code it checks.
private func shaHex(_ text: String) throws -> String {
    let data = try ChildProcess.output(of: "/usr/bin/sha256sum", input: Array(text.utf8))
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}

@Test func theLockFileIsNamedAfterTheFlow() {
    #expect(ConsentLock.path(forFlow: "Flows/default.yaml") == "Flows/default.consent.lock")
    #expect(ConsentLock.path(forFlow: "a/b.yml") == "a/b.consent.lock")
    #expect(ConsentLock.path(forFlow: "flow") == "flow.consent.lock")
}

@Test(arguments: [
    ("", "the lock file is empty"),
    ("- a\n", "holds a list"),
    ("versions: []\n", "`versions:` holds a list"),
    ("other: 1\n", "unknown key 'other'"),
    ("versions:\n  \"1\":\n    paso: ABC\n", "found 3 characters"),
    ("versions:\n  \"1\": {}\n  \"1\": {}\n", "duplicate key"),
    ("versions:\n  \"1\": [x]\n", "holds a list"),
    ("versions: [\n", "YAML"),
])
func aDamagedLockIsLocatedAndNotUsed(_ text: String, _ expected: String) {
    let loaded = ConsentLock.load(bytes: Array(text.utf8))
    #expect(loaded.lock == nil)
    #expect(!loaded.diagnostics.isEmpty)
    #expect(loaded.diagnostics.allSatisfy { $0.id == "consent_lock_invalid" || $0.severity != .error })
    #expect(loaded.diagnostics.contains { $0.message.contains(expected) }, "\(loaded.diagnostics.map(\.message))")
}

@Test func aLockWithoutVersionsIsAnEmptyLock() {
    let loaded = ConsentLock.load(bytes: Array("versions:\n".utf8))
    #expect(loaded.diagnostics.isEmpty)
    #expect(loaded.lock == ConsentLock(versions: []))
}

@Test func versionsAreWrittenQuoted() throws {
    let text = ConsentLock(versions: []).writing(
        version: "1.10 \"b\"",
        shown: [.init(key: "paso", sha256: String(repeating: "a", count: 64), text: .init("", range: .fileStart))],
        flowName: "f.yaml")
    let loaded = ConsentLock.load(bytes: Array(text.utf8))
    #expect(loaded.lock?.versions.map(\.version.value) == ["1.10 \"b\""])
}

/// A lock is written by `talkflow lock`, not by hand: YAML it cannot read gets the lock's fix, not the help for a
/// text written unquoted.
@Test func aLockYAMLCannotReadGetsTheLocksFix() throws {
    let loaded = ConsentLock.load(bytes: Array("versions:\n  \"1\":\n    paso: *abc* def\n".utf8))
    let diagnostic = try #require(loaded.diagnostics.first)
    #expect(diagnostic.id == "consent_lock_invalid")
    #expect(
        diagnostic.suggestion
            == "restore the lock from version control, or delete it and run `talkflow lock FLOW` again")
}
