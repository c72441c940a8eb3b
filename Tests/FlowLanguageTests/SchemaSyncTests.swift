import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation
import SchemaTestSupport
import Testing

/// The repository's root, found from this file's place (`Tests/FlowLanguageTests/SchemaSyncTests.swift`).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The first line every shipped flow carries, so that editors with yaml-language-server find the schema.
private let schemaComment = "# yaml-language-server: $schema=../Schemas/flow.schema.json"

/// The key put into every fixed-key mapping of the kitchen-sink flow to make the decoder list what it allows.
private let probe = "zz_probe"

/// `Schemas/flow.schema.json`, read and parsed once: parsing it takes about a tenth of a second, and a hundred
/// tests read it.
private let parsedSchema = Result {
    try JSONValue.parse(Data(contentsOf: repositoryRoot.appending(path: "Schemas/flow.schema.json")))
}

/// Reads and parses `Schemas/flow.schema.json`.
private func loadSchema() throws -> JSONValue {
    try parsedSchema.get()
}

/// The YAML text as an instance for the validator, failing the test when the loader reports anything.
private func instance(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Instance {
    let loaded = YAMLLoader.load(yaml)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)", sourceLocation: sourceLocation)
    return Instance(try #require(loaded.root, sourceLocation: sourceLocation))
}

/// The property names an object schema declares.
private func propertyNames(_ schema: JSONValue?) -> Set<String> {
    Set(schema?["properties"]?.object.map { Array($0.keys) } ?? [])
}

/// The strings of a schema's `enum`.
private func enumValues(_ schema: JSONValue?) -> [String] {
    schema?["enum"]?.array?.compactMap(\.string) ?? []
}

/// The shipped flows, by file name.
private func shippedFlows() throws -> [URL] {
    let folder = repositoryRoot.appending(path: "Flows")
    return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

@Suite("JSON Schema of the flow language")
struct SchemaSyncTests {
    // MARK: The schema says what the decoder accepts

    /// The root object lists exactly the decoder's top-level keys, and refuses any other.
    @Test func topLevelKeysMatchTheDecoder() throws {
        let schema = try loadSchema()
        #expect(propertyNames(schema) == Set(FlowDecoder.topLevelKeys))
        #expect(schema["additionalProperties"] == .bool(false))
        #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["$id"]?.string == "https://talkflow.dev/schemas/flow.schema.json")
    }

    /// `steps` values are a `oneOf` with one `$def` per step type, told apart by a `type` constant, and each
    /// lists exactly the keys `FlowDecoder.stepKeys` allows for that type.
    @Test func stepDefinitionsMatchTheDecoder() throws {
        let schema = try loadSchema()
        let validator = JSONSchemaValidator(root: schema)
        let alternatives = try #require(schema["$defs"]?["step"]?["oneOf"]?.array)
        var types: [String] = []
        for alternative in alternatives {
            let reference = try #require(alternative["$ref"]?.string)
            let definition = try #require(validator.resolve(reference), "\(reference) resolves")
            let type = try #require(definition["properties"]?["type"]?["const"]?.string, "\(reference) has a type")
            types.append(type)
            #expect(reference == "#/$defs/step_\(type)")
            #expect(propertyNames(definition) == Set(FlowDecoder.stepKeys[type] ?? []), "keys of step type \(type)")
            #expect(definition["additionalProperties"] == .bool(false), "\(type) refuses unknown keys")
            let required = definition["required"]?.array?.compactMap(\.string) ?? []
            #expect(required.contains("type"), "\(type) requires 'type'")
        }
        #expect(types == StepKind.names)
        #expect(Set(types) == Set(FlowDecoder.stepKeys.keys))
    }

    /// Every enumeration in the schema lists exactly the raw values of the Swift enumeration the decoder uses.
    @Test func enumerationsMatchTheSwiftEnums() throws {
        let schema = try loadSchema()
        let defs = schema["$defs"]
        #expect(enumValues(schema["properties"]?["language"]) == FlowLanguageCode.allCases.map(\.rawValue))
        #expect(enumValues(defs?["step_ask"]?["properties"]?["input"]) == InputType.allCases.map(\.rawValue))
        #expect(enumValues(defs?["step_menu"]?["properties"]?["display"]) == MenuDisplay.allCases.map(\.rawValue))
        #expect(
            enumValues(defs?["template"]?["properties"]?["category"]) == TemplateCategory.allCases.map(\.rawValue))
        #expect(
            enumValues(defs?["template_header"]?["properties"]?["type"])
                == TemplateMediaType.allCases.map(\.rawValue))
        #expect(
            propertyNames(defs?["business_hours"]) == Set(Weekday.allCases.map(\.rawValue) + ["holidays"]))
        #expect(enumValues(defs?["national_calendar"]) == NationalCalendar.allCases.map(\.rawValue))
        for subject in ["condition_variable", "condition_contact"] {
            let operators = propertyNames(defs?[subject]).subtracting(["variable", "contact"])
            #expect(operators == Set(Comparison.keys), "operators of \(subject)")
        }
    }

    /// Every other fixed-key mapping: the kitchen-sink flow puts a probe key into each one, the decoder's
    /// `unknown_key` message lists the keys it allows there, and that list must equal the properties of the
    /// schema object describing the same mapping. Every object definition of the schema must be probed.
    @Test func nestedKeysMatchTheDecoder() throws {
        let schema = try loadSchema()
        let validator = JSONSchemaValidator(root: schema)
        let loaded = YAMLLoader.load(kitchenSink)
        #expect(loaded.diagnostics.isEmpty)
        let root = try #require(loaded.root)

        // Where each probe is, by its key's range.
        var probes: [SourceRange: String] = [:]
        func findProbes(_ node: Node, _ path: String) {
            switch node.value {
            case .scalar: break
            case .sequence(let items):
                for (index, item) in items.enumerated() { findProbes(item, "\(path)/\(index)") }
            case .mapping(let pairs):
                for pair in pairs {
                    if pair.key == probe { probes[pair.keyRange] = path }
                    findProbes(pair.value, "\(path)/\(pair.key)")
                }
            }
        }
        findProbes(root, "")

        // What the decoder allows at each probe, and that it says nothing else about the flow.
        var allowed: [String: Set<String>] = [:]
        for diagnostic in FlowDecoder.decode(root).diagnostics {
            guard diagnostic.id == "unknown_key", diagnostic.message.hasPrefix("unknown key '\(probe)'"),
                let path = probes[diagnostic.range],
                let list = diagnostic.message.components(separatedBy: "; allowed keys are ").last
            else {
                Issue.record("unexpected diagnostic: \(diagnostic.id) \(diagnostic.message)")
                continue
            }
            allowed[path] = Set(list.components(separatedBy: ", ").map { $0.trimmingCharacters(in: ["'"]) })
        }
        #expect(Set(allowed.keys) == Set(probes.values), "every probe is reported")

        // What the schema says at each probe.
        let stripped = Instance(root).removingKey(probe)
        #expect(validator.validate(stripped).isEmpty, "\(validator.validate(stripped))")
        let described = describedObjects(stripped, schema, path: "", name: "root", validator: validator)
        var probedDefinitions: Set<String> = []
        for (path, keys) in allowed.sorted(by: { $0.key < $1.key }) {
            let object = try #require(described[path], "the schema describes the mapping at \(path)")
            #expect(object.keys == keys, "keys at \(path) (\(object.name))")
            probedDefinitions.insert(object.name)
        }
        let objectDefinitions = (schema["$defs"]?.object ?? [:]).filter { $0.value["properties"] != nil }.keys
        #expect(probedDefinitions == Set(objectDefinitions).union(["root"]), "every object definition is probed")
    }

    // MARK: The validator and the shipped flows

    /// The kitchen-sink flow without its probes is valid, and it is refused with them: the validator can fail.
    @Test func kitchenSinkValidatesOnlyWithoutProbes() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let withProbes = try instance(kitchenSink)
        let violations = validator.validate(withProbes)
        #expect(violations.contains { $0.path == "/\(probe)" && $0.message.contains("not allowed") })
        #expect(validator.validate(withProbes.removingKey(probe)).isEmpty)
    }

    /// Every shipped flow validates against the schema.
    @Test func shippedFlowsValidate() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        let files = try shippedFlows()
        #expect(Set(files.map(\.lastPathComponent)).isSuperset(of: ["default.yaml", "faq.yaml", "support.yaml"]))
        for file in files {
            let loaded = YAMLLoader.load(bytes: Array(try Data(contentsOf: file)))
            #expect(loaded.diagnostics.isEmpty, "\(file.lastPathComponent): \(loaded.diagnostics)")
            let root = try #require(loaded.root, "\(file.lastPathComponent) has a document")
            let violations = validator.validate(Instance(root))
            #expect(violations.isEmpty, "\(file.lastPathComponent): \(violations)")
        }
    }

    /// The complete example at the top of `Docs/language.md` validates against the schema too.
    @Test func theReferenceExampleValidates() throws {
        let text = try String(contentsOf: repositoryRoot.appending(path: "Docs/language.md"), encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let example = try instance(String(text[start.upperBound..<end.lowerBound]))
        let violations = JSONSchemaValidator(root: try loadSchema()).validate(example)
        #expect(violations.isEmpty, "\(violations)")
        guard case .object(let members) = example else {
            Issue.record("the example is not a mapping")
            return
        }
        #expect(members.map(\.key).contains("steps"))
    }

    /// Every shipped flow starts with the yaml-language-server comment that names the schema.
    @Test func shippedFlowsNameTheSchema() throws {
        let files = try shippedFlows()
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first
            #expect(firstLine.map(String.init) == schemaComment, "\(file.lastPathComponent)")
        }
    }

    /// The base of the broken flows is valid, so each broken flow fails for its own change only.
    @Test func brokenFlowBaseIsValid() throws {
        let validator = JSONSchemaValidator(root: try loadSchema())
        #expect(validator.validate(try instance(brokenBase)).isEmpty)
        #expect(FlowDecoder.decode(YAMLLoader.load(brokenBase).root).diagnostics.isEmpty)
    }

    /// Lengths are the linter's: it counts characters as people see them and leaves `{{variables}}` out, which
    /// a schema's `maxLength` (code points) cannot; so the schema sets none, and accepts what lint accepts.
    @Test(arguments: [
        ("title: Acepto,", "title: \"Acepte\u{301} sin dudas ya\","),  // 20 as seen, 21 code points
        ("title: Acepto,", "title: Acepto el tratamiento de datos,"),  // too long: lint's job
    ])
    func lengthsAreLeftToTheLinter(original: String, replacement: String) throws {
        #expect(brokenBase.contains(original))
        let yaml = brokenBase.replacingOccurrences(of: original, with: replacement)
        #expect(JSONSchemaValidator(root: try loadSchema()).validate(try instance(yaml)).isEmpty)
    }

    /// Each broken flow is refused at the place that is broken; where the decoder also refuses it, it must.
    @Test(arguments: brokenFlows)
    func brokenFlowIsRejected(_ broken: BrokenFlow) throws {
        #expect(brokenBase.contains(broken.original), "the base contains the text to replace")
        let yaml = brokenBase.replacingOccurrences(of: broken.original, with: broken.replacement)
        let violations = JSONSchemaValidator(root: try loadSchema()).validate(try instance(yaml))
        #expect(violations.contains { $0.path == broken.path }, "\(violations)")
        if broken.decoderRejects {
            #expect(!FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.isEmpty)
        }
        if let id = broken.lintID {
            func count(_ text: String) -> Int {
                FlowChecker.check(bytes: Array(text.utf8)).diagnostics.filter { $0.id == id }.count
            }
            #expect(count(yaml) > count(brokenBase), "lint reports \(id)")
        }
    }
}

