import Conversations
import FlowSyntax
import Foundation
import SchemaTestSupport
import Testing

/// The repository's root, found from this file's place (`Tests/ConversationsTests/`).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Reads and parses `Schemas/transcript.schema.json`.
private func loadSchema() throws -> JSONValue {
    try JSONValue.parse(Data(contentsOf: repositoryRoot.appending(path: "Schemas/transcript.schema.json")))
}

/// The YAML text as an instance for the validator.
private func instance(_ yaml: String) throws -> Instance {
    let loaded = YAMLLoader.load(yaml)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    return Instance(try #require(loaded.root))
}

/// The property names an object schema declares.
private func propertyNames(_ schema: JSONValue?) -> Set<String> {
    Set(schema?["properties"]?.object.map { Array($0.keys) } ?? [])
}

/// The strings of a schema's `enum`.
private func enumValues(_ schema: JSONValue?) -> [String] {
    schema?["enum"]?.array?.compactMap(\.string) ?? []
}

/// Every shipped transcript (`Flows/**/*.test.yaml`).
func shippedTranscripts() -> [String] {
    TranscriptFiles.find([repositoryRoot.appending(path: "Flows").path]).compactMap {
        if case .file(let path) = $0 { return path }
        return nil
    }
}

/// A transcript both the parser and the schema must refuse.
struct BrokenTranscript: Sendable, CustomStringConvertible {
    var label: String
    var yaml: String
    /// The diagnostic id the parser gives.
    var id: String

    var description: String { label }

    /// A transcript whose one step is refused.
    static func step(_ label: String, _ step: String, _ id: String) -> BrokenTranscript {
        BrokenTranscript(label: label, yaml: "flow: f.yaml\nsteps:\n  - \(step)\n", id: id)
    }
}

private let brokenTranscripts: [BrokenTranscript] = [
    BrokenTranscript(label: "unknown top-level key", yaml: "flow: f.yaml\nstep: []\n", id: "unknown_key"),
    BrokenTranscript(label: "no steps", yaml: "flow: f.yaml\n", id: "missing_field"),
    BrokenTranscript(label: "no flow", yaml: "steps: []\n", id: "missing_field"),
    BrokenTranscript(label: "empty flow", yaml: "flow: \"\"\nsteps: []\n", id: "invalid_value"),
    BrokenTranscript(label: "NUL in the flow", yaml: "flow: \"f.yaml\\0x\"\nsteps: []\n", id: "invalid_value"),
    BrokenTranscript(
        label: "exhaustive not boolean", yaml: "flow: f.yaml\nexhaustive: yes\nsteps: []\n", id: "wrong_type"),
    BrokenTranscript(
        label: "two keys in a step", yaml: "flow: f.yaml\nsteps:\n  - contact: hola\n    bot: hola\n",
        id: "invalid_value"),
    BrokenTranscript(label: "unknown step key", yaml: "flow: f.yaml\nsteps:\n  - contcat: hola\n", id: "unknown_key"),
    BrokenTranscript(label: "closed reason", yaml: "flow: f.yaml\nsteps:\n  - closed: ended\n", id: "invalid_value"),
    BrokenTranscript(label: "wait duration", yaml: "flow: f.yaml\nsteps:\n  - wait: 25 hours\n", id: "invalid_value"),
    .step("wait of zero", "wait: 0s", "invalid_value"),
    .step("wait of a sum of zeros", "wait: 0h00m0s", "invalid_value"),
    .step("wait with a number of ten digits", "wait: 1h1000000000s", "invalid_value"),
    .step("negative attachment size", "attachment: { type: pdf, size: -1 }", "invalid_value"),
    .step("handoff_ended not boolean", "handoff_ended: yes", "wrong_type"),
    .step("revoked false", "revoked: false", "invalid_value"),
    BrokenTranscript(
        label: "attachment size", yaml: "flow: f.yaml\nsteps:\n  - attachment: { type: pdf, size: big }\n",
        id: "invalid_value"),
    BrokenTranscript(
        label: "attachment without size", yaml: "flow: f.yaml\nsteps:\n  - attachment: { type: pdf }\n",
        id: "missing_field"),
    BrokenTranscript(label: "at date-time", yaml: "flow: f.yaml\nsteps:\n  - at: mañana\n", id: "invalid_value"),
    BrokenTranscript(
        label: "agent_close false", yaml: "flow: f.yaml\nsteps:\n  - agent_close: false\n", id: "invalid_value"),
    BrokenTranscript(
        label: "buttons not a list", yaml: "flow: f.yaml\nsteps:\n  - bot: { buttons: Acepto }\n", id: "wrong_type"),
    BrokenTranscript(
        label: "unknown message key", yaml: "flow: f.yaml\nsteps:\n  - bot: { bodi: hola }\n", id: "unknown_key"),
    BrokenTranscript(label: "consent choice", yaml: "flow: f.yaml\nsteps:\n  - consent: acepto\n", id: "invalid_value"),
    .step("consent sensitive not boolean", "consent: { choice: accepted, sensitive: yes }", "wrong_type"),
    .step("consent sensitive quoted", "consent: { choice: accepted, sensitive: \"true\" }", "wrong_type"),
    BrokenTranscript(
        label: "fixture time", yaml: "flow: f.yaml\nfixtures: { time: \"2 de marzo\" }\nsteps: []\n",
        id: "invalid_value"),
    BrokenTranscript(
        label: "unknown fixture", yaml: "flow: f.yaml\nfixtures: { stpe: menu }\nsteps: []\n", id: "unknown_key"),
    BrokenTranscript(
        label: "fixture consent word", yaml: "flow: f.yaml\nfixtures: { consent: yes }\nsteps: []\n",
        id: "invalid_value"),
    .step("unreadable type in capitals", "unreadable: Order", "invalid_value"),
    .step("unreadable type of two words", "unreadable: nfm reply", "invalid_value"),
    .step("unreadable type the channel reads", "unreadable: text", "invalid_value"),
    .step("unreadable type the channel never steps", "unreadable: reaction", "invalid_value"),
    .step("forwarded not text", "forwarded: [hola]", "wrong_type"),
    BrokenTranscript(
        label: "relayed two ways", yaml: "flow: f.yaml\nsteps:\n  - relayed: { text: a, contains: b }\n",
        id: "invalid_value"),
    // At most one of buttons, list, attachment and template; text with none of them nor with body, header or footer.
    .step("buttons and a list", "bot: { buttons: [Uno], list: { rows: [Uno] } }", "invalid_value"),
    .step("an attachment and a template", "window_closed: { attachment: {}, template: {} }", "invalid_value"),
    .step("buttons and a template", "bot: { buttons: [Uno], template: { name: aviso } }", "invalid_value"),
    .step("text with buttons", "bot: { text: Hola, buttons: [Uno] }", "invalid_value"),
    .step("text with a list", "bot: { text: Hola, list: {} }", "invalid_value"),
    .step("text with an attachment", "window_closed: { text: Hola, attachment: { url: x } }", "invalid_value"),
    .step("text with a template", "bot: { text: Hola, template: {} }", "invalid_value"),
    .step("text with a body", "bot: { text: Hola, body: Hola }", "invalid_value"),
    .step("text with a header", "bot: { text: Hola, header: Tienda }", "invalid_value"),
    .step("text with a footer", "bot: { text: Hola, footer: Gracias }", "invalid_value"),
    // An attachment type is a known short type or a MIME type.
    .step("attachment type exe", "attachment: { type: exe, size: 1 }", "invalid_value"),
    .step("empty attachment type", "attachment: { type: \"\", size: 1 }", "invalid_value"),
    .step("attachment size of a lone point", "attachment: { type: pdf, size: . }", "invalid_value"),
    .step("attachment size with two points", "attachment: { type: pdf, size: 1.2.3 }", "invalid_value"),
    .step("attachment size with an exponent", "attachment: { type: pdf, size: 1e3 }", "invalid_value"),
    .step("attachment size in hex", "attachment: { type: pdf, size: 0x10 }", "invalid_value"),
]

/// Steps the parser accepts that the schema must accept too: sizes and durations in each form the runner reads.
private let acceptedSteps = [
    "attachment: { type: pdf, size: 1024 }",
    "attachment: { type: pdf, size: \"1024\" }",
    "attachment: { type: pdf, size: 1.5 }",
    "attachment: { type: pdf, size: 1.5 MB }",
    "attachment: { type: pdf, size: 512kib }",
    "attachment: { type: pdf, size: .5MB }",
    "attachment: { type: pdf, size: 5.MB }",
    "attachment: { type: pdf, size: \" 5. \" }",
    "attachment: { type: PDF, size: 1 }",
    "attachment: { type: Jpeg, size: 1 }",
    "attachment: { type: video/mp4, size: 1 }",
    "attachment: { type: /, size: 1 }",
    "bot: { text: Hola, contains: Ho, pattern: H }",
    "bot: { body: Elige, header: Menu, footer: Pie, buttons: [Uno] }",
    "bot: { contains: Elige, list: { button: Ver } }",
    "window_closed: { contains: Hola, attachment: { caption: Hola } }",
    "bot: { template: { name: aviso } }",
    "wait: 1s",
    "wait: 1h0m",
    "wait: 0h05m",
    "wait: 10d",
]

@Suite("JSON Schema of transcripts")
struct TranscriptSchemaTests {
    /// The root lists exactly the parser's top-level keys and refuses others.
    @Test func topLevelKeysMatchTheParser() throws {
        let schema = try loadSchema()
        #expect(propertyNames(schema) == Set(TranscriptParser.topKeys))
        #expect(schema["additionalProperties"] == .bool(false))
        #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["$id"]?.string == "https://talkflow.dev/schemas/transcript.schema.json")
        #expect(Set(schema["required"]?.array?.compactMap(\.string) ?? []) == ["flow", "steps"])
    }

    /// `fixtures` has exactly the parser's fixture keys.
    @Test func fixtureKeysMatchTheParser() throws {
        let schema = try loadSchema()
        let fixtures = schema["$defs"]?["fixtures"]
        #expect(propertyNames(fixtures) == Set(TranscriptParser.fixtureKeys))
        #expect(fixtures?["additionalProperties"] == .bool(false))
    }

    /// Each alternative of `step` is a mapping with one required key; together they are the parser's inputs and
    /// expectations.
    @Test func stepAlternativesMatchTheParser() throws {
        let schema = try loadSchema()
        let validator = JSONSchemaValidator(root: schema)
        let alternatives = try #require(schema["$defs"]?["stepItem"]?["oneOf"]?.array)
        var keys: [String] = []
        for alternative in alternatives {
            let reference = try #require(alternative["$ref"]?.string)
            let definition = try #require(validator.resolve(reference))
            let names = propertyNames(definition)
            #expect(names.count == 1, "\(reference)")
            #expect(definition["required"]?.array?.compactMap(\.string) == Array(names))
            #expect(definition["additionalProperties"] == .bool(false))
            keys += names
        }
        #expect(keys.sorted() == (TranscriptParser.inputKeys + TranscriptParser.expectationKeys).sorted())
    }

    /// Message expectations, consent choices and close reasons list what the parser accepts.
    @Test func valueListsMatchTheParser() throws {
        let schema = try loadSchema()
        for key in ["bot", "window_closed"] {
            let message = schema["$defs"]?[key]?["properties"]?[key]?["oneOf"]?.array?.last
            #expect(message?["$ref"]?.string == "#/$defs/message", "\(key)")
        }
        #expect(propertyNames(schema["$defs"]?["message"]) == Set(TranscriptParser.messageKeys))
        let consent = schema["$defs"]?["consent"]?["properties"]?["consent"]?["oneOf"]?.array?.first
        #expect(enumValues(consent) == TranscriptParser.consentChoices)
        #expect(enumValues(schema["$defs"]?["closed"]?["properties"]?["closed"]) == TranscriptParser.closeReasons)
    }

    /// Every property the schema declares carries a description: editors show it on hover.
    @Test func everyPropertyIsDescribed() throws {
        var undescribed: [String] = []
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .object(let members):
                for (name, property) in members["properties"]?.object ?? [:] where property["description"] == nil {
                    undescribed.append(path + "/" + name)
                }
                for (key, member) in members { walk(member, path + "/" + key) }
            case .array(let items):
                for (index, item) in items.enumerated() { walk(item, "\(path)/\(index)") }
            default:
                break
            }
        }
        walk(try loadSchema(), "")
        #expect(undescribed.isEmpty, "\(undescribed.sorted())")
    }

    /// Every shipped transcript validates against the schema and names it on its first line.
    @Test func shippedTranscriptsValidate() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let files = shippedTranscripts()
        #expect(files.count >= 3)
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(
                text.hasPrefix("# yaml-language-server: $schema=../../../Schemas/transcript.schema.json\n"), "\(file)")
            let violations = validator.validate(try instance(text))
            #expect(violations.isEmpty, "\(file): \(violations)")
        }
    }

    /// A transcript using every kind of step, as the writer writes it, is valid for both the parser and the schema.
    @Test func everyKindOfStepIsValidForBoth() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let yaml = TranscriptWriter.yaml(TranscriptSamples.everyKind)
        #expect(TranscriptParser.parse(yaml).diagnostics.isEmpty)
        let violations = validator.validate(try instance(yaml))
        #expect(violations.isEmpty, "\(violations)\n\(yaml)")
    }

    /// What the parser accepts, the schema accepts too.
    @Test(arguments: acceptedSteps)
    func acceptedStepsAreValidForBoth(_ step: String) throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let yaml = "flow: f.yaml\nsteps:\n  - \(step)\n"
        #expect(TranscriptParser.parse(yaml).diagnostics.isEmpty)
        #expect(validator.validate(try instance(yaml)).isEmpty)
    }

    /// A bare number of bytes is a YAML number, which editors type as one: the schema must allow numbers for
    /// `size` (this validator reads every scalar as text too, so the type is checked here).
    @Test func anAttachmentSizeMayBeANumber() throws {
        let schema = try loadSchema()
        let size = schema["$defs"]?["attachment"]?["properties"]?["attachment"]?["properties"]?["size"]
        #expect(size?["type"]?.array?.compactMap(\.string).contains("number") == true)
        #expect(size?["minimum"]?.number == 0)
    }

    /// What the parser refuses, the schema refuses too (and the parser says why, with the expected id).
    @Test(arguments: brokenTranscripts)
    func brokenTranscriptsAreRefusedByBoth(_ broken: BrokenTranscript) throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let parsed = TranscriptParser.parse(broken.yaml)
        #expect(parsed.transcript == nil)
        #expect(
            parsed.diagnostics.map(\.id).contains(broken.id), "\(parsed.diagnostics.map { "\($0.id) \($0.message)" })")
        let loaded = YAMLLoader.load(broken.yaml)
        #expect(!validator.validate(Instance(try #require(loaded.root))).isEmpty)
    }

    /// Every short attachment type the parser knows, in any case, and any text with a `/`, is a type for the
    /// schema too; a type the parser refuses is refused by the schema.
    @Test func attachmentTypesMatchTheParser() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let known = TranscriptAttachment.mimeTypes.keys.sorted()
        let upperCase = known.map { $0.uppercased() }
        for type in known + upperCase + ["Pdf", "image/jpeg", "x/y", "/"] {
            let yaml = "flow: f.yaml\nsteps:\n  - attachment: { type: \"\(type)\", size: 1 }\n"
            #expect(TranscriptParser.parse(yaml).diagnostics.isEmpty, "\(type)")
            #expect(validator.validate(try instance(yaml)).isEmpty, "\(type)")
        }
        for type in ["exe", "", " pdf", "pdf ", "jpgg", "mp5", "p df", "docxx"] {
            let yaml = "flow: f.yaml\nsteps:\n  - attachment: { type: \"\(type)\", size: 1 }\n"
            #expect(TranscriptParser.parse(yaml).transcript == nil, "'\(type)'")
            #expect(!validator.validate(try instance(yaml)).isEmpty, "'\(type)'")
        }
    }

    /// `fixtures.variables` needs `fixtures.step` (the run refuses variables without a starting step); an empty
    /// mapping sets nothing and needs none, for both.
    @Test(arguments: [
        ("{ variables: { nombre: Laura } }", false),
        ("{ step: pedir_nombre, variables: { nombre: Laura } }", true),
        ("{ variables: {} }", true),
        ("{ step: pedir_nombre }", true),
    ])
    func variablesNeedAStartingStep(_ fixtures: String, _ valid: Bool) throws {
        let yaml = "flow: default.yaml\nfixtures: \(fixtures)\nsteps: []\n"
        let parsed = try #require(TranscriptParser.parse(yaml).transcript)
        let started = TranscriptDriver.makeSimulator(
            machine: try TranscriptSamples.defaultMachine(), fixtures: parsed.fixtures)
        if case .failure(let misfit) = started {
            #expect(!valid, "\(misfit.problems)")
            #expect(misfit.problems.map(\.message) == ["variable 'nombre' needs a starting step ('step:')"])
        } else {
            #expect(valid)
        }
        #expect(JSONSchemaValidator(root: try loadSchema()).validate(try instance(yaml)).isEmpty == valid)
    }

    /// Unquoted numbers and booleans where text is expected are that text to the parser, as in flows; the schema
    /// types those keys as text (an editor flags the unquoted number), so testing.md tells to quote them.
    @Test func unquotedNumbersAreTextAndTheDocsSayToQuoteThem() throws {
        let yaml = """
            flow: f.yaml
            fixtures:
              step: inicio
              contact: { phone: 573001112233 }
              variables: { nombre: 5 }
              consent: { version: 1 }
            steps:
              - contact: 2
              - tap: 1
              - bot: 5
              - contact: true
            """
        let transcript = try #require(TranscriptParser.parse(yaml).transcript)
        #expect(transcript.fixtures.contactPhone == "573001112233")
        #expect(transcript.fixtures.variables.map(\.value) == ["5"])
        #expect(transcript.fixtures.consent?.version == "1")
        #expect(
            transcript.steps.map(\.kind) == [
                .input(.contact("2")), .input(.tap("1")), .expect(.bot(MessageExpectation(text: "5"))),
                .input(.contact("true")),
            ])
        let schema = try loadSchema()
        let defs = schema["$defs"]
        for key in ["contact", "tap"] {
            #expect(defs?[key]?["properties"]?[key]?["type"] == .string("string"), "\(key)")
        }
        let fixtures = defs?["fixtures"]?["properties"]
        #expect(fixtures?["contact"]?["properties"]?["phone"]?["type"] == .string("string"))
        #expect(fixtures?["variables"]?["additionalProperties"]?["type"] == .string("string"))
        let doc = try String(contentsOf: repositoryRoot.appending(path: "Docs/testing.md"), encoding: .utf8)
        #expect(doc.contains("quote it (`contact: \"2\"`, `version: \"1\"`) and both\nagree"))
        for written in ["`contact: 2`", "`tap: 1`", "`bot: 5`", "`phone: 573001112233`", "`variables: { nombre: 5 }`"] {
            #expect(doc.contains(written), "\(written)")
        }
    }
}
