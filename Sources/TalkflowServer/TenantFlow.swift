import Crypto
import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import FlowRuntime
import FlowSyntax
import Foundation

/// A tenant's flow, linted and compiled with the configuration's queue overrides: what the registry runs.
public struct CompiledFlow: Sendable {
    /// The flow file as shown to people (joined to the configuration file's folder).
    public let path: String
    /// The flow's own id (`flow:`), for logs.
    public let flowID: String
    /// The compiled flow, ready to step conversations.
    public let interpreter: Interpreter
    /// The agents of each queue once the overrides are applied, in rotation order.
    public let queues: [String: [String]]
    /// The flow's version in the consent evidence (habeas-data item 4): the lower-case hex SHA-256 of the
    /// flow file's bytes, which anyone can repeat (`sha256sum flow.yaml`) against the tenant's history.
    public let version: String
    /// The names behind this flow's indices (`FlowLayout`).
    public let layout: FlowLayout
    /// The layouts of the flow versions sessions may have been stepped with, by `layoutVersion`: this one's and
    /// those compiled before it in this process. A session of one of them is carried over by name before it is
    /// stepped (`ConversationStepper`).
    public let layouts: [String: FlowLayout]
    /// The version a session records (`Session.flowVersion`): the first 16 hex digits of `version`, enough
    /// to tell a tenant's flow versions apart and short enough to store with every session. Stored, not
    /// computed: every inbound message compares it.
    public let layoutVersion: String

    /// A compiled flow as `TenantFlow.compile` makes it (benchmarks build one directly); `earlier` are the
    /// layouts of other versions its sessions may have been stepped with.
    public init(
        path: String, flowID: String, interpreter: Interpreter, queues: [String: [String]], version: String,
        earlier: [String: FlowLayout] = [:]
    ) {
        self.path = path
        self.flowID = flowID
        self.interpreter = interpreter
        self.queues = queues
        self.version = version
        layout = FlowLayout(interpreter.machine)
        layoutVersion = Self.layoutVersion(of: version)
        var layouts = earlier
        layouts[layoutVersion] = layout
        self.layouts = layouts
    }

    /// The same flow, also knowing `earlier` layouts (a reload hands on those of the flow it replaces).
    public func knowing(_ earlier: [String: FlowLayout]) -> CompiledFlow {
        CompiledFlow(
            path: path, flowID: flowID, interpreter: interpreter, queues: queues, version: version,
            earlier: earlier.merging(layouts) { _, own in own })
    }

    /// The first 16 hex digits of a flow version.
    public static func layoutVersion(of version: String) -> String { String(version.prefix(16)) }

    /// The version of a flow file's bytes: their lower-case hex SHA-256.
    public static func version(of bytes: [UInt8]) -> String {
        SecretComparison.hex(Array(SHA256.hash(data: bytes)))
    }
}

/// Turns a tenant's flow file into a `CompiledFlow`, the same way at start-up and on reload, so that a
/// reload refuses exactly what start-up would refuse.
public enum TenantFlow {
    /// What reading and checking a flow file gave. Several tenants may share one file: it is checked once.
    public enum Checked: Sendable {
        /// The flow's result, and its consent lock's problems when the lock file beside it has some.
        case checked(FlowChecker.Result, lock: FileDiagnostics?)
        case unreadable(String)
    }

    /// What compiling a tenant's flow gave: the flow when it has no errors, the flow file's own diagnostics
    /// (errors and warnings, at the flow's file:line:col), and diagnostics that belong in the configuration
    /// file (unreadable flow, unknown queue override).
    public struct Outcome: Sendable {
        /// The compiled flow, `nil` when it has errors or an override does not fit it.
        public var flow: CompiledFlow?
        /// The flow file's own diagnostics, `nil` when it has none.
        public var flowFile: FileDiagnostics?
        /// The diagnostics of the flow's consent lock file, `nil` when it has none (or there is no lock).
        public var lockFile: FileDiagnostics?
        /// Diagnostics at the tenant's entry in the configuration file.
        public var configDiagnostics: [Diagnostic]
    }

    /// Reads and lints the flow file at `path`, with the consent lock beside it if there is one.
    public static func check(path: String, limits: LoaderLimits = .default) -> Checked {
        switch BoundedFileReader.read(path, limit: limits.maxBytes) {
        case .failure(let message): return .unreadable(message)
        case .tooLarge(let size):
            return .checked(FlowChecker.tooLarge(size: size, limits: limits), lock: nil)
        case .bytes(let bytes):
            let lock = ConsentLockFile.read(forFlow: path)
            return .checked(
                FlowChecker.check(bytes: bytes, limits: limits, consentLock: lock.lock), lock: lock.problems)
        }
    }

