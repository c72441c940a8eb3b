import Foundation
import ProcessTestSupport
import Testing

/// `talkflow repl`: the built binary driven through a pipe (scriptable, deterministic output) and through a
/// pseudo-terminal (readline editing, history, completion, prompt and colours), on the shipped default flow.
@Suite struct ReplCommandTests {
    /// The shipped default flow, read from the source tree.
    static let defaultFlow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Flows/default.yaml").path

    /// The menu of the default flow exactly as the REPL prints it.
    static let mainMenu = """
        bot › ¿En qué te podemos ayudar?
              [ Comprar ]  [ Preguntas frecuentes ]  [ Hablar con un asesor ]

        """

    /// Pipes `input` into `talkflow repl` and returns what it printed.
    func repl(_ input: String, _ arguments: String..., flow: String = defaultFlow) async throws
        -> TalkflowProcess.Output
    {
        let folder = try TemporaryFolder()
        return try await PipedRepl.run(input, arguments: ["repl", flow] + arguments, in: folder.url)
    }

    // MARK: Pipes

    /// What a refused command quotes is shown with its control characters as U+FFFD: an escape sequence typed
    /// into a command does not reach the terminal.
    @Test func refusedCommandsDoNotEchoControlCharacters() async throws {
        let result = try await repl("/attach pdf \u{1B}[2J\n")
        #expect(result.stderr.contains("error: cannot read the size '\u{FFFD}[2J'"), "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"))
    }

    /// What the conversation shows (a file name the user typed, a name the contact gave, `/state`'s values)
    /// cannot drive the terminal either.
    @Test func notesAndBubblesDoNotEchoControlCharacters() async throws {
        let result = try await repl("hola\nacepto\n3\n/attach pdf 1 a\u{1B}]0;x\u{7}b.pdf\n")
        #expect(result.stdout.contains("· file a\u{FFFD}]0;x\u{FFFD}b.pdf relayed to ana"), "\(result.stdout)")
        #expect(!result.stdout.contains("\u{1B}"))
        let state = try await repl("hola\nacepto\n1\nLu\u{1B}[2J\n/state\n")
        #expect(state.stdout.contains("nombre = \"Lu\u{FFFD}[2J\""), "\(state.stdout)")
        #expect(!state.stdout.contains("\u{1B}"))
    }

