import FlowCompiler
import FlowDiagnostics
import FlowSyntax
import Foundation
import Testing

/// One broken flow per check id, with its rendered and JSON diagnostics beside it (`expected.txt`,
/// `expected.json`). Set `TALKFLOW_RECORD=1` to write missing or changed golden files: the run then fails,
/// so that a new baseline is never accepted without a person reading it.
@Suite struct GoldenFixtureTests {
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Whether a folder holds a flow that passes every check (`valid_minimal`) rather than one check's example:
    /// `valid_` with its underscore, so that a check id such as `validation_not_applicable` is not taken for one.
    static func isValidFlow(_ folder: String) -> Bool { folder.hasPrefix("valid_") }

    static var folders: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !isValidFlow($0) }.sorted()
    }

    @Test(arguments: folders)
    func fixtureMatchesGoldenFiles(_ name: String) throws {
        let folder = Self.fixtures.appendingPathComponent(name)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("flow.yaml")))
        // A fixture may lower the size limit (`max-bytes`), so that yaml_too_large needs no 16 MiB file.
        var limits = LoaderLimits.default
        if let text = try? String(contentsOf: folder.appendingPathComponent("max-bytes"), encoding: .utf8),
            let maxBytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            limits.maxBytes = maxBytes
        }
        // A fixture may have a consent lock beside its flow (`flow.consent.lock`), as `talkflow lint` reads it.
        let lockBytes = try? Data(contentsOf: folder.appendingPathComponent("flow.consent.lock"))
        let lock = lockBytes.map { ConsentLock.load(bytes: Array($0)) }
        let result = FlowChecker.check(bytes: bytes, limits: limits, consentLock: lock?.lock)
        let all = result.diagnostics + (lock?.diagnostics ?? [])
        // Golden files are only compared (or recorded) once the fixture triggers its own check.
        try #require(
            all.contains { $0.id == name }, "fixture '\(name)' must trigger its own check; it reported \(all.map(\.id))"
        )
        // A file over the size limit is not read, so `talkflow lint` has no source line to show for it.
        let overLimit = result.diagnostics.contains { $0.id == "yaml_too_large" }
        var files = [
            FileDiagnostics(
                path: "flow.yaml", source: overLimit ? nil : String(decoding: bytes, as: UTF8.self),
                diagnostics: result.diagnostics)
        ]
        if let lock, !lock.diagnostics.isEmpty {
            files.append(
                FileDiagnostics(
                    path: "flow.consent.lock", source: String(decoding: lock.source.bytes, as: UTF8.self),
                    diagnostics: lock.diagnostics))
        }
        try Golden.compare(
            TextRenderer.render(files: files, colors: false), folder.appendingPathComponent("expected.txt"))
        try Golden.compare(JSONRenderer.render(files: files), folder.appendingPathComponent("expected.json"))
    }

    @Test func everyCheckHasAFixture() {
        let ids = Set(RuleRegistry.descriptors.map(\.id))
        let missing = ids.subtracting(Self.folders).sorted()
        #expect(missing.isEmpty, "checks without a fixture folder in Tests/FlowCompilerTests/Fixtures: \(missing)")
        let orphans = Set(Self.folders).subtracting(ids).sorted()
        #expect(orphans.isEmpty, "fixture folders that name no check: \(orphans)")
    }

    @Test func validFixturesHaveNoDiagnostics() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter(Self.isValidFlow)
        #expect(!names.isEmpty)
        for name in names {
            let url = Self.fixtures.appendingPathComponent(name).appendingPathComponent("flow.yaml")
            let result = FlowChecker.check(bytes: Array(try Data(contentsOf: url)))
            #expect(result.diagnostics.isEmpty, "\(name): \(result.diagnostics.map { "\($0.id): \($0.message)" })")
        }
    }
}

/// Golden-file comparison: fails on a difference; with `TALKFLOW_RECORD=1` writes the new content and fails.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["TALKFLOW_RECORD"] == "1" }

    static func compare(_ actual: String, _ url: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    {
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if expected == actual { return }
        if recording || expected == nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            let message =
                "recorded \(url.lastPathComponent) for \(url.deletingLastPathComponent().lastPathComponent); "
                + "review it and run again"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            return
        }
        let message = "\(url.path) differs from the output:\n--- expected\n\(expected ?? "")\n--- actual\n\(actual)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}
