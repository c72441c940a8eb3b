import ArgumentParser
import FlowCompiler
import FlowDiagnostics
import FlowLanguage
import Foundation

/// `talkflow compile FLOW`: lints one flow and, when it has no errors, prints the state machine the runtime
/// executes, or a diagram of it for people reviewing the flow.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a flow to its state machine (JSON) or a diagram of it (DOT, Mermaid).",
        discussion: """
            The flow is linted first, exactly as 'talkflow lint' does. Its diagnostics, if any, are printed to \
            stderr in the text format followed by the summary line. If there are errors nothing is compiled and \
            the exit status is 1; warnings alone do not stop compilation. The result goes to stdout, or to the \
            file named by --output (written only on success, replacing any existing file; never the flow or its \
            consent lock, through whatever path or link: that is refused, exit 2).

            Exit status:
              0   compiled
              1   the flow has errors (nothing written)
              2   the flow could not be read, or the output file could not be written
              64  usage error (unknown option, bad value, no FLOW)
            """
    )

    @Argument(help: ArgumentHelp("The flow file to compile.", valueName: "flow"))
    var flow: String

    @Option(
        help: ArgumentHelp(
            "What to print: json (the state machine, see Schemas/machine.schema.json), dot (a Graphviz "
                + "diagram) or mermaid (a Mermaid flowchart).",
            valueName: "format"))
    var emit: EmitFormat = .json

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the result to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "When to colour the diagnostics on stderr: auto (only when stderr is a terminal and NO_COLOR is "
                + "unset or empty), always or never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    /// Lints, stops on errors, then compiles and prints or writes the machine in the chosen form.
    func run() throws {
        let files: [FileDiagnostics]
        let checkedFlow: Flow?
        switch FileCheck.run(path: flow) {
        case .unreadable(let path, let message):
            Console.error("cannot read '\(path)': \(message)")
            throw Exit.unreadable
        case .checked(let checked, let decoded, let lock):
            files = FileCheck.files(checked, lock)
            checkedFlow = decoded
        }
        if files.contains(where: { !$0.diagnostics.isEmpty }) {
            Console.err(TextRenderer.render(files: files, colors: color.enabled(for: STDERR_FILENO)))
            Console.err(TextRenderer.summary(files: files) + "\n")
        }
        guard files.allSatisfy({ $0.errorCount == 0 }), let checkedFlow else { throw Exit.problems }

        let machine = MachineCompiler.compile(checkedFlow)
        let text: String
        switch emit {
        case .json: text = MachineRenderer.json(machine)
        case .dot: text = MachineRenderer.dot(machine)
        case .mermaid: text = MachineRenderer.mermaid(machine)
        }
        guard let output else {
            Console.out(text)
            return
        }
        if let reason = FileSystem.writeAtomically(text, to: output, sparing: OwnInput.flow(flow, being: "compiled")) {
            Console.error("cannot write '\(output)': \(reason)")
            throw Exit.unreadable
        }
    }
}
