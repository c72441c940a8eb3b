import Foundation
import Testing

/// `talkflow send-template` checks the configuration as `serve` does and queues nothing when it has errors.
@Suite struct SendTemplateCommandTests {
    @Test func aConfigurationWithErrorsIsReportedWithItsSummaryAndNothingIsQueued() throws {
        let folder = try TemporaryFolder()
        try folder.write("talkflow.yaml", "server:\n  store: sqlite:store.sqlite\nbogus: 1\n")
        let run = try folder.run(
            "send-template", "--config", "talkflow.yaml", "--tenant", "ventas", "--to", "573001112233", "promo")
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("talkflow.yaml:3:1: error: unknown key 'bogus' in the configuration"))
        #expect(
            run.stderr.hasSuffix(
                "\n2 errors in 1 file\ntalkflow: error: the configuration has errors: nothing was queued\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("store.sqlite").path))
    }
}
