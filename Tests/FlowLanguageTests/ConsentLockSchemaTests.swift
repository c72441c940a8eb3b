import FlowCompiler
import FlowSyntax
import Foundation
import SchemaTestSupport
import Testing

/// `Schemas/consent-lock.schema.json` describes what `ConsentLock.load` accepts: the shipped locks validate, and
/// the forms the loader refuses are refused by the schema too.
@Suite struct ConsentLockSchemaTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func violations(_ text: String) throws -> [SchemaViolation] {
        let schema = try JSONValue.parse(
            Data(contentsOf: Self.root.appending(path: "Schemas/consent-lock.schema.json")))
        let loaded = YAMLLoader.load(text)
        return JSONSchemaValidator(root: schema).validate(Instance(try #require(loaded.root)))
    }

    @Test(arguments: ["default", "faq", "support"])
    func theShippedLocksValidate(_ name: String) throws {
        let text = try String(
            contentsOf: Self.root.appending(path: "Flows/\(name).consent.lock"), encoding: .utf8)
        #expect(ConsentLock.load(bytes: Array(text.utf8)).lock != nil)
        #expect(try violations(text).isEmpty)
    }

    @Test(arguments: [
        "versions:\n  \"1\":\n    paso: abc\n",
        "versions:\n  \"1\":\n    otro paso: \(String(repeating: "a", count: 64))\n",
        "versions:\n  \"1\":\n    paso: \(String(repeating: "A", count: 64))\n",
        "versions:\n  \"1\": [x]\n",
        "other: 1\nversions: {}\n",
        "versions: []\n",
        "versions:\n  \"2026-01\":\n",
        "versions:\n  \"2026-01\": ~\n",
    ])
    func whatTheLoaderRefusesTheSchemaRefuses(_ text: String) throws {
        #expect(ConsentLock.load(bytes: Array(text.utf8)).lock == nil)
        #expect(try !violations(text).isEmpty)
    }

    /// `versions:` written empty is a lock with no versions, for both.
    @Test func anEmptyVersionsIsALockWithoutVersions() throws {
        let text = "versions:\n"
        #expect(ConsentLock.load(bytes: Array(text.utf8)).lock != nil)
        #expect(try violations(text).isEmpty)
    }
}
