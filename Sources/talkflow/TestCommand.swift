import ArgumentParser

/// `talkflow test PATH...`: run transcript tests (being written).
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run transcript tests.")

    @Argument(help: "Transcript files or folders.") var paths: [String] = []

    func run() throws {}
}
