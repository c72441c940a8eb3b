import FlowCompiler
import FlowSyntax
import Foundation
import SchemaTestSupport
import Testing

/// `Schemas/machine.schema.json` describes exactly what `talkflow compile --emit json` prints: every shipped
/// flow's machine validates, and a machine with a field the schema does not know is rejected.
@Suite struct MachineSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var flows: [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Flows").path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    func validator() throws -> JSONSchemaValidator {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("Schemas/machine.schema.json"))
        return JSONSchemaValidator(root: try JSONValue.parse(data))
    }

    /// The machine's JSON, read back through the loader (JSON is YAML) as a schema instance.
    func instance(_ json: String) throws -> Instance {
        let loaded = YAMLLoader.load(json)
        #expect(loaded.diagnostics.isEmpty)
        return Instance(try #require(loaded.root))
    }

    @Test(arguments: flows)
    func compiledMachineValidates(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent("Flows").appendingPathComponent(name)))
        let flow = try #require(FlowChecker.check(bytes: bytes).flow)
        let json = MachineRenderer.json(MachineCompiler.compile(flow))
        let violations = try validator().validate(try instance(json))
        #expect(violations.isEmpty, "\(name): \(violations.prefix(5))")
    }

    @Test func unknownFieldIsRejected() throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent("Flows/default.yaml")))
        let flow = try #require(FlowChecker.check(bytes: bytes).flow)
        let json = MachineRenderer.json(MachineCompiler.compile(flow))
        let broken = json.replacingOccurrences(of: "\"format\" : 2,", with: "\"format\" : 2, \"extra\" : 2,")
        #expect(broken != json)
        #expect(!(try validator().validate(try instance(broken))).isEmpty)
    }
}