    /// The contact's first message gets the consent; accepting it is noted, and a menu option is chosen by its
    /// number. A pipe gets no prompt, no banner and no escape sequence, and the end of input exits 0.
    @Test func consentThenMenuByNumber() async throws {
        let result = try await repl("hola\nacepto\n1\nAna\n")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.hasPrefix("bot › Hola. Antes de continuar necesitamos tu autorización"))
        #expect(result.stdout.contains("      [ Acepto ]  [ No acepto ]\n· consent accepted (policy 2026-01)\n"))
        #expect(result.stdout.contains(Self.mainMenu))
        #expect(
            result.stdout.hasSuffix(
                Self.mainMenu + """
                    bot › Con gusto te ayudamos con tu compra. ¿Cómo te llamas?
                    · saved nombre
                    bot › Gracias, Ana. Te comunicamos con un asesor de ventas.
                    bot › Un asesor de ventas te atenderá en un momento por este mismo chat.
                    · handoff requested: ventas → ana

                    """))
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(!result.stdout.contains("contact ›"))
    }

    /// A list is shown opened with numbered rows, and typing a row's number chooses it.
    @Test func listRowsByNumber() async throws {
        let result = try await repl("hola\nacepto\n2\n3\n")
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                """
                bot › Estas son nuestras preguntas frecuentes. Elige una.
                      ≡ Ver preguntas
                        1. Horario de atención
                           Días y horas en que te atendemos
                        2. Medios de pago
                """))
        #expect(result.stdout.contains("bot › Enviamos a todo Colombia."))
    }

    /// Two identical piped runs print the same bytes: the clock starts at the documented default, not now.
    @Test func pipedRunsAreDeterministic() async throws {
        let input = "hola\nacepto\n/state\n/clock\n"
        let first = try await repl(input)
        let second = try await repl(input)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.contains("clock 2026-03-02T10:00 Monday (America/Bogota), business hours: open"))
    }

    /// The shipped flow closes on Colombia's national holidays (`holidays: [colombia]`), and `/clock` says so:
    /// Holy Thursday and 8 December are closed, the next working days open.
    @Test func clockIsClosedOnAHoliday() async throws {
        let result = try await repl(
            "/clock\n/clock 2026-04-06T10:00\n/clock 2026-12-08T10:00\n", "--at", "2026-04-02T10:00")
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                """
                clock 2026-04-02T10:00 Thursday (America/Bogota), business hours: closed
                · clock 2026-04-06T10:00 Monday (America/Bogota), business hours: open
                · clock 2026-12-08T10:00 Tuesday (America/Bogota), business hours: closed
                """))
    }

    /// `/state` shows the step, status, consent, variables, attachments, agent and clock; `--contact-name`
    /// and `--phone` fill the contact's variables.
    @Test func stateAfterHandoff() async throws {
        let result = try await repl(
            "hola\nacepto\n1\nAna\n/state\n", "--at", "2026-12-01T10:00", "--contact-name", "Ana María", "--phone",
            "573009998877")
        #expect(result.status == 0)
        #expect(
            result.stdout.hasSuffix(
                """
                step        asesor (handoff)
                status      with an agent: the bot is silent, messages go to the agent
                consent     accepted (policy 2026-01); promotional messages: no
                variables   contact.name = "Ana María"
                            contact.phone = "573009998877"
                            nombre = "Ana"
                attachments 0B of 50MB this month
                agent       ana (queue ventas)
                clock       2026-12-01T10:00 Tuesday (America/Bogota), business hours: open

                """))
    }

    /// After 25 hours the agent's free-form message is not sent (the 24-hour window closed); closing the
    /// handoff goes on to the goodbye, held back too; the rotation gives the next contact the next agent.
    @Test func windowClosesAfterADayAndRotationTurns() async throws {
        let result = try await repl(
            "hola\nacepto\n3\n/clock +25h\n/agent Hola, sigues ahí?\n/close\n/reset\nhola\nacepto\n3\n")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(
            result.stdout.contains(
                """
                · handoff requested: ventas → ana
                · clock 2026-03-03T11:00 Tuesday (America/Bogota), business hours: open
                · not sent: outside the 24-hour window; an approved template is required
                  ana › Hola, sigues ahí?
                · not sent: outside the 24-hour window; an approved template is required
                  bot › Gracias por escribirnos. Cuando nos necesites, aquí estaremos.
                · conversation closed (end)
                · new conversation: consent and variables forgotten; clock 2026-03-03T11:00 Tuesday
                """))
        #expect(result.stdout.hasSuffix("· handoff requested: ventas → bruno\n"))
    }

    /// Within the window the agent's message is delivered under the agent's name.
    @Test func agentSpeaksWithinTheWindow() async throws {
        let result = try await repl("hola\nacepto\n3\n/agent Hola, soy Ana\nquiero comprar\n/close\n")
        #expect(
            result.stdout.contains(
                """
                ana › Hola, soy Ana
                · message relayed to ana
                bot › Gracias por escribirnos. Cuando nos necesites, aquí estaremos.
                · conversation closed (end)
                """))
    }

    /// The inactivity timer fires at its deadline even when the clock jumps a day: its goodbye is sent.
    @Test func inactivityTimerFiresAtItsDeadline() async throws {
        let result = try await repl("hola\nacepto\n/clock +25h\n/state\n")
        #expect(
            result.stdout.contains(
                Self.mainMenu + """
                    bot › Cerramos esta conversación por inactividad. Escríbenos cuando quieras y con gusto te atendemos.
                    · conversation closed (inactivity)
                    · clock 2026-03-03T11:00 Tuesday (America/Bogota), business hours: open
                    step        menu_principal (menu)
                    status      closed: the contact's next message starts a new conversation

                    """))
    }

    /// Only PDF, JPEG and PNG files are accepted; accepted bytes count toward the month's allowance.
    @Test func attachments() async throws {
        let result = try await repl(
            "hola\nacepto\n/attach docx 2MB contrato.docx\n/attach pdf 2MB factura.pdf\n/state\n")
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                Self.mainMenu
                    + "bot › Solo podemos recibir archivos PDF, JPG, JPEG o PNG. Envíalo en uno de esos formatos, "
                    + "por favor.\nbot › No entendimos tu respuesta."))
        #expect(result.stdout.contains("attachments 2MB of 50MB this month\n"))
        let tooBig = try await repl("hola\nacepto\n/attach pdf 51MB\n")
        #expect(
            tooBig.stdout.hasSuffix(
                "bot › Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del 1 de abril de 2026.\n"
            ))
        let badSize = try await repl("hola\n/attach pdf lots\n/attach rar 1MB\n")
        #expect(badSize.stderr.contains("error: cannot read the size 'lots'; write it like 2MB, 300KB or 100B\n"))
        #expect(badSize.stderr.contains("error: unknown attachment type 'rar'"))
    }

    /// `/tap` takes a reply id, a title (case and accents ignored) or the number of a button or row of the
    /// last interactive message.
    @Test func tapByTitleIdOrNumber() async throws {
        let result = try await repl("hola\n/tap acepto\n/tap 2\n/tap envios\n/tap 9\n/tap Nada\n")
        #expect(result.status == 0)
        #expect(result.stdout.contains("· consent accepted (policy 2026-01)\n" + Self.mainMenu))
        #expect(result.stdout.contains("≡ Ver preguntas"))
        #expect(result.stdout.contains("bot › Enviamos a todo Colombia."))
        #expect(result.stderr.contains("error: no option 9 in the last interactive message; it has 3\n"))
        #expect(result.stderr.contains("error: no button or row 'Nada' in the last interactive message"))
        let early = try await repl("/tap 1\n")
        #expect(early.stderr == "error: nothing to tap: the bot has not sent buttons or a list\n")
    }

    /// Mistyped or misplaced commands are reported on stderr, with the closest command, and change nothing.
    @Test func commandMistakes() async throws {
        let result = try await repl(
            "/stat\n/frobnicate\n/agent hola\n/close\n/clock ayer\n/clock 2020-01-01T00:00\n/state now\n/save\n")
        #expect(result.status == 0)
        #expect(
            result.stderr == """
                error: unknown command '/stat'; did you mean '/state'? (/help lists the commands)
                error: unknown command '/frobnicate'; /help lists the commands
                error: no agent has this conversation; /agent works once a handoff has assigned one
                error: no handoff in progress: there is nothing for an agent to close
                error: cannot read 'ayer'; write +DURATION (30s, 30m, 25h, 2d, 1h30m) or YYYY-MM-DDTHH:MM
                error: 2020-01-01T00:00 is before the clock (2026-03-02T10:00); time never goes back
                error: /state takes no argument; usage: /state
                error: missing argument; usage: /save FILE

                """)
        #expect(result.stdout == "")
    }

    /// `/help` lists every command; `/quit` ends the session at once; `//` sends text starting with `/`.
    @Test func helpQuitAndSlashText() async throws {
        let result = try await repl("/help\n/help tap\n//hola\n/quit\nhola\n")
        #expect(result.status == 0)
        for command in [
            "help", "state", "reset", "clock", "tap", "attach", "forward", "unreadable", "agent", "close", "reload",
            "save", "quit",
        ] {
            #expect(result.stdout.contains("\n  /\(command)"), "/help lists /\(command)")
        }
        #expect(result.stdout.contains("  /clock +DURATION "))
        #expect(result.stdout.contains("\n  /tap CHOICE               tap a button or list row of the last message"))
        // Every line of /help fits an 80-column terminal; a long effect continues under itself.
        let help = result.stdout.components(separatedBy: "Antes de continuar")[0]
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(help)")
        let continued = "\n" + String(repeating: " ", count: 28) + "stays at its step, or starts anew if"
        #expect(result.stdout.contains(continued))
        // "//hola" is the contact's first message: it starts the conversation; "hola" after /quit is never read.
        #expect(result.stdout.components(separatedBy: "Antes de continuar").count == 2)
    }

    /// `/help` shows one command at most: more words are a mistake in using /help, not an unknown command.
    @Test func helpWithMoreThanOneWordIsAUsageError() async throws {
        let result = try await repl("/help clock extra\n/help /tap  2\n")
        #expect(result.stdout == "")
        #expect(
            result.stderr == """
                error: /help takes one command name; usage: /help [COMMAND]
                error: /help takes one command name; usage: /help [COMMAND]

                """)
    }

    /// `/attach` reads every size up to Int64.max bytes exactly (2⁵³ − 1 was refused when sizes went through
    /// a Double); one more is refused naming the limit.
    @Test func attachSizesUpToTheLargest() async throws {
        let result = try await repl(
            "hola\nacepto\n3\n/attach pdf 9007199254740991\n/attach pdf 9223372036854775807\n"
                + "/attach pdf 9223372036854775808\n/attach pdf 8589934592GB\n")
        #expect(result.status == 0)
        #expect(
            result.stderr == """
                error: the size '9223372036854775808' is more than 9223372036854775807 bytes
                error: the size '8589934592GB' is more than 9223372036854775807 bytes

                """)
        #expect(
            result.stdout.hasSuffix(
                "bot › Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del "
                    + "1 de abril de 2026.\n"
                    + "bot › Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del "
                    + "1 de abril de 2026.\n"), "\(result.stdout)")
    }

    /// A REPL on a copy of the default flow (`flow.yaml`) that a test edits before `/reload`; the copy's
    /// original text comes with it.
    func replOnACopy() throws -> (folder: TemporaryFolder, original: String, repl: PipedRepl) {
        let folder = try TemporaryFolder()
        let original = try String(contentsOfFile: Self.defaultFlow, encoding: .utf8)
        try folder.write("flow.yaml", original)
        return (folder, original, try PipedRepl(arguments: ["repl", "flow.yaml"], in: folder.url))
    }

    /// `replOnACopy`, the contact having accepted the consent and been shown the main menu.
    func replAtTheMenuOfACopy() async throws -> (folder: TemporaryFolder, original: String, repl: PipedRepl) {
        let copy = try replOnACopy()
        try copy.repl.send("hola\nacepto\n")
        try await copy.repl.waitForOutput("[ Comprar ]")
        return copy
    }

    /// `/reload` picks up an edit and keeps the conversation at its step; a broken edit prints the diagnostics
    /// and keeps the flow in use; a removed step starts a new conversation, consent kept.
    @Test func reloadKeepsTheConversation() async throws {
        let (folder, original, repl) = try await replAtTheMenuOfACopy()
        try folder.write(
            "flow.yaml", original.replacingOccurrences(of: "¿En qué te podemos ayudar?", with: "¿Qué necesitas?"))
        try repl.send("/reload\nxyz\n")
        try await repl.waitForOutput("bot › ¿Qué necesitas?")
        try folder.write(
            "flow.yaml", original.replacingOccurrences(of: "next: pedir_nombre", with: "next: pedir_nombr"))
        try repl.send("/reload\n1\n")
        try await repl.waitForOutput("¿Cómo te llamas?")
        try folder.write("flow.yaml", original.replacingOccurrences(of: "pedir_nombre", with: "preguntar_nombre"))
        try repl.send("/reload\n/state\n")
        let result = try await repl.finish()
        #expect(result.status == 0)
        #expect(result.stdout.contains("· reloaded flow.yaml; the conversation stays at step 'menu_principal'\n"))
        #expect(result.stdout.contains("bot › No entendimos tu respuesta. Elige una de las opciones del menú.\n"))
        #expect(
            result.stdout.contains(
                "· reloaded flow.yaml; step 'pedir_nombre' no longer exists: a new conversation starts (consent kept)\n"
            ))
        #expect(
            result.stdout.hasSuffix(
                "step        none yet\nstatus      new: the contact's first message starts the conversation\nconsent     accepted (policy 2026-01); promotional messages: no\nvariables   contact.name = \"Contacto\"\n            contact.phone = \"573001112233\"\n            nombre = (not set)\nattachments 0B of 50MB this month\nagent       none\nclock       2026-03-02T10:00 Monday (America/Bogota), business hours: open\n"
            ))
        #expect(result.stderr.contains("flow.yaml:"))
        #expect(result.stderr.contains("names step 'pedir_nombr', which does not exist [unknown_step]"))
        #expect(result.stderr.contains("error: 'flow.yaml' has errors; the flow in use is unchanged\n"))
    }

    /// A `/reload` that renames the handoff step during the handoff carries the conversation over as the server
    /// does (operations.md): the agent keeps it at the new handoff step to the same queue, and the month's
    /// attachment bytes stay counted. The audit found the REPL started a new conversation and forgot 45 MB, so a
    /// file the server refuses went through.
    @Test func aReloadCarriesAHandoffAndTheAttachmentBytesOverAsTheServerDoes() async throws {
        let (folder, original, repl) = try await replAtTheMenuOfACopy()
        try repl.send("3\n/attach pdf 45MB a.pdf\n")
        try await repl.waitForOutput("· file a.pdf relayed to ana")
        let renamed = original.replacing(/(?m)^  asesor:$/, with: "  asesor2:")
            .replacing(/next: asesor(\n| \})/) { "next: asesor2" + $0.1 }
            .replacing(/fallback: asesor\n/, with: "fallback: asesor2\n")
        try folder.write("flow.yaml", renamed)
        try repl.send("/reload\n/attach pdf 10MB b.pdf\n/state\n")
        let result = try await repl.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "· reloaded flow.yaml; step 'asesor' no longer exists: the handoff goes on at step 'asesor2'\n"))
        #expect(result.stdout.contains("Alcanzaste el límite de 50 MB en archivos de este mes."))
        #expect(!result.stdout.contains("file b.pdf relayed"))
        #expect(result.stdout.contains("attachments 45MB of 50MB this month\nagent       ana (queue ventas)\n"))
    }

    /// A `/reload` that changes the policy version while the contact waits at the menu: asking for an agent
    /// asks for the new policy first, and accepting it goes on to the handoff.
    @Test func aReloadedPolicyVersionIsAskedForBeforeAHandoff() async throws {
        let (folder, original, repl) = try await replAtTheMenuOfACopy()
        try folder.write(
            "flow.yaml", original.replacingOccurrences(of: "version: \"2026-01\"", with: "version: \"2026-02\""))
        try repl.send("/reload\n3\n")
        try await repl.waitForOutput("[ Acepto ]  [ No acepto ]\n")
        try repl.send("acepto\n")
        let result = try await repl.finish()
        #expect(result.status == 0)
        let afterReload = try #require(result.stdout.components(separatedBy: "· reloaded flow.yaml").last)
        #expect(afterReload.hasPrefix("; the conversation stays at step 'menu_principal'\nbot › Hola. Antes de"))
        #expect(
            afterReload.hasSuffix(
                """
                      [ Acepto ]  [ No acepto ]
                · consent accepted (policy 2026-02)
                bot › Un asesor de ventas te atenderá en un momento por este mismo chat.
                · handoff requested: ventas → ana

                """), "\(afterReload)")
    }

    /// A `/reload` that changes the consent request the contact waits at: the note says so, `/tap Acepto` on the
    /// old request gets the new one and records nothing, and the tap on the new one accepts it.
    @Test func aReloadThatChangesTheWaitingConsentRequestShowsTheNewOne() async throws {
        let (folder, original, repl) = try replOnACopy()
        try repl.send("hola\n")
        try await repl.waitForOutput("[ Acepto ]  [ No acepto ]\n")
        try folder.write(
            "flow.yaml",
            original.replacingOccurrences(of: "version: \"2026-01\"", with: "version: \"2026-02\"")
                .replacingOccurrences(of: "Hola. Antes de continuar", with: "Hola. NUEVA POLITICA. Antes de continuar"))
        try repl.send("/reload\n/tap Acepto\n")
        try await repl.waitForOutput("bot › Hola. NUEVA POLITICA.")
        try repl.send("/tap Acepto\n")
        let result = try await repl.finish()
        #expect(result.status == 0)
        let afterReload = try #require(result.stdout.components(separatedBy: "· reloaded flow.yaml").last)
        #expect(
            afterReload.hasPrefix(
                "; the conversation stays at step 'consentimiento', whose consent request changed: the next message "
                    + "gets the current one, and only its answer counts\nbot › Hola. NUEVA POLITICA."),
            "\(afterReload)")
        #expect(afterReload.components(separatedBy: "· consent accepted (policy 2026-02)").count == 2, "\(afterReload)")
        #expect(!result.stdout.contains("policy 2026-01"))
    }

    /// A reload that turns the step the conversation waits at into one that does not wait (a question made a
    /// message) starts a new conversation, consent kept: waiting there, no input would ever be read.
    @Test func reloadingAWaitingStepIntoAMessageStartsOver() async throws {
        let (folder, original, repl) = try replOnACopy()
        try repl.send("hola\nacepto\n1\n")
        try await repl.waitForOutput("¿Cómo te llamas?")
        let asked = """
                type: ask
                text: "Con gusto te ayudamos con tu compra. ¿Cómo te llamas?"
                save: nombre
                personal_data: true
                validate: { min_length: 2, max_length: 80 }
                retry: "Escribe tu nombre, por favor (entre 2 y 80 caracteres)."
                fallback: asesor
                next: gracias_nombre
            """
        let told = """
                type: set
                values: { nombre: cliente }
                next: gracias_nombre
            """
        let edited = original.replacingOccurrences(of: asked, with: told)
        #expect(edited != original)
        try folder.write("flow.yaml", edited)
        try repl.send("/reload\nhola\n")
        let result = try await repl.finish()
        #expect(
            result.stdout.contains(
                "· reloaded flow.yaml; step 'pedir_nombre' no longer waits for the contact: a new conversation "
                    + "starts (consent kept)\n"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("[ Comprar ]  [ Preguntas frecuentes ]  [ Hablar con un asesor ]\n"))
    }

    /// Variables are carried over a reload by name: a flow edit that changes their order keeps each value
    /// with its own variable.
    @Test func reloadCarriesVariablesByName() async throws {
        try Flows.requireVariants()
        let asks = """
              nombre:
                type: ask
                text: "Como te llamas?"
                save: nombre
                personal_data: true
                next: asesor

            """
        try #require(Flows.valid.contains(asks), "valid_minimal changed: update this test")
        let nombre = asks.replacingOccurrences(of: "next: asesor", with: "next: ciudad")
        let ciudad = asks.replacingOccurrences(of: "nombre", with: "ciudad")
            .replacingOccurrences(of: "Como te llamas?", with: "En que ciudad estas?")
        let folder = try TemporaryFolder()
        try folder.write("flow.yaml", Flows.valid.replacingOccurrences(of: asks, with: nombre + ciudad))
        let repl = try PipedRepl(arguments: ["repl", "flow.yaml"], in: folder.url)
        try repl.send("hola\nacepto\n1\nAna\nCali\n")
        try await repl.waitForOutput("· handoff requested: ventas → ana")
        try folder.write("flow.yaml", Flows.valid.replacingOccurrences(of: asks, with: ciudad + nombre))
        try repl.send("/reload\n/state\n")
        let result = try await repl.finish()
        #expect(result.stderr == "")
        #expect(
            result.stdout.contains(
                """
                · reloaded flow.yaml; the conversation stays at step 'asesor'
                step        asesor (handoff)
                status      with an agent: the bot is silent, messages go to the agent
                consent     accepted (policy 2026-01); promotional messages: no
                variables   contact.name = "Contacto"
                            contact.phone = "573001112233"
                            ciudad = "Cali"
                            nombre = "Ana"
                attachments 0B of 50MB this month
                agent       ana (queue ventas)
                """))
    }

    /// `/save` writes the conversation as a transcript test whose `flow:` is relative to it, and
    /// `talkflow test` replays it and passes.
    @Test func saveWritesATranscriptThatPasses() async throws {
        let folder = try TemporaryFolder()
        try folder.write("Flows/default.yaml", try String(contentsOfFile: Self.defaultFlow, encoding: .utf8))
        let input = """
            hola
            /tap consentimiento.accept
            2
            /tap 1
            /tap COMPRAR
            Ana
            /agent Hola Ana
            /clock +25h
            /agent Sigues ahí?
            /close
            /save tests/compra.test.yaml

            """
        let result = try await PipedRepl.run(
            input, arguments: ["repl", "Flows/default.yaml", "--at", "2026-12-01T09:00"], in: folder.url)
        #expect(result.status == 0)
        #expect(
            result.stderr == "error: cannot write 'tests/compra.test.yaml': no such file or directory\n",
            "tests/ does not exist yet")
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("tests"), withIntermediateDirectories: true)
        let saved = try await PipedRepl.run(
            input, arguments: ["repl", "Flows/default.yaml", "--at", "2026-12-01T09:00"], in: folder.url)
        #expect(
            saved.stdout.hasSuffix(
                "· saved 10 inputs to tests/compra.test.yaml; 'talkflow test tests/compra.test.yaml' replays it\n"))
        let transcript = try String(
            contentsOf: folder.url.appendingPathComponent("tests/compra.test.yaml"), encoding: .utf8)
        #expect(transcript.contains("flow: ../Flows/default.yaml\n"))
        #expect(transcript.contains("  time: \"2026-12-01T09:00\"\n"))
        #expect(transcript.contains("- tap: Acepto\n"))
        #expect(transcript.contains("- tap: Horario de atención\n"))
        // Taps typed by id or in another case are recorded by the title as shown.
        #expect(transcript.contains("- tap: Comprar\n"))
        #expect(!transcript.contains("consentimiento.accept") && !transcript.contains("COMPRAR"))
        #expect(transcript.contains("- handoff: { queue: ventas, agent: ana }\n"))
        let replay = try await folder.run("test", "tests/compra.test.yaml")
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.contains("PASS tests/compra.test.yaml"))
    }

    /// A `/save` name with a NUL is refused: the system would take the name up to the NUL, and
    /// `/save default.yaml<NUL>.test.yaml` replaced the flow itself while the REPL named another file.
    @Test func saveRefusesANameWithANul() async throws {
        let folder = try TemporaryFolder()
        let flow = try String(contentsOfFile: Self.defaultFlow, encoding: .utf8)
        try folder.write("default.yaml", flow)
        let result = try await PipedRepl.run(
            "hola\n/save default.yaml\u{0}.test.yaml\n", arguments: ["repl", "default.yaml"], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stderr.contains("the name contains a NUL character, which no file name can\n"))
        #expect(!result.stdout.contains("· saved"))
        #expect(try String(contentsOf: folder.url.appendingPathComponent("default.yaml"), encoding: .utf8) == flow)
    }

    /// A flow with errors is not run: its diagnostics go to stderr as `talkflow compile` prints them and the
    /// exit status is 1. A missing flow exits 2 and a bad --at 64, before anything is read.
    @Test func refusesBrokenFlows() async throws {
        try Flows.requireVariants()
        let folder = try TemporaryFolder()
        try folder.write("bad.yaml", Flows.unknownStep)
        let result = try await PipedRepl.run("hola\n", arguments: ["repl", "bad.yaml"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("bad.yaml:\(Flows.unknownStepLine):"))
        #expect(result.stderr.contains("[unknown_step]\n"))
        #expect(result.stderr.hasSuffix("1 error in 1 file\n"))
        let missing = try await PipedRepl.run("", arguments: ["repl", "nope.yaml"], in: folder.url)
        #expect(missing.status == 2)
        #expect(missing.stderr == "talkflow: error: cannot read 'nope.yaml': no such file or directory\n")
        let badTime = try await PipedRepl.run("", arguments: ["repl", "bad.yaml", "--at", "mañana"], in: folder.url)
        #expect(badTime.status == 64)
        #expect(badTime.stderr.contains("invalid --at 'mañana'"))
    }

    /// Outside business hours (a Saturday) the handoff gives the closed-hours text.
    @Test func startTimeFollowsTheFlowsCalendar() async throws {
        let result = try await repl("hola\nacepto\n3\n", "--at", "2026-12-05T10:00")
        #expect(result.stdout.contains("bot › En este momento estamos fuera de nuestro horario de atención"))
    }

    // MARK: Terminal

    /// readline's coloured prompt.
    static let prompt = "\u{1B}[1;33mcontact ›\u{1B}[0m "

    /// The REPL in a pseudo-terminal, after the contact's "hola" was answered (two prompts shown).
    static func terminalAfterHola(home: TemporaryFolder) async throws -> PseudoTerminalRepl {
        let terminal = try PseudoTerminalRepl(
            arguments: ["repl", defaultFlow, "--at", "2026-12-01T10:00"], home: home.url)
        try await terminal.waitFor(prompt, count: 1)
        try terminal.type("hola\r")
        try await terminal.waitFor(prompt, count: 2)
        return terminal
    }

    /// Ctrl-C at the prompt ends the REPL at once, killed by SIGINT, while readline waits for a key (readline's
    /// own handler only acted when the next key arrived, on its reading thread).
    @Test func anInterruptAtThePromptEndsTheReplAtOnce() async throws {
        let home = try TemporaryFolder()
        let terminal = try await Self.terminalAfterHola(home: home)
        terminal.signal(SIGINT)
        let (status, _) = try await terminal.finish(timeout: 5)
        #expect(terminal.killedBySignal)
        #expect(status == SIGINT)
    }

    /// A FIFO where the history file goes would block readline's open for good: the session starts without a
    /// history and says so.
    @Test func aHistoryPathThatIsNotARegularFileIsSkipped() async throws {
        let home = try TemporaryFolder()
        try #require(mkfifo(home.url.appendingPathComponent(".talkflow_history").path, 0o600) == 0)
        let terminal = try PseudoTerminalRepl(
            arguments: ["repl", Self.defaultFlow, "--at", "2026-12-01T10:00"], home: home.url,
            environment: ["NO_COLOR": "1"])
        try await terminal.waitFor("contact › ", count: 1)
        try terminal.type("/quit\r")
        let (status, output) = try await terminal.finish(timeout: 10)
        #expect(status == 0)
        #expect(output.contains("· history off: ~/.talkflow_history is not a regular file"))
    }

    /// The history file keeps its last 1000 lines even when Ctrl-C ends the session, which leaves no time to
    /// trim it at the end.
    @Test func anInterruptLeavesTheHistoryTrimmed() async throws {
        let home = try TemporaryFolder()
        try home.write(".talkflow_history", (1...1500).map { "línea \($0)\n" }.joined())
        let terminal = try await Self.terminalAfterHola(home: home)
        terminal.signal(SIGINT)
        _ = try await terminal.finish(timeout: 5)
        #expect(terminal.killedBySignal)
        let history = try String(contentsOf: home.url.appendingPathComponent(".talkflow_history"), encoding: .utf8)
        let lines = history.split(separator: "\n")
        #expect(lines.count == 1000)
        #expect(lines.first == "línea 502")
        #expect(lines.last == "hola")
    }

    /// Through a pseudo-terminal the REPL uses readline: a coloured prompt, Ctrl-A and the left arrow edit the
    /// line before it is sent, Tab completes a command, the up arrow recalls the last line, and Ctrl-D ends
    /// the session with status 0. The history is written to $HOME/.talkflow_history.
    @Test func terminalEditingAndHistory() async throws {
        let home = try TemporaryFolder()
        let terminal = try await Self.terminalAfterHola(home: home)
        let prompt = Self.prompt
        // "cepto", Ctrl-A (start of line), "a": the line sent is "acepto".
        try terminal.type("cepto\u{01}a\r")
        try await terminal.waitFor(prompt, count: 3)
        // "fq", left arrow, "a": "faq", a synonym of the FAQ option.
        try terminal.type("fq\u{1B}[Da\r")
        try await terminal.waitFor(prompt, count: 4)
        // "/sta" + Tab completes to "/state "; "x", backspace: nothing changes.
        try terminal.type("/sta\tx\u{7F}\r")
        try await terminal.waitFor(prompt, count: 5)
        // The up arrow brings back "/state ".
        try terminal.type("\u{1B}[A\r")
        try await terminal.waitFor(prompt, count: 6)
        try terminal.type("\u{04}")
        let (status, output) = try await terminal.finish()
        #expect(status == 0)
        #expect(output.contains("\u{1B}[2m· talkflow repl: flow 'default'"))
        #expect(output.contains("\u{1B}[1;32mbot ›\u{1B}[0m Hola. Antes de continuar"))
        #expect(output.contains("\u{1B}[2m· consent accepted (policy 2026-01)\u{1B}[0m"))
        #expect(output.contains("\u{1B}[1;32mbot ›\u{1B}[0m Estas son nuestras preguntas frecuentes. Elige una."))
        #expect(output.components(separatedBy: "step        preguntas (menu)").count == 3, "/state ran twice")
        #expect(!output.contains("error:"))
        let history = try String(
            contentsOf: home.url.appendingPathComponent(".talkflow_history"), encoding: .utf8)
        #expect(history.contains("acepto\n"))
        #expect(history.contains("faq\n"))
    }

    /// With NO_COLOR set, a terminal session has no colours but keeps the prompt.
    /// In a narrow terminal a message held back by the 24-hour window wraps under its own text, indented like
    /// the note it belongs to, and its later lines do not repeat the speaker.
    @Test func aHeldBackMessageWrapsUnderItsText() async throws {
        let home = try TemporaryFolder()
        let terminal = try PseudoTerminalRepl(
            arguments: ["repl", Self.defaultFlow, "--at", "2026-12-01T10:00"], home: home.url,
            environment: ["NO_COLOR": "1"], columns: 60)
        try await terminal.waitFor("contact › ", count: 1)
        for (index, line) in [
            "hola", "acepto", "3", "/clock +25h",
            "/agent Hola esto es un mensaje bastante largo del agente para ver como se envuelve",
        ].enumerated() {
            try terminal.type(line + "\r")
            try await terminal.waitFor("contact › ", count: index + 2)
        }
        try terminal.type("/quit\r")
        let (status, output) = try await terminal.finish()
        #expect(status == 0)
        let lines = output.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
        let held = try #require(lines.firstIndex { $0.hasPrefix("  ana › Hola esto es un mensaje") }, "\(output)")
        #expect(lines[held + 1].hasPrefix("        ") && lines[held + 1].contains("envuelve"), "\(lines[held + 1])")
    }

    @Test func terminalWithoutColours() async throws {
        let home = try TemporaryFolder()
        let terminal = try PseudoTerminalRepl(
            arguments: ["repl", Self.defaultFlow, "--at", "2026-12-01T10:00"], home: home.url,
            environment: ["NO_COLOR": "1"])
        try await terminal.waitFor("contact › ", count: 1)
        try terminal.type("hola\r")
        try await terminal.waitFor("contact › ", count: 2)
        try terminal.type("/quit\r")
        let (status, output) = try await terminal.finish()
        #expect(status == 0)
        #expect(output.contains("bot › Hola. Antes de continuar"))
        #expect(!output.contains("\u{1B}[1;") && !output.contains("\u{1B}[2m"))
    }
}

