import ArgumentParser
import FlowDiagnostics
import Foundation
import Storage
import TalkflowServer

/// `talkflow send-template --config FILE --tenant T --to CONTACT TEMPLATE [PARAM...]`: queues a
/// business-initiated template message in the server's store, the command-line twin of `POST
/// /api/v1/tenants/{tenant}/templates/{template}/send`. The running server's outbox worker sends it (it looks at
/// the outbox every second).
struct SendTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-template",
        abstract: "Queue a template message to a contact who agreed to receive it.",
        discussion: """
            TEMPLATE is a template the tenant's flow declares: its key in 'templates:', which always wins, \
            or else its name at Meta when exactly one template has that name (with several, name one by its \
            key). PARAM its parameters in order ({{1}}, {{2}}, ...). The configuration is checked as \
            'talkflow serve' checks it (its secrets need not be set: the server sends with its own), and the \
            store it names must exist. The configuration and flow files \
            are read as they are now, not as a running server loaded them. A marketing template is queued only for a \
            contact who accepted the policy version in force and whose opt-in to promotional messages is in \
            force, and only in Ley 2300's hours (Monday to Friday 7:00-19:00, Saturday 8:00-15:00, Colombian \
            time, not on holidays); a utility or authentication template only for a contact who accepted the \
            policy version in force. Anything else is refused with the reason on stderr and nothing is \
            queued, as is a parameter that is not valid UTF-8, is empty, holds nothing visible (only \
            characters such as U+3164 or U+200B) or holds an emoji, a control character (NUL, ESC, DEL...), \
            a line break, a tab or more than 4 consecutive spaces, or a body longer than 1024 characters once the parameters are filled in (Meta \
            refuses them). On success the outbox id (the message's biz_opaque_callback_data) is \
            printed on stdout; a running 'talkflow serve' on the same store sends it within a second.

            Exit status:
              0   queued
              1   refused (no opt-in or consent, outside Ley 2300's hours, a contact
                  that is not a wa_id, unknown tenant or template, a name at Meta
                  that several templates have, wrong number of parameters, a
                  parameter that is not UTF-8, is empty or invisible, or holds an
                  emoji, a control character, a line break, a tab or more than
                  4 consecutive spaces, a body over 1024 characters
                  filled in, header media not JPEG or PDF), or the
                  configuration has errors
              2   the store does not exist, is not a talkflow store, or could not
                  be written
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The configuration file, as 'talkflow serve' takes it.", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The tenant's id in the configuration.", valueName: "id"))
    var tenant: String

    @Option(
        help: ArgumentHelp(
            "The contact's WhatsApp id (wa_id, 6 to 20 digits), e.g. 573001112233.", valueName: "contact"))
    var to: String

    @Argument(
        help: ArgumentHelp(
            "The template's key in the flow, or its name at Meta when only one template has it.",
            valueName: "template"))
    var template: String

    @Argument(help: ArgumentHelp("The template's parameters, in order.", valueName: "param"))
    var parameters: [String] = []

    /// Rejects an empty configuration path before anything is read (exit 64).
    func validate() throws {
        try ServeCommand.requireConfigPath(config)
    }

    /// Loads the configuration, opens the store and queues the message.
    func run() async throws {
        // A byte that is not UTF-8 would reach the contact as U+FFFD: refused, never rewritten.
        if let index = parameters.firstIndex(where: SystemPath.holdsBytes) {
            Console.error(
                "refused: parameter \(index + 1) ({{\(index + 1)}}) is not valid UTF-8; pass its text in UTF-8 "
                    + "(check the terminal's or the script's encoding); nothing was queued")
            throw Exit.problems
        }
        // It only writes to the store (the server's worker sends): the secrets need not be in this shell.
        let result = ConfigLoader.load(
            path: config, environment: ProcessInfo.processInfo.environment, secrets: false)
        guard let loaded = result.loaded else {
            Console.err(TextRenderer.render(files: result.files, colors: false))
            Console.err(TextRenderer.summary(files: result.files) + "\n")
            Console.error("the configuration has errors: nothing was queued")
            throw Exit.problems
        }
        guard let tenant = loaded.tenants.first(where: { $0.id == self.tenant }) else {
            Console.error("unknown tenant '\(self.tenant)': nothing was queued")
            throw Exit.problems
        }
        let store = try StoreFile.open(loaded.config.server.store)
        do {
            let id = try await TemplateSender(store: store).send(
                template: template, to: to, parameters: parameters, tenant: tenant)
            Console.out("\(id)\n")
        } catch let refusal as TemplateSender.Refusal {
            Console.error("refused: \(refusal.description); nothing was queued")
            throw Exit.problems
        } catch {
            throw StoreFile.unwritable(loaded.config.server.store, error)
        }
    }
}