/// A schema object found describing one mapping of an instance: its `$defs` name and its property names.
private struct DescribedObject {
    var name: String
    var keys: Set<String>
    /// The keys the object schema itself requires (a `oneOf` or `anyOf` may ask for more).
    var required: Set<String>
    /// The object schema, `$ref`s and alternatives resolved.
    var schema: JSONValue
}

/// Walks an instance together with its schema and returns, per mapping path, the object schema that describes
/// the mapping; `oneOf` and `anyOf` take the one alternative the mapping satisfies.
private func describedObjects(
    _ instance: Instance, _ schema: JSONValue, path: String, name: String, validator: JSONSchemaValidator
) -> [String: DescribedObject] {
    var schema = schema
    var name = name
    while let reference = schema["$ref"]?.string, let target = validator.resolve(reference) {
        name = String(reference.split(separator: "/").last ?? "")
        schema = target
    }
    // `oneOf`, and an `anyOf` standing for the whole value (an optional key that may also be null), take the
    // one alternative that matches; an `anyOf` beside `properties` only constrains them.
    if let alternatives = schema["oneOf"]?.array
        ?? (schema["properties"] == nil ? schema["anyOf"]?.array : nil)
    {
        let matching = alternatives.filter { validator.isValid(instance, $0) }
        guard matching.count == 1 else { return [:] }
        return describedObjects(instance, matching[0], path: path, name: name, validator: validator)
    }
    var found: [String: DescribedObject] = [:]
    switch instance {
    case .scalar:
        break
    case .array(let items):
        guard let itemSchema = schema["items"] else { break }
        for (index, item) in items.enumerated() {
            found.merge(
                describedObjects(item, itemSchema, path: "\(path)/\(index)", name: name, validator: validator)
            ) { first, _ in first }
        }
    case .object(let members):
        if let properties = schema["properties"]?.object {
            found[path] = DescribedObject(
                name: name, keys: Set(properties.keys),
                required: Set(schema["required"]?.array?.compactMap(\.string) ?? []), schema: schema)
        }
        for member in members {
            guard let child = schema["properties"]?[member.key] ?? schema["additionalProperties"],
                child.object != nil
            else { continue }
            found.merge(
                describedObjects(member.value, child, path: "\(path)/\(member.key)", name: name, validator: validator)
            ) { first, _ in first }
        }
    }
    return found
}