    /// Compiles `tenant`'s flow from its checked file, applying the configuration's queue overrides.
    public static func compile(_ tenant: TenantConfig, checked: Checked) -> Outcome {
        let result: FlowChecker.Result
        let lockFile: FileDiagnostics?
        switch checked {
        case .unreadable(let message):
            let diagnostic = ConfigRules.flowUnreadable.diagnostic(
                "cannot read flow '\(tenant.flowPath)' of tenant '\(tenant.id)': \(message)", at: tenant.flowRange)
            return Outcome(flow: nil, flowFile: nil, lockFile: nil, configDiagnostics: [diagnostic])
        case .checked(let checkedResult, let lock):
            result = checkedResult
            lockFile = lock
        }
        let flowFile =
            result.diagnostics.isEmpty
            ? nil
            : FileDiagnostics(
                // A file not read (over the size limit) or empty has no line to show under its diagnostic.
                path: tenant.flowPath,
                source: result.source.bytes.isEmpty ? nil : String(decoding: result.source.bytes, as: UTF8.self),
                diagnostics: result.diagnostics)
        let lockErrors = lockFile?.errorCount ?? 0
        guard !result.hasErrors, lockErrors == 0, var flow = result.flow else {
            let errors = result.diagnostics.count(where: { $0.severity == .error }) + lockErrors
            let diagnostic = ConfigRules.flowInvalid.diagnostic(
                "flow '\(tenant.flowPath)' of tenant '\(tenant.id)' has \(errors) error\(errors == 1 ? "" : "s"); "
                    + (lockErrors == 0
                        ? "they are listed under the flow's own file"
                        : "they are listed under the flow's file and its consent lock"),
                at: tenant.flowRange)
            return Outcome(flow: nil, flowFile: flowFile, lockFile: lockFile, configDiagnostics: [diagnostic])
        }
        var problems: [Diagnostic] = []
        for override in tenant.queueOverrides {
            guard let index = flow.queues.firstIndex(where: { $0.name.value == override.queue }) else {
                let declared = flow.queues.map(\.name.value)
                let list = declared.isEmpty ? "it declares none" : "it declares " + quotedList(declared)
                problems.append(
                    ConfigRules.unknownQueue.diagnostic(
                        "queue '\(override.queue)' of tenant '\(tenant.id)' is not declared in flow "
                            + "'\(tenant.flowPath)'; \(list)", at: override.range,
                        suggestion: Suggestions.closest(to: override.queue, in: declared).map {
                            "did you mean '\($0)'?"
                        }))
                continue
            }
            let range = flow.queues[index].range
            flow.queues[index].agents = override.agents.map { Located($0, range: range) }
        }
        problems += agentsWithoutKeys(tenant, flow: flow)
        guard problems.isEmpty else {
            return Outcome(flow: nil, flowFile: flowFile, lockFile: lockFile, configDiagnostics: problems)
        }
        let machine = MachineCompiler.compile(flow)
        var queues: [String: [String]] = [:]
        for queue in flow.queues { queues[queue.name.value] = queue.agents.map(\.value) }
        let compiled = CompiledFlow(
            path: tenant.flowPath, flowID: flow.id.value, interpreter: Interpreter(machine: machine), queues: queues,
            version: CompiledFlow.version(of: result.source.bytes))
        return Outcome(flow: compiled, flowFile: flowFile, lockFile: lockFile, configDiagnostics: [])
    }

    /// When the tenant lists agents with keys, every agent of its queues must be one of them: the rotation
    /// would otherwise hand conversations to a name nobody can answer as (only an admin's reassignment would
    /// free them). A tenant without agents does not use the agent API and is not checked.
    static func agentsWithoutKeys(_ tenant: TenantConfig, flow: Flow) -> [Diagnostic] {
        guard !tenant.agents.isEmpty else { return [] }
        let keyed = Set(tenant.agents.map(\.agent))
        var problems: [Diagnostic] = []
        for queue in flow.queues {
            let missing = queue.agents.map(\.value).filter { !keyed.contains($0) }
            guard !missing.isEmpty else { continue }
            let override = tenant.queueOverrides.first { $0.queue == queue.name.value }
            let names =
                missing.count == 1 ? "agent '\(missing[0])', who has" : "agents \(quotedList(missing)), who have"
            problems.append(
                ConfigRules.unknownAgent.diagnostic(
                    "queue '\(queue.name.value)' of tenant '\(tenant.id)' names \(names) no key in the tenant's "
                        + "'agents' (\(quotedList(keyed.sorted()))); conversations handed to them could not be answered",
                    at: override?.range ?? tenant.flowRange))
        }
        return problems
    }

    static func quotedList(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
