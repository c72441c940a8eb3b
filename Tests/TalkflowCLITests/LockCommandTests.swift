import Foundation
import Testing

/// `talkflow lock`: records a flow's consent texts per policy version; lint, compile, repl and test then refuse
/// a consent text changed under a locked version.
@Suite struct LockCommandTests {
    static let changedText = Flows.valid.replacingOccurrences(
        of: "Tus datos se procesan", with: "Tus datos tambien se procesan")
    static let bumped = changedText.replacingOccurrences(of: "version: \"2026-01\"", with: "version: \"2026-02\"")

    @Test func locksThenRefusesAChangedTextUntilTheVersionIsBumped() async throws {
        try Flows.requireVariants()
        try #require(Self.changedText != Flows.valid && Self.bumped != Self.changedText)
        let folder = try TemporaryFolder()
        try folder.write("bot/flow.yaml", Flows.valid)

        let locked = try await folder.run("lock", "bot")
        #expect(locked.status == 0)
        #expect(
            locked.stdout
                == "bot/flow.yaml: locked policy version '2026-01' (1 consent text) in bot/flow.consent.lock\n")
        #expect(locked.stderr == "")
        let lockFile = folder.url.appending(path: "bot/flow.consent.lock")
        let first = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(first.contains("versions:\n  \"2026-01\":\n    consentimiento: "))

        // Locking again changes nothing.
        let again = try await folder.run("lock", "bot/flow.yaml")
        #expect(again.status == 0)
        #expect(again.stdout == "bot/flow.yaml: policy version '2026-01' already locked in bot/flow.consent.lock\n")

        // The lock file is not a flow: linting the folder checks one file.
        #expect(try await folder.run("lint", "bot").stdout == "no problems found in 1 file\n")