/// A flow that uses every object of the language, with a probe key in every fixed-key mapping.
private let kitchenSink = """
    version: 1
    flow: kitchen_sink
    language: es
    start: consentimiento
    zz_probe: 0
    settings:
      zz_probe: 0
      time_zone: America/Bogota
      business_hours:
        zz_probe: 0
        monday: ["08:00-12:00", "14:00 - 18:00"]
        tuesday: ["  08:00-12:00  "]
        wednesday: []
        thursday: ["00:00-24:00"]
        friday: ["08:00-12:00"]
        saturday: ["09:00-13:00"]
        sunday: []
        holidays: ["2026-12-25", "2028-02-29", colombia]
      inactivity: { after: 45s, text: Adios, zz_probe: 0 }
      keywords:
        - { words: [menu, inicio], goto: menu, zz_probe: 0 }
      revocation: { words: [revocar], text: Revocado, next: consentimiento, zz_probe: 0 }
    policy:
      zz_probe: 0
      version: "2026-01"
      url: https://example.co/datos
      responsible: { name: Ejemplo, address: Calle 1, email: datos@example.co, phone: "+57 1", zz_probe: 0 }
      purposes:
        - { id: atencion, description: atender, optional: false, marketing: false, human_attention: true,
            zz_probe: 0 }
        - { id: promos, description: promociones, optional: true, marketing: true }
      processors:
        - { name: Meta Platforms, country: Estados Unidos, zz_probe: 0 }
    queues:
      ventas: [ana, bruno]
    templates:
      aviso:
        zz_probe: 0
        name: aviso_pedido
        language: es
        category: utility
        body: "Tu pedido {{1}} va en camino"
        opt_out: No recibir más
        header: { type: document, link: https://example.co/guia.pdf, zz_probe: 0 }
    steps:
      consentimiento:
        type: consent
        zz_probe: 0
        text: Autorizas?
        accept: { title: Acepto, next: menu, zz_probe: 0 }
        decline: { title: No acepto, next: fin, zz_probe: 0 }
        purposes: [atencion]
        opt_in: { purpose: promos, text: Promociones?, accept: Si, decline: "No", zz_probe: 0 }
        sensitive: false
        data: [nombre]
        suppress: [unreachable_step]
      menu:
        type: menu
        zz_probe: 0
        text: Elige
        header: Menu
        footer: Pie
        button: Ver
        display: list
        options:
          - { id: uno, title: Uno, description: El primero, synonyms: ["1"], next: pregunta, zz_probe: 0 }
        invalid: Otra vez
        retries: 3
        fallback: fin
      pregunta:
        type: ask
        zz_probe: 0
        text: Edad?
        save: edad
        input: number
        personal_data: true
        sensitive: false
        validate: { min_length: 1, max_length: 3, min: 0, max: 120.5, pattern: "^[0-9]+$", zz_probe: 0 }
        retry: Escribe un numero
        attempts: 4
        fallback: fin
        next: decidir
      decidir:
        type: branch
        zz_probe: 0
        cases:
          - { when: { variable: edad, equals: "18", zz_probe: 0 }, next: guardar, zz_probe: 0 }
          - { when: { variable: edad, not_equals: "1" }, next: guardar }
          - { when: { variable: edad, in: ["1", "2"] }, next: guardar }
          - { when: { variable: edad, contains: "1" }, next: guardar }
          - { when: { variable: edad, matches: "^1" }, next: guardar }
          - { when: { variable: edad, less_than: 5 }, next: guardar }
          - { when: { variable: edad, greater_than: 1.5 }, next: guardar }
          - { when: { variable: edad, at_least: 2 }, next: guardar }
          - { when: { variable: edad, at_most: 100 }, next: guardar }
          - { when: { contact: name, is_set: true, zz_probe: 0 }, next: guardar }
          - { when: { business_hours: open, zz_probe: 0 }, next: guardar }
          - { when: { consent: given, zz_probe: 0 }, next: guardar }
          - { when: { all: [{ variable: edad, is_set: false }], zz_probe: 0 }, next: guardar }
          - { when: { any: [{ contact: phone, contains: "57" }, { consent: not_given }], zz_probe: 0 }, next: fin }
          - { when: { not: { business_hours: closed }, zz_probe: 0 }, next: fin }
        default: guardar
      guardar:
        type: set
        zz_probe: 0
        values: { ciudad: Bogota, saludo: "Hola {{contact.name}}" }
        next: info
      info:
        type: message
        zz_probe: 0
        text: Mira
        attachment: { url: https://example.co/a.pdf, filename: a.pdf, caption: Archivo, zz_probe: 0 }
        next: asesor
      asesor:
        type: handoff
        zz_probe: 0
        queue: ventas
        text: Ya viene
        closed: { text: Cerrado, next: aviso, zz_probe: 0 }
        next: aviso
      aviso:
        type: template
        zz_probe: 0
        template: aviso
        parameters: ["{{ciudad}}"]
        next: fin
      fin:
        type: end
        zz_probe: 0
        text: Adios
    """

/// A small valid flow that the broken flows change one place of.
private let brokenBase = """
    version: 1
    flow: prueba
    language: es
    start: consentimiento
    settings:
      business_hours:
        monday: ["08:00-12:00"]
        holidays: ["2026-12-25"]
      inactivity: { after: 30m }
      revocation: { words: [revocar], text: Revocado. }
    policy:
      version: "1"
      url: https://example.co/datos
      responsible: { name: Ejemplo }
      purposes:
        - { id: atencion, description: atender, human_attention: true }
    queues:
      ventas: [ana]
    steps:
      consentimiento:
        type: consent
        text: Autorizas?
        accept: { title: Acepto, next: menu }
        decline: { title: No acepto, next: hola }
      menu:
        type: menu
        text: Elige
        retries: 2
        options:
          - { id: uno, title: Uno, next: nombre }
      nombre:
        type: ask
        text: Nombre?
        save: nombre
        personal_data: true
        next: decidir
      decidir:
        type: branch
        cases:
          - when: { variable: nombre, is_set: true }
            next: hola
        default: hola
      hola:
        type: message
        text: Hola
        next: fin
      fin:
        type: end
    """

