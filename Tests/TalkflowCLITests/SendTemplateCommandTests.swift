import Foundation
import Testing

/// `talkflow send-template` checks the configuration as `serve` does and queues nothing when it has errors.
@Suite struct SendTemplateCommandTests {
    @Test func aConfigurationWithErrorsIsReportedWithItsSummaryAndNothingIsQueued() async throws {
        let folder = try TemporaryFolder()
        try folder.write("talkflow.yaml", "server:\n  store: sqlite:store.sqlite\nbogus: 1\n")
        let run = try await folder.run(
            "send-template", "--config", "talkflow.yaml", "--tenant", "ventas", "--to", "573001112233", "promo")
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("talkflow.yaml:3:1: error: unknown key 'bogus' in the configuration"))
        #expect(
            run.stderr.hasSuffix(
                "\n2 errors in 1 file\ntalkflow: error: the configuration has errors: nothing was queued\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("store.sqlite").path))
    }

    /// A parameter Meta would refuse (empty, a line break, a tab, more than 4 spaces in a row: error 132018) is
    /// refused, named, with exit 1, before the contact's consent is even looked at; nothing is queued.
    @Test func aParameterMetaWouldRefuseIsRefusedWithItsReason() async throws {
        let folder = try Self.folderWithTheDefaultFlow()
        func send(_ parameter: String) async throws -> TalkflowProcess.Output {
            try await folder.run(
                "send-template", "--config", "talkflow.yaml", "--tenant", "ventas", "--to", "573001112233",
                "recordatorio", parameter, environment: Self.environment)
        }
        let cases = [
            ("", "is empty; Meta refuses a template parameter without text: give it a value"),
            ("  ", "is empty; Meta refuses a template parameter without text: give it a value"),
            ("lunes\n8:00", "contains a line break; \(Self.rule): write it on one line"),
            ("lunes\t8:00", "contains a tab; \(Self.rule): write a space instead"),
            (
                "lunes     8:00",
                "contains more than 4 consecutive spaces; \(Self.rule): leave at most 4 spaces in a row"
            ),
            (
                "a\u{1B}[2Jb",
                "contains the control character \\u{1B} (ESC); the contact's phone would show it as a box or not at "
                    + "all: remove it"
            ),
            (
                "a\u{7F}b",
                "contains the control character \\u{7F} (DEL); the contact's phone would show it as a box or not at "
                    + "all: remove it"
            ),
            (
                "\u{3164}",
                "holds nothing visible, only invisible characters; the contact would read nothing: write the "
                    + "parameter's text"
            ),
            (
                "a\u{10FEFF}b",
                "is not valid UTF-8; pass its text in UTF-8 (check the terminal's or the script's encoding)"
            ),
        ]
        for (parameter, reason) in cases {
            let run = try await send(parameter)
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr == "talkflow: error: refused: parameter 1 ({{1}}) \(reason); nothing was queued\n",
                "\(parameter.debugDescription)")
        }
        // A parameter Meta takes gets as far as the consent: this contact never gave it.
        let valid = try await send("lunes 8:00")
        #expect(valid.status == 1)
        #expect(valid.stderr.contains("has not accepted the policy version in force"))
    }

    /// A parameter that makes the body longer than Meta's 1024 characters once filled in (error 132005) is
    /// refused with exit 1 and nothing is queued: Meta would refuse it and the contact would get nothing.
    @Test func aBodyOverMetasLimitOnceFilledInIsRefused() async throws {
        let folder = try Self.folderWithTheDefaultFlow()
        let run = try await folder.run(
            "send-template", "--config", "talkflow.yaml", "--tenant", "ventas", "--to", "573001112233",
            "recordatorio", String(repeating: "x", count: 5000), environment: Self.environment)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("talkflow: error: refused: the template's body would have "))
        #expect(
            run.stderr.hasSuffix(
                "characters once its parameters are filled in; Meta accepts at most 1024 (error 132005): shorten "
                    + "the parameters (parameter 1, {{1}}, is the longest); nothing was queued\n"))
    }

    /// The command only queues (the server sends): it runs in a shell without the tenants' secrets, and gets as
    /// far as the contact's consent.
    @Test func theSecretsNeedNotBeInTheEnvironment() async throws {
        let folder = try Self.folderWithTheDefaultFlow()
        let unset = Dictionary(uniqueKeysWithValues: Self.environment.keys.map { ($0, "") })
        let run = try await folder.run(
            "send-template", "--config", "talkflow.yaml", "--tenant", "ventas", "--to", "573001112233",
            "recordatorio", "lunes 8:00", environment: unset)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(!run.stderr.contains("config_missing_env"), "\(run.stderr)")
        #expect(
            run.stderr.contains("refused: the contact has not accepted the policy version in force"), "\(run.stderr)")
    }

    /// A folder with the shipped default flow and its lock, `configuration` and an empty store.
    static func folderWithTheDefaultFlow() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let flows = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Flows")
        for file in ["default.yaml", "default.consent.lock"] {
            try folder.write(file, try String(contentsOf: flows.appendingPathComponent(file), encoding: .utf8))
        }
        try folder.write("talkflow.yaml", Self.configuration)
        try folder.makeStore("store.sqlite")
        return folder
    }

    static let rule =
        "Meta refuses a template parameter with a line break, a tab or more than 4 consecutive spaces (error 132018)"

    /// The example configuration's tenant `ventas` alone, on the shipped default flow, with a store beside it.
    static let configuration = """
        server:
          store: sqlite:store.sqlite
        tenants:
          - id: ventas
            phone_number_id: "106540352242922"
            app_secret_env: VENTAS_APP_SECRET
            verify_token_env: VENTAS_VERIFY_TOKEN
            access_token_env: VENTAS_ACCESS_TOKEN
            flow: default.yaml
            agents:
              - id: ana
                key_sha256: e4664866185f601fbd107be06e0f1c8d01461a5947f12c7d52f8b401f08233d3
              - id: bruno
                key_sha256: 2920fc82604a5abc27cb18d62af91933a8423df928ce457f8e4bc62e29c3a168
              - id: carla
                key_sha256: 6d97ab70a85d2d2d55230cb38fd3221ae9056416919bdfd60704f023aeef47bf

        """

    static let environment = [
        "VENTAS_APP_SECRET": "app-secret", "VENTAS_VERIFY_TOKEN": "verify", "VENTAS_ACCESS_TOKEN": "access",
    ]
}
