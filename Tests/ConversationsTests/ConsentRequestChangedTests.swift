import Conversations
import FlowCompiler
import FlowRuntime
import Testing

/// A reload (the REPL's `/reload`, the server's) between a consent request and its answer: an answer to a request
/// the reload changed (its text, buttons, purposes or the policy) is no decision on the request in force, which
/// is shown instead; a reload that left the request as it was changes nothing. The audits found a tap on the old
/// request recorded as acceptance of the new policy, with the new text as shown.
@Suite("A consent request changed by a reload")
struct ConsentRequestChangedTests {
    /// The default flow's consent text, as its first words.
    static let oldText = "Hola. Antes de continuar necesitamos tu autorización"
    static let newText = "Hola. NUEVA POLITICA. Antes de continuar necesitamos tu autorización"

    /// A new contact at the default flow's consent request.
    private func atTheRequest() throws -> Simulator {
        let simulator = Simulator(machine: try TranscriptSamples.defaultMachine(), startAt: 1_795_446_000)
        simulator.send(.text("hola"))
        #expect(simulator.currentStep == "consentimiento")
        return simulator
    }

    private func decisions(_ effects: [Effect]) -> [ConsentEvidence] {
        effects.compactMap { if case .recordConsent(let evidence) = $0 { evidence } else { nil } }
    }

    private func bodies(_ effects: [Effect]) -> [String] {
        effects.compactMap {
            switch $0 {
            case .send(.buttons(let body, _, _, _), _): body
            default: nil
            }
        }
    }

    @Test(arguments: [
        [(oldText, newText)],
        [("version: \"2026-01\"", "version: \"2026-02\"")],
        [("{ title: Acepto, next: menu_principal }", "{ title: Sí, acepto, next: menu_principal }")],
    ])
    func anAnswerToTheChangedRequestShowsTheCurrentOne(edits: [(String, String)]) throws {
        for answer in [Event.Kind.reply(id: "consentimiento.accept"), .text("acepto")] {
            let simulator = try atTheRequest()
            #expect(simulator.reload(try defaultMachine(editing: edits)))
            #expect(simulator.answersOutdatedConsent)
            let effects = simulator.send(answer)
            #expect(decisions(effects).isEmpty, "\(answer) decided on a request the contact was not shown")
            #expect(bodies(effects).count == 1)
            #expect(simulator.currentStep == "consentimiento")
            #expect(simulator.session.consent.acceptedVersion == nil)
            // The request now on screen is the current one: its answer counts.
            #expect(!simulator.answersOutdatedConsent)
            #expect(decisions(simulator.send(answer)).map(\.choice) == ["accepted"])
            #expect(simulator.currentStep == "menu_principal")
        }
    }

    @Test func theShownRequestIsTheCurrentText() throws {
        let simulator = try atTheRequest()
        #expect(simulator.reload(try defaultMachine(editing: [(Self.oldText, Self.newText)])))
        let shown = bodies(simulator.send(.reply(id: "consentimiento.accept")))
        #expect(shown.count == 1)
        #expect(shown.first?.hasPrefix(Self.newText) == true)
        let evidence = decisions(simulator.send(.reply(id: "consentimiento.accept")))
        #expect(evidence.first?.shownTexts.first?.hasPrefix(Self.newText) == true)
    }

    /// A reload that changes another step (a menu's text) leaves the request as shown: its answer counts at once.
    @Test func aReloadThatLeavesTheRequestAsItWasChangesNothing() throws {
        let simulator = try atTheRequest()
        #expect(simulator.reload(try defaultMachine(editing: [("¿En qué te podemos ayudar?", "¿Cómo te ayudamos?")])))
        #expect(!simulator.answersOutdatedConsent)
        let evidence = decisions(simulator.send(.reply(id: "consentimiento.accept")))
        #expect(evidence.map(\.choice) == ["accepted"])
        #expect(evidence.first?.shownTexts.first?.hasPrefix(Self.oldText) == true)
    }

    /// The opt-in question changed while it is asked: a typed "Sí, quiero" is no decision; the new question is
    /// asked and only its answer is recorded (the habeas2 audit found the fingerprint read a step's text from the
    /// wrong table, so such a change went unnoticed).
    @Test func aTypedAnswerToAChangedOptInQuestionAsksTheNewOne() throws {
        func machine(_ flow: String) throws -> StateMachine {
            MachineCompiler.compile(try #require(FlowChecker.check(flow).flow))
        }
        let simulator = Simulator(machine: try machine(TranscriptSamples.tiendaFlow), startAt: 1_795_446_000)
        simulator.send(.text("hola"))
        simulator.send(.text("acepto"))
        #expect(simulator.session.awaitingOptIn)
        let changed = TranscriptSamples.tiendaFlow.replacingOccurrences(
            of: "¿Quieres recibir promociones?", with: "¿Quieres recibir promociones y ofertas?")
        #expect(simulator.reload(try machine(changed)))
        #expect(simulator.answersOutdatedConsent)
        let asked = simulator.send(.text("Sí, quiero"))
        #expect(decisions(asked).isEmpty)
        #expect(bodies(asked) == ["¿Quieres recibir promociones y ofertas?"])
        let evidence = decisions(simulator.send(.text("Sí, quiero")))
        #expect(evidence.map(\.choice) == ["opt_in_accepted"])
        #expect(evidence.first?.shownTexts.first == "¿Quieres recibir promociones y ofertas?")
    }

    /// A layout recorded before fingerprints existed (a store's older row) is taken to differ.
    @Test func aLayoutWithoutFingerprintsIsTakenToDiffer() throws {
        let machine = try TranscriptSamples.defaultMachine()
        let current = FlowLayout(machine)
        var session = Session()
        session.status = .waiting
        session.state = Int32(try #require(current.steps.firstIndex(of: "consentimiento")))
        let old = FlowLayout(steps: current.steps, variables: current.variables, queues: current.queues)
        #expect(session.awaitsOutdatedConsentAnswer(from: old, to: current))
        #expect(!session.awaitsOutdatedConsentAnswer(from: current, to: current))
        session.status = .closed
        #expect(!session.awaitsOutdatedConsentAnswer(from: old, to: current))
    }
}