/// One broken flow: `original` in the base replaced by `replacement`, refused with a violation at `path`.
struct BrokenFlow: Sendable, CustomTestStringConvertible {
    var name: String
    var original: String
    var replacement: String
    var path: String
    /// Whether the decoder refuses it too (the others are limits that the linter, not the decoder, checks).
    var decoderRejects: Bool = true
    /// The check lint reports it with, when the decoder accepts it: the flow then has one more of it than the base.
    var lintID: String? = nil

    var testDescription: String { name }
}

/// The broken flows, one mistake each.
private let brokenFlows: [BrokenFlow] = [
    BrokenFlow(
        name: "unknown top-level key", original: "language: es", replacement: "language: es\ncolour: red",
        path: "/colour"),
    BrokenFlow(name: "unsupported version", original: "version: 1", replacement: "version: 2", path: "/version"),
    BrokenFlow(
        name: "unknown language", original: "language: es", replacement: "language: fr",
        path: "/language"),
    BrokenFlow(name: "missing policy", original: "policy:", replacement: "policia:", path: ""),
    BrokenFlow(
        name: "unknown step type", original: "type: message", replacement: "type: mensaje",
        path: "/steps/hola"),
    BrokenFlow(name: "message without text", original: "    text: Hola\n", replacement: "", path: "/steps/hola"),
    BrokenFlow(
        name: "unknown step key", original: "    text: Hola\n", replacement: "    text: Hola\n    txt: x\n",
        path: "/steps/hola/txt"),
    BrokenFlow(
        name: "retries out of range", original: "retries: 2", replacement: "retries: 25",
        path: "/steps/menu/retries"),
    BrokenFlow(
        name: "retries as quoted text", original: "retries: 2", replacement: "retries: \"2\"",
        path: "/steps/menu/retries"),
    BrokenFlow(
        name: "boolean written yes", original: "personal_data: true", replacement: "personal_data: yes",
        path: "/steps/nombre/personal_data"),
    BrokenFlow(
        name: "boolean quoted", original: "personal_data: true", replacement: "personal_data: \"true\"",
        path: "/steps/nombre/personal_data"),
    BrokenFlow(
        name: "variable with capitals", original: "save: nombre", replacement: "save: Nombre",
        path: "/steps/nombre/save"),
    BrokenFlow(
        name: "step id with a space", original: "  hola:", replacement: "  paso uno:",
        path: "/steps/paso uno"),
    BrokenFlow(
        name: "bad duration", original: "after: 30m", replacement: "after: 30 min",
        path: "/settings/inactivity/after"),
    BrokenFlow(
        name: "empty option title", original: "title: Uno,", replacement: "title: \"\",",
        path: "/steps/menu/options/0/title"),
    BrokenFlow(
        name: "set without values", original: "  hola:\n",
        replacement: "  poner:\n    type: set\n    values: {}\n    next: hola\n  hola:\n",
        path: "/steps/poner/values"),
    BrokenFlow(
        name: "duration over the maximum", original: "after: 30m", replacement: "after: 1000001s",
        path: "/settings/inactivity/after"),
    BrokenFlow(
        name: "duration with a leading zero", original: "after: 30m", replacement: "after: 0030m",
        path: "/settings/inactivity/after"),
    BrokenFlow(
        name: "attachment over http", original: "    text: Hola\n",
        replacement: "    text: Hola\n    attachment: { url: \"http://example.co/a.pdf\" }\n",
        path: "/steps/hola/attachment/url"),
    BrokenFlow(
        name: "attachment url with a space", original: "    text: Hola\n",
        replacement: "    text: Hola\n    attachment: { url: \"https://example.co/lista de precios.pdf\" }\n",
        path: "/steps/hola/attachment/url"),
    BrokenFlow(
        name: "attachment url with a right-to-left override", original: "    text: Hola\n",
        replacement: "    text: Hola\n    attachment: { url: \"https://example.co/factura\u{202E}fdp.pdf\" }\n",
        path: "/steps/hola/attachment/url"),
    brokenHeaderLink("template header link that is a file name", "guia.pdf"),
    brokenHeaderLink("template header link over http", "http://example.co/guia.pdf"),
    brokenHeaderLink("template header link over ftp", "ftp://example.co/guia.pdf"),
    brokenHeaderLink("template header link with a space", "\"https://example.co/mi guia.pdf\""),
    brokenAttachmentURL("attachment url with a Hangul filler", "\u{3164}"),
    brokenAttachmentURL("attachment url with a Hangul choseong filler", "\u{115F}"),
    brokenAttachmentURL("attachment url with a halfwidth Hangul filler", "\u{FFA0}"),
    brokenAttachmentURL("attachment url with a musical symbol begin beam", "\u{1D173}"),
    brokenAttachmentURL("attachment url with a language tag", "\u{E0001}"),
    brokenAttachmentURL("attachment url with a no-break space", "\u{A0}"),
    BrokenFlow(
        name: "span with a tab", original: "\"08:00-12:00\"", replacement: "\"08:00\\t-12:00\"",
        path: "/settings/business_hours/monday/0"),
    BrokenFlow(
        name: "empty time zone", original: "settings:\n", replacement: "settings:\n  time_zone: \"\"\n",
        path: "/settings/time_zone"),
    BrokenFlow(
        name: "bad span", original: "\"08:00-12:00\"", replacement: "\"8:00-12:00\"",
        path: "/settings/business_hours/monday/0"),
    BrokenFlow(
        name: "bad date", original: "2026-12-25", replacement: "2026-13-01",
        path: "/settings/business_hours/holidays/0"),
    BrokenFlow(
        name: "holiday calendar in capitals", original: "\"2026-12-25\"", replacement: "Colombia",
        path: "/settings/business_hours/holidays/0"),
    BrokenFlow(
        name: "option with an unknown key", original: "title: Uno,", replacement: "titulo: Uno,",
        path: "/steps/menu/options/0/titulo"),
    BrokenFlow(
        name: "queue that is not a list", original: "ventas: [ana]", replacement: "ventas: ana",
        path: "/queues/ventas"),
    BrokenFlow(
        name: "blank agent", original: "ventas: [ana]", replacement: "ventas: [ana, \"  \"]",
        path: "/queues/ventas/1", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "condition with two operators", original: "is_set: true }",
        replacement: "is_set: true, equals: x }", path: "/steps/decidir/cases/0/when"),
    BrokenFlow(
        name: "comparison with a null operand", original: "is_set: true }", replacement: "is_set: ~ }",
        path: "/steps/decidir/cases/0/when"),
    BrokenFlow(
        name: "comparison of a null variable", original: "variable: nombre, is_set", replacement: "variable: ~, is_set",
        path: "/steps/decidir/cases/0/when"),
    brokenCondition("null business hours condition", "{ business_hours: null }"),
    brokenCondition("null all", "{ all: ~ }"),
    brokenCondition("empty all", "{ all: [] }"),
    brokenCondition("empty any", "{ any: [] }"),
    brokenCondition("empty in", "{ variable: nombre, in: [] }"),
    brokenCondition("empty in of a contact attribute", "{ contact: name, in: [] }"),
    BrokenFlow(
        name: "null set value", original: "  hola:\n",
        replacement: "  poner:\n    type: set\n    values: { x: ~ }\n    next: hola\n  hola:\n",
        path: "/steps/poner/values/x"),
    BrokenFlow(
        name: "null agent", original: "ventas: [ana]", replacement: "ventas: [ana, ~]", path: "/queues/ventas/1"),
    BrokenFlow(
        name: "null revocation word", original: "words: [revocar]", replacement: "words: [revocar, null]",
        path: "/settings/revocation/words/1"),
    BrokenFlow(
        name: "null synonym", original: "title: Uno,", replacement: "title: Uno, synonyms: [uno, ~],",
        path: "/steps/menu/options/0/synonyms/1"),
    BrokenFlow(
        name: "four options shown as buttons",
        original: "    options:\n      - { id: uno, title: Uno, next: nombre }\n",
        replacement: "    display: buttons\n    options:\n"
            + (1...4).map { "      - { id: o\($0), title: O\($0), next: nombre }\n" }.joined(),
        path: "/steps/menu", decoderRejects: false),
    BrokenFlow(
        name: "menu without options", original: "    options:\n      - { id: uno, title: Uno, next: nombre }\n",
        replacement: "    options: []\n", path: "/steps/menu/options", decoderRejects: false),
    BrokenFlow(
        name: "blank message text", original: "    text: Hola\n", replacement: "    text: \"  \"\n",
        path: "/steps/hola/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "empty goodbye", original: "    type: end", replacement: "    type: end\n    text: \"\"",
        path: "/steps/fin/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank revocation text", original: "text: Revocado.", replacement: "text: \" \"",
        path: "/settings/revocation/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank inactivity text", original: "inactivity: { after: 30m }",
        replacement: "inactivity: { after: 30m, text: \"\" }",
        path: "/settings/inactivity/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank handoff text", original: "  hola:\n",
        replacement: "  asesor:\n    type: handoff\n    queue: ventas\n    text: \" \"\n  hola:\n",
        path: "/steps/asesor/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank handoff closed text", original: "  hola:\n",
        replacement:
            "  asesor:\n    type: handoff\n    queue: ventas\n    text: Ya viene\n    closed: { text: \" \" }\n  hola:\n",
        path: "/steps/asesor/closed/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank menu text", original: "text: Elige", replacement: "text: \" \"",
        path: "/steps/menu/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank header", original: "    retries: 2\n", replacement: "    retries: 2\n    header: \" \"\n",
        path: "/steps/menu/header", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank footer", original: "    retries: 2\n", replacement: "    retries: 2\n    footer: \"\"\n",
        path: "/steps/menu/footer", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank list button", original: "    retries: 2\n",
        replacement: "    retries: 2\n    display: list\n    button: \" \"\n",
        path: "/steps/menu/button", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank list button of a menu shown as buttons", original: "    retries: 2\n",
        replacement: "    retries: 2\n    button: \" \"\n",
        path: "/steps/menu/button", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank invalid text", original: "    retries: 2\n", replacement: "    retries: 2\n    invalid: \" \"\n",
        path: "/steps/menu/invalid", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank row description", original: "    retries: 2\n    options:\n      - { id: uno, title: Uno,",
        replacement:
            "    retries: 2\n    display: list\n    options:\n      - { id: uno, title: Uno, description: \" \",",
        path: "/steps/menu/options/0/description", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank description of a menu shown as buttons", original: "title: Uno,",
        replacement: "title: Uno, description: \"\",",
        path: "/steps/menu/options/0/description", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank question", original: "text: Nombre?", replacement: "text: \" \"",
        path: "/steps/nombre/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank retry", original: "    personal_data: true\n",
        replacement: "    personal_data: true\n    retry: \" \"\n",
        path: "/steps/nombre/retry", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank caption", original: "    text: Hola\n",
        replacement: "    text: Hola\n    attachment: { url: \"https://example.co/a.pdf\", caption: \" \" }\n",
        path: "/steps/hola/attachment/caption", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank consent text", original: "text: Autorizas?", replacement: "text: \" \"",
        path: "/steps/consentimiento/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank accept title", original: "title: Acepto, next: menu", replacement: "title: \" \", next: menu",
        path: "/steps/consentimiento/accept/title", decoderRejects: false, lintID: "consent_label_ambiguous"),
    BrokenFlow(
        name: "blank opt-in label", original: "decline: { title: No acepto, next: hola }\n",
        replacement:
            "decline: { title: No acepto, next: hola }\n"
            + "    opt_in: { purpose: atencion, text: Promociones?, accept: \" \", decline: No quiero }\n",
        path: "/steps/consentimiento/opt_in/accept", decoderRejects: false, lintID: "consent_label_ambiguous"),
    BrokenFlow(
        name: "blank opt-in text", original: "decline: { title: No acepto, next: hola }\n",
        replacement:
            "decline: { title: No acepto, next: hola }\n"
            + "    opt_in: { purpose: atencion, text: \" \", accept: Acepto, decline: No acepto }\n",
        path: "/steps/consentimiento/opt_in/text", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank keyword word", original: "  revocation:",
        replacement: "  keywords: [{ words: [menu, \" \"], goto: menu }]\n  revocation:",
        path: "/settings/keywords/0/words/1"),
    BrokenFlow(
        name: "blank revocation word", original: "words: [revocar]", replacement: "words: [revocar, \" \"]",
        path: "/settings/revocation/words/1"),
    BrokenFlow(
        name: "blank policy version", original: "version: \"1\"", replacement: "version: \" \"",
        path: "/policy/version", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "empty policy url", original: "url: https://example.co/datos", replacement: "url: \"\"",
        path: "/policy/url", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank responsible name", original: "name: Ejemplo", replacement: "name: \" \"",
        path: "/policy/responsible/name", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank purpose description", original: "description: atender", replacement: "description: \" \"",
        path: "/policy/purposes/0/description", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank template body", original: "queues:\n",
        replacement: "templates:\n  aviso: { name: aviso, language: es, category: utility, body: \" \" }\nqueues:\n",
        path: "/templates/aviso/body", decoderRejects: false, lintID: "invalid_value"),
    BrokenFlow(
        name: "blank template opt_out", original: "queues:\n",
        replacement:
            "templates:\n  aviso: { name: aviso, language: es, category: utility, body: Hola., opt_out: \" \" }\n"
            + "queues:\n",
        path: "/templates/aviso/opt_out", decoderRejects: false, lintID: "invalid_value"),
    brokenTemplateParameter("template parameter with a line break", #""lunes\n8:00""#),
    brokenTemplateParameter("template parameter with a tab", #""lunes\t8:00""#),
    brokenTemplateParameter("template parameter with 5 spaces in a row", #""lunes     8:00""#),
    brokenTemplateParameter("blank template parameter", #"" ""#),
]

/// The base's one branch case with the condition `when` (as written in YAML), which the schema refuses there.
private func brokenCondition(_ name: String, _ when: String) -> BrokenFlow {
    BrokenFlow(
        name: name, original: "{ variable: nombre, is_set: true }", replacement: when,
        path: "/steps/decidir/cases/0/when")
}

/// A template whose document header links `link` (as written in YAML), which Meta cannot fetch.
private func brokenHeaderLink(_ name: String, _ link: String) -> BrokenFlow {
    BrokenFlow(
        name: name, original: "queues:\n  ventas: [ana]\n",
        replacement: "queues:\n  ventas: [ana]\n"
            + "templates:\n  aviso:\n    name: aviso\n    language: es\n    category: utility\n"
            + "    body: Hola.\n    header: { type: document, link: \(link) }\n",
        path: "/templates/aviso/header/link")
}

/// A message whose attachment URL holds `invisible`, which the decoder refuses (`invalid_value`).
private func brokenAttachmentURL(_ name: String, _ invisible: String) -> BrokenFlow {
    BrokenFlow(
        name: name, original: "    text: Hola\n",
        replacement: "    text: Hola\n    attachment: { url: \"https://example.co/a\(invisible)b.pdf\" }\n",
        path: "/steps/hola/attachment/url")
}

/// A template step whose one parameter is `parameter` (as written in YAML), which Meta would refuse.
private func brokenTemplateParameter(_ name: String, _ parameter: String) -> BrokenFlow {
    BrokenFlow(
        name: name, original: "queues:\n  ventas: [ana]\nsteps:\n",
        replacement: "queues:\n  ventas: [ana]\n"
            + "templates:\n  aviso: { name: aviso, language: es, category: utility, body: \"Hola {{1}}.\" }\n"
            + "steps:\n  avisar:\n    type: template\n    template: aviso\n    parameters: [\(parameter)]\n"
            + "    next: fin\n",
        path: "/steps/avisar/parameters/0", decoderRejects: false, lintID: "invalid_value")
}

/// A `validate.pattern` that is not a regular expression is refused where it is written: at run time it would
/// match nothing, and the question would take every answer.
@Test func anInvalidValidationPatternIsRefused() throws {
    let yaml = brokenBase.replacingOccurrences(
        of: "    personal_data: true\n", with: "    personal_data: true\n    validate: { pattern: \"([a-z\" }\n")
    let diagnostics = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics
    #expect(diagnostics.map(\.id) == ["invalid_value"])
    #expect(diagnostics.first?.message == "'([a-z' is not a valid regular expression: expected ']'")
    #expect(diagnostics.first?.range.start.line == 36)
    let valid = brokenBase.replacingOccurrences(
        of: "    personal_data: true\n", with: "    personal_data: true\n    validate: { pattern: \"^[a-z]+$\" }\n")
    #expect(FlowDecoder.decode(YAMLLoader.load(valid).root).diagnostics.isEmpty)
}

/// `holidays` takes dates and the word `colombia`, every Colombian national holiday: kept apart from the dates.
@Test func colombiaIsAHolidaysItem() throws {
    let yaml = brokenBase.replacingOccurrences(
        of: "holidays: [\"2026-12-25\"]", with: "holidays: [\"2026-12-25\", colombia]")
    let decoded = FlowDecoder.decode(YAMLLoader.load(yaml).root)
    #expect(decoded.diagnostics.isEmpty)
    let hours = try #require(decoded.flow).settings.businessHours
    #expect(hours.holidays.map(\.value) == ["2026-12-25"])
    #expect(hours.nationalCalendars.map(\.value) == [.colombia])
    #expect(hours.nationalCalendars.first?.range.start.line == 8)
    #expect(hours.nationalCalendars.first?.range.start.column == 30)
}

/// Any other word is refused where it is written, naming both forms; `Colombia` (only lower case is the word)
/// and a misspelling are told the right spelling.
@Test(arguments: [
    ("Colombia", "did you mean 'colombia'?"), ("colmbia", "did you mean 'colombia'?"), ("festivos", nil),
    ("2026/12/24", nil), ("2026-12", nil),
])
func anotherHolidayWordIsRefused(_ word: String, _ suggestion: String?) throws {
    let yaml = brokenBase.replacingOccurrences(of: "holidays: [\"2026-12-25\"]", with: "holidays: [\(word)]")
    let found = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.map {
        "\($0.range.start.line):\($0.range.start.column) \($0.id): \($0.message)"
            + ($0.suggestion.map { " (\($0))" } ?? "")
    }
    let message =
        "holiday '\(word)' is neither a date nor a national calendar; write a date as 'YYYY-MM-DD', e.g. "
        + "'2026-12-25', or 'colombia' for every Colombian national holiday"
    #expect(found == ["8:16 invalid_value: \(message)" + (suggestion.map { " (\($0))" } ?? "")])
}

/// A holiday written as a date the calendar does not have is told what is wrong and what to write, as a
/// transcript's `time:` is, not asked again for the form it follows (contract3 #4).
@Test(arguments: [
    (
        "2026-02-29",
        "holiday '2026-02-29' names a day the calendar does not have: 2026 has no 29 February "
            + "(February has 28 days in 2026)", "the last day of February 2026 is '2026-02-28'"
    ),
    (
        "2026-04-31", "holiday '2026-04-31' names a day the calendar does not have: April has 30 days",
        "the last day of April 2026 is '2026-04-30'"
    ),
    (
        "2026-12-32", "holiday '2026-12-32' names a day the calendar does not have: December has 31 days",
        "the last day of December 2026 is '2026-12-31'"
    ),
    (
        "2026-13-01", "holiday '2026-13-01' names a month the calendar does not have, '13' (months run 01 to 12)",
        "did you mean '2026-01-13'? write a date as 'YYYY-MM-DD', year, month and day, e.g. '2026-12-25'"
    ),
    (
        "2026-14-14", "holiday '2026-14-14' names a month the calendar does not have, '14' (months run 01 to 12)",
        "write a date as 'YYYY-MM-DD', year, month and day, e.g. '2026-12-25'"
    ),
    (
        "2026-24-12", "holiday '2026-24-12' names a month the calendar does not have, '24' (months run 01 to 12)",
        "did you mean '2026-12-24'? write a date as 'YYYY-MM-DD', year, month and day, e.g. '2026-12-25'"
    ),
    (
        "2026-03-00", "holiday '2026-03-00' names a day the calendar does not have, '00' (days run from 01)",
        "the first day of March 2026 is '2026-03-01'"
    ),
    (
        "2026-3-5",
        "holiday '2026-3-5' writes the month or the day with one digit; a date takes two for each "
            + "(YYYY-MM-DD)", "did you mean '2026-03-05'?"
    ),
])
func aHolidayOffTheCalendarIsExplained(_ date: String, _ message: String, _ help: String) throws {
    let yaml = brokenBase.replacingOccurrences(of: "holidays: [\"2026-12-25\"]", with: "holidays: [\"\(date)\"]")
    let found = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.map {
        "\($0.range.start.line):\($0.range.start.column) \($0.id): \($0.message) (help: \($0.suggestion ?? "none"))"
    }
    #expect(found == ["8:16 invalid_value: \(message) (help: \(help))"])
}

/// A span written as two times that the day does not have, or whose start is not before its end, is told what is
/// wrong and what to write: a night shift is split at midnight over two days' lists (contract3 #4).
@Test(arguments: [
    (
        "monday", "22:00-06:00",
        "span '22:00-06:00' of monday does not start before it ends; a span ends on the day "
            + "it starts", "split a night shift: \"22:00-24:00\" on monday and \"00:00-06:00\" on tuesday"
    ),
    (
        "sunday", "22:00-06:00",
        "span '22:00-06:00' of sunday does not start before it ends; a span ends on the day "
            + "it starts", "split a night shift: \"22:00-24:00\" on sunday and \"00:00-06:00\" on monday"
    ),
    (
        "monday", "18:00-00:00",
        "span '18:00-00:00' of monday does not start before it ends; a span ends on the day "
            + "it starts", "a span that ends at midnight ends at '24:00': \"18:00-24:00\""
    ),
    (
        "monday", "08:00-08:00",
        "span '08:00-08:00' of monday does not start before it ends; a span ends on the day "
            + "it starts", "write the start before the end, e.g. '08:00-12:00', or leave the span out"
    ),
    (
        "monday", "08:00-25:00",
        "span '08:00-25:00' of monday names a time the day does not have, '25:00' (hours "
            + "run 00 to 24 and minutes 00 to 59, each with two digits; '24:00' only ends a span)",
        "a span ends by midnight: write \"08:00-24:00\" on monday and \"00:00-01:00\" on tuesday"
    ),
    (
        "monday", "08:60-09:00",
        "span '08:60-09:00' of monday names a time the day does not have, '08:60' (hours "
            + "run 00 to 24 and minutes 00 to 59, each with two digits; '24:00' only ends a span)",
        "an hour has 60 minutes: '08:60' is '09:00'"
    ),
    (
        "monday", "8:00-12:00",
        "span '8:00-12:00' of monday writes '8:00' with one digit where two are needed "
            + "(hours run 00 to 24 and minutes 00 to 59, each with two digits; '24:00' only ends a span)",
        "did you mean '08:00-12:00'?"
    ),
    (
        "monday", "24:00-06:00",
        "span '24:00-06:00' of monday starts at '24:00', the end of the day; '24:00' only "
            + "ends a span", "a span from midnight starts at '00:00' of the next day's list, e.g. \"00:00-06:00\""
    ),
])
func aSpanOffTheClockIsExplained(_ day: String, _ span: String, _ message: String, _ help: String) throws {
    let yaml = brokenBase.replacingOccurrences(
        of: "monday: [\"08:00-12:00\"]", with: "\(day): [\"\(span)\"]")
    let found = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.map {
        "\($0.range.start.line):\($0.range.start.column) \($0.id): \($0.message) (help: \($0.suggestion ?? "none"))"
    }
    #expect(found == ["7:\(day.count + 8) invalid_value: \(message) (help: \(help))"])
}

/// A span that is not two times at all is still told the form.
@Test(arguments: ["08:00 a 12:00", "0800-1200", "08.00-12.00"])
func aSpanOutOfFormIsToldTheForm(_ span: String) throws {
    let yaml = brokenBase.replacingOccurrences(of: "[\"08:00-12:00\"]", with: "[\"\(span)\"]")
    let found = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.map { "\($0.id): \($0.message)" }
    #expect(
        found == [
            "invalid_value: '\(span)' is not a span of the day; write it as 'HH:MM-HH:MM' with the start before "
                + "the end, e.g. '08:00-12:00'"
        ])
}

/// A value written in quotes where a number or true/false is expected is named as quoted text, so the message
/// does not read "must be true or false, found 'true'".
@Test func aQuotedBooleanOrNumberIsNamedAsQuotedText() throws {
    let yaml = brokenBase.replacingOccurrences(of: "personal_data: true", with: "personal_data: \"true\"")
    let diagnostics = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics
    #expect(diagnostics.map(\.id) == ["wrong_type"])
    #expect(
        diagnostics.first?.message
            == "'personal_data' of step 'nombre' must be true or false, found the quoted text 'true' (write it "
            + "without quotes)")
}

/// Validation bounds that no answer can meet are refused where the lower one is written.
@Test func validationBoundsThatNoAnswerCanMeetAreRefused() throws {
    for (validate, message) in [
        ("{ min_length: 10, max_length: 2 }", "'min_length' 10 is more than 'max_length' 2: no answer can meet both"),
        ("{ min: 10, max: 2.5 }", "'min' 10 is more than 'max' 2.5: no answer can meet both"),
    ] {
        let yaml = brokenBase.replacingOccurrences(
            of: "    personal_data: true\n", with: "    personal_data: true\n    validate: \(validate)\n")
        let diagnostics = FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics
        #expect(diagnostics.map(\.id) == ["invalid_value"], "\(validate)")
        #expect(diagnostics.first?.message == message)
    }
    let fine = brokenBase.replacingOccurrences(
        of: "    personal_data: true\n",
        with: "    personal_data: true\n    validate: { min_length: 2, max_length: 2 }\n")
    #expect(FlowDecoder.decode(YAMLLoader.load(fine).root).diagnostics.isEmpty)
}

/// Every optional key of every mapping, written `~`: the loader counts it as absent (language.md, "how values are
/// read"), so the schema must take it wherever the decoder does. The kitchen-sink flow has every mapping of the
/// language; each optional key of each is set to null in turn (added, or replacing its value), and the decoder and
/// the schema must agree on the result.
@Test func nullOptionalKeysAreTakenByTheSchemaWhereverTheDecoderTakesThem() async throws {
    let schema = try loadSchema()
    let validator = JSONSchemaValidator(root: schema)
    let root = try #require(YAMLLoader.load(kitchenSink).root)
    let stripped = withoutProbes(root)
    #expect(FlowDecoder.decode(stripped).diagnostics.isEmpty)
    let described = describedObjects(Instance(stripped), schema, path: "", name: "root", validator: validator)
    let places = described.flatMap { path, object in
        object.keys.subtracting(object.required).map {
            (path: path, key: $0, definition: object.name, schema: object.schema)
        }
    }
    // `version`, `language`, a menu's `display` and an ask's `input` among them (the schema once refused them).
    #expect(places.count > 100)
    for (path, key) in [("", "version"), ("", "language"), ("/steps/menu", "display"), ("/steps/pregunta", "input")] {
        #expect(places.contains { $0.path == path && $0.key == key }, "\(path)/\(key)")
    }
    // The decoder reads the whole flow; the schema checks the mapping that changed against the object schema that
    // describes it, which is what the whole flow's validation comes down to there. The checks run side by side.
    let disagreements = await withTaskGroup(of: String?.self) { group in
        for place in places {
            group.addTask {
                let path = place.path.split(separator: "/").map(String.init)
                let nulled = settingNull(stripped, at: path, key: place.key)
                let decoderTakesIt = FlowDecoder.decode(nulled).diagnostics.isEmpty
                guard let mapping = subtree(nulled, at: path) else { return "\(place.path) is not in the flow" }
                let violations = validator.violations(Instance(mapping), place.schema, path: place.path)
                guard violations.isEmpty != decoderTakesIt else { return nil }
                return "\(place.path)/\(place.key): ~ (\(place.definition)): decoder \(decoderTakesIt), schema "
                    + "\(violations)"
            }
        }
        var found: [String] = []
        for await disagreement in group { if let disagreement { found.append(disagreement) } }
        return found.sorted()
    }
    #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
}

/// The tree without the probe keys of the kitchen-sink flow.
private func withoutProbes(_ node: Node) -> Node {
    switch node.value {
    case .scalar: return node
    case .sequence(let items): return Node(.sequence(items.map(withoutProbes)), range: node.range)
    case .mapping(let pairs):
        let kept = pairs.filter { $0.key != probe }.map {
            Pair(key: $0.key, keyRange: $0.keyRange, value: withoutProbes($0.value))
        }
        return Node(.mapping(kept), range: node.range)
    }
}

/// The node at `path` (keys and list indexes), if there is one.
private func subtree(_ node: Node, at path: [String]) -> Node? {
    guard let first = path.first else { return node }
    switch node.value {
    case .scalar: return nil
    case .sequence(let items):
        guard let index = Int(first), items.indices.contains(index) else { return nil }
        return subtree(items[index], at: Array(path.dropFirst()))
    case .mapping(let pairs):
        return pairs.first { $0.key == first }.flatMap { subtree($0.value, at: Array(path.dropFirst())) }
    }
}

/// The tree with `key` of the mapping at `path` (keys and list indexes) set to a plain `~`, added when absent.
private func settingNull(_ node: Node, at path: [String], key: String) -> Node {
    switch node.value {
    case .scalar:
        return node
    case .sequence(let items):
        guard let first = path.first, let index = Int(first), items.indices.contains(index) else { return node }
        var changed = items
        changed[index] = settingNull(items[index], at: Array(path.dropFirst()), key: key)
        return Node(.sequence(changed), range: node.range)
    case .mapping(var pairs):
        if let first = path.first {
            pairs = pairs.map {
                $0.key == first
                    ? Pair(
                        key: $0.key, keyRange: $0.keyRange,
                        value: settingNull($0.value, at: Array(path.dropFirst()), key: key))
                    : $0
            }
        } else {
            let null = Node(.scalar("~", .plain), range: node.range)
            if let index = pairs.firstIndex(where: { $0.key == key }) {
                pairs[index].value = null
            } else {
                pairs.append(Pair(key: key, keyRange: node.range, value: null))
            }
        }
        return Node(.mapping(pairs), range: node.range)
    }
}

/// The characters the schema's media links (an attachment's `url`, a template header's `link`, both
/// `$defs/media_link`) refuse after the scheme are exactly those the decoder refuses as invisible
/// (`URLFileName.isInvisible`, which is `VisibleText.isInvisible`), over all of Unicode.
@Test func theURLPatternRefusesExactlyTheInvisibleCharacters() throws {
    let defs = try loadSchema()["$defs"]
    for link in [defs?["attachment"]?["properties"]?["url"], defs?["template_header"]?["properties"]?["link"]] {
        #expect(link?["$ref"]?.string == "#/$defs/media_link")
        #expect(link?["pattern"] == nil, "a link takes the shared pattern, not a copy")
    }
    let pattern = try #require(defs?["media_link"]?["pattern"]?.string)
    let prefix = "^[Hh][Tt][Tt][Pp][Ss]://[^"
    #expect(pattern.hasPrefix(prefix) && pattern.hasSuffix("]*$"), "\(pattern)")
    let refused = "[" + pattern.dropFirst(prefix.count).dropLast(3) + "]"
    let regex = try NSRegularExpression(pattern: JSONSchemaValidator.icuPattern(refused))
    // Every scalar once, and which one sits at each UTF-16 offset.
    var all = String.UnicodeScalarView()
    var atOffset: [Unicode.Scalar?] = []
    for value in UInt32(0)...0x10FFFF {
        guard let scalar = Unicode.Scalar(value) else { continue }
        all.append(scalar)
        atOffset.append(scalar)
        if scalar.utf16.count == 2 { atOffset.append(nil) }
    }
    let text = String(all)
    let matched = regex.matches(in: text, range: NSRange(location: 0, length: atOffset.count)).compactMap {
        atOffset[$0.range.location]
    }
    let expected = atOffset.compactMap { $0 }.filter(URLFileName.isInvisible)
    #expect(Set(matched) == Set(expected))
    #expect(!expected.isEmpty)
}

/// `suppress` takes any text: an id that names no warning is `invalid_suppression`, a warning, so the schema
/// may not refuse what lint only warns about.
@Test func aSuppressionThatNamesNoWarningIsOnlyAWarning() throws {
    let yaml = brokenBase.replacingOccurrences(
        of: "    type: end", with: "    type: end\n    suppress: [Unreachable_Step, no_such_rule]")
    #expect(yaml != brokenBase)
    #expect(JSONSchemaValidator(root: try loadSchema()).validate(try instance(yaml)).isEmpty)
    #expect(FlowDecoder.decode(YAMLLoader.load(yaml).root).diagnostics.isEmpty)
    let lint = FlowChecker.check(bytes: Array(yaml.utf8)).diagnostics.filter { $0.id == "invalid_suppression" }
    #expect(lint.count == 2)
    #expect(lint.allSatisfy { $0.severity == .warning })
}
