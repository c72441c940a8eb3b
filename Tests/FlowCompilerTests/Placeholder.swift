import FlowCompiler
import Foundation
import Testing

@Test func validMinimalFlowHasNoDiagnostics() throws {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/valid_minimal/flow", withExtension: "yaml"))
    let result = FlowChecker.check(bytes: Array(try Data(contentsOf: url)))
    #expect(result.diagnostics.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" } == [])
}
