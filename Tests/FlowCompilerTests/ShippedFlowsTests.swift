import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import Testing

/// The repository's root, found from this file's place in `Tests/FlowCompilerTests/`.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped flows (`Flows/*.yaml`).
private let flowsFolder = repositoryRoot.appending(path: "Flows")

/// The code blocks marked `yaml` in `Docs/language.md`, in order.
private func documentedExamples() throws -> [String] {
    let text = try String(contentsOf: repositoryRoot.appending(path: "Docs/language.md"), encoding: .utf8)
    var blocks: [String] = []
    var current: [Substring]?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if var lines = current {
            if line == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                lines.append(line)
                current = lines
            }
        } else if line == "```yaml" {
            current = []
        }
    }
    return blocks
}

/// Every flow talkflow ships must pass every check: tenants copy them, so a warning here becomes a warning in
/// every tenant's flow.
@Suite("Shipped flows")
struct ShippedFlowsTests {
    /// The three flows the documentation promises are there.
    @Test func theDocumentedFlowsShip() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: flowsFolder.path)
        #expect(Set(names).isSuperset(of: ["default.yaml", "faq.yaml", "support.yaml"]))
    }

    /// Each shipped flow checks clean (no error, no warning) with the consent lock beside it, which holds its
    /// current policy version, and its id is its file name.
    @Test(arguments: ["default", "faq", "support"])
    func shippedFlowChecksClean(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: flowsFolder.appending(path: "\(name).yaml")))
        let lockBytes = Array(try Data(contentsOf: flowsFolder.appending(path: "\(name).consent.lock")))
        let lock = ConsentLock.load(bytes: lockBytes)
        #expect(lock.diagnostics.isEmpty)
        let loadedLock: ConsentLock = try #require(lock.lock)
        let result = FlowChecker.check(bytes: bytes, consentLock: loadedLock)
        let version = try #require(result.flow?.policy?.version.value)
        #expect(loadedLock.version(version) != nil, "the lock must hold the flow's policy version \(version)")
        let rendered = result.diagnostics.map {
            "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)"
        }
        #expect(result.diagnostics.isEmpty, "\(rendered.joined(separator: "\n"))")
        let flow = try #require(result.flow)
        #expect(flow.id.value == name)
        #expect(flow.language.value == .es)
    }

    /// Every other flow in the folder checks clean too, so a new shipped flow cannot skip the checks.
    @Test func everyFlowInTheFolderChecksClean() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: flowsFolder.path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            let result = FlowChecker.check(bytes: Array(try Data(contentsOf: flowsFolder.appending(path: file))))
            #expect(result.diagnostics.isEmpty, "\(file): \(result.diagnostics.map(\.message))")
        }
    }

    /// The complete example at the top of the language reference checks clean: outsiders start from it.
    @Test func theReferenceExampleChecksClean() throws {
        let example = try #require(try documentedExamples().first)
        #expect(example.contains("type: consent"))
        let result = FlowChecker.check(example)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.id) \($0.message)" })")
        #expect(result.flow?.steps.count == 8)
    }

    /// Every YAML example of the language reference uses only keys and values the language accepts. Step
    /// examples (indented) are read under `steps:`; fragments may leave out required keys, nothing else.
    @Test func theReferenceExamplesUseTheLanguage() throws {
        let examples = try documentedExamples()
        #expect(examples.count >= 15)
        for example in examples {
            let yaml = example.hasPrefix("  ") ? "steps:\n" + example : example
            let loaded = YAMLLoader.load(yaml)
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))\n\(yaml)")
            // A block of comments only (the schema line) has no document to decode.
            guard let root = loaded.root else { continue }
            let problems = FlowDecoder.decode(root).diagnostics.filter { $0.id != "missing_field" }
            #expect(problems.isEmpty, "\(problems.map(\.message))\n\(yaml)")
        }
    }
}
