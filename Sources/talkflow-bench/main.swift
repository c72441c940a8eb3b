import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowSyntax
import Foundation

// Lint and compile speed of generated flows, printed as JSON (Docs/performance.md).
// Usage: talkflow-bench [lint] [--sizes 1000,10000,100000] [--repeat N] [--shape valid|unreachable|unknown-next];
// talkflow-bench interpreter|webhooks|store|floor [options] runs the other benchmarks (Docs/performance.md).

/// What the generated flows look like: valid, or a small valid flow followed by N steps no path reaches, each
/// going to the end (`unreachable`) or to a step that does not exist (`unknown-next`): the hostile shapes
/// that once took minutes, one diagnostic (or two) per step.
enum Shape: String, Encodable {
    case valid
    case unreachable
    case unknownNext = "unknown-next"
}

/// A flow of the shape with `steps` generated steps.
func generateFlow(steps: Int, shape: Shape) -> String {
    guard shape != .valid else { return generateFlow(steps: steps) }
    var out = generateFlow(steps: 4)
    for i in 0..<steps {
        let next = shape == .unreachable ? "fin" : "pasx_numero_\(i)"
        out += "  p\(i):\n    type: message\n    text: Hola\n    next: \(next)\n"
    }
    return out
}

/// A valid flow of `steps` steps (plus its consent): menus, messages, questions and sets in a repeating
/// pattern, every step reachable, nothing reported by any check.
func generateFlow(steps: Int) -> String {
    var out = """
        flow: bench
        language: es
        start: consentimiento
        settings:
          keywords:
            - words: [menu, inicio]
              goto: s0
          revocation:
            words: [revocar]
            text: "Revocaste tu autorizacion."
        policy:
          version: "2026-01"
          url: https://example.co/datos
          responsible: { name: Ejemplo SAS, email: datos@example.co, phone: "+57 601 0000000" }
          purposes:
            - { id: atencion, description: atender tus solicitudes }
            - { id: asesor, description: atencion por un asesor humano, human_attention: true }
          processors:
            - { name: Meta Platforms, country: Estados Unidos }
        queues:
          ventas: [ana, bruno, carla]
        steps:
          consentimiento:
            type: consent
            text: "Ejemplo SAS (datos@example.co, +57 601 0000000) tratara tus datos para atender tus solicitudes y para la atencion por un asesor humano, fuera de Colombia. Puedes conocer, actualizar, rectificar y suprimir tus datos, revocar, pedir prueba, quejarte ante la SIC y acceder gratis. https://example.co/datos"
            accept: { title: Acepto, next: s0 }
            decline: { title: No acepto, next: publico }

        """
    func target(_ i: Int) -> String { i < steps ? "s\(i)" : "fin" }
    for i in 0..<steps {
        switch i % 4 {
        case 0:
            out += """
                  s\(i):
                    type: menu
                    text: "Menu \(i): elige una opcion"
                    options:
                      - { id: a, title: Uno, next: \(target(i + 1)) }
                      - { id: b, title: Dos, next: \(target(i + 2)) }
                      - { id: c, title: Asesor, next: agente }

                """
        case 1:
            out += "  s\(i):\n    type: message\n    text: \"Mensaje \(i) para {{contact.name}}\"\n"
            out += "    next: \(target(i + 1))\n"
        case 2:
            out += "  s\(i):\n    type: ask\n    text: \"Pregunta \(i)\"\n    save: dato\n    personal_data: true\n"
            out += "    validate: { max_length: 100 }\n    next: \(target(i + 1))\n"
        default:
            out += "  s\(i):\n    type: set\n    values: { paso: \"\(i)\" }\n    next: \(target(i + 1))\n"
        }
    }
    out += """
          agente:
            type: handoff
            queue: ventas
            text: "Ya te atiende un asesor."
          publico:
            type: message
            text: "Atendemos de lunes a viernes."
            next: fin
          fin:
            type: end
            text: "Gracias."

        """
    return out
}

