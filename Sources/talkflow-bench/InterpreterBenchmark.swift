import Conversations
import FlowCompiler
import FlowRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `talkflow-bench interpreter`: the speed and memory of the pure interpreter on the benchmark flow
/// (`Flows/bench/benchmark.yaml`), printed as JSON. Docs/performance.md explains each figure.
///
/// Usage: `talkflow-bench interpreter [--sessions N] [--batches N] [--idle N] [--simulated N] [--flow PATH]`
enum InterpreterBenchmark {
    /// What the command line may change.
    struct Options {
        var sessions = 10_000
        var batches = 30
        var idle = 100_000
        var simulated = 20_000
        var flow: String?
    }

    /// Parses the arguments after `interpreter`, runs every measurement, prints the report; the exit code.
    static func main(_ arguments: [String]) -> Int32 {
        var options = Options()
        var rest = arguments
        while !rest.isEmpty {
            let argument = rest.removeFirst()
            let value = rest.isEmpty ? "" : rest.removeFirst()
            switch argument {
            case "--sessions": options.sessions = max(1, Int(value) ?? options.sessions)
            case "--batches": options.batches = max(1, Int(value) ?? options.batches)
            case "--idle": options.idle = max(1, Int(value) ?? options.idle)
            case "--simulated": options.simulated = max(1, Int(value) ?? options.simulated)
            case "--flow": options.flow = value
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)'\n".utf8))
                return 64
            }
        }
        guard let (path, machine) = loadMachine(options.flow) else { return 1 }
        // Memory first, while the heap holds no freed blocks that idle sessions could reuse unseen.
        let memory = measureMemory(machine, idle: options.idle)
        let report = Report(
            flow: path, steps: measureSteps(machine, options), memory: memory,
            interpreterInitMicroseconds: measureInit(machine),
            simulator: measureSimulator(machine, conversations: options.simulated))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(report) else { return 1 }
        print(String(decoding: data, as: UTF8.self))
        return 0
    }

    // MARK: The flow

    /// Reads, lints and compiles the benchmark flow; a flow with any diagnostic is refused, so that the
    /// figures are always those of a clean flow.
    static func loadMachine(_ explicit: String?) -> (String, StateMachine)? {
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Flows/bench/benchmark.yaml").path
        let candidates = explicit.map { [$0] } ?? ["Flows/bench/benchmark.yaml", sourceTree]
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let data = FileManager.default.contents(atPath: path)
        else {
            FileHandle.standardError.write(Data("benchmark flow not found: \(candidates)\n".utf8))
            return nil
        }
        let result = FlowChecker.check(bytes: Array(data))
        guard let flow = result.flow, result.diagnostics.isEmpty else {
            let listed = result.diagnostics.map { "\($0.id): \($0.message)" }.joined(separator: "\n")
            FileHandle.standardError.write(Data("the benchmark flow must lint clean:\n\(listed)\n".utf8))
            return nil
        }
        return (path, MachineCompiler.compile(flow))
    }

    // MARK: Events per second

    /// The conversation every session has: 8 inbound events (7 contact messages and the agent's close) plus
    /// the rotation's `agentAssigned` answer, 9 calls of `Interpreter.step` in all. `nil` marks the assignment,
    /// whose agent comes from the shared rotation when the handoff is requested.
    static func script(_ i: Int) -> [Event.Kind?] {
        let third: Event.Kind
        switch i % 4 {
        case 0: third = .text("no entiendo")  // a stray text: the list again
        case 1: third = .reply(id: "sedes")  // a tapped row
        case 2: third = .text("Envíos")  // a typed title, with an accent
        default: third = .text(" PRECIOS ")  // a typed title, upper case and spaces
        }
        return [
            .text("hola"), .reply(id: "consent.accept"), .text(String(i % 5 + 1)), third, .reply(id: "asesor"),
            .text("Ana María"), nil, .text("Tengo una pregunta sobre mi pedido"), .agentClosed,
        ]
    }

    /// Steps per second over `batches` batches of `sessions` fresh sessions, interleaved: round r feeds the
    /// r-th event of every session before round r + 1 starts, as a server juggling many conversations would.
    static func measureSteps(_ machine: StateMachine, _ options: Options) -> StepReport {
        let interpreter = Interpreter(machine: machine)
        let n = options.sessions
        let scripts = (0..<n).map(script)
        let agents = machine.queues.first.map { $0.agents.map { machine.strings[Int($0)] } } ?? ["agente"]
        let start: Int64 = 1_795_446_000
        var rates: [Double] = []
        var effectsPerBatch = 0
        var rotation = 0
        var effects: [Effect] = []
        effects.reserveCapacity(64)
        let clock = ContinuousClock()
        for batch in 0...options.batches {
            var sessions = [Session](repeating: Session(contactName: "Contacto", phone: "573001112233"), count: n)
            var assigned = [String](repeating: "", count: n)
            var produced = 0
            var requests = 0
            let began = clock.now
            for round in 0..<9 {
                let at = start + Int64(round * 20)
                for i in 0..<n {
                    let event = Event(at: at, scripts[i][round] ?? .agentAssigned(assigned[i]))
                    interpreter.step(&sessions[i], event, into: &effects)
                    produced += effects.count
                    for effect in effects {
                        if case .requestHandoff = effect {
                            assigned[i] = agents[rotation % agents.count]
                            rotation += 1
                            requests += 1
                        }
                    }
                    effects.removeAll(keepingCapacity: true)
                }
            }
            let elapsed = clock.now - began
            precondition(requests == n, "every conversation must request one handoff, got \(requests)")
            precondition(sessions.allSatisfy { $0.status == .closed }, "every conversation must end")
            // Batch 0 warms caches and the allocator up; it is not counted.
            if batch > 0 { rates.append(Double(n * 9) / seconds(elapsed)) }
            effectsPerBatch = produced
        }
        let sorted = rates.sorted()
        let median = sorted[sorted.count / 2]
        return StepReport(
            sessions: n, batches: options.batches, stepsPerConversation: 9, inboundEventsPerConversation: 8,
            effectsPerStep: Double(effectsPerBatch) / Double(n * 9), stepsPerSecondMedian: median.rounded(),
            stepsPerSecondBest: sorted.last!.rounded(), stepsPerSecondWorst: sorted.first!.rounded(),
            nanosecondsPerStepMedian: 1e9 / median, conversationsPerSecondMedian: (median / 9).rounded())
    }

    // MARK: Memory

    /// The size of an idle session (waiting at the consent after its first message): its inline size, the heap
    /// block of its variables array, and the resident memory that `idle` such sessions really add.
    static func measureMemory(_ machine: StateMachine, idle count: Int) -> MemoryReport {
        let interpreter = Interpreter(machine: machine)
        var effects: [Effect] = []
        effects.reserveCapacity(64)
        var sample = Session(contactName: "Contacto", phone: "573001112233")
        interpreter.step(&sample, Event(at: 1_795_446_000, .text("hola")), into: &effects)
        let usable = heapBlockSize(of: sample.variables)
        // glibc keeps an 8-byte size field before each block: the heap chunk is the usable size plus 8.
        let chunk = usable + 8
        let stride = MemoryLayout<Session>.stride
        let slot = MemoryLayout<String?>.stride

        let before = residentBytes()
        var idle: [Session] = []
        idle.reserveCapacity(count)
        for i in 0..<count {
            // Phone numbers of 12 digits are stored inline in `String` (up to 15 UTF-8 bytes): no value on the heap.
            var s = Session(contactName: "Contacto", phone: "57300\(1_000_000 + i)")
            interpreter.step(&s, Event(at: 1_795_446_000, .text("hola")), into: &effects)
            effects.removeAll(keepingCapacity: true)
            idle.append(s)
        }
        let after = residentBytes()
        precondition(idle.allSatisfy { $0.status == .waiting })
        let growth = after - before
        return MemoryReport(
            sessionStride: stride, variablesArrayHeader: 32, variableSlot: slot,
            variables: sample.variables.count, variablesHeapUsable: usable, variablesHeapChunk: chunk,
            bytesPerIdleSessionBesidesValues: stride + chunk - sample.variables.count * slot,
            bytesPerIdleSessionWithValueSlots: stride + chunk, idleSessions: count, residentGrowthBytes: growth,
            residentBytesPerIdleSession: Double(growth) / Double(count))
    }

    /// The bytes malloc reserved for an array's buffer (object header, elements and the allocator's rounding),
    /// found from the first element's address: a native array's elements start 32 bytes into its heap object.
    static func heapBlockSize(of array: [String?]) -> Int {
        array.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            #if os(Linux)
                return mallocUsableSize(UnsafeMutableRawPointer(mutating: UnsafeRawPointer(base) - 32))
            #else
                return 32 + buffer.count * MemoryLayout<String?>.stride
            #endif
        }
    }

    #if os(Linux)
        /// glibc's `malloc_usable_size` (declared in `<malloc.h>`, which the Glibc module does not export).
        @_silgen_name("malloc_usable_size")
        static func mallocUsableSize(_ pointer: UnsafeMutableRawPointer?) -> Int
    #endif

    /// Resident set size of this process, from `/proc/self/statm` (0 where it does not exist).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    // MARK: Set-up cost

    /// Microseconds to build an `Interpreter` for the machine (its look-up tables), the median of 200.
    static func measureInit(_ machine: StateMachine) -> Double {
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<200 {
            let began = clock.now
            let interpreter = Interpreter(machine: machine)
            let elapsed = clock.now - began
            precondition(interpreter.machine.states.count == machine.states.count)
            times.append(seconds(elapsed) * 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    // MARK: Through the simulator

    /// Whole conversations through `Simulator` (a new one per conversation, one shared `RoundRobin`), per
    /// second.
    static func measureSimulator(_ machine: StateMachine, conversations: Int) -> SimulatorReport? {
        let rotation = RoundRobin()
        let clock = ContinuousClock()
        var effects = 0
        let began = clock.now
        for i in 0..<conversations {
            let simulator = Simulator(machine: machine, startAt: 1_795_446_000, rotation: rotation)
            for kind in script(i) {
                // The simulator answers the handoff request with the rotation's agent itself.
                guard let kind else { continue }
                simulator.advance(by: 20)
                effects += simulator.send(kind).count
            }
            precondition(simulator.session.status == .closed, "every simulated conversation must end")
        }
        let elapsed = seconds(clock.now - began)
        return SimulatorReport(
            conversations: conversations, conversationsPerSecond: (Double(conversations) / elapsed).rounded(),
            microsecondsPerConversation: elapsed * 1e6 / Double(conversations),
            effectsPerConversation: Double(effects) / Double(conversations))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: Report

    /// Events per second of `Interpreter.step`.
    struct StepReport: Encodable {
        var sessions: Int
        var batches: Int
        var stepsPerConversation: Int
        var inboundEventsPerConversation: Int
        var effectsPerStep: Double
        var stepsPerSecondMedian: Double
        var stepsPerSecondBest: Double
        var stepsPerSecondWorst: Double
        var nanosecondsPerStepMedian: Double
        var conversationsPerSecondMedian: Double
    }

    /// Bytes per idle session.
    struct MemoryReport: Encodable {
        var sessionStride: Int
        var variablesArrayHeader: Int
        var variableSlot: Int
        var variables: Int
        var variablesHeapUsable: Int
        var variablesHeapChunk: Int
        var bytesPerIdleSessionBesidesValues: Int
        var bytesPerIdleSessionWithValueSlots: Int
        var idleSessions: Int
        var residentGrowthBytes: Int
        var residentBytesPerIdleSession: Double
    }

    /// Whole conversations through the simulated channel.
    struct SimulatorReport: Encodable {
        var conversations: Int
        var conversationsPerSecond: Double
        var microsecondsPerConversation: Double
        var effectsPerConversation: Double
    }

    /// The whole JSON report.
    struct Report: Encodable {
        var benchmark = "interpreter"
        var flow: String
        var steps: StepReport
        var memory: MemoryReport
        var interpreterInitMicroseconds: Double
        /// `null` when built without the `Conversations` module (see Docs/performance.md).
        var simulator: SimulatorReport?

        init(
            flow: String, steps: StepReport, memory: MemoryReport, interpreterInitMicroseconds: Double,
            simulator: SimulatorReport?
        ) {
            self.flow = flow
            self.steps = steps
            self.memory = memory
            self.interpreterInitMicroseconds = interpreterInitMicroseconds
            self.simulator = simulator
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(benchmark, forKey: .benchmark)
            try c.encode(flow, forKey: .flow)
            try c.encode(steps, forKey: .steps)
            try c.encode(memory, forKey: .memory)
            try c.encode(interpreterInitMicroseconds, forKey: .interpreterInitMicroseconds)
            try c.encode(simulator, forKey: .simulator)
        }

        enum CodingKeys: String, CodingKey {
            case benchmark, flow, steps, memory, interpreterInitMicroseconds, simulator
        }
    }
}
