import ArgumentParser
import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import Foundation

/// `talkflow lock FLOW...`: records the hashes of each flow's consent texts under its current policy version in
/// the consent lock beside it, so that `talkflow lint` (and the server) refuse a later change of those texts
/// under the same version (habeas-data checklist item 8).
struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Record a flow's consent texts under its policy version, so that they cannot change unnoticed.",
        discussion: """
            For each FLOW (a file, or a folder searched as 'talkflow lint' searches it), the SHA-256 of every \
            consent step's texts (the text with its {{policy.*}} placeholders filled, then the accept and decline \
            titles; an opt-in separately) is written under the flow's policy.version to the lock file beside it: \
            FLOW without .yaml or .yml, then .consent.lock (Flows/default.yaml -> Flows/default.consent.lock). \
            Commit the lock file with the flow.

            From then on 'talkflow lint', 'compile', 'repl', 'test' and 'serve' report consent_text_changed \
            (an error) when a consent text of a locked version differs, and consent_version_unlocked (a warning) \
            for a policy version the lock does not list. A new text needs a new policy.version; 'talkflow lock' \
            then adds it. Versions already locked are kept, and so are their entries: lock never changes a hash \
            it has written, and a flow with errors (a changed text among them) is not locked.

            Exit status:
              0   every flow is locked (its lock written, or already up to date)
              1   a flow has errors, or its lock file is damaged (nothing written for it)
              2   a path or a lock file could not be read or written
              64  usage error (unknown option, no FLOW)
            When several apply, the highest wins: 64, then 2, then 1.
            """
    )

    @Argument(help: ArgumentHelp("Flow files or folders to lock.", valueName: "flow"))
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            "When to colour the diagnostics on stderr: auto (only when stderr is a terminal and NO_COLOR is "
                + "unset or empty), always or never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    func run() throws {
        let colors = color.enabled(for: STDERR_FILENO)
        var failed = false
        var unreadable = false
        for input in FlowFinder.inputs(for: paths) {
            let path: String
            switch input {
            case .problem(let problemPath, let message):
                Console.error("cannot read '\(problemPath)': \(message)")
                unreadable = true
                continue
            case .file(let filePath):
                path = filePath
            }
            switch lock(path, colors: colors) {
            case .locked: break
            case .problems: failed = true
            case .unreadable: unreadable = true
            }
        }
        if unreadable { throw Exit.unreadable }
        if failed { throw Exit.problems }
    }

    enum Outcome { case locked, problems, unreadable }

    /// Checks one flow with its current lock and, when it has no errors, writes the lock with its texts added.
    func lock(_ path: String, colors: Bool) -> Outcome {
        let lockPath = ConsentLock.path(forFlow: path)
        let existing = ConsentLockFile.read(forFlow: path)
        let check = FileCheck.run(path: path)
        let file: FileDiagnostics
        let flow: Flow?
        switch check {
        case .unreadable(let path, let message):
            Console.error("cannot read '\(path)': \(message)")
            return .unreadable
        case .checked(let checked, let decoded, _):
            file = checked
            flow = decoded
        }
        // The flow's own diagnostics, without the warning this command is about to settle.
        var flowFile = file
        flowFile.diagnostics.removeAll { $0.id == "consent_version_unlocked" }
        let files = [flowFile] + (existing.problems.map { [$0] } ?? [])
        if files.contains(where: { !$0.diagnostics.isEmpty }) {
            Console.err(TextRenderer.render(files: files, colors: colors))
            Console.err(TextRenderer.summary(files: files) + "\n")
        }
        if let problems = existing.problems, problems.source == nil, problems.errorCount > 0 {
            Console.err(VisibleText.of("\(path): not locked: the consent lock '\(lockPath)' cannot be read") + "\n")
            return .unreadable
        }
        guard files.allSatisfy({ $0.errorCount == 0 }), let flow, let policy = flow.policy else {
            Console.err(VisibleText.of(path) + ": not locked: fix the errors above first\n")
            return .problems
        }
        let texts = ConsentLock.shown(in: flow)
        let version = policy.version.value
        let current = existing.lock ?? ConsentLock(versions: [])
        let name = (path as NSString).lastPathComponent
        // The file's own text, so that a new version is appended to it with its comments kept.
        let written = existing.lock == nil ? nil : try? String(contentsOfFile: lockPath, encoding: .utf8)
        let text = current.writing(version: version, shown: texts, flowName: name, appendingTo: written)
        let unchanged = current.version(version).map { locked in
            texts.allSatisfy { shown in locked.entry(shown.key)?.sha256.value == shown.sha256 }
        }
        if unchanged == true, existing.lock != nil {
            Console.out(VisibleText.of("\(path): policy version '\(version)' already locked in \(lockPath)") + "\n")
            return .locked
        }
        if let reason = FileSystem.writeAtomically(text, to: lockPath) {
            Console.error("cannot write '\(lockPath)': \(reason)")
            return .unreadable
        }
        let count = texts.count
        // The path and the version come from the input: printed as diagnostics are, like `talkflow: error:` lines.
        Console.out(
            VisibleText.of(
                "\(path): locked policy version '\(version)' (\(count) consent text\(count == 1 ? "" : "s")) in "
                    + lockPath) + "\n")
        return .locked
    }
}
