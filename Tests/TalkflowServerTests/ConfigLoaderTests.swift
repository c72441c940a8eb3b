import FlowCompiler
import FlowDiagnostics
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// The diagnostics of `id` in the file at `path` (the configuration file when `path` is nil).
private func found(_ result: ConfigLoader.Result, _ id: String, in path: String? = nil) -> [Diagnostic] {
    let file = path.flatMap { p in result.files.first { $0.path == p } } ?? result.files.first
    return file?.diagnostics.filter { $0.id == id } ?? []
}

/// `line:column` of a diagnostic's start, for compact expectations.
private func place(_ diagnostic: Diagnostic?) -> String {
    guard let diagnostic else { return "none" }
    return "\(diagnostic.range.start.line):\(diagnostic.range.start.column)"
}

/// Loads `config` as `talkflow.yaml` in a folder holding the standard flows.
private func load(_ config: String, environment: [String: String] = testEnvironment) throws -> ConfigLoader.Result {
    let folder = try TestFolder()
    defer { folder.remove() }
    let path = try writeStandardSetup(in: folder, config: config)
    return ConfigLoader.load(path: path, environment: environment)
}

/// A one-tenant configuration whose tenant lines are `tenant` (indented under `- `).
private func oneTenant(_ tenant: String) -> String {
    "tenants:\n  - " + tenant.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
        + "\n"
}

private let acme = """
    id: acme
    phone_number_id: "1000000001"
    app_secret_env: ACME_APP_SECRET
    verify_token_env: ACME_VERIFY_TOKEN
    access_token_env: ACME_ACCESS_TOKEN
    flow: flows/acme.yaml
    """