struct Measurement: Encodable {
    var steps: Int
    var bytes: Int
    var diagnostics: Int
    var lintMilliseconds: Double
    var compileMilliseconds: Double
    var totalMilliseconds: Double
    var microsecondsPerStep: Double
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Time of each stage of `FlowChecker.check` for one flow, to see where lint time goes.
func stageTimes(_ bytes: [UInt8], limits: LoaderLimits) -> [String: Double] {
    let clock = ContinuousClock()
    var times: [String: Double] = [:]
    var loaded: LoadResult?
    times["load"] = milliseconds(clock.measure { loaded = YAMLLoader.load(bytes: bytes, limits: limits) })
    var decoded: DecodeResult?
    times["decode"] = milliseconds(clock.measure { decoded = FlowDecoder.decode(loaded?.root) })
    guard let flow = decoded?.flow, let source = loaded?.source else { return times }
    var context: RuleContext?
    times["graph"] = milliseconds(clock.measure { context = RuleContext(flow: flow, source: source) })
    for rule in RuleRegistry.lintRules {
        let name = rule.descriptors.first?.id ?? "?"
        times["rule." + name] = milliseconds(clock.measure { _ = rule.check(context!) })
    }
    return times
}

var sizes = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]
var repeats = 5
var shape = Shape.valid
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "lint": break
    case "interpreter": exit(InterpreterBenchmark.main(arguments))
    case "webhooks": exit(WebhookBenchmark.main(arguments))
    case "store": exit(StoreBenchmark.main(arguments))
    case "floor": exit(FloorBenchmark.main(arguments))
    case "floor-server": exit(FloorBenchmark.serverMain(arguments))
    case "--stages":
        let size = Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? 1000
        let times = stageTimes(Array(generateFlow(steps: size).utf8), limits: LoaderLimits(maxBytes: 1 << 30))
        for (name, ms) in times.sorted(by: { $0.value > $1.value }) { print(name, ms) }
        exit(0)
    case "--sizes":
        sizes = (arguments.isEmpty ? "" : arguments.removeFirst()).split(separator: ",").compactMap { Int($0) }
    case "--shape":
        let name = arguments.isEmpty ? "" : arguments.removeFirst()
        guard let chosen = Shape(rawValue: name) else {
            FileHandle.standardError.write(Data("--shape is valid, unreachable or unknown-next, not '\(name)'\n".utf8))
            exit(64)
        }
        shape = chosen
    case "--repeat": repeats = max(1, Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? 5)
    default:
        FileHandle.standardError.write(Data("unknown argument '\(argument)'\n".utf8))
        exit(64)
    }
}

let clock = ContinuousClock()
var results: [Measurement] = []
for size in sizes {
    let bytes = Array(generateFlow(steps: size, shape: shape).utf8)
    let limits = LoaderLimits(maxBytes: 1 << 30, maxDepth: 64)
    var lintTimes: [Double] = []
    var compileTimes: [Double] = []
    var diagnostics = 0
    for _ in 0..<repeats {
        var result: FlowChecker.Result?
        lintTimes.append(milliseconds(clock.measure { result = FlowChecker.check(bytes: bytes, limits: limits) }))
        diagnostics = result?.diagnostics.count ?? -1
        guard let flow = result?.flow else { continue }
        // The generated steps of a hostile shape are each reported, and only they: never reached, and (with
        // `unknown-next`) naming a step that does not exist. A flow with errors is not compiled.
        let reported = Dictionary(grouping: result?.diagnostics ?? [], by: \.id).mapValues(\.count)
        switch shape {
        case .valid:
            precondition(result?.diagnostics.isEmpty == true, "\(result?.diagnostics.map(\.message) ?? [])")
        case .unreachable:
            precondition(reported == ["unreachable_step": size], "\(reported)")
        case .unknownNext:
            precondition(reported == ["unreachable_step": size, "unknown_step": size], "\(reported)")
            continue
        }
        var machine: StateMachine?
        compileTimes.append(milliseconds(clock.measure { machine = MachineCompiler.compile(flow) }))
        // Each step is a state (the consent, the steps, the handoff, the public message and the end).
        precondition(machine?.states.count == size + 4 + (shape == .valid ? 0 : 4))
    }
    let lint = median(lintTimes)
    let compile = compileTimes.isEmpty ? 0 : median(compileTimes)
    results.append(
        Measurement(
            steps: size, bytes: bytes.count, diagnostics: diagnostics, lintMilliseconds: lint,
            compileMilliseconds: compile, totalMilliseconds: lint + compile,
            microsecondsPerStep: (lint + compile) * 1000 / Double(size)))
}

/// Growth exponent between the smallest and largest size: 1.0 is linear, about 1.1 is n log n at these sizes.
let growth: Double? =
    results.count >= 2
    ? log(results.last!.totalMilliseconds / results.first!.totalMilliseconds)
        / log(Double(results.last!.steps) / Double(results.first!.steps)) : nil

struct Report: Encodable {
    var benchmark = "lint_compile"
    var shape: Shape
    var repeats: Int
    var results: [Measurement]
    var growthExponent: Double?
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
let data = try encoder.encode(Report(shape: shape, repeats: repeats, results: results, growthExponent: growth))
print(String(decoding: data, as: UTF8.self))
