import Foundation
import Testing

/// Every subcommand's `--help` keeps its `Exit status:` table inside 80 columns: ArgumentParser wraps longer
/// lines to column 0, which breaks the table's alignment.
@Test(arguments: [
    ["lint"], ["compile"], ["lock"], ["repl"], ["test"], ["serve"], ["send-template"], ["consent", "export"],
    ["data-request"],
])
func theExitStatusTableFitsEightyColumns(_ command: [String]) async throws {
    let folder = try TemporaryFolder()
    let help = try await TalkflowProcess.run(command + ["--help"], in: folder.url)
    #expect(help.status == 0)
    let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0 == "Exit status:" }, "\(command) --help has no Exit status")
    let table = lines[(start + 1)...].prefix { !$0.hasPrefix("USAGE:") && !$0.isEmpty }
    #expect(!table.isEmpty)
    for line in table {
        #expect(line.hasPrefix("  ") || line.hasPrefix("When several apply"), "\(command): '\(line)'")
        #expect(line.count <= 80, "\(command): '\(line)'")
    }
}