@Suite("Configuration file", .hangGuard)
struct ConfigLoaderTests {
    @Test func validConfigurationLoadsWithDefaultsSecretsAndCompiledFlows() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try writeStandardSetup(in: folder, config: standardConfig(server: "  port: 9090\n"))
        let loaded = try loadValid(path)
        #expect(loaded.config.server.port == 9090)
        #expect(loaded.config.server.host == "127.0.0.1")
        #expect(loaded.config.server.graphAPIURL == "https://graph.facebook.com")
        #expect(loaded.config.server.graphAPIVersion == "v23.0")
        #expect(loaded.config.server.sendRatePerNumber == 80)
        #expect(loaded.config.server.webhookBodyLimit == 4 * 1024 * 1024)
        #expect(loaded.config.server.markRead)
        #expect(loaded.config.server.store == .sqlite(path: folder.file("talkflow.sqlite")))
        #expect(loaded.adminKey == nil)
        #expect(loaded.tenants.map(\.id) == ["acme", "beta", "gamma"])
        let acme = try #require(loaded.tenants.first)
        #expect(acme.config.flowPath == folder.file("flows/acme.yaml"))
        #expect(acme.flow.flowID == "faq")
        #expect(acme.secrets.appSecret == "shared-app-secret")
        #expect(acme.secrets.verifyToken == "acme-verify")
        #expect(acme.secrets.accessToken == "acme-access")
        #expect(loaded.tenants[1].flow.queues == ["soporte": ["diana", "esteban", "fernanda"]])
    }

    @Test func everyServerSettingIsRead() throws {
        let result = try load(
            """
            server:
              host: 0.0.0.0
              port: 8443
              graph_api_url: http://127.0.0.1:9999/
              graph_api_version: v25.0
              send_rate_per_number: 250
              store: sqlite:///var/lib/talkflow/db.sqlite
              admin_key_env: TALKFLOW_ADMIN_KEY
              webhook_body_limit: 4096
              mark_read: false
            """ + "\n" + oneTenant(acme))
        let server = try #require(result.loaded?.config.server, "\(result.files.map(\.diagnostics))")
        #expect(server.host == "0.0.0.0")
        #expect(server.port == 8443)
        #expect(server.graphAPIURL == "http://127.0.0.1:9999")
        #expect(server.graphAPIVersion == "v25.0")
        #expect(server.sendRatePerNumber == 250)
        #expect(server.store == .sqlite(path: "/var/lib/talkflow/db.sqlite"))
        #expect(server.adminKeyEnv == "TALKFLOW_ADMIN_KEY")
        #expect(server.webhookBodyLimit == 4096)
        #expect(server.markRead == false)
        #expect(result.loaded?.adminKey == "admin-key-for-tests")
        // A store that cannot be opened is reported at its `store:` line, like the file's other problems.
        let problem = try #require(result.loaded?.storeProblem("SQLite error 14: unable to open database file"))
        let diagnostic = try #require(problem.diagnostics.first)
        #expect(diagnostic.id == "config_invalid_value")
        #expect(diagnostic.range.start.line == 7 && diagnostic.range.start.column == 10)
        #expect(diagnostic.message == "cannot open the store: SQLite error 14: unable to open database file")
    }

    @Test func unknownKeysAreLocatedWithASuggestion() throws {
        let result = try load(
            "server:\n  prt: 8080\n"
                + oneTenant(acme.replacingOccurrences(of: "phone_number_id", with: "phone_numer_id"))
                + "extra: 1\n")
        #expect(result.loaded == nil)
        let unknown = found(result, "config_unknown_key")
        #expect(unknown.map(place) == ["2:3", "5:5", "10:1"])
        #expect(unknown[0].suggestion == "did you mean 'port'?")
        #expect(unknown[1].suggestion == "did you mean 'phone_number_id'?")
        #expect(unknown[1].message.hasPrefix("unknown key 'phone_numer_id' in tenant 'acme'; allowed keys are 'id'"))
        // The misspelt key leaves the real one missing, reported at the tenant.
        #expect(found(result, "config_missing_field").map(place) == ["4:5"])
    }

    @Test func wrongTypesAreLocatedAtTheValue() throws {
        let result = try load(
            """
            server:
              port: eighty
              send_rate_per_number: [80]
            tenants:
              - \(acme.replacingOccurrences(of: "\n", with: "\n    "))
                agents: ana
                queues: [soporte]
            """)
        let wrong = found(result, "config_wrong_type")
        #expect(wrong.map(place) == ["2:9", "3:25", "11:13", "12:13"])
        #expect(wrong[0].message == "'port' of 'server' must be a whole number from 0 to 65535, found 'eighty'")
        #expect(wrong[2].message.contains("'agents' of tenant 'acme' must be a list"))
        let notAList = try load("tenants: acme\n")
        #expect(found(notAList, "config_wrong_type").map(place) == ["1:10"])
        let notAMapping = try load("- tenants\n")
        #expect(
            found(notAMapping, "config_wrong_type").map(\.message) == [
                "the configuration must be a mapping of keys to values, found a list"
            ])
    }

    @Test func missingFieldsAreReportedAtTheirMapping() throws {
        let result = try load(
            """
            server:
              port: 8080
            tenants:
              - id: acme
                phone_number_id: "1000000001"
                flow:
            """)
        let missing = found(result, "config_missing_field")
        #expect(
            missing.map(\.message) == [
                "tenant 'acme' needs 'app_secret_env'", "tenant 'acme' needs 'verify_token_env'",
                "tenant 'acme' needs 'access_token_env'", "tenant 'acme' needs 'flow'",
            ])
        // Absent keys point at the tenant's first line; a key written with no value points at itself.
        #expect(Set(missing.map(place)) == ["4:5", "6:5"])
        let noTenants = try load("server:\n  port: 8080\n")
        #expect(found(noTenants, "config_missing_field").map(place) == ["1:1"])
        #expect(found(try load("tenants: []\n"), "config_invalid_value").map(place) == ["1:10"])
    }

    @Test func secretsWrittenInTheFileAreRefusedAndMasked() throws {
        let secret = "9f86d081884c7d659a2feaa0c55ad015"
        let result = try load(
            """
            server:
              admin_key: hunter2hunter2
            tenants:
              - \(acme.replacingOccurrences(of: "\n", with: "\n    "))
                app_secret: \(secret)
                agents:
                  - id: ana
                    key: clave-de-ana
            """)
        #expect(result.loaded == nil)
        let secrets = found(result, "config_secret_in_file")
        #expect(secrets.map(place) == ["2:3", "10:5", "13:9"])
        #expect(secrets[0].message.contains("name the variable with 'admin_key_env'"))
        #expect(secrets[1].message.contains("name the variable with 'app_secret_env'"))
        #expect(secrets[2].message.contains("'key_sha256'"))
        // Nothing rendered for people shows the secrets again; columns stay where they were.
        let rendered = TextRenderer.render(files: result.files, colors: false)
        #expect(!rendered.contains(secret))
        #expect(!rendered.contains("hunter2"))
        #expect(!rendered.contains("clave-de-ana"))
        #expect(rendered.contains("    app_secret: " + String(repeating: "*", count: secret.count)))
    }

    @Test func aSecretPastedWhereAVariableNameGoesIsRefused() throws {
        let token = "EAAGm0PX4ZCpsBAKZCZAx3ZBZB0ZAvZBZBa0ZAZBZBcZBZB1234567890abcdef"
        let result = try load(oneTenant(acme.replacingOccurrences(of: "ACME_ACCESS_TOKEN", with: token)))
        let secrets = found(result, "config_secret_in_file")
        #expect(secrets.map(place) == ["6:23"])
        #expect(!TextRenderer.render(files: result.files, colors: false).contains(token))
        let badName = try load(oneTenant(acme.replacingOccurrences(of: "ACME_ACCESS_TOKEN", with: "ACME-TOKEN")))
        #expect(found(badName, "config_invalid_value").map(place) == ["6:23"])
    }

    @Test func duplicateTenantAndPhoneNumberIdsPointAtTheFirst() throws {
        let result = try load(
            oneTenant(acme) + "  - "
                + acme.replacingOccurrences(of: "\n", with: "\n    ") + "\n  - "
                + acme.replacingOccurrences(of: "id: acme", with: "id: other").replacingOccurrences(
                    of: "\n", with: "\n    ")
                + "\n")
        let tenants = found(result, "config_duplicate_tenant")
        #expect(tenants.map(place) == ["8:9"])
        #expect(
            tenants.first?.notes.map { place(Diagnostic(id: "", severity: .note, message: "", range: $0.range)) }
                == ["2:9"])
        let phones = found(result, "config_duplicate_phone_number_id")
        #expect(phones.map(place) == ["9:22", "15:22"])
        #expect(phones.last?.message.contains("already belongs to tenant 'acme'") == true)
    }

    @Test func environmentVariablesMustBeSetAndNotEmpty() throws {
        var environment = testEnvironment
        environment["ACME_APP_SECRET"] = nil
        environment["ACME_VERIFY_TOKEN"] = ""
        let result = try load(oneTenant(acme), environment: environment)
        #expect(result.loaded == nil)
        let missing = found(result, "config_missing_env")
        #expect(missing.map(place) == ["4:21", "5:23"])
        #expect(
            missing[0].message
                == "environment variable 'ACME_APP_SECRET' is not set; it must hold the app secret (app_secret_env of "
                + "tenant 'acme')")
        #expect(missing[1].message.hasPrefix("environment variable 'ACME_VERIFY_TOKEN' is set but empty"))
        let admin = try load("server:\n  admin_key_env: NOPE_ADMIN\n" + oneTenant(acme))
        #expect(found(admin, "config_missing_env").map(place) == ["2:18"])
    }

    /// A secret with a carriage return (an env file saved with Windows line ends), a line break or white space at
    /// an end is a paste error, refused at start-up without quoting it: sent as is, the HTTP client refused the
    /// header and its error, logged at every retry, quoted the access token.
    @Test func aSecretWithAControlCharacterOrSpacesAtItsEndsIsRefusedWithoutQuotingIt() throws {
        for (value, problem) in [
            ("EAAGsecretTOKEN123\r", "a carriage return (U+000D) at character 19"),
            ("EAAG\nX-Evil: 1", "a line break (U+000A) at character 5"),
            (" EAAGsecretTOKEN123", "white space at its start"),
            ("EAAGsecretTOKEN123 ", "white space at its end"),
        ] {
            var environment = testEnvironment
            environment["ACME_ACCESS_TOKEN"] = value
            let result = try load(oneTenant(acme), environment: environment)
            #expect(result.loaded == nil)
            let invalid = found(result, "config_invalid_value")
            #expect(invalid.map(place) == ["6:23"], "\(problem)")
            let message = invalid.first?.message ?? ""
            #expect(
                message.hasPrefix(
                    "environment variable 'ACME_ACCESS_TOKEN' holds \(problem); it must hold the access token"))
            #expect(!message.contains("EAAG"), "the secret is never quoted")
        }
    }

    @Test func aFlowThatDoesNotLintIsReportedAtItsOwnLines() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try writeStandardSetup(in: folder)
        let broken = try shippedFlow("faq.yaml").replacingOccurrences(of: "start: consentimiento", with: "start: nada")
        try folder.write("flows/acme.yaml", broken)
        let result = ConfigLoader.load(path: path, environment: testEnvironment)
        #expect(result.loaded == nil)
        let flowPath = folder.file("flows/acme.yaml")
        let flowFile = try #require(result.files.first { $0.path == flowPath })
        let unknownStep = try #require(flowFile.diagnostics.first { $0.id == "unknown_step" })
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("start: nada") }.map { $0 + 1 }
        #expect(unknownStep.range.start.line == line)
        #expect(unknownStep.range.start.column == 8)
        let rendered = TextRenderer.render(files: result.files, colors: false)
        #expect(rendered.contains("\(flowPath):\(line ?? 0):8: error:"))
        let invalid = found(result, "config_flow_invalid")
        #expect(invalid.map(place) == ["11:11"])
        #expect(invalid.first?.message.contains("flow '\(flowPath)' of tenant 'acme' has") == true)
    }

    @Test func anUnreadableFlowIsReportedAtTheFlowKey() throws {
        let result = try load(oneTenant(acme.replacingOccurrences(of: "flows/acme.yaml", with: "flows/missing.yaml")))
        let unreadable = found(result, "config_flow_unreadable")
        #expect(unreadable.map(place) == ["7:11"])
        #expect(unreadable.first?.message.hasSuffix(": no such file or directory") == true)
    }

    @Test func queueOverridesReplaceTheFlowsAgentsAndMustNameItsQueues() throws {
        let beta = acme.replacingOccurrences(of: "acme.yaml", with: "beta.yaml")
        let valid = try load(oneTenant(beta + "\nqueues:\n  soporte: [ana, bruno]"))
        let tenant = try #require(valid.loaded?.tenants.first)
        #expect(tenant.flow.queues == ["soporte": ["ana", "bruno"]])
        #expect(tenant.flow.interpreter.machine.queues.count == 1)

        let unknown = try load(oneTenant(beta + "\nqueues:\n  soprte: [ana]"))
        let diagnostic = found(unknown, "config_unknown_queue")
        #expect(diagnostic.map(place) == ["9:7"])
        #expect(diagnostic.first?.suggestion == "did you mean 'soporte'?")

        let duplicate = try load(oneTenant(beta + "\nqueues:\n  soporte: [ana, Ana ]\n  otra: []"))
        #expect(found(duplicate, "config_duplicate_agent").map(place) == ["9:22"])
        #expect(found(duplicate, "config_invalid_value").map(place) == ["10:13"])

        // Every problem in one run: a wrong queue next to an empty one is reported too.
        let both = try load(oneTenant(beta + "\nqueues:\n  nope: [ana]\n  soporte: []"))
        #expect(found(both, "config_unknown_queue").map(place) == ["9:7"])
        #expect(found(both, "config_invalid_value").map(place) == ["10:16"])

        // A blank agent is text, so not a wrong type: it is a value that names no one.
        let blank = try load(oneTenant(beta + "\nqueues:\n  soporte: [ana, \" \"]"))
        let blankAgent = found(blank, "config_invalid_value")
        #expect(blankAgent.map(place) == ["9:22"])
        #expect(blankAgent.first?.message.contains("found a blank text") == true)
        #expect(found(blank, "config_wrong_type").isEmpty)
    }

    /// A number or a boolean written in quotes is text to YAML: the message says the quotes are the problem
    /// instead of "must be true or false, found 'true'".
    @Test func aQuotedNumberOrBooleanIsNamedAsQuoted() throws {
        let port = try load("server:\n  port: \"19510\"\n  mark_read: 'true'\n" + oneTenant(acme))
        let messages = found(port, "config_wrong_type").map(\.message)
        #expect(
            messages.contains(
                "'port' of 'server' must be a whole number from 0 to 65535, found the text '19510' in quotes; write it "
                    + "without the quotes"), "\(messages)")
        #expect(
            messages.contains {
                $0.hasPrefix("'mark_read' of 'server' must be true or false, found the text 'true' in quotes")
            }, "\(messages)")
    }

    /// Each host problem is named for what it is: a port after the host, a zone id, or no address at all.
    @Test(arguments: [
        ("127.0.0.1:8080", "write the port under 'port', not after the host"),
        ("localhost:80", "write the port under 'port', not after the host"),
        ("fe80::1%eth0", "an IPv6 zone id ('%' and an interface) is not supported"),
        ("fe80::zz", "'fe80::zz' is not an IPv6 address"), ("a:b", "'a:b' is not an IPv6 address"),
    ])
    func hostProblemsAreNamed(host: String, problem: String) {
        #expect(ConfigReader.hostProblem(host)?.hasPrefix(problem) == true, "\(host)")
    }

    /// A tenant with agent keys must have a key for every agent its queues name: a conversation handed to one
    /// without a key could not be answered. A tenant without agents is not checked.
    @Test func everyQueuedAgentOfATenantWithKeysHasAKey() throws {
        let beta = acme.replacingOccurrences(of: "acme.yaml", with: "beta.yaml")
        let hash = SecretComparison.hex(SecretComparison.sha256("clave-ana"))
        let keys = "\nagents:\n  - id: ana\n    key_sha256: \(hash)"
        #expect(try load(oneTenant(beta + keys + "\nqueues:\n  soporte: [ana]")).loaded != nil)
        #expect(try load(oneTenant(beta + "\nqueues:\n  soporte: [ana, carla]")).loaded != nil)
        let missing = try load(oneTenant(beta + keys + "\nqueues:\n  soporte: [ana, carla]"))
        let diagnostic = found(missing, "config_unknown_agent")
        #expect(diagnostic.map(place) == ["12:7"])
        #expect(
            diagnostic.first?.message
                == "queue 'soporte' of tenant 'acme' names agent 'carla', who has no key in the tenant's 'agents' "
                + "('ana'); conversations handed to them could not be answered")

        // One run reports every problem: two agents sharing a key, or one with a bad key, do not hide the queue's
        // agent without a key, and the agent with the bad key is not reported as missing too.
        let twice = keys + "\n  - id: bruno\n    key_sha256: \(hash)\n  - id: dora\n    key_sha256: abc"
        let both = try load(oneTenant(beta + twice + "\nqueues:\n  soporte: [ana, bruno, dora, carla]"))
        #expect(found(both, "config_duplicate_agent").count == 1)
        #expect(found(both, "config_invalid_value").count == 1)
        let unknown = found(both, "config_unknown_agent")
        #expect(unknown.count == 1)
        #expect(unknown.first?.message.contains("names agent 'carla', who has no key") == true, "\(unknown)")
    }

    @Test func agentsAreStoredAsHashesAndFoundByKey() throws {
        let anaHash = SecretComparison.hex(SecretComparison.sha256("clave-ana-123"))
        let config = oneTenant(
            acme + "\nagents:\n  - id: ana\n    key_sha256: \(anaHash.uppercased())\n    admin: true\n"
                + "  - id: bruno\n    key_sha256: \(SecretComparison.hex(SecretComparison.sha256("clave-bruno")))")
        let tenant = try #require(try load(config).loaded?.tenants.first)
        #expect(tenant.agent(forKey: "clave-ana-123")?.agent == "ana")
        #expect(tenant.agent(forKey: "clave-ana-123")?.admin == true)
        #expect(tenant.agent(forKey: "clave-bruno")?.admin == false)
        #expect(tenant.agent(forKey: "clave-ana-12") == nil)

        let bad = try load(
            oneTenant(
                acme + "\nagents:\n  - id: ana\n    key_sha256: abc\n  - id: ana\n    key_sha256: \(anaHash)\n"
                    + "  - id: carla\n    key_sha256: \(anaHash)\n    admin: yes"))
        #expect(found(bad, "config_invalid_value").map(place) == ["10:21"])
        #expect(found(bad, "config_duplicate_agent").map(place) == ["11:13", "14:21"])
        #expect(found(bad, "config_wrong_type").map(place) == ["15:16"])
    }

    @Test func valuesOutOfRangeOrMalformedAreRefusedWithoutEchoingTheStore() throws {
        let result = try load(
            """
            server:
              port: 70000
              graph_api_url: https://graph.facebook.com/v23.0
              graph_api_version: "23"
              send_rate_per_number: 0
              store: postgres://talkflow:s3cret@db/talkflow
              webhook_body_limit: 10
              host: ""
            """ + "\n" + oneTenant(acme.replacingOccurrences(of: "\"1000000001\"", with: "\"+57 300\"")))
        // Whole numbers out of range are values out of range (port, rate, body limit), as Docs/operations.md says.
        #expect(found(result, "config_wrong_type").map(place) == [])
        #expect(
            found(result, "config_invalid_value").map(place) == [
                "2:9", "3:18", "4:22", "5:25", "6:10", "7:23", "8:9", "11:22",
            ])
        let rendered = result.files[0].diagnostics.map(\.message).joined(separator: "\n")
        #expect(!rendered.contains("s3cret"))
    }

    /// Hosts and Graph API origins are checked when the file is read, not when the server binds or calls.
    @Test(arguments: [
        ("127.0.0.1", true), ("0.0.0.0", true), ("::1", true), ("localhost", true), ("api.example.co", true),
        ("999.1.1.1", false), ("[::1]", false), ("127.0.0.1:80", false), ("-bad-.com", false), ("a\u{0}b", false),
        ("", false), ("1.2.3", false), ("http://127.0.0.1", false), (String(repeating: "a", count: 64) + ".co", false),
    ])
    func hostsAreAddressesOrNames(host: String, valid: Bool) {
        #expect((ConfigReader.hostProblem(host) == nil) == valid, "\(host)")
    }

    @Test(arguments: [
        ("https://graph.facebook.com", true), ("HTTPS://graph.facebook.com", true), ("http://127.0.0.1:9999/", true),
        ("http://[::1]:8080", true),
        ("http://127.0.0.1:99999", false), ("http://[::1", false), ("http://%zz", false), ("http://a:b", false),
        ("ftp://x", false), ("https://graph.facebook.com/v23.0", false), ("http://127.0.0.1:0", false),
    ])
    func graphOriginsAreCheckedWhole(url: String, valid: Bool) {
        #expect((ConfigReader.origin(url) != nil) == valid, "\(url)")
    }

    /// The system would cut a path at its NUL: the flow before it would be read, and read again as its own
    /// consent lock. Such a path is refused at its value and nothing is read.
    @Test func aStorePathOrFlowPathWithANulIsRefused() throws {
        let result = try load(
            "server:\n  store: \"sqlite:/tmp/a\\0b\"\n"
                + oneTenant(
                    acme.replacingOccurrences(
                        of: "flow: flows/acme.yaml", with: "flow: \"flows/acme.yaml\\0junk\"")))
        #expect(result.files.count == 1, "\(result.files.map(\.path))")
        #expect(
            result.files[0].diagnostics.map(\.message) == [
                "'store' of 'server' contains a NUL character; no file name can",
                "'flow' of tenant 'acme' must name a flow file; it contains a NUL character, which no file name can",
            ])
        #expect(found(result, "config_invalid_value").map(place) == ["2:10", "9:11"])
    }

    /// SQLite keeps `:memory:` in memory and reads `file:` as a URI: neither is the file a store must be.
    @Test func aStoreThatIsNotAFilePathSaysSoWithTheFix() throws {
        for (store, reading) in [
            ("sqlite::memory:", "SQLite reads ':memory:' as a database kept in memory, lost when talkflow exits"),
            ("sqlite:file:x.db?mode=memory", "SQLite reads a name starting with 'file:' as a URI, not as a file name"),
        ] {
            let result = try load("server:\n  store: \"\(store)\"\n" + oneTenant(acme))
            #expect(result.loaded == nil)
            let message = try #require(found(result, "config_invalid_value").first?.message)
            #expect(
                message.hasPrefix(
                    "'store' of 'server' must be a file path, such as sqlite:talkflow.sqlite; \(reading)"), "\(message)"
            )
        }
    }

    /// A text value written unquoted that YAML reads otherwise gets the loader's help in a configuration too.
    @Test func anUnquotedValueInAConfigurationGetsTheHelp() throws {
        let result = try load("server:\n  host: *todos*\n" + oneTenant(acme))
        let diagnostic = try #require(found(result, "yaml_syntax").first)
        #expect(diagnostic.suggestion?.hasPrefix("'*' at the start of a value makes it an alias") == true)
        #expect(diagnostic.suggestion?.contains("host: \"*todos*\"") == true)
    }

    @Test func yamlProblemsKeepTheirLoaderIdsAndPlaces() throws {
        let syntax = try load("tenants:\n  - id: acme\n   phone: [\n")
        #expect(syntax.files[0].diagnostics.first?.id == "yaml_syntax")
        let duplicate = try load(oneTenant(acme + "\nid: again"))
        #expect(found(duplicate, "yaml_duplicate_key").map(place) == ["8:5"])
        #expect(found(try load(""), "config_unreadable").map(place) == ["1:1"])
        let missing = ConfigLoader.load(path: "/nonexistent/talkflow.yaml", environment: [:])
        #expect(
            missing.files.first?.diagnostics.first?.message
                == "cannot read the configuration file: no such file or directory")
        // A path that is not a regular file is named as lint names it.
        for (path, kind) in [("/tmp", "a folder"), ("/dev/null", "a device")] {
            let irregular = ConfigLoader.load(path: path, environment: [:])
            #expect(
                irregular.files.first?.diagnostics.first?.message
                    == "cannot read the configuration file: not a regular file (\(kind))")
        }
    }

    /// A configuration or a flow over its size limit is not read, and `yaml_too_large` names its real size; so
    /// does the consent lock's refusal.
    @Test func aFileOverItsLimitIsNamedByItsRealSize() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let big = try folder.write("big.yaml", "server:\n  port: 8080\n" + String(repeating: "#", count: 3_000_000))
        let config = ConfigLoader.load(path: big, environment: [:])
        let diagnostic = try #require(config.files.first?.diagnostics.first)
        #expect(diagnostic.id == "yaml_too_large")
        #expect(diagnostic.message == "file is 3000021 bytes; the limit is 1048576 bytes")
        let flow = try folder.write("flow.yaml", "flow: x\n" + String(repeating: "#", count: 17_000_000))
        guard case .checked(let result, _) = TenantFlow.check(path: flow) else {
            Issue.record("a flow too large was not checked")
            return
        }
        #expect(result.diagnostics.map(\.message) == ["file is 17000008 bytes; the limit is 16777216 bytes"])
        try folder.write("flow.consent.lock", String(repeating: "#", count: 2_000_000))
        let lock = ConsentLockFile.read(forFlow: flow).problems?.diagnostics.first?.message ?? ""
        #expect(lock.contains("the consent lock is 2000000 bytes; the limit is"), "\(lock)")
    }

    @Test func everyMistakeIsReportedInOneRun() throws {
        var environment = testEnvironment
        environment["ACME_ACCESS_TOKEN"] = nil
        let result = try load(
            "server:\n  port: x\n  colour: blue\n"
                + oneTenant(acme.replacingOccurrences(of: "flows/acme.yaml", with: "nope.yaml")),
            environment: environment)
        let ids = Set(result.files.flatMap(\.diagnostics).map(\.id))
        #expect(ids == ["config_wrong_type", "config_unknown_key", "config_missing_env", "config_flow_unreadable"])
    }

    /// A tenant with a wrong field still has its environment variables and its flow checked.
    @Test func aTenantWithAWrongFieldStillHasItsFlowAndEnvironmentChecked() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try writeStandardSetup(
            in: folder,
            config: oneTenant(
                acme.replacingOccurrences(of: "app_secret_env: ACME_APP_SECRET", with: "app_secret: s3cr3t-value")
                    .replacingOccurrences(of: "ACME_VERIFY_TOKEN", with: "NOT_SET_TOKEN")))
        try folder.write(
            "flows/acme.yaml",
            try shippedFlow("faq.yaml").replacingOccurrences(of: "start: consentimiento", with: "start: nada"))
        let result = ConfigLoader.load(path: path, environment: testEnvironment)
        let ids = Set(result.files.flatMap(\.diagnostics).map(\.id))
        #expect(
            ids == [
                "config_missing_field", "config_secret_in_file", "config_missing_env", "config_flow_invalid",
                "unknown_step",
            ])
    }

    @Test func secretsNeverShowWhenPrinted() throws {
        let secrets = TenantSecrets(appSecret: "a-secret", verifyToken: "v-token", accessToken: "x-token")
        let shown = "\(secrets) \(String(reflecting: secrets)) \(String(describing: secrets))"
        #expect(!shown.contains("a-secret") && !shown.contains("v-token") && !shown.contains("x-token"))
        #expect(Mirror(reflecting: secrets).children.isEmpty)
    }
}

/// A misspelt key with two letters swapped gets its "did you mean"; a long variable name with '_' is a name, not a
/// secret, and over 63 characters is refused as a value.
@Test func transposedKeysAreSuggestedAndLongVariableNamesAreNotSecrets() throws {
    #expect(Suggestions.closest(to: "prot", in: ["port", "host", "store"]) == "port")
    #expect(Suggestions.closest(to: "flwo", in: ["flow", "id", "agents"]) == "flow")
    #expect(Suggestions.editDistance(Array("ab".unicodeScalars), Array("ba".unicodeScalars)) == 1)
    #expect(Suggestions.editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)) == 3)
    let name = String(repeating: "A", count: 32) + "_" + String(repeating: "B", count: 31)
    #expect(!ConfigReader.looksLikeSecret(name))
    #expect(ConfigReader.looksLikeSecret("EAAGm0PX4ZCpsBAKZCeKZA7Zb5SQqTX1aVqjD9Z1fL7nS2n"))
}
