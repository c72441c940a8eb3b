import FlowDiagnostics
import FlowSyntax
import Foundation
import SchemaTestSupport
import Testing

@testable import TalkflowServer

/// Reads and parses `Schemas/config.schema.json`.
private func loadSchema() throws -> JSONValue {
    try JSONValue.parse(Data(contentsOf: repositoryRoot.appending(path: "Schemas/config.schema.json")))
}

/// The property names an object schema declares.
private func propertyNames(_ schema: JSONValue?) -> Set<String> {
    Set(schema?["properties"]?.object.map { Array($0.keys) } ?? [])
}

/// The strings of a schema's `required`.
private func required(_ schema: JSONValue?) -> Set<String> {
    Set(schema?["required"]?.array?.compactMap(\.string) ?? [])
}

/// The YAML text as an instance for the validator.
private func instance(_ yaml: String) throws -> Instance {
    let loaded = YAMLLoader.load(yaml)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    return Instance(try #require(loaded.root))
}

/// A one-tenant configuration whose tenant lines are `tenant` and whose server lines are `server`.
private func config(server: String = "", tenant: String) -> String {
    let tenantLines = tenant.split(separator: "\n").joined(separator: "\n    ")
    return (server.isEmpty ? "" : "server:\n  " + server.split(separator: "\n").joined(separator: "\n  ") + "\n")
        + "tenants:\n  - " + tenantLines + "\n"
}

private let tenant = """
    id: acme
    phone_number_id: "1000000001"
    app_secret_env: ACME_APP_SECRET
    verify_token_env: ACME_VERIFY_TOKEN
    access_token_env: ACME_ACCESS_TOKEN
    flow: flows/acme.yaml
    """

@Suite("JSON Schema of the server configuration", .hangGuard)
struct ConfigSchemaTests {
    /// Each object of the schema lists exactly the keys the loader reads there, and refuses any other.
    @Test func propertiesMatchTheLoader() throws {
        let schema = try loadSchema()
        let validator = JSONSchemaValidator(root: schema)
        #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["$id"]?.string == "https://talkflow.dev/schemas/config.schema.json")
        #expect(propertyNames(schema) == Set(ConfigLoader.topLevelKeys))
        #expect(required(schema) == ["tenants"])
        let defs = schema["$defs"]
        #expect(propertyNames(defs?["server"]) == Set(ConfigLoader.serverKeys))
        #expect(propertyNames(defs?["tenant"]) == Set(ConfigLoader.tenantKeys))
        #expect(propertyNames(defs?["agent"]) == Set(ConfigLoader.agentKeys))
        #expect(
            required(defs?["tenant"])
                == Set(ConfigLoader.tenantKeys).subtracting(["agents", "queues", "log_retention_days"]))
        #expect(required(defs?["agent"]) == ["id", "key_sha256"])
        for object in [schema, defs?["server"], defs?["tenant"], defs?["agent"]] {
            #expect(object?["additionalProperties"] == .bool(false))
            // Editors show it on hover over the object.
            #expect(object?["description"]?.string?.isEmpty == false)
        }
        #expect(validator.resolve("#/$defs/env_name") != nil)
    }

    /// The schema's defaults and bounds are the loader's.
    @Test func defaultsAndBoundsMatchTheLoader() throws {
        let server = try loadSchema()["$defs"]?["server"]?["properties"]
        let defaults = ServerSettings.defaults
        #expect(server?["host"]?["default"]?.string == defaults.host)
        #expect(server?["port"]?["default"]?.number == Double(defaults.port))
        #expect(server?["graph_api_url"]?["default"]?.string == defaults.graphAPIURL)
        #expect(server?["graph_api_version"]?["default"]?.string == defaults.graphAPIVersion)
        #expect(server?["send_rate_per_number"]?["default"]?.number == Double(defaults.sendRatePerNumber))
        #expect(server?["store"]?["default"]?.string == defaults.store.description)
        #expect(server?["webhook_body_limit"]?["default"]?.number == Double(defaults.webhookBodyLimit))
        #expect(server?["mark_read"]?["default"] == .bool(defaults.markRead))
        #expect(server?["port"]?["minimum"]?.number == 0)
        #expect(server?["port"]?["maximum"]?.number == 65535)
        let rate = ConfigLoader.sendRateBounds
        #expect(server?["send_rate_per_number"]?["minimum"]?.number == Double(rate.lowerBound))
        #expect(server?["send_rate_per_number"]?["maximum"]?.number == Double(rate.upperBound))
        let limit = ConfigLoader.webhookBodyLimitBounds
        #expect(server?["webhook_body_limit"]?["minimum"]?.number == Double(limit.lowerBound))
        #expect(server?["webhook_body_limit"]?["maximum"]?.number == Double(limit.upperBound))
    }

    /// For values of every checked form, the schema and the loader agree on what is valid (the loader is run
    /// without flows or environment, so only the value's own diagnostics count).
    @Test func schemaAndLoaderAgreeOnValues() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let cases: [(server: String, tenant: String)] = [
            ("", tenant),
            ("port: 65535", tenant), ("port: 65536", tenant), ("port: -1", tenant), ("port: \"80\"", tenant),
            ("graph_api_url: https://graph.facebook.com/", tenant), ("graph_api_url: ftp://x", tenant),
            ("graph_api_url: https://graph.facebook.com/v23.0", tenant), ("graph_api_version: v23", tenant),
            ("graph_api_version: v24.0", tenant), ("send_rate_per_number: 1000", tenant),
            ("send_rate_per_number: 1001", tenant), ("store: sqlite:x.db", tenant), ("store: sqlite://", tenant),
            ("store: postgres://x", tenant), ("webhook_body_limit: 1023", tenant), ("host: \"a b\"", tenant),
            ("admin_key_env: ADMIN_KEY", tenant), ("admin_key_env: 1ADMIN", tenant),
            ("admin_key_env: abcdefghijklmnopqrstuvwx1", tenant), ("admin_key_env: abcdefghijklmnopqrstuvwxyz", tenant),
            ("admin_key_env: " + String(repeating: "A_", count: 32), tenant),
            ("mark_read: false", tenant), ("mark_read: yes", tenant),
            ("", tenant.replacingOccurrences(of: "\"1000000001\"", with: "\"+573001\"")),
            ("", tenant.replacingOccurrences(of: "\"1000000001\"", with: "1000000001")),
            ("admin_key_env: " + String(repeating: "A", count: 32) + "_" + String(repeating: "B", count: 31), tenant),
            ("", tenant.replacingOccurrences(of: "id: acme", with: "id: 1acme")),
            ("", tenant + "\nagents:\n  - id: ana\n    key_sha256: " + String(repeating: "aB", count: 32)),
            ("", tenant + "\nagents:\n  - id: ana\n    key_sha256: " + String(repeating: "a", count: 63)),
            ("", tenant + "\nagents:\n  - id: ana\n    key_sha256: " + String(repeating: "g", count: 64)),
            (
                "",
                tenant + "\nagents:\n  - id: ana\n    key_sha256: " + String(repeating: "a", count: 64)
                    + "\n    admin: yes"
            ),
            ("", tenant + "\nqueues:\n  soporte: []"),
            ("", tenant + "\nqueues:\n  soporte: [ana, \" \"]"),
            ("", tenant.replacingOccurrences(of: "flow: flows/acme.yaml", with: "flow: \"\"")),
            ("", tenant.replacingOccurrences(of: "flow: flows/acme.yaml", with: "flow: \"flows/acme.yaml\\0x\"")),
            ("store: \"sqlite:x.db\\0y\"", tenant),
            // SQLite's names that are no file: a database in memory, and URIs.
            ("store: \"sqlite::memory:\"", tenant), ("store: \"sqlite://:memory:\"", tenant),
            ("store: \"sqlite:file:x.db?mode=memory\"", tenant), ("store: \"sqlite:./file:x.db\"", tenant),
            ("store: \"sqlite::memory:x\"", tenant),
            // The Graph API origin: scheme in any case, a port from 1 to 65535 in digits, an IPv6 host in brackets.
            ("graph_api_url: HTTPS://graph.facebook.com", tenant), ("graph_api_url: Http://localhost", tenant),
            ("graph_api_url: https://graph.facebook.com:0", tenant),
            ("graph_api_url: https://graph.facebook.com:65536", tenant),
            ("graph_api_url: https://graph.facebook.com:65535", tenant),
            ("graph_api_url: https://graph.facebook.com:1", tenant),
            ("graph_api_url: https://graph.facebook.com:0443", tenant),
            ("graph_api_url: \"https://graph.facebook.com:\"", tenant),
            ("graph_api_url: https://graph.facebook.com:abc", tenant),
            ("graph_api_url: https://graph.facebook.com:+443", tenant),
            ("graph_api_url: https://127.0.0.1:8443/", tenant), ("graph_api_url: https://[::1]:8443", tenant),
            ("graph_api_url: https://[::1]", tenant), ("graph_api_url: https://::1", tenant),
            ("graph_api_url: https://256.0.0.1", tenant), ("graph_api_url: https://1.2.3", tenant),
            ("graph_api_url: https://-x.com", tenant), ("graph_api_url: https://x_y.com", tenant),
            ("graph_api_url: https://user@x.com", tenant),
            // The address to listen on: no brackets, no port.
            ("host: \"[::1]\"", tenant), ("host: \"::1\"", tenant), ("host: 127.0.0.1:8080", tenant),
            ("host: 0.0.0.0", tenant), ("host: localhost", tenant), ("host: api.example.co", tenant),
            ("host: 1.2.3", tenant), ("host: 300.1.1.1", tenant), ("host: \"a..b\"", tenant),
            ("host: a-.example.co", tenant), ("host: " + String(repeating: "a", count: 64), tenant),
            ("host: " + String(repeating: "a", count: 63), tenant), ("host: \"\"", tenant),
            ("host: http://x", tenant),
            // Variable names: at most 63 characters; 24 or more without '_' with a letter and a digit look like a
            // secret.
            ("admin_key_env: " + String(repeating: "A", count: 63), tenant),
            ("admin_key_env: " + String(repeating: "A", count: 64), tenant),
            ("admin_key_env: " + String(repeating: "A", count: 23) + "1", tenant),
            ("admin_key_env: " + String(repeating: "A", count: 22) + "1", tenant),
            ("admin_key_env: " + String(repeating: "1", count: 30), tenant),
            ("admin_key_env: _" + String(repeating: "A1", count: 15), tenant),
            // An optional key written null counts as absent for both.
            ("admin_key_env: ~\nmark_read: null", tenant + "\nagents: ~\nlog_retention_days: ~"),
        ]
        for (server, tenant) in cases + [("<empty server>", tenant)] {
            let text =
                server == "<empty server>"
                ? "server:\n" + config(tenant: tenant) : config(server: server, tenant: tenant)
            let schemaValid = validator.validate(try instance(text)).isEmpty
            let result = ConfigLoader.load(text: text, path: "/nonexistent/talkflow.yaml", environment: [:])
            let shapeIDs: Set<String> = [
                "config_unknown_key", "config_wrong_type", "config_missing_field", "config_invalid_value",
                "config_secret_in_file",
            ]
            let loaderValid = !result.files[0].diagnostics.contains { shapeIDs.contains($0.id) }
            #expect(schemaValid == loaderValid, "\(server) \(tenant): schema \(schemaValid), loader \(loaderValid)")
        }
    }

    /// The configuration shown in Docs/operations.md loads as written, beside the repository's flows (an
    /// operator copies it).
    @Test func theConfigurationInOperationsLoads() throws {
        let doc = try String(contentsOf: repositoryRoot.appending(path: "Docs/operations.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "```yaml\nserver:                       # optional"))
        let end = try #require(doc.range(of: "\n```", range: start.upperBound..<doc.endIndex))
        let text = String(doc[doc.index(start.lowerBound, offsetBy: 8)..<end.lowerBound]) + "\n"
        let path = repositoryRoot.appending(path: ".operations-sample-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["VENTAS_APP_SECRET", "VENTAS_VERIFY_TOKEN", "VENTAS_ACCESS_TOKEN", "TALKFLOW_ADMIN_KEY"]
            .reduce(into: [String: String]()) { $0[$1] = "value-of-\($1)" }
        let result = ConfigLoader.load(path: path, environment: environment)
        let loaded = try #require(result.loaded, "\(TextRenderer.render(files: result.files, colors: false))")
        #expect(loaded.tenants.first?.flow.queues["ventas"] == ["ana", "bruno"])
    }

    /// The README's example configuration validates against the schema and starts a server: every flow it
    /// names lints, and with its environment variables set it loads without a diagnostic.
    @Test func theExampleConfigurationIsValid() throws {
        let path = repositoryRoot.appending(path: "config.example.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# yaml-language-server: $schema=Schemas/config.schema.json\n"))
        let validator = JSONSchemaValidator(root: try loadSchema())
        let violations = validator.validate(try instance(text))
        #expect(violations.isEmpty, "\(violations)")
        let environment = [
            "VENTAS_APP_SECRET", "VENTAS_VERIFY_TOKEN", "VENTAS_ACCESS_TOKEN", "SOPORTE_APP_SECRET",
            "SOPORTE_VERIFY_TOKEN", "SOPORTE_ACCESS_TOKEN", "TALKFLOW_ADMIN_KEY",
        ].reduce(into: [String: String]()) { $0[$1] = "value-of-\($1)" }
        let result = ConfigLoader.load(path: path, environment: environment)
        let loaded = try #require(result.loaded, "\(TextRenderer.render(files: result.files, colors: false))")
        #expect(result.files.allSatisfy { $0.errorCount == 0 })
        #expect(loaded.tenants.map(\.id) == ["ventas", "soporte"])
        #expect(loaded.tenants[1].flow.queues["soporte"] == ["diana", "esteban"])
    }

    /// Every rule id is unique, starts with `config_`, and is listed in Docs/operations.md, as is every failure
    /// kind of the metrics.
    @Test func ruleIdsAndFailureKindsAreDocumented() throws {
        let ids = ConfigRules.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("config_") })
        let doc = try String(contentsOf: repositoryRoot.appending(path: "Docs/operations.md"), encoding: .utf8)
        for id in ids { #expect(doc.contains("| `\(id)` |"), "\(id) is documented") }
        for kind in FailureKind.allCases { #expect(doc.contains("`\(kind.rawValue)`"), "\(kind) is documented") }
        for key in ConfigLoader.serverKeys + ConfigLoader.tenantKeys { #expect(doc.contains("| `\(key)` |")) }
    }

    /// Docs/operations.md says what the loader checks of a variable name and of the Graph API origin.
    @Test func operationsSaysWhatTheLoaderChecks() throws {
        let doc = try String(contentsOf: repositoryRoot.appending(path: "Docs/operations.md"), encoding: .utf8)
        #expect(doc.contains("at most 63 characters"))
        #expect(doc.contains("24 or more characters without `_` that hold both a letter and a digit"))
        #expect(doc.contains("the scheme in any case"))
        #expect(doc.contains("an IPv6 address in brackets"))
    }
}