        // A changed text under the same version: lint, compile and lock refuse it.
        try folder.write("bot/flow.yaml", Self.changedText)
        let lint = try await folder.run("lint", "bot")
        #expect(lint.status == 1)
        #expect(
            lint.stdout.contains("bot/flow.yaml:35:11: error: the text or buttons of consent step 'consentimiento'"))
        #expect(lint.stdout.contains("[consent_text_changed]"))
        #expect(try await folder.run("compile", "bot/flow.yaml").status == 1)
        let refused = try await folder.run("lock", "bot/flow.yaml")
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasSuffix("\n1 error in 1 file\nbot/flow.yaml: not locked: fix the errors above first\n"))
        #expect(try String(contentsOf: lockFile, encoding: .utf8) == first)

        // A new version: a warning until it is locked, then clean, and the old version is kept.
        try folder.write("bot/flow.yaml", Self.bumped)
        let warned = try await folder.run("lint", "bot/flow.yaml")
        #expect(warned.status == 0)
        #expect(warned.stdout.contains("warning: policy version '2026-02' is not in the consent lock"))
        #expect(try await folder.run("lint", "--strict", "bot/flow.yaml").status == 1)
        #expect(try await folder.run("lock", "bot/flow.yaml").status == 0)
        let second = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(second.hasPrefix(first))
        #expect(second.contains("  \"2026-02\":\n    consentimiento: "))
        #expect(try await folder.run("lint", "--strict", "bot/flow.yaml").status == 0)
    }

    /// A new version is appended to the lock as it stands: a team's comments in it (who approved a version) are
    /// kept. The audit found `lock` rewrote the file from its hashes and dropped them. A lock in flow style, which
    /// takes no appended block, is written anew, and still holds every version.
    @Test func aNewVersionKeepsTheLocksComments() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bot/flow.yaml", Flows.valid)
        #expect(try await folder.run("lock", "bot/flow.yaml").status == 0)
        let lockFile = folder.url.appending(path: "bot/flow.consent.lock")
        let hash = try #require(
            try String(contentsOf: lockFile, encoding: .utf8).firstMatch(of: /consentimiento: ([0-9a-f]{64})/)?.1)
        let annotated = """
            # Aprobado por el area legal el 2026-01-10 (acta 17).
            versions:
              "2026-01":
                # texto revisado por la abogada
                consentimiento: \(hash)
            """
        try folder.write("bot/flow.consent.lock", annotated)
        try folder.write("bot/flow.yaml", Self.bumped)
        #expect(try await folder.run("lock", "bot/flow.yaml").status == 0)
        let kept = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(kept.hasPrefix(annotated + "\n  \"2026-02\":\n    consentimiento: "))
        #expect(try await folder.run("lint", "--strict", "bot/flow.yaml").status == 0)

        try folder.write("bot/flow.consent.lock", "# flow style\nversions: {\"2026-01\": {consentimiento: \(hash)}}\n")
        #expect(try await folder.run("lock", "bot/flow.yaml").status == 0)
        let rewritten = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(!rewritten.contains("# flow style"))
        #expect(rewritten.contains("  \"2026-01\":\n    consentimiento: \(hash)\n  \"2026-02\":\n"))
        #expect(try await folder.run("lint", "--strict", "bot/flow.yaml").status == 0)
    }

    /// A flow whose file name holds an escape sequence or a line break is locked with its name shown in the lock's
    /// header comment, which then still reads back as a lock (the raw name had broken the comment).
    @Test func aFlowNameWithControlCharactersStillGivesAValidLock() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        for name in ["l\u{1B}[2J\u{202E}.yaml", "nl\nx.yaml"] {
            try folder.write(name, Flows.valid)
            let locked = try await folder.run("lock", name)
            #expect(locked.status == 0, "\(locked.stdout)\(locked.stderr)")
            let again = try await folder.run("lint", name)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        }
    }

    @Test func aDamagedLockIsAnErrorAtItsLine() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try folder.write("flow.consent.lock", "versions:\n  \"2026-01\":\n    consentimiento: abc\n")
        let lint = try await folder.run("lint", "flow.yaml")
        #expect(lint.status == 1)
        #expect(
            lint.stdout.hasPrefix(
                "flow.consent.lock:3:21: error: the hash of 'consentimiento' under version '2026-01' must be a "
                    + "SHA-256: 64 lower-case hex digits (found 3 characters) [consent_lock_invalid]\n"))
        #expect(lint.stdout.hasSuffix("1 error in 1 file\n"))
        let lock = try await folder.run("lock", "flow.yaml")
        #expect(lock.status == 1)
        #expect(try await folder.run("compile", "flow.yaml").status == 1)
    }

    @Test func aTranscriptOfAFlowWithAChangedTextFails() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        #expect(try await folder.run("lock", "flow.yaml").status == 0)
        try folder.write("flow.yaml", Self.changedText)
        try folder.write(
            "hola.test.yaml",
            "name: hola\nflow: flow.yaml\nsteps:\n  - contact: hola\n")
        let test = try await folder.run("test", "hola.test.yaml")
        #expect(test.status == 1)
        #expect(test.stdout.contains("consent_text_changed") || test.stderr.contains("consent_text_changed"))
    }

    /// A lock named on `lint`'s command line is checked as a lock; its keys are step ids.
    @Test func lintChecksALockNamedOnTheCommandLine() async throws {
        let folder = try TemporaryFolder()
        let hash = String(repeating: "a", count: 64)
        try folder.write("good.consent.lock", "versions:\n  \"1\":\n    consentimiento: \(hash)\n")
        #expect(try await folder.run("lint", "good.consent.lock").stdout == "no problems found in 1 file\n")
        try folder.write(
            "bad.consent.lock",
            "versions:\n  \"1\":\n    otro paso: \(hash)\n    paso: \(hash.uppercased())\n")
        let bad = try await folder.run("lint", "bad.consent.lock")
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("'otro paso' under version '1' is not a step id"))
        #expect(bad.stdout.contains("(found upper-case letters)"))
    }

    @Test func usageErrors() async throws {
        let folder = try TemporaryFolder()
        let none = try await folder.run("lock")
        #expect(none.status == 64)
        #expect(none.stderr.hasPrefix("Error: Missing expected argument '<flow> ...'\n"))
        let missing = try await folder.run("lock", "nope.yaml")
        #expect(missing.status == 2)
        #expect(missing.stderr == "talkflow: error: cannot read 'nope.yaml': no such file or directory\n")
    }
}
