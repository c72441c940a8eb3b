import Foundation
import Testing

/// What talkflow prints from its input (a file's name, a value quoted in a message) carries no raw control or
/// invisible character: an escape sequence must not drive the terminal or a CI log, and an invisible character
/// must show (Docs/cli.md, Conventions).
@Suite struct VisibleOutputTests {
    /// A character a terminal or a CI log would act on or hide: a control other than the line feed, or an
    /// invisible one (U+200B, U+202E, U+FEFF).
    static func hidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control: scalar != "\n"
        case .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The valid flow whose `start` is `value`, written as a YAML double-quoted scalar with its escapes.
    static func flow(start value: String) -> String {
        Flows.valid.replacingOccurrences(of: "start: consentimiento", with: "start: \"\(value)\"")
    }

    @Test func githubOutputShowsControlAndInvisibleCharacters() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("xesc\u{1B}[31mred.yaml", "bogus: 1\n" + Flows.valid)
        try folder.write("value.yaml", Self.flow(start: #"cons\e[2Jentimiento\0\u202E"#))
        let result = try await folder.run("lint", "--format", "github", "xesc\u{1B}[31mred.yaml", "value.yaml")
        #expect(result.status == 1)
        #expect(!result.stdout.unicodeScalars.contains(where: Self.hidden), "\(result.stdout)")
        #expect(result.stdout.contains("::error file=xesc\u{FFFD}[31mred.yaml,line=1,"), "\(result.stdout)")
        #expect(result.stdout.contains(#"'cons\#u{FFFD}[2Jentimiento\#u{FFFD}\u{202E}'"#), "\(result.stdout)")
    }

    @Test func textOutputShowsInvisibleCharactersAsEscapes() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write(
            "key.yaml",
            Flows.valid.replacingOccurrences(of: "start: consentimiento", with: "\u{200B}start: consentimiento"))
        try folder.write("bom.yaml", Self.flow(start: #"\uFEFFconsentimiento"#))
        try folder.write("bidi.yaml", Self.flow(start: #"consentimiento\u202E"#))
        let result = try await folder.run("lint", "key.yaml", "bom.yaml", "bidi.yaml")
        #expect(result.status == 1)
        #expect(!result.stdout.unicodeScalars.contains(where: Self.hidden), "\(result.stdout)")
        #expect(result.stdout.contains(#"unknown key '\u{200B}start'"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"'\u{FEFF}consentimiento' is not a valid name"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"consentimiento\u{202E}"#), "\(result.stdout)")
    }

    /// JSON keeps the exact value (a tool reads the character back) but prints it as a JSON escape.
    @Test func jsonOutputKeepsTheCharacterAsAnEscape() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("ven\u{202E}tas.yaml", Self.flow(start: #"consentimiento\u202E"#))
        for format in ["json", "sarif"] {
            let result = try await folder.run("lint", "--format", format, "ven\u{202E}tas.yaml")
            #expect(result.status == 1)
            #expect(!result.stdout.unicodeScalars.contains(where: Self.hidden), "\(result.stdout)")
            #expect(result.stdout.contains(#"consentimiento\u202E"#), "\(result.stdout)")
        }
        let json = try await folder.run("lint", "--format", "json", "ven\u{202E}tas.yaml")
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.contains { $0["file"] as? String == "ven\u{202E}tas.yaml" })
        #expect(entries.contains { ($0["message"] as? String)?.contains("consentimiento\u{202E}") == true })
    }

    /// Every command's `talkflow: error: cannot read '<path>'` line prints the path as diagnostics do.
    @Test(arguments: [
        ["lint"], ["test"], ["compile"], ["lock"], ["repl"],
    ])
    func cannotReadLinesShowThePath(command: [String]) async throws {
        let folder = try TemporaryFolder()
        let result = try await TalkflowProcess.run(command + ["no\u{1B}[2J\u{202E}such.yaml"], in: folder.url)
        #expect(result.status != 0)
        #expect(!result.stderr.unicodeScalars.contains(where: Self.hidden), "\(result.stderr)")
        #expect(
            result.stderr.contains(#"talkflow: error: cannot read 'no\#u{FFFD}[2J\u{202E}such.yaml': "#),
            "\(result.stderr)")
    }

    /// A usage error quotes the command line: the argument is shown as any other quoted input, and the help
    /// that follows it is unchanged.
    @Test func usageErrorsShowTheArgument() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run("lint", "--format", "x\u{1B}[2Jy\u{202E}", "flow.yaml")
        #expect(result.status == 64)
        #expect(!result.stderr.unicodeScalars.contains(where: Self.hidden), "\(result.stderr)")
        #expect(result.stderr.hasPrefix(#"Error: The value 'x\#u{FFFD}[2Jy\u{202E}' is invalid for '--format"#))
        #expect(result.stderr.contains("\nUsage: talkflow lint "), "\(result.stderr)")
        // A line feed in the argument does not start a line of its own.
        let split = try await folder.run("lint", "--format", "x\ntalkflow: error: forged", "flow.yaml")
        #expect(split.status == 64)
        #expect(!split.stderr.contains("\ntalkflow: error: forged"), "\(split.stderr)")
        #expect(split.stderr.hasPrefix("Error: The value 'x\u{FFFD}talkflow: error: forged' is invalid"))
        let help = try await folder.run("lint", "--help")
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: Check flow files"), "\(help.stdout)")
    }

    @Test func consentExportShowsTheStorePath() async throws {
        let folder = try TemporaryFolder()
        let result = try await folder.run(
            "consent", "export", "573001112233", "--store", "sqlite:no\u{1B}[2J\u{202E}.db")
        #expect(result.status != 0)
        #expect(!result.stderr.unicodeScalars.contains(where: Self.hidden), "\(result.stderr)")
        #expect(result.stderr.contains(#"cannot read 'no\#u{FFFD}[2J\u{202E}.db'"#), "\(result.stderr)")
    }

    /// `serve` refuses a configuration whose tenant id holds U+202E, and its diagnostics show the character. The
    /// configuration never gets as far as listening or calling the Graph API (which points nowhere anyway).
    @Test func serveShowsAnInvisibleCharacterInATenantID() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid)
        try folder.write(
            "config.yaml",
            """
            server:
              host: 127.0.0.1
              port: 18999
              graph_api_url: http://127.0.0.1:9
              store: sqlite:talkflow.sqlite
            tenants:
              - id: "ven\\u202Etas"
                phone_number_id: "106540352242922"
                app_secret_env: X_SECRET
                verify_token_env: X_VERIFY
                access_token_env: X_TOKEN
                flow: flow.yaml

            """)
        let result = try await folder.run("serve", "--config", "config.yaml", timeout: 30)
        #expect(result.status == 1)
        #expect(!result.stderr.unicodeScalars.contains(where: Self.hidden), "\(result.stderr)")
        #expect(result.stderr.contains(#"tenant id 'ven\u{202E}tas' is not a valid name"#), "\(result.stderr)")
    }
}