/// `talkflow repl` with its standard input a pipe: either all the input at once (`run`), or line by line
/// (`send`), waiting for output in between, for tests that edit the flow during the session.
final class PipedRepl {
    private let process: ChildProcess
    private let capture: URL
    private let outURL: URL
    private let errURL: URL

    /// Starts the binary in `directory`; stdout and stderr go to files, so a large output cannot block it.
    init(arguments: [String], in directory: URL) throws {
        let binary = try #require(TalkflowProcess.binary, "the talkflow executable was not found")
        capture = directory.appendingPathComponent(".repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        outURL = capture.appendingPathComponent("stdout")
        errURL = capture.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        process = try ChildProcess(
            binary.path, arguments: arguments, directory: directory.path, environment: environment, stdin: .pipe,
            stdout: .file(outURL.path), stderr: .file(errURL.path))
    }

    deinit {
        if process.isRunning { process.signal(SIGTERM) }
        try? FileManager.default.removeItem(at: capture)
    }

    /// Runs the REPL on `text` as its whole input.
    static func run(_ text: String, arguments: [String], in directory: URL) async throws -> TalkflowProcess.Output {
        let repl = try PipedRepl(arguments: arguments, in: directory)
        try repl.send(text)
        return try await repl.finish()
    }

    /// Writes lines to the REPL's standard input.
    func send(_ text: String) throws {
        try process.write(Array(text.utf8))
    }

    /// Waits until stdout contains `text` (the REPL has handled the lines before it).
    func waitForOutput(_ text: String, timeout: Double = 30) async throws {
        let start = Date()
        while !String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self).contains(text) {
            try #require(Date().timeIntervalSince(start) < timeout, "timed out waiting for '\(text)'")
            try #require(process.isRunning, "the REPL exited while waiting for '\(text)'")
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes the input (end of file) and waits for the REPL to exit.
    func finish(timeout: Double = 60) async throws -> TalkflowProcess.Output {
        process.closeInput()
        let start = Date()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                process.signal(SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        await process.waitUntilExit()
        #expect(!timedOut, "the REPL did not exit at the end of its input")
        return TalkflowProcess.Output(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
            timedOut: timedOut, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
            seconds: Date().timeIntervalSince(start))
    }
}

/// `talkflow repl` on a pseudo-terminal, as a person at a terminal runs it.
///
/// The test opens a pty pair (`posix_openpt`, `grantpt`, `unlockpt`, `ptsname`), gives the slave side to the
/// child as its stdin, stdout and stderr (so `isatty` is true for all three), and keeps the master side:
/// what is written to it is what the person types, byte for byte (Ctrl-A is 0x01, the left arrow
/// `ESC [ D`), and what is read from it is the screen output, prompt and readline's redrawing included.
/// TERM is `xterm` and INPUTRC `/dev/null`, so the key bindings are readline's defaults on every machine.
final class PseudoTerminalRepl {
    private let process: ChildProcess
    private let master: Int32
    private var output: [UInt8] = []

    init(arguments: [String], home: URL, environment extra: [String: String] = [:], columns: Int? = nil) throws {
        let binary = try #require(TalkflowProcess.binary, "the talkflow executable was not found")
        let pty = try #require(PseudoTerminalCalls(), "the C library has no posix_openpt")
        master = pty.openMaster(O_RDWR | O_NOCTTY)
        try #require(master >= 0, "posix_openpt failed")
        try #require(pty.grant(master) == 0 && pty.unlock(master) == 0, "grantpt/unlockpt failed")
        let name = try #require(pty.slaveName(master).map { String(cString: $0) })
        let slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(slave >= 0, "cannot open \(name)")
        if let columns {
            var size = winsize(ws_row: 24, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        }
        // The child has its own copies; closing ours lets the master see the end when the child exits.
        defer { close(slave) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        environment["TERM"] = "xterm"
        environment["INPUTRC"] = "/dev/null"
        environment["HOME"] = home.path
        environment.merge(extra) { _, new in new }
        process = try ChildProcess(
            binary.path, arguments: arguments, directory: home.path, environment: environment,
            stdin: .descriptor(slave), stdout: .descriptor(slave), stderr: .descriptor(slave))
    }

    deinit {
        if process.isRunning { process.signal(SIGKILL) }
        close(master)
    }

    /// Reads what the terminal shows for up to `seconds`, returning early once `done` holds.
    private func pump(for seconds: Double, until done: () -> Bool) async {
        let end = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !done(), Date() < end {
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            // Polls without waiting and sleeps between polls, holding no thread of the cooperative pool.
            guard poll(&descriptor, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            let count = read(master, &buffer, buffer.count)
            if count <= 0 { return }
            output += buffer[0..<count]
        }
    }

    /// The screen output so far, as text.
    var text: String { String(decoding: output, as: UTF8.self) }

    /// Waits until `text` has appeared `count` times (the n-th prompt: the line before it was handled).
    func waitFor(_ expected: String, count: Int, timeout: Double = 30) async throws {
        await pump(for: timeout) { text.components(separatedBy: expected).count > count }
        try #require(
            text.components(separatedBy: expected).count > count,
            "'\(expected)' did not appear \(count) time(s); the terminal shows: \(text.debugDescription)")
    }

    /// Sends a signal to the REPL, as the terminal does for Ctrl-C (the test's pty is not its controlling
    /// terminal, so typing 0x03 would not).
    func signal(_ number: Int32) { process.signal(number) }

    /// Whether the REPL was killed by a signal (rather than exiting), once `finish` returned.
    var killedBySignal: Bool { process.terminationReason == .uncaughtSignal }

    /// Types bytes as a person would.
    func type(_ keys: String) throws {
        let bytes = Array(keys.utf8)
        try #require(bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } == bytes.count)
    }

    /// Waits for the REPL to exit, reading the rest of its output; returns its status and the whole output.
    func finish(timeout: Double = 30) async throws -> (Int32, String) {
        await pump(for: timeout) { !process.isRunning }
        await pump(for: 0.2) { false }
        if process.isRunning { process.signal(SIGKILL) }
        await process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// The C library's pseudo-terminal calls, found at run time: Swift's Glibc module does not import them
/// (they need `_XOPEN_SOURCE`), but every Linux and macOS C library has them.
struct PseudoTerminalCalls {
    let openMaster: @convention(c) (Int32) -> Int32
    let grant: @convention(c) (Int32) -> Int32
    let unlock: @convention(c) (Int32) -> Int32
    let slaveName: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    init?() {
        guard let library = dlopen(nil, RTLD_NOW), let openpt = dlsym(library, "posix_openpt"),
            let grantpt = dlsym(library, "grantpt"), let unlockpt = dlsym(library, "unlockpt"),
            let ptsname = dlsym(library, "ptsname")
        else { return nil }
        openMaster = unsafeBitCast(openpt, to: (@convention(c) (Int32) -> Int32).self)
        grant = unsafeBitCast(grantpt, to: (@convention(c) (Int32) -> Int32).self)
        unlock = unsafeBitCast(unlockpt, to: (@convention(c) (Int32) -> Int32).self)
        slaveName = unsafeBitCast(ptsname, to: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
    }
}
