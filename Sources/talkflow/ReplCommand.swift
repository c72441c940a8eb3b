import ArgumentParser

/// `talkflow repl FLOW`: talk to a flow as a contact (being written).
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repl", abstract: "Talk to a flow as a contact.")

    @Argument(help: "The flow file.") var flow: String

    func run() throws {}
}
